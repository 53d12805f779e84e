import type { JsonSchema } from '@polymodal/core';

export interface TabularOptions {
  numeric?: string[];
  categorical?: string[];
  scaling: 'zscore' | 'minmax' | 'none';
  missingIndicator: boolean;
  categoricalEncoding: 'onehot' | 'embedding';
  embeddingDim?: number;
  maxCategories: number;
  minFrequency: number;
  units: number[];
  activation: 'relu' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'swish' | 'linear';
  dropout: number;
  l2: number;
  batchNorm: boolean;
}

export const tabularOptionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    numeric: { type: 'array', uniqueItems: true, items: { type: 'string' }, description: 'Columns read as numbers (default: inferred).' },
    categorical: { type: 'array', uniqueItems: true, items: { type: 'string' }, description: 'Columns read as categories (default: inferred).' },
    scaling: { enum: ['zscore', 'minmax', 'none'], default: 'zscore', description: 'Numeric scaling fitted on the training split.' },
    missingIndicator: { type: 'boolean', default: true, description: 'Add a 0/1 column per numeric column that has missing values.' },
    categoricalEncoding: { enum: ['onehot', 'embedding'], default: 'onehot' },
    embeddingDim: { type: 'integer', minimum: 1, description: 'Embedding size (default: 1.6 * vocabulary^0.56, at most 50).' },
    maxCategories: { type: 'integer', minimum: 1, default: 1000, description: 'Most frequent values kept per column; the rest share the unknown slot.' },
    minFrequency: { type: 'integer', minimum: 1, default: 1, description: 'Values seen fewer times in training share the unknown slot.' },
    units: { type: 'array', items: { type: 'integer', minimum: 1 }, default: [32], description: 'Dense layer sizes; [] passes features through.' },
    activation: { enum: ['relu', 'elu', 'selu', 'tanh', 'sigmoid', 'swish', 'linear'], default: 'relu' },
    dropout: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0 },
    l2: { type: 'number', minimum: 0, default: 0, description: 'L2 penalty on dense kernels.' },
    batchNorm: { type: 'boolean', default: false, description: 'Batch normalization after each dense layer.' },
  },
};
