/**
 * The encoder conformance kit: given a plugin, one of its encoder types, options and sample rows, checks
 * everything core relies on, in the order core uses it (see docs/plugin-guide.md):
 * options -> inspect, check, fit, features, transform -> state round trip -> workers -> build -> weights ->
 * config and save/load -> training step -> tensor leaks -> a bad cell reported by `check`.
 */
import { isDeepStrictEqual } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { buildContext } from '../model/compose-model.js';
import { modelInputName } from '../model/fitted-input.js';
import { TransformPool } from '../pipeline/transform-pool.js';
import type {
  EncoderDefinition, EncoderOutput, FeatureArrays, FeatureSpec, InputSpec, PolymodalPlugin, Preprocessor, Row,
} from '../plugin/contracts.js';
import { PluginRegistry } from '../plugin/registry.js';
import { type ConformanceCheck, type Fail, failer, guarded, registerChecks } from './conformance-check.js';
import {
  builtModelChecks, checkOutputShape, modelWithHead, targets,
} from './model-checks.js';
import { resolveOptions } from './options-check.js';

export interface EncoderConformanceSpec {
  /** The plugin object, as the package's default export makes it. */
  readonly plugin: PolymodalPlugin;
  /** The encoder type to check, e.g. `tabular/mlp`. */
  readonly type: string;
  /** The input's `options` as a manifest would give them (defaults are filled by the schema). Default `{}`. */
  readonly options?: Record<string, unknown>;
  /** The manifest columns of the input. */
  readonly columns: readonly string[];
  /** Sample rows (at least 2), every one valid: fitted on, then transformed. */
  readonly rows: readonly Row[];
  /**
   * Rows with a bad cell in one of `columns`: `check` must reject each, naming that column. `[]` says the
   * encoder accepts every cell; missing cells are always tried, and must be accepted or reported, not throw.
   */
  readonly invalidRows: readonly Row[];
  /**
   * URL of the module whose default export makes `plugin` (`new URL('./index.js', import.meta.url).href`):
   * the worker check loads it in a worker thread, as core does for `preprocessing: 'heavy'`. Without it that
   * check is skipped.
   */
  readonly moduleUrl?: string;
  /** Options the manifest passes to the plugin factory (given to the factory in the worker). */
  readonly pluginOptions?: unknown;
  /** Parameters the encoder's layers hold (trainable and not), when the author knows the exact count. */
  readonly expectedParams?: number;
  /** Folders that relative paths in cells and options resolve from. Default the current directory. */
  readonly dataDir?: string;
  readonly manifestDir?: string;
  /** Input name (model inputs are `<name>` or `<name>__<key>`). Default `sample`. */
  readonly inputName?: string;
  /** Largest difference allowed between predictions that must be equal. Default 1e-5. */
  readonly tolerance?: number;
}

const EVAL = { training: false, random: () => 0.5 } as const;

function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= make());
}

function elements(feature: FeatureSpec): number {
  return feature.shape.reduce((n, d) => n * d, 1);
}

function compareArrays(actual: FeatureArrays, expected: FeatureArrays, what: string, fail: Fail): void {
  const keys = Object.keys(expected).sort();
  if (!isDeepStrictEqual(Object.keys(actual).sort(), keys)) fail(`${what} gives keys [${Object.keys(actual)}], expected [${keys}]`);
  for (const key of keys) {
    const a = actual[key];
    const b = expected[key];
    if (a.constructor !== b.constructor || a.length !== b.length) fail(`${what}: "${key}" is a ${a.constructor.name}(${a.length}), expected ${b.constructor.name}(${b.length})`);
    const at = a.findIndex((v, i) => !Object.is(v, b[i]));
    if (at >= 0) fail(`${what}: "${key}"[${at}] is ${a[at]}, expected ${b[at]}`);
  }
}

