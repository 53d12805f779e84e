import { cell, type FeatureArrays, type FeatureSpec, type InputSpec, type InvalidValue, type JsonValue, type Preprocessor, type Row } from '@polymodal/core';
import type { BagEncoderOptions, EmbeddingOptions, TokenizerEncoderOptions } from './options.js';
import { padSequences } from './pad-sequences.js';
import { Tokenizer, type TokenizerJSON } from './tokenizer.js';
import { readEmbeddingsFile } from './embeddings-file.js';

/** The fitted state saved with a model: the Keras tokenizer (word counts and index). */
export type TextState = { tokenizer: JsonValue };

type TextOptions = TokenizerEncoderOptions & Partial<EmbeddingOptions> & Partial<Pick<BagEncoderOptions, 'mode'>>;

/**
 * One text column -> token ids `[maxLength]` (int32, Keras Tokenizer + pad_sequences), or with `mode` (text/bag)
 * a `[numWords]` vector as Keras's `texts_to_matrix`. The tokenizer is fitted on the training split only.
 */
export class TextPreprocessor implements Preprocessor<TextState> {
  private tokenizer: Tokenizer | undefined;
  /** Pretrained rows for the embedding, read by fit() when `embeddingsFile` is set (not saved: the weights are). */
  pretrained: { matrix: Float32Array; found: number } | undefined;

  constructor(private readonly input: InputSpec<TextOptions>, state?: TextState) {
    if (state) this.tokenizer = Tokenizer.fromJSON(state.tokenizer as unknown as TokenizerJSON);
  }

  private get column(): string {
    return this.input.columns[0];
  }

  private text(row: Row): string {
    const value = cell(row, this.column);
    return value === null ? '' : String(value);
  }

  check(row: Row): InvalidValue | undefined {
    if (this.input.options.missingText === 'invalid' && cell(row, this.column) === null) {
      return { column: this.column, problem: 'the text is missing or empty (missingText is "invalid")' };
    }
    return undefined;
  }

  async fit(rows: readonly Row[]): Promise<void> {
    const o = this.input.options;
    const tokenizer = new Tokenizer({
      numWords: o.numWords, filters: o.filters, lower: o.lower, charLevel: o.charLevel, oovToken: o.oovToken, normalize: o.normalize,
    });
    tokenizer.fitOnTexts(rows.map((row) => this.text(row)));
    this.tokenizer = tokenizer;
    if (o.embeddingsFile) {
      this.pretrained = await readEmbeddingsFile(o.embeddingsFile, this.input.manifestDir, tokenizer.wordIndex, this.vocabularySize(), o.embeddingDim ?? 0);
    }
  }

  private fitted(): Tokenizer {
    if (!this.tokenizer) throw new Error(`text input "${this.input.name}": the tokenizer is used before fit()`);
    return this.tokenizer;
  }

  /** Rows of the embedding (Keras input_dim): numWords, as Keras's num_words, whatever the training vocabulary. */
  vocabularySize(): number {
    return this.input.options.numWords;
  }

  /** Words the tokenizer indexed in training (before the numWords cut). */
  indexedWords(): number {
    return this.fitted().wordIndex.size;
  }

  features(): FeatureSpec[] {
    if (this.input.options.mode) return [{ key: 'bag', shape: [this.vocabularySize()], dtype: 'float32' }];
    return [{ key: 'tokens', shape: [this.input.options.maxLength], dtype: 'int32' }];
  }

  transform(rows: readonly Row[]): FeatureArrays {
    const tokenizer = this.fitted();
    const sequences = tokenizer.textsToSequences(rows.map((row) => this.text(row)));
    const { mode, maxLength, padding, truncating } = this.input.options;
    if (mode) return { bag: this.matrix(sequences, mode, tokenizer) };
    return { tokens: padSequences(sequences, { maxlen: maxLength, padding, truncating }).data };
  }

  /** Keras `sequences_to_matrix`: binary, count, freq, or tf-idf with tf = 1 + ln(count), idf = ln(1 + docs / (1 + df)). */
  private matrix(sequences: number[][], mode: NonNullable<TextOptions['mode']>, tokenizer: Tokenizer): Float32Array {
    const width = this.vocabularySize();
    const out = new Float32Array(sequences.length * width);
    const docs = tokenizer.documentCount;
    sequences.forEach((sequence, r) => {
      if (sequence.length === 0) return;
      const counts = new Map<number, number>();
      for (const j of sequence) if (j < width) counts.set(j, (counts.get(j) ?? 0) + 1);
      for (const [j, c] of counts) {
        let v: number;
        if (mode === 'count') v = c;
        else if (mode === 'freq') v = c / sequence.length;
        else if (mode === 'binary') v = 1;
        else v = (1 + Math.log(c)) * Math.log(1 + docs / (1 + (tokenizer.indexDocs.get(j) ?? 0)));
        out[r * width + j] = v;
      }
    });
    return out;
  }

  state(): TextState {
    return { tokenizer: this.fitted().toJSON() as unknown as JsonValue };
  }
}
