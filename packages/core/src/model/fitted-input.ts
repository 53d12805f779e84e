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
}

export function modelInputLayout(inputs: readonly FittedInput[]): ModelInputLayout[] {
  return inputs.flatMap(({ spec, preprocessor }) => {
    const features = preprocessor.features();
    return features.map((feature) => ({ name: modelInputName(spec.name, feature, features.length), input: spec.name, feature }));
  });
}
