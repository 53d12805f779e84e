/**
 * Keras-compatible text tokenizer, in pure TypeScript.
 *
 * This is a line-by-line port of `keras.preprocessing.text.Tokenizer` and
 * `text_to_word_sequence` (Keras 2.x / tf.keras, `keras/preprocessing/text.py`,
 * identical in `keras_preprocessing/text.py` 1.1.x and `keras/src/legacy/preprocessing/text.py`).
 * Given the same options and the same texts it produces the same `word_counts`, `word_index`,
 * `index_word`, `word_docs` (values), `index_docs` (values), `document_count` and the same
 * sequences / texts as Keras. Known deviations are listed in the README-style notes below and are
 * all about inputs Keras either rejects with an exception or handles nonsensically.
 *
 * Notes on Unicode:
 * - Lower-casing uses `String.prototype.toLowerCase()` (locale-independent full Unicode case
 *   mapping), never `toLocaleLowerCase()`. This equals Python 3 `str.lower()`, including the
 *   multi-code-point mapping 'İ' (U+0130) -> 'i̇' ('i' + U+0307) and the context-sensitive final
 *   sigma ('ΟΔΟΣ' -> 'οδος'). A code-point-by-code-point comparison of Node 20 against
 *   CPython 3.11 finds differences only for characters that are unassigned in the older Unicode
 *   database the Python build uses (Node's ICU is newer); for those, Python leaves them unchanged.
 * - Filters, `charLevel` tokens and splitting work on Unicode code points, like Python's `str`
 *   (an emoji is one character / one char-level token, never two UTF-16 halves).
 * - `normalize: 'NFKC'` (not in Keras; default 'none') applies `String.prototype.normalize('NFKC')`
 *   to every text (or every token of a pre-tokenized text) before lower-casing.
 */

/** Keras's default `filters`: all ASCII punctuation except `'`, plus tab and newline. */
export const DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n';

/** Unicode normalization applied before lower-casing. 'none' keeps Keras behaviour. */
export type TokenizerNormalization = 'NFKC' | 'none';

/** Options of {@link textToWordSequence} (Keras `text_to_word_sequence`). */
export interface TextToWordSequenceOptions {
  /** Characters to replace by `split` before splitting. Default {@link DEFAULT_FILTERS}. */
  filters?: string;
  /** Lower-case the text first. Default true. */
  lower?: boolean;
  /** Non-empty separator. Default ' '. */
  split?: string;
}

/** Constructor options of {@link Tokenizer}; names follow Keras in camelCase. */
export interface TokenizerOptions {
  /**
   * Keep only word indices `< numWords` when converting (Keras `num_words`). `null`, `undefined`
   * and `0` mean "no limit" (Keras tests `if num_words`). Fitting always indexes every word.
   */
  numWords?: number | null;
  /** Characters filtered out of texts (ignored when `charLevel`). Default {@link DEFAULT_FILTERS}. */
  filters?: string;
  /** Lower-case texts (and pre-tokenized tokens). Default true. */
  lower?: boolean;
  /** Word separator, a non-empty string. Default ' '. */
  split?: string;
  /** Every code point is a token; `filters` and `split` are not used. Default false. */
  charLevel?: boolean;
  /** Out-of-vocabulary token; gets index 1 and replaces unknown / cut words. Default null. */
  oovToken?: string | null;
  /** Initial document count (Keras's `document_count` kwarg, used when restoring). Default 0. */
  documentCount?: number;
  /** Unicode normalization before lower-casing. Default 'none' (Keras-identical). */
  normalize?: TokenizerNormalization;
}

/** A text: either a string, or an already tokenized text (Keras: "a list of strings"). */
export type TokenizerText = string | readonly string[];

/** Resolved configuration of a {@link Tokenizer}. */
export interface TokenizerConfig {
  numWords: number | null;
  filters: string;
  lower: boolean;
  split: string;
  charLevel: boolean;
  oovToken: string | null;
  normalize: TokenizerNormalization;
}

/**
 * The saved form of a {@link Tokenizer} (`toJSON()` / `Tokenizer.fromJSON()`). Maps are stored as
 * entry arrays so that insertion order (which decides tie-breaking on further fitting) and keys
 * such as '__proto__' or '10' survive a round trip through JSON unchanged.
 */
