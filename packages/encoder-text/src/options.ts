import { activationSchema, denseOptionsNeedUnits, dropoutSchema, sequencePoolingSchema, unitsSchema, type Activation, type JsonSchema, type SequencePooling } from '@polymodal/core';
import type { TokenizerNormalization } from './tokenizer.js';
import type { RecurrentImplementation } from './layers/recurrent-base.js';

/** Tokenizer and padding options every text encoder takes (Keras Tokenizer + pad_sequences names). */
export interface TokenizerEncoderOptions {
  numWords: number;
  maxLength: number;
  lower: boolean;
  filters: string;
  oovToken: string | null;
  charLevel: boolean;
  normalize: TokenizerNormalization;
  padding: 'pre' | 'post';
  truncating: 'pre' | 'post';
  missingText: 'empty' | 'invalid';
}

export interface EmbeddingOptions {
  embeddingDim: number;
  /** A GloVe-format text file (`word v1 v2 ...` per line), relative to the data file's folder. */
  embeddingsFile?: string;
  trainEmbeddings: boolean;
}

export type TextOutput = 'vector' | 'sequence';

export interface RecurrentEncoderOptions extends TokenizerEncoderOptions, EmbeddingOptions {
  units: number;
  layers: number;
  bidirectional: boolean;
  dropout: number;
  recurrentDropout: number;
  output: TextOutput;
  implementation: RecurrentImplementation;
}

/** text/gru's options: the recurrent ones and Keras's reset_after. */
export interface GruEncoderOptions extends RecurrentEncoderOptions {
  resetAfter: boolean;
}

export interface CnnEncoderOptions extends TokenizerEncoderOptions, EmbeddingOptions {
  convFilters: number;
  kernelSizes: number[];
  activation: Activation;
  dropout: number;
  output: TextOutput;
}

export interface TransformerEncoderOptions extends TokenizerEncoderOptions, EmbeddingOptions {
  heads: number;
  ffDim: number;
  blocks: number;
  dropout: number;
  pooling: SequencePooling;
  output: TextOutput;
}

export interface BagEncoderOptions extends TokenizerEncoderOptions {
  mode: 'binary' | 'count' | 'tfidf' | 'freq';
  units: number[];
  activation: Activation;
  dropout: number;
}

const tokenizerProperties: Record<string, JsonSchema> = {
  numWords: { type: 'integer', minimum: 2, default: 10000, description: 'Vocabulary size: the numWords - 1 most frequent training words keep an index (Keras num_words); the embedding has numWords rows.' },
  maxLength: { type: 'integer', minimum: 1, default: 100, description: 'Tokens per text after padding and truncation (pad_sequences maxlen).' },
  lower: { type: 'boolean', default: true },
  filters: { type: 'string', default: '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n', description: 'Characters removed before splitting (Keras default).' },
  oovToken: { type: ['string', 'null'], default: null, description: 'Token for out-of-vocabulary words (index 1); null drops them (Keras default).' },
  charLevel: { type: 'boolean', default: false, description: 'Every character is a token.' },
  normalize: { enum: ['none', 'NFKC'], default: 'none', description: 'Unicode normalization before lower-casing.' },
  padding: { enum: ['pre', 'post'], default: 'pre' },
  truncating: { enum: ['pre', 'post'], default: 'pre' },
  missingText: { enum: ['empty', 'invalid'], default: 'empty', description: "'empty': a missing text is an empty text; 'invalid': the row is invalid (data.onInvalidRow decides)." },
};

const embeddingProperties: Record<string, JsonSchema> = {
  embeddingDim: { type: 'integer', minimum: 1, default: 64 },
  embeddingsFile: { type: 'string', minLength: 1, description: 'Pretrained vectors in GloVe text format (word then embeddingDim numbers per line), relative to the manifest.' },
  trainEmbeddings: { type: 'boolean', default: true, description: 'false freezes the embedding (useful with embeddingsFile).' },
};

const outputProperty: JsonSchema = { enum: ['vector', 'sequence'], default: 'vector', description: "'sequence' gives [steps, features] for an attention fusion." };

export const recurrentOptionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...tokenizerProperties,
    ...embeddingProperties,
    units: { type: 'integer', minimum: 1, default: 32 },
    layers: { type: 'integer', minimum: 1, default: 1, description: 'Stacked recurrent layers.' },
    bidirectional: { type: 'boolean', default: false, description: 'Read forwards and backwards and concatenate (2 x units).' },
    dropout: dropoutSchema(0, 'Input dropout of each recurrent layer (Keras dropout).'),
    recurrentDropout: dropoutSchema(0, 'Dropout of the recurrent state (Keras recurrent_dropout).'),
    output: outputProperty,
    implementation: { enum: ['auto', 'loops', 'ops'], default: 'auto', description: "Time loop: 'loops' (cpu, wasm), 'ops' (GPU backends), 'auto' picks." },
  },
};

export const gruOptionsSchema: JsonSchema = {
  ...recurrentOptionsSchema,
  properties: {
    ...(recurrentOptionsSchema.properties as Record<string, JsonSchema>),
    resetAfter: {
      type: 'boolean', default: true,
      description: 'Keras reset_after: true (Keras\'s default) applies the reset gate after the recurrent product (bias [2, 3 x units]); ' +
        'false before it (bias [3 x units], tfjs\'s GRU), which on the tensorflow backend runs as TensorFlow\'s fused GRUBlockCell.',
    },
  },
};

export const cnnOptionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...tokenizerProperties,
    ...embeddingProperties,
    convFilters: { type: 'integer', minimum: 1, default: 64, description: 'Conv1D filters per kernel size.' },
    kernelSizes: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 1 }, default: [3, 4, 5] },
    activation: activationSchema('relu', 'Activation of the convolutions.'),
    dropout: dropoutSchema(0, 'Dropout after pooling.'),
    output: outputProperty,
  },
};

export const transformerOptionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...tokenizerProperties,
    ...embeddingProperties,
    heads: { type: 'integer', minimum: 1, default: 2 },
    ffDim: { type: 'integer', minimum: 1, default: 128 },
    blocks: { type: 'integer', minimum: 1, default: 1 },
    dropout: dropoutSchema(0.1, 'Dropout inside each transformer block.'),
    pooling: sequencePoolingSchema('mean', 'How the tokens become one vector (with output "vector").'),
    output: outputProperty,
  },
};

const BAG_DEFAULT_UNITS = [64];

export const bagOptionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...tokenizerProperties,
    numWords: { ...tokenizerProperties.numWords, default: 2000 },
    mode: { enum: ['binary', 'count', 'tfidf', 'freq'], default: 'tfidf', description: 'Keras texts_to_matrix mode.' },
    units: unitsSchema(BAG_DEFAULT_UNITS, 'Dense layer sizes after the bag of words; [] passes the bag through.'),
    activation: activationSchema(),
    dropout: dropoutSchema(),
  },
  allOf: [denseOptionsNeedUnits(['dropout'], BAG_DEFAULT_UNITS)],
};