/** The checks as a list, for any test runner; `runEncoderConformance` registers them with node:test. */
export function encoderConformanceChecks(spec: EncoderConformanceSpec): ConformanceCheck[] {
  const subject = `encoder ${spec.type}`;
  const fail = (check: string) => failer(subject, check);
  const encoder = spec.plugin.encoders.find((e) => e.type === spec.type) as EncoderDefinition | undefined;
  const tolerance = spec.tolerance ?? 1e-5;
  const name = spec.inputName ?? 'sample';

  const input = lazy(async (): Promise<InputSpec> => {
    if (!encoder) fail('options')(`plugin ${spec.plugin.name} has no encoder "${spec.type}" (it has: ${spec.plugin.encoders.map((e) => e.type).join(', ') || 'none'})`);
    // The registry refuses an API-version mismatch or an invalid schema, and registers the plugin's layers.
    await guarded(fail('options schema compiles and fills defaults'), 'loading the plugin', () => new PluginRegistry([spec.plugin]));
    const options = resolveOptions(encoder!.optionsSchema, spec.options ?? {}, fail('options schema compiles and fills defaults'));
    const dir = process.cwd();
    return { name, encoder: spec.type, columns: spec.columns, options, dataDir: spec.dataDir ?? dir, manifestDir: spec.manifestDir ?? spec.dataDir ?? dir };
  });
  const fitted = lazy(() => guarded(fail('lifecycle: inspect, check, fit, features, transform'), 'the preprocessor', async () => {
    const check: Fail = fail('lifecycle: inspect, check, fit, features, transform');
    if (spec.rows.length < 2) check('give at least 2 sample rows');
    const preprocessor = encoder!.createPreprocessor(await input());
    preprocessor.inspect?.(spec.rows);
    spec.rows.forEach((row, i) => {
      const problem = preprocessor.check(row);
      if (problem) check(`check rejects sample row ${i} (column "${problem.column}": ${problem.problem}); give valid rows`);
    });
    await preprocessor.fit(spec.rows);
    const features = preprocessor.features();
    if (features.length === 0) check('features() is empty after fit');
    const keys = new Set(features.map((f) => f.key));
    if (keys.size !== features.length) check(`features() repeats a key: [${features.map((f) => f.key)}]`);
    for (const f of features) {
      if (!/^[A-Za-z0-9_]+$/.test(f.key)) check(`feature key "${f.key}" must be letters, digits or _ (it becomes part of a model input name)`);
      if (f.dtype !== 'float32' && f.dtype !== 'int32') check(`feature "${f.key}" has dtype ${f.dtype}; use float32 or int32`);
      if (!f.shape.every((d) => Number.isInteger(d) && d > 0)) check(`feature "${f.key}" has shape [${f.shape}]; every dimension must be a positive integer`);
    }
    const before = tf.memory().numTensors;
    const arrays = await preprocessor.transform(spec.rows, EVAL);
    if (tf.memory().numTensors !== before) check('transform leaves tensors behind: return typed arrays and dispose any tensor it makes');
    return { preprocessor, features, arrays };
  }));
  const built = lazy(async () => {
    const { preprocessor, features, arrays } = await fitted();
    return guarded(fail('build: output kind and shape'), 'build', () => buildModel(preprocessor, features, arrays));
  });
  const buildModel = async (preprocessor: Preprocessor, features: readonly FeatureSpec[], arrays: FeatureArrays) => {
    const spec_ = await input();
    const used = new Set<string>();
    const symbolic: Record<string, tf.SymbolicTensor> = {};
    for (const f of features) {
      const inputName = modelInputName(name, f, features.length);
      used.add(inputName);
      symbolic[f.key] = tf.input({ name: inputName, shape: [...f.shape], dtype: f.dtype });
    }
    const output: EncoderOutput = encoder!.build(symbolic, spec_, preprocessor, buildContext(name, used));
    const model = modelWithHead(Object.values(symbolic), output.tensor, output.kind);
    const xs = features.map((f) => tf.tensor(arrays[f.key], [spec.rows.length, ...f.shape], f.dtype));
    return { output, model, xs, ys: targets(spec.rows.length) };
  };

  const checks: ConformanceCheck[] = [
    { name: 'options schema compiles and fills defaults', run: async () => void (await input()) },
    { name: 'lifecycle: inspect, check, fit, features, transform', run: async () => void (await fitted()) },
    {
      name: 'features() matches what transform returns',
      run: async () => {
        const { features, arrays } = await fitted();
        const check: Fail = fail('features() matches what transform returns');
        const declared = features.map((f) => f.key).sort();
        if (!isDeepStrictEqual(Object.keys(arrays).sort(), declared)) check(`transform returned keys [${Object.keys(arrays)}], features() declares [${declared}]`);
        for (const f of features) {
          const array = arrays[f.key];
          const type = f.dtype === 'int32' ? Int32Array : Float32Array;
          if (!(array instanceof type)) check(`"${f.key}" is declared ${f.dtype} but transform returned a ${array?.constructor?.name}; return a ${type.name}`);
          const length = spec.rows.length * elements(f);
          if (array.length !== length) check(`"${f.key}" has ${array.length} values for ${spec.rows.length} rows of shape [${f.shape}]; expected ${length}`);
          const bad = array.findIndex((v) => !Number.isFinite(v));
          if (bad >= 0) check(`"${f.key}"[${bad}] is ${array[bad]}: model inputs must be finite`);
        }
      },
    },
    {
      name: 'state JSON round trip',
      run: async () => {
        const { preprocessor, features, arrays } = await fitted();
        const check: Fail = fail('state JSON round trip');
        const state = preprocessor.state();
        const parsed = JSON.parse(JSON.stringify(state));
        if (!isDeepStrictEqual(parsed, state)) check('state() is not plain JSON (it changes through JSON.stringify/parse: undefined, NaN, Infinity, a Map, a typed array or a class instance?)');
        const restored: Preprocessor = encoder!.createPreprocessor(await input(), parsed);
        if (!isDeepStrictEqual(restored.features(), features)) check('the restored preprocessor declares different features()');
        compareArrays(await restored.transform(spec.rows, EVAL), arrays, 'the restored preprocessor\'s transform', check);
        if (!isDeepStrictEqual(restored.state(), parsed)) check('the restored preprocessor\'s state() differs from the state it was restored from');
      },
    },
    {
      name: 'worker-thread preprocessing equals in-process',
      skip: spec.moduleUrl ? undefined : 'pass moduleUrl (the URL of the module whose default export makes the plugin) to check worker threads',
      run: async () => {
        const { preprocessor, arrays } = await fitted();
        const pool = new TransformPool(1);
        try {
          const fittedInput = { spec: await input(), encoder: encoder!, preprocessor, module: { url: spec.moduleUrl!, options: spec.pluginOptions } };
          const inWorker = await pool.transform(fittedInput, spec.rows).catch((error: Error) =>
            fail('worker-thread preprocessing equals in-process')(`the worker could not transform: ${error.message.split('\n')[0]}`));
          compareArrays(inWorker, arrays, 'the worker\'s transform', fail('worker-thread preprocessing equals in-process'));
        } finally {
          await pool.close();
        }
      },
    },
    {
      name: 'build: output kind and shape',
      run: async () => {
        const { output } = await built();
        const check: Fail = fail('build: output kind and shape');
        if (!encoder!.produces.includes(output.kind)) check(`build returned a ${output.kind}, but the encoder declares produces: [${encoder!.produces}]`);
        checkOutputShape(output.tensor, output.kind, check);
      },
    },
    {
      name: 'weight count',
      run: async () => {
        const { model } = await built();
        const head = model.getLayer('conformance_head').countParams();
        const params = model.countParams() - head;
        const check: Fail = fail('weight count');
        if (spec.expectedParams !== undefined && params !== spec.expectedParams) check(`the encoder has ${params} parameters, expected ${spec.expectedParams}`);
        const names = model.weights.map((w) => w.name);
        const repeated = names.find((n, i) => names.indexOf(n) !== i);
        if (repeated) check(`two weights are both named "${repeated}" (saved weights are matched by name): give every layer a ctx.layerName(...)`);
      },
    },
    ...builtModelChecks(built, tolerance, fail),
    {
      name: 'a bad cell is reported by check',
      run: async () => {
        const check: Fail = fail('a bad cell is reported by check');
        const preprocessor = encoder!.createPreprocessor(await input());
        preprocessor.inspect?.(spec.rows);
        const wellFormed = (problem: ReturnType<Preprocessor['check']>, what: string) => {
          if (problem === undefined) return;
          if (!spec.columns.includes(problem.column)) check(`for ${what}, check names column "${problem.column}", which is not one of the input's columns [${spec.columns}]`);
          if (typeof problem.problem !== 'string' || problem.problem.trim() === '') check(`for ${what}, check gives no problem text`);
        };
        spec.invalidRows.forEach((row, i) => {
          const problem = preprocessor.check(row);
          if (problem === undefined) check(`check accepts invalid row ${i} ${JSON.stringify(row)}; it must return { column, problem }`);
          wellFormed(problem, `invalid row ${i}`);
        });
        // Every encoder meets missing cells (core's cell(): absent, null, empty or blank): it may accept them, not throw.
        const missing = Object.fromEntries(spec.columns.map((column, i) => [column, i % 2 === 0 ? null : '  ']));
        wellFormed(await guarded(check, 'check on a row of missing cells', () => preprocessor.check(missing)), 'a row of missing cells');
        wellFormed(await guarded(check, 'check on a row without the columns', () => preprocessor.check({})), 'a row without the columns');
      },
    },
    {
      name: 'isMissing: a row without the columns is missing, the valid rows are not',
      run: async () => {
        const check: Fail = fail('isMissing: a row without the columns is missing, the valid rows are not');
        const preprocessor = encoder!.createPreprocessor(await input());
        if (!preprocessor.isMissing) return; // core's default: every column missing
        const isMissing = (row: Row, what: string) => guarded(check, `isMissing on ${what}`, () => preprocessor.isMissing!(row));
        if ((await isMissing({}, 'a row without the columns')) !== true) check('isMissing({}) must be true: a row without any of the input\'s columns lacks the input');
        for (const [i, row] of spec.rows.entries()) {
          if ((await isMissing(row, `valid row ${i}`)) !== false) check(`isMissing says valid row ${i} ${JSON.stringify(row)} lacks the input`);
        }
      },
    },
  ];
  return checks;
}

/** Registers `<type> conformance` with node:test, one subtest per check. Call it at the top level of a test file. */
export function runEncoderConformance(spec: EncoderConformanceSpec): void {
  registerChecks(`${spec.type} conformance`, encoderConformanceChecks(spec));
}