export interface TokenizerJSON {
  format: 'polymodal.keras-tokenizer';
  version: 1;
  config: TokenizerConfig;
  documentCount: number;
  wordCounts: Array<[string, number]>;
  wordDocs: Array<[string, number]>;
  indexDocs: Array<[number, number]>;
  wordIndex: Array<[string, number]>;
  indexWord: Array<[number, string]>;
}

const JSON_FORMAT = 'polymodal.keras-tokenizer';

/**
 * Compiles Keras's `str.maketrans({c: split for c in filters})` into one global regular
 * expression over code points (every code point written as `\u{…}`, so no character of `filters`
 * is ever a regex metacharacter). Returns null when there is nothing to filter.
 */
function compileFilters(filters: string): RegExp | null {
  const codePoints = new Set<number>();
  for (const ch of filters) codePoints.add(ch.codePointAt(0) as number);
  if (codePoints.size === 0) return null;
  let cls = '';
  for (const cp of codePoints) cls += `\\u{${cp.toString(16)}}`;
  return new RegExp(`[${cls}]`, 'gu');
}

function checkSplit(split: unknown): string {
  if (typeof split !== 'string' || split.length === 0) {
    // Python: str.split('') raises "ValueError: empty separator".
    throw new TypeError('split must be a non-empty string');
  }
  return split;
}

function wordSequence(text: string, filterRe: RegExp | null, lower: boolean, split: string): string[] {
  // keras text.py `text_to_word_sequence`: `if lower: input_text = input_text.lower()`
  if (lower) text = text.toLowerCase();
  // `translate_map = str.maketrans({c: split for c in filters}); input_text.translate(...)`
  // (a replacer function, so '$' in `split` is never a replacement pattern)
  if (filterRe !== null) text = text.replace(filterRe, () => split);
  // `seq = input_text.split(split); return [i for i in seq if i]`
  const out: string[] = [];
  for (const token of text.split(split)) if (token) out.push(token);
  return out;
}

/**
 * Keras `text_to_word_sequence(text, filters, lower, split)`: lower-case, replace every filter
 * character by `split`, split on `split`, drop empty strings.
 */
export function textToWordSequence(text: string, options: TextToWordSequenceOptions = {}): string[] {
  if (typeof text !== 'string') throw new TypeError('text must be a string');
  const filters = options.filters ?? DEFAULT_FILTERS;
  if (typeof filters !== 'string') throw new TypeError('filters must be a string');
  const split = checkSplit(options.split ?? ' ');
  return wordSequence(text, compileFilters(filters), options.lower ?? true, split);
}

function checkCount(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

function resolveConfig(options: TokenizerOptions): TokenizerConfig {
  const numWords = options.numWords ?? null;
  if (numWords !== null) checkCount(numWords, 'numWords');
  const filters = options.filters ?? DEFAULT_FILTERS;
  if (typeof filters !== 'string') throw new TypeError('filters must be a string');
  const oovToken = options.oovToken ?? null;
  if (oovToken !== null && typeof oovToken !== 'string') throw new TypeError('oovToken must be a string or null');
  const normalize = options.normalize ?? 'none';
  if (normalize !== 'none' && normalize !== 'NFKC') {
    throw new TypeError(`normalize must be 'NFKC' or 'none', got ${String(normalize)}`);
  }
  const lower = options.lower ?? true;
  const charLevel = options.charLevel ?? false;
  if (typeof lower !== 'boolean') throw new TypeError('lower must be a boolean');
  if (typeof charLevel !== 'boolean') throw new TypeError('charLevel must be a boolean');
  return {
    numWords,
    filters,
    lower,
    split: checkSplit(options.split ?? ' '),
    charLevel,
    oovToken,
    normalize,
  };
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return value != null && typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}

function checkTexts(texts: unknown): Iterable<unknown> {
  // Keras would iterate a bare string character by character, treating every character as a
  // document; that is always a mistake, so it is rejected here.
  if (typeof texts === 'string' || !isIterable(texts)) {
    throw new TypeError('texts must be an iterable of texts (strings or token arrays), not a single string');
  }
  return texts;
}

/**
 * Python's `json.dumps` of a str with default settings (`ensure_ascii=True`): escapes `"`, `\\`,
 * the short escapes \b \f \n \r \t, and every other UTF-16 code unit outside ' '..'~' as a
 * lower-case `\\uXXXX` (astral characters therefore become surrogate pairs, as in Python).
 */
function pyJsonString(value: string): string {
  const short: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    const code = value.charCodeAt(i);
    if (Object.hasOwn(short, ch)) out += short[ch];
    else if (code >= 0x20 && code <= 0x7e) out += ch;
    else out += '\\u' + code.toString(16).padStart(4, '0');
  }
  return out + '"';
}

