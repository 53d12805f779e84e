export {
  PolymodalMultiHeadAttention,
  type PolymodalMultiHeadAttentionArgs,
} from './multi-head-attention.js';
export {
  PolymodalPositionalEmbedding,
  type PolymodalPositionalEmbeddingArgs,
} from './positional-embedding.js';
export {
  PolymodalTransformerEncoderBlock,
  type PolymodalTransformerEncoderBlockArgs,
  type FeedForwardActivation,
} from './transformer-encoder-block.js';
export {
  PolymodalNullEmbedding,
  type PolymodalNullEmbeddingArgs,
  replaceMissing,
} from './null-embedding.js';
export { type InitializerName, checkPositiveInt, checkRate } from './common.js';
export { ACTIVATIONS, type Activation } from './activations.js';
export { denseStack, type DenseStackOptions, type DenseStackNaming } from './dense-stack.js';
export { poolSequence, type SequencePooling } from './sequence-pooling.js';
export {
  activationSchema, denseOptionsNeedUnits, dropoutSchema, l2Schema, sequencePoolingSchema, unitsSchema,
} from './schema-fragments.js';
