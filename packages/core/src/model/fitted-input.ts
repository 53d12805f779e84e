import type { EncoderDefinition, FeatureSpec, InputSpec, Preprocessor } from '../plugin/contracts.js';
import type { PluginModule } from '../plugin/plugin-modules.js';

/** One manifest input with its encoder and its (fitted or restored) preprocessor. */
export interface FittedInput {
  readonly spec: InputSpec;
  readonly encoder: EncoderDefinition;
  readonly preprocessor: Preprocessor;
  /** Where the encoder's plugin was loaded from, when it was loaded from a package (worker threads need it). */
  readonly module?: PluginModule;
}

/** The tfjs model input that carries one feature of one manifest input. */
/** tfjs keeps layers and tensors in plain objects keyed by name, where "constructor" finds Object.prototype's. */
const PROTOTYPE_MEMBERS = new Set(Object.getOwnPropertyNames(Object.prototype));

export function modelInputName(inputName: string, feature: FeatureSpec, featureCount: number): string {
  if (featureCount !== 1) return `${inputName}__${feature.key}`;
  return PROTOTYPE_MEMBERS.has(inputName) ? `${inputName}__input` : inputName;
}

export interface ModelInputLayout {
  readonly name: string;
  readonly input: string;
  readonly feature: FeatureSpec;
  /** The entry is the input's presence mask (`<input>__present`, optional inputs only), not an encoder feature. */
  readonly presence?: true;
}

/** The presence mask of an optional input: `[batch, 1]` float32, 1 where the row has the input. */
export const PRESENCE_FEATURE: FeatureSpec = { key: 'present', shape: [1], dtype: 'float32' };

export function presenceInputName(inputName: string): string {
  return `${inputName}__present`;
}

/** Every model input, in order: each input's features (manifest order), then one presence mask per optional input. */
export function modelInputLayout(inputs: readonly FittedInput[]): ModelInputLayout[] {
  const features = inputs.flatMap(({ spec, preprocessor }): ModelInputLayout[] => {
    const own = preprocessor.features();
    return own.map((feature) => ({ name: modelInputName(spec.name, feature, own.length), input: spec.name, feature }));
  });
  const presence = inputs
    .filter(({ spec }) => spec.required === false)
    .map(({ spec }): ModelInputLayout => ({ name: presenceInputName(spec.name), input: spec.name, feature: PRESENCE_FEATURE, presence: true }));
  const taken = new Set(features.map((entry) => entry.name));
  const clash = presence.find((entry) => taken.has(entry.name));
  if (clash) throw new Error(`model input "${clash.name}" is both a feature of an encoder and the presence mask of input "${clash.input}"`);
  return [...features, ...presence];
}
