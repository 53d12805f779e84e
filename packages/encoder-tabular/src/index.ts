import { createRequire } from 'node:module';
import { definePlugin, type PolymodalPlugin } from '@polymodal/core';
import { tabularMlpEncoder } from './mlp-encoder.js';

const { name, version } = createRequire(import.meta.url)('../package.json') as { name: string; version: string };

/** The tabular encoder plugin. List "@polymodal/encoder-tabular" in a manifest's plugins to use `tabular/mlp`. */
export default function tabularEncoders(): PolymodalPlugin {
  return definePlugin({ name, version, encoders: [tabularMlpEncoder] });
}

export { tabularMlpEncoder } from './mlp-encoder.js';
export { TabularPreprocessor, type TabularState, type ColumnState } from './tabular-preprocessor.js';
export type { TabularOptions } from './options.js';
