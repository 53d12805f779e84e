/**
 * The one list of activations every Polymodal option schema offers (encoders, fusions, the head). They are
 * tfjs activation identifiers, so a layer takes them as they are.
 */
export const ACTIVATIONS = ['relu', 'elu', 'selu', 'tanh', 'sigmoid', 'swish', 'linear'] as const;

export type Activation = (typeof ACTIVATIONS)[number];
