import { activationSchema, denseOptionsNeedUnits, dropoutSchema, l2Schema, unitsSchema, type Activation, type JsonSchema } from '@polymodal/core';

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
  activation: Activation;
  dropout: number;
  l2: number;
  batchNorm: boolean;
}

const DEFAULT_UNITS = [32];

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
    units: unitsSchema(DEFAULT_UNITS, 'Dense layer sizes; [] passes features through.'),
    activation: activationSchema(),
    dropout: dropoutSchema(),
    l2: l2Schema(),
    batchNorm: { type: 'boolean', default: false, description: 'Batch normalization after each dense layer.' },
  },
  allOf: [denseOptionsNeedUnits(['dropout', 'l2', 'batchNorm'], DEFAULT_UNITS)],
};
