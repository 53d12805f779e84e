import type { FittedInput } from '../model/fitted-input.js';
import { presenceInputName } from '../model/fitted-input.js';
import type { TrainingConfig } from '../manifest/types.js';
import { isOptional } from '../pipeline/presence.js';
import type { Random } from '../util/random.js';

type Flat = Float32Array | Int32Array;

/** `training.modalityDropout` as a probability per optional input (inputs at 0 left out). */
export function modalityDropoutRates(config: TrainingConfig, inputs: readonly FittedInput[]): Map<string, number> {
  const setting = config.modalityDropout;
  const rates = new Map<string, number>();
  if (setting === undefined) return rates;
  for (const input of inputs.filter(isOptional)) {
    const name = input.spec.name;
    const rate = typeof setting === 'number' ? setting : Object.hasOwn(setting, name) ? setting[name] : 0;
    if (rate > 0) rates.set(name, rate);
  }
  return rates;
}

/**
 * Sets the presence of present optional inputs to 0 at random in training batches (the features stay: the fusion
 * ignores an input whose presence is 0). Draws come from the training split's seeded stream, which a training
 * backup keeps, so a run repeats, and resumes, exactly. A row never loses its last input: when every input is
 * optional and all the present ones were drawn, one of them (drawn too) is kept.
 */
export class ModalityDropout {
  private readonly rates: ReadonlyMap<string, number>;
  private readonly everyInputOptional: boolean;
  private readonly optional: readonly string[];

  constructor(inputs: readonly FittedInput[], rates: ReadonlyMap<string, number> | undefined) {
    this.rates = rates ?? new Map();
    this.optional = inputs.filter(isOptional).map((input) => input.spec.name);
    this.everyInputOptional = inputs.length > 0 && this.optional.length === inputs.length;
  }

  get active(): boolean {
    return this.rates.size > 0;
  }

  /** Replaces the presence arrays in `arrays` (never written in place: they may be views of the split's arrays). */
  apply(arrays: Map<string, Flat>, rows: number, random: Random): void {
    if (!this.active) return;
    const masks = new Map(this.optional.map((name) => [name, Float32Array.from(arrays.get(presenceInputName(name))!)]));
    for (let r = 0; r < rows; r++) {
      const dropped: string[] = [];
      for (const [name, rate] of this.rates) {
        const mask = masks.get(name)!;
        if (mask[r] === 1 && random.next() < rate) {
          mask[r] = 0;
          dropped.push(name);
        }
      }
      if (dropped.length > 0 && this.everyInputOptional && this.optional.every((name) => masks.get(name)![r] === 0)) {
        masks.get(dropped[random.int(dropped.length)])![r] = 1;
      }
    }
    for (const [name, mask] of masks) arrays.set(presenceInputName(name), mask);
  }
}