type PyJsonValue = string | number | boolean | null;

function pyJsonScalar(value: PyJsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return pyJsonString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return String(value);
}

/** Python's `json.dumps(dict)` for a flat dict: `{"k": v, "k2": v2}` in insertion order. */
function pyJsonObject(entries: Iterable<readonly [string | number, PyJsonValue]>): string {
  const parts: string[] = [];
  for (const [k, v] of entries) parts.push(`${pyJsonString(String(k))}: ${pyJsonScalar(v)}`);
  return `{${parts.join(', ')}}`;
}

/**
 * Parses a flat JSON object (`{"key": scalar, ...}`) into its entries in document order.
 * `JSON.parse` alone would move integer-like keys ("10", "2") to the front of the object, which
 * would change the tie-breaking order of `word_counts`.
 */
function parseFlatJsonObject(text: string, what: string): Array<[string, PyJsonValue]> {
  const parsed: unknown = JSON.parse(text);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new TypeError(`Keras tokenizer JSON: ${what} must encode an object`);
  }
  for (const v of Object.values(parsed)) {
    if (v !== null && typeof v === 'object') throw new TypeError(`Keras tokenizer JSON: ${what} must be flat`);
  }
  // The text is now known to be a valid flat object, so a scan over `"key": value` pairs is exact.
  const entries: Array<[string, PyJsonValue]> = [];
  const open = /^\s*\{\s*/y;
  open.exec(text);
  let pos = open.lastIndex;
  if (text[pos] === '}') return entries;
  const pair = /("(?:[^"\\]|\\.)*")\s*:\s*("(?:[^"\\]|\\.)*"|[^,}\s]+)\s*([,}])\s*/y;
  for (;;) {
    pair.lastIndex = pos;
    const m = pair.exec(text);
    if (m === null) throw new TypeError(`Keras tokenizer JSON: cannot read ${what}`);
    entries.push([JSON.parse(m[1]) as string, JSON.parse(m[2]) as PyJsonValue]);
    pos = pair.lastIndex;
    if (m[3] === '}') return entries;
  }
}

/**
 * Keras-compatible `Tokenizer`. Index 0 is reserved (padding) and never assigned; with an
 * `oovToken` the OOV token is index 1; other words are numbered by descending count, ties in
 * first-seen order.
 */
export class Tokenizer {
  readonly numWords: number | null;
  readonly filters: string;
  readonly lower: boolean;
  readonly split: string;
  readonly charLevel: boolean;
  readonly oovToken: string | null;
  readonly normalize: TokenizerNormalization;

  private readonly filterRe: RegExp | null;
  private docCount: number;
  private readonly counts = new Map<string, number>();
  private readonly docs = new Map<string, number>();
  private readonly idxDocs = new Map<number, number>();
  private wIndex = new Map<string, number>();
  private iWord = new Map<number, string>();

  constructor(options: TokenizerOptions = {}) {
    const config = resolveConfig(options);
    this.numWords = config.numWords;
    this.filters = config.filters;
    this.lower = config.lower;
    this.split = config.split;
    this.charLevel = config.charLevel;
    this.oovToken = config.oovToken;
    this.normalize = config.normalize;
    this.filterRe = compileFilters(this.filters);
    this.docCount = checkCount(options.documentCount ?? 0, 'documentCount');
  }

  /** Number of documents seen by `fitOnTexts` / `fitOnSequences` (Keras `document_count`). */
  get documentCount(): number {
    return this.docCount;
  }

  /** Token -> count over all fitted texts, in first-seen order (Keras `word_counts`). */
  get wordCounts(): ReadonlyMap<string, number> {
    return this.counts;
  }

  /** Token -> number of documents containing it (Keras `word_docs`). */
  get wordDocs(): ReadonlyMap<string, number> {
    return this.docs;
  }

  /** Index -> number of documents containing it (Keras `index_docs`). */
  get indexDocs(): ReadonlyMap<number, number> {
    return this.idxDocs;
  }

  /** Token -> index, indices from 1 (Keras `word_index`). Contains every fitted word, regardless of `numWords`. */
  get wordIndex(): ReadonlyMap<string, number> {
    return this.wIndex;
  }

  /** Index -> token (Keras `index_word`). */
  get indexWord(): ReadonlyMap<number, string> {
    return this.iWord;
  }

