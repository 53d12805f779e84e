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
