/** What runLayerTest takes and how it reports a failed check. */
import type * as tf from '@tensorflow/tfjs';

export type LayerTestDtype = 'float32' | 'int32';

export interface LayerTestSpec {
  /** Returns a fresh, unbuilt layer; called several times. */
  create: () => tf.layers.Layer;
  /** Per-sample input shape, batch excluded; a list of shapes for a layer with several inputs. */
  inputShape: number[] | number[][];
  /** Default 2. */
  batchSize?: number;
  /** Dtype of the random inputs (one per input for several inputs). Default 'float32'. */
  inputDtype?: LayerTestDtype | LayerTestDtype[];
  /**
   * Random inputs are drawn from [0, inputMaxValue): integers for int32 (e.g. token ids < vocab size;
   * default 10), floats for float32 (default: [-1, 1) when not given). One per input allowed.
   */
  inputMaxValue?: number | number[];
  /** Output shape with the batch dimension null; other nulls match any size. */
  expectedOutputShape: (number | null)[];
  expectedTrainableWeights?: number;
  expectedNonTrainableWeights?: number;
  /** Total number of trainable parameters (sum of the sizes of the trainable weights). */
  expectedParams?: number;
  /** Run the training-step checks. Default true. */
  trainingStep?: boolean;
  /** Absolute tolerance when comparing outputs of the same weights. Default 1e-5. */
  tolerance?: number;
  /** Seed of the random inputs. Default 1234. */
  seed?: number;
}

/** The names of the checks, as they appear in `LayerTestError.check`. */
export type LayerTestCheck =
  | 'spec'
  | 'registration'
  | 'symbolic call'
  | 'eager output shape'
  | 'computeOutputShape'
  | 'symbolic output shape'
  | 'weight counts'
  | 'param count'
  | 'eager tensor leak'
  | 'config round trip'
  | 'save/load round trip'
  | 'training step'
  | 'training tensor leak';

export class LayerTestError extends Error {
  /** Same code as node:assert's AssertionError, so runners that special-case it format it alike. */
  readonly code = 'ERR_ASSERTION';
  constructor(
    readonly layerClass: string,
    readonly check: LayerTestCheck,
    detail: string,
    readonly actual?: unknown,
    readonly expected?: unknown,
  ) {
    super(`runLayerTest(${layerClass}) failed check '${check}': ${detail}`);
    this.name = 'LayerTestError';
  }
}

