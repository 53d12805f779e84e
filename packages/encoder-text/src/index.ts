import { createRequire } from 'node:module';
import { definePlugin, type PolymodalPlugin } from '@polymodal/core';
import { textBagEncoder } from './encoders/bag-encoder.js';
import { textCnnEncoder } from './encoders/cnn-encoder.js';
import { textGruEncoder, textLstmEncoder } from './encoders/recurrent-encoder.js';
import { textTransformerEncoder } from './encoders/transformer-encoder.js';
import { PolymodalGRU } from './layers/gru.js';
import { PolymodalLSTM } from './layers/lstm.js';

const { name, version } = createRequire(import.meta.url)('../package.json') as { name: string; version: string };

/** The text encoder plugin: `text/lstm`, `text/gru`, `text/cnn`, `text/transformer`, `text/bag`. */
export default function textEncoders(): PolymodalPlugin {
  return definePlugin({
    name,
    version,
    encoders: [textLstmEncoder, textGruEncoder, textCnnEncoder, textTransformerEncoder, textBagEncoder],
    layers: [PolymodalLSTM, PolymodalGRU],
  });
}

export { textLstmEncoder, textGruEncoder } from './encoders/recurrent-encoder.js';
export { textCnnEncoder } from './encoders/cnn-encoder.js';
export { textTransformerEncoder } from './encoders/transformer-encoder.js';
export { textBagEncoder } from './encoders/bag-encoder.js';
export { TextPreprocessor, type TextState } from './text-preprocessor.js';
export { readEmbeddingsFile } from './embeddings-file.js';
export type {
  BagEncoderOptions, CnnEncoderOptions, EmbeddingOptions, RecurrentEncoderOptions, TextOutput, TokenizerEncoderOptions,
  TransformerEncoderOptions,
} from './options.js';
export { DEFAULT_FILTERS, Tokenizer, textToWordSequence } from './tokenizer.js';
export type {
  TextToWordSequenceOptions,
  TokenizerConfig,
  TokenizerJSON,
  TokenizerNormalization,
  TokenizerOptions,
  TokenizerText,
} from './tokenizer.js';
export { padSequences } from './pad-sequences.js';
export type { PadSequencesDType, PadSequencesOptions, PaddedSequences } from './pad-sequences.js';
export { PolymodalLSTM, type PolymodalLSTMArgs } from './layers/lstm.js';
export { PolymodalGRU, type PolymodalGRUArgs } from './layers/gru.js';
export type { PolymodalRecurrentArgs, RecurrentImplementation, RecurrentInitializerName } from './layers/recurrent-base.js';
