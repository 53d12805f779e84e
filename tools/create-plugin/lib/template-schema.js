// The options schema of the generated encoder. It is written into the plugin's src/options.ts as JSON, and
// the README's options table is made from this same object, so the two agree from the first commit.

/** The activations Polymodal offers everywhere (core's ACTIVATIONS). */
export const ACTIVATIONS = ['relu', 'elu', 'selu', 'tanh', 'sigmoid', 'swish', 'linear'];

export const DEFAULT_UNITS = [16];

export function templateSchema() {
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      units: {
        type: 'array', items: { type: 'integer', minimum: 1 }, default: DEFAULT_UNITS,
        description: 'Dense layer sizes after scaling; [] passes the scaled columns through.',
      },
      activation: { enum: ACTIVATIONS, default: 'relu', description: 'Activation of each dense layer.' },
      dropout: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0, description: 'Dropout rate after each dense layer.' },
    },
  };
}