  /** The resolved options. */
  get config(): TokenizerConfig {
    return {
      numWords: this.numWords,
      filters: this.filters,
      lower: this.lower,
      split: this.split,
      charLevel: this.charLevel,
      oovToken: this.oovToken,
      normalize: this.normalize,
    };
  }

  private prepare(text: string): string {
    return this.normalize === 'NFKC' ? text.normalize('NFKC') : text;
  }

  /**
   * The token sequence of one text, exactly as Keras computes `seq` in `fit_on_texts` and
   * `texts_to_sequences_generator`: pre-tokenized texts and `charLevel` texts are only
   * lower-cased (no filters), other texts go through `text_to_word_sequence`.
   */
  tokenize(text: TokenizerText): string[] {
    if (typeof text === 'string') {
      const prepared = this.prepare(text);
      if (this.charLevel) return Array.from(this.lower ? prepared.toLowerCase() : prepared);
      return wordSequence(prepared, this.filterRe, this.lower, this.split);
    }
    if (Array.isArray(text)) {
      return text.map((token: unknown) => {
        if (typeof token !== 'string') throw new TypeError('a tokenized text must contain only strings');
        const prepared = this.prepare(token);
        return this.lower ? prepared.toLowerCase() : prepared;
      });
    }
    throw new TypeError('each text must be a string or an array of strings');
  }

  /**
   * Updates the vocabulary (Keras `fit_on_texts`). Counts accumulate over calls; `wordIndex` and
   * `indexWord` are rebuilt after every call.
   */
  fitOnTexts(texts: Iterable<TokenizerText>): void {
    for (const text of checkTexts(texts)) {
      const seq = this.tokenize(text as TokenizerText);
      this.docCount += 1;
      for (const w of seq) this.counts.set(w, (this.counts.get(w) ?? 0) + 1);
      // `for w in set(seq): self.word_docs[w] += 1` (Python's set order is arbitrary; first-seen here)
      for (const w of new Set(seq)) this.docs.set(w, (this.docs.get(w) ?? 0) + 1);
    }
    // `wcounts.sort(key=lambda x: x[1], reverse=True)`: Python's sort is stable, also with
    // reverse=True, and so is Array.prototype.sort, so ties keep first-seen order.
    const wcounts = Array.from(this.counts).sort((a, b) => b[1] - a[1]);
    // `sorted_voc = [] if oov_token is None else [oov_token]; sorted_voc.extend(...)`
    const sortedVoc: string[] = this.oovToken === null ? [] : [this.oovToken];
    for (const [w] of wcounts) sortedVoc.push(w);
    // `dict(zip(sorted_voc, range(1, len(sorted_voc) + 1)))`: a key seen twice (the OOV token
    // also occurring in the texts) keeps its first position and takes its last index, exactly
    // as a Python dict does and as Map.set does.
    const wordIndex = new Map<string, number>();
    sortedVoc.forEach((w, i) => wordIndex.set(w, i + 1));
    // `self.index_word = {c: w for w, c in self.word_index.items()}`
    const indexWord = new Map<number, string>();
    for (const [w, c] of wordIndex) indexWord.set(c, w);
    this.wIndex = wordIndex;
    this.iWord = indexWord;
    // `for w, c in list(self.word_docs.items()): self.index_docs[self.word_index[w]] = c`
    // (index_docs is not cleared, as in Keras)
    for (const [w, c] of this.docs) this.idxDocs.set(wordIndex.get(w) as number, c);
  }

  /** Keras `fit_on_sequences`: counts, per index, the documents containing it. */
  fitOnSequences(sequences: Iterable<ArrayLike<number>>): void {
    for (const seq of checkTexts(sequences) as Iterable<ArrayLike<number>>) {
      this.docCount += 1;
      for (const i of new Set(Array.from(seq))) this.idxDocs.set(i, (this.idxDocs.get(i) ?? 0) + 1);
    }
  }

  /** Index of the OOV token, or undefined. Throws when an OOV token is configured but not indexed yet. */
  private oovIndex(): number | undefined {
    if (this.oovToken === null) return undefined;
    const index = this.wIndex.get(this.oovToken);
    if (index === undefined) {
      // Keras would emit `None` for unknown words here (texts) or raise KeyError (sequences).
      throw new Error('Tokenizer has an oovToken but has not been fitted yet; call fitOnTexts first');
    }
    return index;
  }

