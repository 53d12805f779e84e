import type { FeatureArrays, InputSpec, JsonValue, Row } from '../plugin/contracts.js';

export interface TransformTask {
  id: number;
  /** Same id, same fitted state: the worker builds the preprocessor once per id. */
  preprocessorId: string;
  moduleUrl: string;
  pluginOptions?: unknown;
  spec: InputSpec;
  state: JsonValue;
  rows: readonly Row[];
}

export type TransformReply = { id: number; arrays: FeatureArrays; error?: undefined } | { id: number; error: string; arrays?: undefined };
