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
export { type InitializerName, checkPositiveInt, checkRate } from './common.js';
