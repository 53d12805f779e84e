// Layer classes that exist, under the same name, in both Keras 3 (`keras.layers`) and tfjs-layers. A shared name does
// not mean every option matches: the reader (read/layer-translators.ts) and the writer check options per class.

/** The module Keras 3 writes for its built-in layers. */
export const KERAS_LAYERS_MODULE = 'keras.layers';

/** The model classes: Keras 3 writes `Functional` (module `keras.src.models.functional`) and `Sequential`; tfjs `Model`/`Functional`. */
export const KERAS_MODEL_MODULES: ReadonlyMap<string, string> = new Map([
  ['Functional', 'keras.src.models.functional'],
  ['Sequential', 'keras.src.models.sequential'],
]);

const SHARED_LAYER_CLASSES = [
  'Activation', 'Add', 'Average', 'AveragePooling1D', 'AveragePooling2D', 'AveragePooling3D', 'BatchNormalization',
  'Bidirectional', 'CenterCrop', 'Concatenate', 'Conv1D', 'Conv2D', 'Conv2DTranspose', 'Conv3D', 'ConvLSTM2D',
  'Cropping2D', 'Dense', 'DepthwiseConv2D', 'Dot', 'Dropout', 'ELU', 'Embedding', 'Flatten', 'GaussianDropout',
  'GaussianNoise', 'GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D',
  'GRU', 'Identity', 'InputLayer', 'LayerNormalization', 'LeakyReLU', 'LSTM', 'Masking', 'MaxPooling1D',
  'MaxPooling2D', 'MaxPooling3D', 'Maximum', 'Minimum', 'Multiply', 'Permute', 'PReLU', 'ReLU', 'RepeatVector',
  'Rescaling', 'Reshape', 'Resizing', 'SeparableConv2D', 'SimpleRNN', 'Softmax', 'SpatialDropout1D',
  'TimeDistributed', 'UpSampling2D', 'ZeroPadding2D',
] as const;

/** Keras 3 layer class name -> tfjs class name. */
const KERAS_TO_TFJS: ReadonlyMap<string, string> = new Map([
  ...SHARED_LAYER_CLASSES.map((name) => [name, name] as const),
  ['Functional', 'Model'],
  ['Model', 'Model'],
  ['Sequential', 'Sequential'],
]);

/** tfjs class name -> Keras 3 class name. */
const TFJS_TO_KERAS: ReadonlyMap<string, string> = new Map([
  ...SHARED_LAYER_CLASSES.map((name) => [name, name] as const),
  ['Model', 'Functional'],
  ['Functional', 'Functional'],
  // The reader's BatchNormalization (frozen layers run in inference mode, as in Keras; see read/batch-normalization.ts).
  ['PolymodalBatchNormalization', 'BatchNormalization'],
  ['Sequential', 'Sequential'],
]);

/** The tfjs twin of a Keras class, or undefined when tfjs has none. */
export function tfjsClassOf(kerasClassName: string): string | undefined {
  return KERAS_TO_TFJS.get(kerasClassName);
}

/** The Keras 3 twin of a tfjs class, or undefined when Keras has none under that name. */
export function kerasClassOf(tfjsClassName: string): string | undefined {
  return TFJS_TO_KERAS.get(tfjsClassName);
}
