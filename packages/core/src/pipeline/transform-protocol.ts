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

/** A PolymodalError raised in the worker (by plugin code, attributed to its plugin), rebuilt as one in the pool. */
export interface TransformFailure {
  message: string;
  hint?: string;
  exitCode: number;
}

export type TransformReply =
  | { id: number; arrays: FeatureArrays; error?: undefined; failure?: undefined }
  | { id: number; error: string; failure?: TransformFailure; arrays?: undefined };
