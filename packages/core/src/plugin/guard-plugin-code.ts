import { PolymodalError } from '../errors.js';
import type { EncoderDefinition, FusionDefinition, InputSpec, Preprocessor } from './contracts.js';

/**
 * Plugin code runs inside core's pipeline, workers, training and prediction. Whatever it throws is reported
 * as `[<plugin>] <JSON pointer>: <message>`: a data stage (inspect, check, fit, features, transform, state)
 * exits 1, configuration (createPreprocessor, build) exits 2; a PolymodalError keeps its own exit code and
 * hint. Nothing a plugin throws becomes core's "internal error" (exit 70).
 */
type Stage = 'createPreprocessor' | 'build' | 'inspect' | 'check' | 'verify' | 'fit' | 'features' | 'transform' | 'state';

const DATA_STAGES: ReadonlySet<Stage> = new Set(['inspect', 'check', 'verify', 'fit', 'features', 'transform', 'state']);
const PREPROCESSOR_STAGES: ReadonlySet<PropertyKey> = new Set<PropertyKey>(['inspect', 'check', 'verify', 'fit', 'features', 'transform', 'state']);

/** Errors already attributed to a plugin, so nested guarded calls do not prefix twice. */
const attributed = new WeakSet<object>();
/** Guarded preprocessor → the plugin's own object, which `build` receives (it may read the plugin's own fields). */
const originals = new WeakMap<object, Preprocessor>();

export function inputPointer(input: Pick<InputSpec, 'name'>): string {
  return `/inputs/${input.name}`;
}

/** The error to report for `error`, thrown by `plugin`'s code at `stage` for the manifest value at `pointer`. */
export function attributeToPlugin(plugin: string, pointer: string, stage: Stage | 'options schema', error: unknown): PolymodalError {
  if (error instanceof PolymodalError && attributed.has(error)) return error;
  const where = `[${plugin}] ${pointer}: `;
  let result: PolymodalError;
  if (error instanceof PolymodalError) {
    const message = error.message.startsWith(pointer) ? `[${plugin}] ${error.message}` : where + error.message;
    result = new PolymodalError(message, { ...error.details, cause: error });
  } else {
    const message = (error as Error)?.message ?? String(error);
    result = new PolymodalError(`${where}${stage} failed: ${message}`, {
      exitCode: DATA_STAGES.has(stage as Stage) ? 1 : 2,
      hint: `The error comes from the plugin ${plugin}. If the data and options look right, report it to the plugin's authors.`,
      cause: error,
    });
  }
  attributed.add(result);
  return result;
}

/** Runs plugin code, attributing a throw or a rejected promise to the plugin. */
function attempt<T>(plugin: string, pointer: string, stage: Stage, run: () => T): T {
  let result: T;
  try {
    result = run();
  } catch (error) {
    throw attributeToPlugin(plugin, pointer, stage, error);
  }
  if (result instanceof Promise) {
    return result.catch((error: unknown) => {
      throw attributeToPlugin(plugin, pointer, stage, error);
    }) as T;
  }
  return result;
}

/** The plugin's own preprocessor behind a guarded one (itself when it is not guarded). */
export function unguardedPreprocessor<P extends Preprocessor>(preprocessor: P): P {
  return (originals.get(preprocessor) as P | undefined) ?? preprocessor;
}

function guardPreprocessor(plugin: string, pointer: string, preprocessor: Preprocessor): Preprocessor {
  if (originals.has(preprocessor)) return preprocessor;
  // One wrapper per method, made on first use: `check` runs once per row.
  const wrappers = new Map<PropertyKey, { method: unknown; wrapper: unknown }>();
  const guarded = new Proxy(preprocessor, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const own = Reflect.getOwnPropertyDescriptor(target, property);
      // A proxy must return a frozen own property as it is.
      if (own && !own.configurable && !own.writable) return value;
      const known = wrappers.get(property);
      if (known?.method === value) return known.wrapper;
      const method = value as (...args: unknown[]) => unknown;
      const wrapper = PREPROCESSOR_STAGES.has(property)
        ? (...args: unknown[]) => attempt(plugin, pointer, property as Stage, () => method.apply(target, args))
        : method.bind(target);
      wrappers.set(property, { method: value, wrapper });
      return wrapper;
    },
  });
  originals.set(guarded, preprocessor);
  return guarded;
}

/**
 * The encoder as core calls it: its preprocessors and `build` attribute their errors to `plugin`. Every other
 * property is the plugin's own (read through the prototype), so the definition looks the same to callers.
 */
export function guardEncoder(plugin: string, definition: EncoderDefinition): EncoderDefinition {
  return Object.create(definition, {
    createPreprocessor: {
      value: (input: InputSpec, state?: unknown) => {
        const pointer = inputPointer(input);
        const created = attempt(plugin, pointer, 'createPreprocessor', () => definition.createPreprocessor(input, state));
        return guardPreprocessor(plugin, pointer, created);
      },
    },
    build: {
      value: (...[inputs, input, preprocessor, ctx]: Parameters<EncoderDefinition['build']>) =>
        attempt(plugin, inputPointer(input), 'build', () => definition.build(inputs, input, unguardedPreprocessor(preprocessor), ctx)),
    },
  }) as EncoderDefinition;
}

export function guardFusion(plugin: string, definition: FusionDefinition): FusionDefinition {
  return Object.create(definition, {
    build: {
      value: (...args: Parameters<FusionDefinition['build']>) => attempt(plugin, '/fusion', 'build', () => definition.build(...args)),
    },
  }) as FusionDefinition;
}
