/**
 * JSON Schema pieces for the options that dense layers take, so every plugin's schema spells them (ranges,
 * defaults, the activation list) the same way. Each call returns a fresh object: spread it and override
 * `description` or `default` where a plugin means something more specific.
 */
import type { JsonSchema } from '../plugin/contracts.js';
import { ACTIVATIONS, type Activation } from './activations.js';

export function activationSchema(defaultValue: Activation = 'relu', description = 'Activation of each dense layer.'): JsonSchema {
  return { enum: [...ACTIVATIONS], default: defaultValue, description };
}

/** A dropout rate in [0, 1). */
export function dropoutSchema(defaultValue = 0, description = 'Dropout rate after each dense layer.'): JsonSchema {
  return { type: 'number', minimum: 0, exclusiveMaximum: 1, default: defaultValue, description };
}

/** An L2 penalty on dense kernels. */
export function l2Schema(defaultValue = 0, description = 'L2 penalty on dense kernels.'): JsonSchema {
  return { type: 'number', minimum: 0, default: defaultValue, description };
}

/** Sizes of a stack of dense layers; `[]` means no dense layer. */
export function unitsSchema(defaultValue: readonly number[] = [], description = 'Dense layer sizes; [] adds none.'): JsonSchema {
  return { type: 'array', items: { type: 'integer', minimum: 1 }, default: [...defaultValue], description };
}

/** How a `[batch, steps, features]` sequence becomes a vector. */
export function sequencePoolingSchema(defaultValue: 'mean' | 'max' = 'mean', description = 'How a sequence becomes one vector.'): JsonSchema {
  return { enum: ['mean', 'max'], default: defaultValue, description };
}

const NO_EFFECT_VALUE: Readonly<Record<string, unknown>> = { dropout: 0, l2: 0, batchNorm: false };

/**
 * An `allOf` entry that makes options of the dense layers an error while `units` is `[]`, since they would
 * have no effect: `{ "units": [], "dropout": 0.2 }` fails at `.../dropout` with a sentence saying so.
 * `unitsDefault` must be the schema's default for `units` (ajv applies `allOf` before it fills defaults, so
 * an absent `units` is judged by it). Use: `allOf: [denseOptionsNeedUnits(['dropout', 'l2'], [])]`.
 */
export function denseOptionsNeedUnits(options: ReadonlyArray<'dropout' | 'l2' | 'batchNorm'>, unitsDefault: readonly number[]): JsonSchema {
  const properties = Object.fromEntries(options.map((option) => [option, {
    const: NO_EFFECT_VALUE[option],
    'x-hint': `has no effect without dense layers; add sizes to "units" (e.g. [64]) or remove "${option}"`,
  }]));
  const givenEmpty = { required: ['units'], properties: { units: { type: 'array', maxItems: 0 } } };
  return {
    if: unitsDefault.length > 0 ? givenEmpty : { anyOf: [{ not: { required: ['units'] } }, givenEmpty] },
    then: { properties },
  };
}
