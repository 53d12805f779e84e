import type { TokenizerEncoderOptions } from '../../options.js';
import { DEFAULT_FILTERS } from '../../tokenizer.js';

/** The schema defaults of the tokenizer options, as the manifest loader fills them in. */
export const tokenizerDefaults: TokenizerEncoderOptions = {
  numWords: 10000, maxLength: 100, lower: true, filters: DEFAULT_FILTERS, oovToken: null, charLevel: false, normalize: 'none',
  padding: 'pre', truncating: 'pre', missingText: 'empty',
};
