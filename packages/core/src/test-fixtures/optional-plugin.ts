import * as tf from '@tensorflow/tfjs';
import { replaceMissing } from '../layers/null-embedding.js';
import type { FusionDefinition } from '../plugin/contracts.js';
import { definePlugin } from '../plugin/define-plugin.js';
import { numericEncoder } from './numeric-plugin.js';

/**
 * A fusion that handles missing inputs (a learned null embedding per optional input, then concatenation) and
 * exposes a reliance `weights`: a softmax over the inputs from a dense layer of its own, which leads to no output,
 * so saving it needs the extra outputs of the model folder.
 */
export const maskedJoinFusion: FusionDefinition<Record<string, never>> = {
  type: 'masked-join',
  description: 'test fusion that handles missing inputs',
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  accepts: ['vector'],
  handlesMissingInputs: true,
  build(features, _options, ctx) {
    const parts = Object.entries(features).map(([name, feature]) => replaceMissing(feature, ctx, name));
    const tensor = parts.length === 1 ? parts[0] : (tf.layers.concatenate({ name: ctx.layerName('concat') }).apply(parts) as tf.SymbolicTensor);
    const weights = tf.layers.dense({ units: parts.length, activation: 'softmax', name: ctx.layerName('weights') }).apply(tensor) as tf.SymbolicTensor;
    return { tensor, reliance: { weights } };
  },
};

export const optionalTestPlugin = definePlugin({
  name: 'polymodal-optional-test-plugin',
  version: '1.0.0',
  encoders: [{ ...numericEncoder, type: 'test/optional-numeric' }],
  fusions: [maskedJoinFusion],
});

/** `syntheticCsv`'s rows with column b emptied in every `every`-th row. */
export function withEmptyCells(csv: string, column: number, every: number): string {
  const [header, ...lines] = csv.trimEnd().split('\n');
  return [header, ...lines.map((line, i) => {
    if (i % every !== 0) return line;
    const cells = line.split(',');
    cells[column] = '';
    return cells.join(',');
  })].join('\n') + '\n';
}

export function optionalManifest(overrides: Record<string, unknown> = {}): Record<string, any> {
  return {
    version: 1,
    name: 'optional-fixture',
    plugins: ['polymodal-optional-test-plugin'],
    data: { source: 'data.csv', split: { validation: 0.2, test: 0.2, seed: 3 } },
    inputs: {
      first: { encoder: 'test/optional-numeric', columns: ['a'] },
      second: { encoder: 'test/optional-numeric', columns: ['b'], required: false },
    },
    fusion: { type: 'masked-join' },
    output: { column: 'label', task: 'binary' },
    training: { backend: 'wasm', epochs: 3, batchSize: 16, seed: 5, optimizer: { learningRate: 0.05 }, modalityDropout: 0.25 },
    ...overrides,
  };
}
