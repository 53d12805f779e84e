import { PolymodalError } from '../errors.js';
import { didYouMean } from '../util/did-you-mean.js';
import type { LoadedModel } from './load-model.js';

/**
 * The inputs `evaluate --drop` removes from every row, checked against the model: each must be one of its inputs
 * and optional (a required input was in every training row; the model has no notion of it missing).
 */
export function droppedInputs(model: LoadedModel, names: readonly string[]): Set<string> {
  const inputs = model.meta.inputs;
  const optional = inputs.filter((input) => input.required === false).map((input) => input.name);
  const listed = optional.length > 0 ? `its optional inputs are: ${optional.join(', ')}` : 'it has no optional input (none has "required": false)';
  for (const name of names) {
    const input = inputs.find((candidate) => candidate.name === name);
    if (!input) {
      throw new PolymodalError(`--drop ${name}: the model has no input "${name}".${didYouMean(name, inputs.map((i) => i.name))}`, {
        hint: `The model's inputs are: ${inputs.map((i) => i.name).join(', ')}; ${listed}.`,
        exitCode: 2,
      });
    }
    if (input.required !== false) {
      throw new PolymodalError(`--drop ${name}: input "${name}" is required, so the model never saw a row without it; only optional inputs can be dropped`, {
        hint: `Train with "required": false on /inputs/${name} (and training.modalityDropout) to measure it; ${listed}.`,
        exitCode: 2,
      });
    }
  }
  return new Set(names);
}
