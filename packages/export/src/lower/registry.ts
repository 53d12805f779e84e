/** Which layer class is lowered by which function: the one list of what the exporters support. */
import { lowerActivation, lowerLeakyReLU, lowerReLU, lowerRescaling, lowerSoftmax } from './activation.js';
import { lowerMultiHeadAttention, lowerPositionalEmbedding, lowerTransformerEncoderBlock } from './attention.js';
import type { LayerLowering } from './context.js';
import { lowerConv1D, lowerConv2D, lowerDepthwiseConv2D, lowerSeparableConv2D } from './conv.js';
import { lowerDense } from './dense.js';
import { lowerEmbedding } from './embedding.js';
import { lowerAttentionReliance, lowerGatedCombine, lowerMaskedPooling, lowerTokenMask } from './fusion-layers.js';
import { lowerAdd, lowerAverage, lowerMaximum, lowerMinimum, lowerMultiply, lowerSubtract } from './merge.js';
import { lowerBatchNormalization, lowerLayerNormalization } from './normalization.js';
import { lowerNullEmbedding } from './null-embedding.js';
import {
  lowerAveragePooling1D, lowerAveragePooling2D, lowerGlobalAveragePooling1D, lowerGlobalAveragePooling2D,
  lowerGlobalMaxPooling1D, lowerGlobalMaxPooling2D, lowerMaxPooling1D, lowerMaxPooling2D,
} from './pooling.js';
import { lowerGRU, lowerLSTM } from './recurrent.js';
import { lowerConcatenate, lowerDropout, lowerFlatten, lowerIdentity, lowerReshape, lowerZeroPadding2D } from './shape-layers.js';

export const LAYER_LOWERINGS: ReadonlyMap<string, LayerLowering> = new Map<string, LayerLowering>([
  ['Dense', lowerDense],
  ['Activation', lowerActivation],
  ['ReLU', lowerReLU],
  ['LeakyReLU', lowerLeakyReLU],
  ['Rescaling', lowerRescaling],
  ['Softmax', lowerSoftmax],
  ['Dropout', lowerDropout],
  ['SpatialDropout1D', lowerIdentity],
  ['SpatialDropout2D', lowerIdentity],
  ['GaussianNoise', lowerIdentity],
  ['GaussianDropout', lowerIdentity],
  ['AlphaDropout', lowerIdentity],
  ['Flatten', lowerFlatten],
  ['Reshape', lowerReshape],
  ['Concatenate', lowerConcatenate],
  ['Add', lowerAdd],
  ['Subtract', lowerSubtract],
  ['Multiply', lowerMultiply],
  ['Average', lowerAverage],
  ['Maximum', lowerMaximum],
  ['Minimum', lowerMinimum],
  ['ZeroPadding2D', lowerZeroPadding2D],
  ['Embedding', lowerEmbedding],
  ['Conv1D', lowerConv1D],
  ['Conv2D', lowerConv2D],
  ['DepthwiseConv2D', lowerDepthwiseConv2D],
  ['SeparableConv2D', lowerSeparableConv2D],
  ['MaxPooling1D', lowerMaxPooling1D],
  ['MaxPooling2D', lowerMaxPooling2D],
  ['AveragePooling1D', lowerAveragePooling1D],
  ['AveragePooling2D', lowerAveragePooling2D],
  ['GlobalAveragePooling1D', lowerGlobalAveragePooling1D],
  ['GlobalAveragePooling2D', lowerGlobalAveragePooling2D],
  ['GlobalMaxPooling1D', lowerGlobalMaxPooling1D],
  ['GlobalMaxPooling2D', lowerGlobalMaxPooling2D],
  ['BatchNormalization', lowerBatchNormalization],
  // @polymodal/keras's BatchNormalization for imported backbones: the same at inference.
  ['PolymodalBatchNormalization', lowerBatchNormalization],
  ['LayerNormalization', lowerLayerNormalization],
  ['PolymodalLSTM', lowerLSTM],
  ['PolymodalGRU', lowerGRU],
  ['PolymodalMultiHeadAttention', lowerMultiHeadAttention],
  ['PolymodalTransformerEncoderBlock', lowerTransformerEncoderBlock],
  ['PolymodalPositionalEmbedding', lowerPositionalEmbedding],
  ['PolymodalNullEmbedding', lowerNullEmbedding],
  ['PolymodalTokenMask', lowerTokenMask],
  ['PolymodalMaskedPooling', lowerMaskedPooling],
  ['PolymodalAttentionReliance', lowerAttentionReliance],
  ['PolymodalGatedCombine', lowerGatedCombine],
]);

/** The layer classes an exported model may contain (nested models are lowered layer by layer). */
export const SUPPORTED_LAYERS: readonly string[] = [...LAYER_LOWERINGS.keys()];