  /** Keras `texts_to_sequences_generator`: yields one index sequence per text. */
  *textsToSequencesGenerator(texts: Iterable<TokenizerText>): Generator<number[], void, undefined> {
    const numWords = this.numWords;
    const oovIndex = this.oovIndex();
    for (const text of checkTexts(texts)) {
      const seq = this.tokenize(text as TokenizerText);
      const vect: number[] = [];
      for (const w of seq) {
        const i = this.wIndex.get(w);
        if (i !== undefined) {
          // `if num_words and i >= num_words: if oov_token_index is not None: vect.append(oov_token_index)`
          if (numWords && i >= numWords) {
            if (oovIndex !== undefined) vect.push(oovIndex);
          } else {
            vect.push(i);
          }
        } else if (oovIndex !== undefined) {
          // `elif self.oov_token is not None: vect.append(oov_token_index)`
          vect.push(oovIndex);
        }
      }
      yield vect;
    }
  }

  /** Keras `texts_to_sequences`: one index sequence per text. */
  textsToSequences(texts: Iterable<TokenizerText>): number[][] {
    return Array.from(this.textsToSequencesGenerator(texts));
  }

  /** Keras `sequences_to_texts_generator`: yields one space-joined text per sequence. */
  *sequencesToTextsGenerator(sequences: Iterable<ArrayLike<number>>): Generator<string, void, undefined> {
    const numWords = this.numWords;
    const oovIndex = this.oovIndex();
    let oovWord: string | undefined;
    if (oovIndex !== undefined) {
      oovWord = this.iWord.get(oovIndex);
      if (oovWord === undefined) throw new Error(`indexWord has no entry for the OOV index ${oovIndex}`);
    }
    for (const seq of checkTexts(sequences) as Iterable<ArrayLike<number>>) {
      const vect: string[] = [];
      for (let k = 0; k < seq.length; k++) {
        const num = seq[k];
        const word = this.iWord.get(num);
        if (word !== undefined) {
          if (numWords && num >= numWords) {
            if (oovWord !== undefined) vect.push(oovWord);
          } else {
            vect.push(word);
          }
        } else if (oovWord !== undefined) {
          // also index 0 (padding) becomes the OOV word, as in Keras
          vect.push(oovWord);
        }
      }
      // `vect = " ".join(vect)` (always a space, whatever `split` is)
      yield vect.join(' ');
    }
  }

  /** Keras `sequences_to_texts`: one space-joined text per sequence. */
  sequencesToTexts(sequences: Iterable<ArrayLike<number>>): string[] {
    return Array.from(this.sequencesToTextsGenerator(sequences));
  }

  /** A JSON-safe snapshot of configuration and all fitted state, for saving with a model. */
  toJSON(): TokenizerJSON {
    return {
      format: JSON_FORMAT,
      version: 1,
      config: this.config,
      documentCount: this.docCount,
      wordCounts: Array.from(this.counts),
      wordDocs: Array.from(this.docs),
      indexDocs: Array.from(this.idxDocs),
      wordIndex: Array.from(this.wIndex),
      indexWord: Array.from(this.iWord),
    };
  }

  /**
   * The string Keras's `Tokenizer.to_json()` returns for the same state (same keys, same order,
   * Python `json.dumps` formatting), loadable in Python with
   * `keras.preprocessing.text.tokenizer_from_json`. Throws when `normalize` is not 'none', since
   * a Keras tokenizer cannot reproduce it.
   */
  toKerasJSON(): string {
    if (this.normalize !== 'none') {
      throw new Error(`a tokenizer with normalize: '${this.normalize}' cannot be expressed as a Keras tokenizer`);
    }
    // keras text.py `get_config` (key order as there) and `to_json`:
    // json.dumps({"class_name": "Tokenizer", "config": config})
    const config: Array<[string, PyJsonValue]> = [
      ['num_words', this.numWords],
      ['filters', this.filters],
      ['lower', this.lower],
      ['split', this.split],
      ['char_level', this.charLevel],
      ['oov_token', this.oovToken],
      ['document_count', this.docCount],
      ['word_counts', pyJsonObject(this.counts)],
      ['word_docs', pyJsonObject(this.docs)],
      ['index_docs', pyJsonObject(this.idxDocs)],
      ['index_word', pyJsonObject(this.iWord)],
      ['word_index', pyJsonObject(this.wIndex)],
    ];
    return `{"class_name": "Tokenizer", "config": ${pyJsonObject(config)}}`;
  }

