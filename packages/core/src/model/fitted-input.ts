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
export function modelInputName(inputName: string, feature: FeatureSpec, featureCount: number): string {
  return featureCount === 1 ? inputName : `${inputName}__${feature.key}`;
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
