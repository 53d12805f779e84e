/**
 * The fusion conformance kit: given a plugin, one of its fusion types, options and the encoder outputs to
 * fuse (kind and per-sample shape), checks options, the build output (and its reliance shapes), weights, config and
 * save/load, one training step and tensor leaks; a fusion with `handlesMissingInputs` must also ignore the features
 * of an input whose presence is 0.
 */
import * as tf from '@tensorflow/tfjs';
import { buildContext } from '../model/compose-model.js';
import type { EncoderOutput, FeatureKind, FusionDefinition, PolymodalPlugin } from '../plugin/contracts.js';
import { PluginRegistry } from '../plugin/registry.js';
import { createRandom } from '../util/random.js';
import { type ConformanceCheck, type Fail, failer, guarded, registerChecks } from './conformance-check.js';
import {
  builtModelChecks, checkOutputShape, modelWithHead, targets,
} from './model-checks.js';
import { resolveOptions } from './options-check.js';
import { checkMissingInputs, fusedTensor, MISSING_INPUTS_CHECK } from './fusion-missing-check.js';

export interface FusionInput {
  readonly kind: FeatureKind;
  /** Per sample: `[units]` for a vector, `[steps, units]` for a sequence. */
  readonly shape: readonly number[];
}

export interface FusionConformanceSpec {
  readonly plugin: PolymodalPlugin;
  /** The fusion type to check, e.g. `concat`. */
  readonly type: string;
  /** The manifest's `fusion.options` (defaults are filled by the schema). Default `{}`. */
  readonly options?: Record<string, unknown>;
  /** The encoder outputs to fuse, by input name, in manifest order. Default one vector of 6 and one of 4. */
  readonly inputs?: Readonly<Record<string, FusionInput>>;
  /** Parameters of the fusion's layers, when the author knows the exact count. */
  readonly expectedParams?: number;
  /** Samples in the random batch. Default 8. */
  readonly batchSize?: number;
  readonly tolerance?: number;
}

const DEFAULT_INPUTS: Record<string, FusionInput> = { a: { kind: 'vector', shape: [6] }, b: { kind: 'vector', shape: [4] } };

function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= make());
}

/** The checks as a list, for any test runner; `runFusionConformance` registers them with node:test. */
export function fusionConformanceChecks(spec: FusionConformanceSpec): ConformanceCheck[] {
  const subject = `fusion ${spec.type}`;
  const fail = (check: string) => failer(subject, check);
  const fusion = spec.plugin.fusions.find((f) => f.type === spec.type) as FusionDefinition | undefined;
  const inputs = spec.inputs ?? DEFAULT_INPUTS;
  const batch = spec.batchSize ?? 8;

  const options = lazy(async () => {
    const check: Fail = fail('options schema compiles and fills defaults');
    if (!fusion) check(`plugin ${spec.plugin.name} has no fusion "${spec.type}" (it has: ${spec.plugin.fusions.map((f) => f.type).join(', ') || 'none'})`);
    // The registry refuses an API-version mismatch or an invalid schema, and registers the plugin's layers.
    await guarded(fail('options schema compiles and fills defaults'), 'loading the plugin', () => new PluginRegistry([spec.plugin]));
    return resolveOptions(fusion.optionsSchema, spec.options ?? {}, check);
  });
  const built = lazy(async () => {
    const resolved = await options();
    return guarded(fail('build: accepts its inputs, output [batch, units]'), 'build', () => buildModel(resolved));
  });
  const buildModel = (resolved: Record<string, unknown>) => {
    const check: Fail = fail('build: accepts its inputs, output [batch, units]');
    const used = new Set<string>();
    const symbolic: tf.SymbolicTensor[] = [];
    const features: Record<string, EncoderOutput> = {};
    for (const [name, input] of Object.entries(inputs)) {
      if (!fusion!.accepts.includes(input.kind)) check(`the spec gives input "${name}" as a ${input.kind}, which the fusion does not accept (accepts: [${fusion!.accepts}])`);
      used.add(name);
      const tensor = tf.input({ name, shape: [...input.shape] });
      symbolic.push(tensor);
      features[name] = { tensor, kind: input.kind };
    }
    const built = fusion!.build(features, resolved, buildContext('fusion', used));
    const output = fusedTensor(built);
    checkOutputShape(output, 'vector', check);
    if (!(built instanceof tf.SymbolicTensor)) {
      for (const [name, tensor] of Object.entries(built.reliance ?? {})) {
        if (tensor.shape.length !== 2 || tensor.shape[1] !== symbolic.length) check(`reliance "${name}" must be [batch, ${symbolic.length}] (one column per input); got [${tensor.shape.join(', ')}]`);
      }
    }
    const random = createRandom(7);
    const xs = Object.values(inputs).map((input) => {
      const size = batch * input.shape.reduce((n, d) => n * d, 1);
      return tf.tensor(Float32Array.from({ length: size }, () => random.next() * 2 - 1), [batch, ...input.shape]);
    });
    return { model: modelWithHead(symbolic, output, 'vector'), xs, ys: targets(batch) };
  };

  return [
    { name: 'options schema compiles and fills defaults', run: async () => void (await options()) },
    { name: 'build: accepts its inputs, output [batch, units]', run: async () => void (await built()) },
    {
      name: 'weight count',
      run: async () => {
        const { model } = await built();
        const params = model.countParams() - model.getLayer('conformance_head').countParams();
        if (spec.expectedParams !== undefined && params !== spec.expectedParams) fail('weight count')(`the fusion has ${params} parameters, expected ${spec.expectedParams}`);
      },
    },
    ...builtModelChecks(built, spec.tolerance ?? 1e-5, fail),
    {
      name: MISSING_INPUTS_CHECK,
      skip: fusion?.handlesMissingInputs === true ? undefined : 'the fusion does not declare handlesMissingInputs (manifests with optional inputs refuse it)',
      run: async () => {
        const resolved = await options();
        const check = fail(MISSING_INPUTS_CHECK);
        await guarded(check, 'build with presence masks', () => checkMissingInputs(fusion!, resolved, inputs, batch, spec.tolerance ?? 1e-5, check));
      },
    },
  ];
}

/** Registers `<type> conformance` with node:test, one subtest per check. Call it at the top level of a test file. */
export function runFusionConformance(spec: FusionConformanceSpec): void {
  registerChecks(`fusion ${spec.type} conformance`, fusionConformanceChecks(spec));
}