  /**
   * Loads the output of Keras's `Tokenizer.to_json()` (mirrors `tokenizer_from_json`: nested
   * maps are JSON strings, integer keys of `index_docs` / `index_word` are decimal strings).
   */
  static fromKerasJSON(json: string): Tokenizer {
    const outer: unknown = JSON.parse(json);
    const config = (outer as { config?: unknown } | null)?.config;
    if (config === null || typeof config !== 'object') throw new TypeError('Keras tokenizer JSON lacks "config"');
    const c = config as Record<string, unknown>;
    const nested = (key: string): Array<[string, PyJsonValue]> => {
      const value = c[key];
      if (typeof value !== 'string') throw new TypeError(`Keras tokenizer JSON: config.${key} must be a JSON string`);
      return parseFlatJsonObject(value, key);
    };
    const int = (v: unknown, what: string): number => {
      const n = typeof v === 'string' && /^\s*[-+]?\d+\s*$/.test(v) ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new TypeError(`Keras tokenizer JSON: ${what} must be an integer`);
      return n;
    };
    const str = (v: unknown, what: string): string => {
      if (typeof v !== 'string') throw new TypeError(`Keras tokenizer JSON: ${what} must be a string`);
      return v;
    };
    const tokenizer = new Tokenizer({
      numWords: c.num_words as number | null | undefined,
      filters: c.filters as string | undefined,
      lower: c.lower as boolean | undefined,
      split: c.split as string | undefined,
      charLevel: c.char_level as boolean | undefined,
      oovToken: c.oov_token as string | null | undefined,
      documentCount: c.document_count as number | undefined,
    });
    for (const [k, v] of nested('word_counts')) tokenizer.counts.set(k, int(v, 'word_counts value'));
    for (const [k, v] of nested('word_docs')) tokenizer.docs.set(k, int(v, 'word_docs value'));
    for (const [k, v] of nested('index_docs')) tokenizer.idxDocs.set(int(k, 'index_docs key'), int(v, 'index_docs value'));
    for (const [k, v] of nested('index_word')) tokenizer.iWord.set(int(k, 'index_word key'), str(v, 'index_word value'));
    for (const [k, v] of nested('word_index')) tokenizer.wIndex.set(k, int(v, 'word_index value'));
    return tokenizer;
  }

  /** Restores a tokenizer saved with {@link Tokenizer.toJSON} (the object or its JSON text). */
  static fromJSON(json: TokenizerJSON | string): Tokenizer {
    const data: unknown = typeof json === 'string' ? JSON.parse(json) : json;
    if (data === null || typeof data !== 'object') throw new TypeError('tokenizer JSON must be an object');
    const obj = data as Partial<Record<keyof TokenizerJSON, unknown>>;
    if (obj.format !== JSON_FORMAT || obj.version !== 1) {
      throw new TypeError(`not a ${JSON_FORMAT} version 1 document`);
    }
    if (obj.config === null || typeof obj.config !== 'object') throw new TypeError('tokenizer JSON lacks config');
    const config = obj.config as TokenizerConfig;
    const tokenizer = new Tokenizer({ ...config, documentCount: obj.documentCount as number });
    const entries = <K, V>(name: keyof TokenizerJSON, isKey: (k: unknown) => k is K, isValue: (v: unknown) => v is V) => {
      const list = obj[name];
      if (!Array.isArray(list)) throw new TypeError(`tokenizer JSON: ${name} must be an array of pairs`);
      const map = new Map<K, V>();
      for (const pair of list as unknown[]) {
        if (!Array.isArray(pair) || pair.length !== 2 || !isKey(pair[0]) || !isValue(pair[1])) {
          throw new TypeError(`tokenizer JSON: malformed entry in ${name}`);
        }
        map.set(pair[0], pair[1]);
      }
      return map;
    };
    const isString = (v: unknown): v is string => typeof v === 'string';
    const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
    for (const [k, v] of entries('wordCounts', isString, isInt)) tokenizer.counts.set(k, v);
    for (const [k, v] of entries('wordDocs', isString, isInt)) tokenizer.docs.set(k, v);
    for (const [k, v] of entries('indexDocs', isInt, isInt)) tokenizer.idxDocs.set(k, v);
    tokenizer.wIndex = entries('wordIndex', isString, isInt);
    tokenizer.iWord = entries('indexWord', isInt, isString);
    return tokenizer;
  }
}
