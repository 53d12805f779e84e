import * as tf from '@tensorflow/tfjs';
import type { BuildContext } from '@polymodal/core';
import type { EmbeddingOptions } from '../options.js';
import type { TextPreprocessor } from '../text-preprocessor.js';

/** Embedding(numWords, embeddingDim) over the token ids, initialised from `embeddingsFile` when given. */
export function embedTokens(tokens: tf.SymbolicTensor, options: EmbeddingOptions, preprocessor: TextPreprocessor, ctx: BuildContext): tf.SymbolicTensor {
  const rows = preprocessor.vocabularySize();
  const pretrained = preprocessor.pretrained;
  return tf.layers.embedding({
    inputDim: rows,
    outputDim: options.embeddingDim,
    trainable: options.trainEmbeddings,
    weights: pretrained ? [tf.tensor2d(pretrained.matrix, [rows, options.embeddingDim])] : undefined,
    name: ctx.layerName('embedding'),
  }).apply(tokens) as tf.SymbolicTensor;
}
