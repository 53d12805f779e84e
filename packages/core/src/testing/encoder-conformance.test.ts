import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { EncoderDefinition, PolymodalPlugin, Preprocessor } from '../plugin/contracts.js';
import { numericEncoder, testPlugin } from '../test-fixtures/numeric-plugin.js';
import { ConformanceError } from './conformance-check.js';
import { encoderConformanceChecks, runEncoderConformance, type EncoderConformanceSpec } from './encoder-conformance.js';

const rows = Array.from({ length: 12 }, (_, i) => ({ a: String(i), b: String((i * 7) % 5), label: i % 2 }));
const spec: EncoderConformanceSpec = {
  plugin: testPlugin,
  type: 'test/numeric',
  options: { units: 3 },
  columns: ['a', 'b'],
  rows,
  invalidRows: [{ a: 'x', b: '1' }, { a: '1', b: null }],
  moduleUrl: new URL('../test-fixtures/numeric-plugin.ts', import.meta.url).href,
  expectedParams: 2 * 3 + 3,
};

// The kit as a plugin author uses it: every check passes for a correct encoder.
runEncoderConformance(spec);

/** Runs the checks in order and returns the name of the first that fails. */
async function firstFailure(overrides: Partial<EncoderConformanceSpec>): Promise<string | undefined> {
  for (const check of encoderConformanceChecks({ ...spec, moduleUrl: undefined, ...overrides })) {
    if (check.skip !== undefined) continue;
    try {
      await check.run();
    } catch (error) {
      assert.ok(error instanceof ConformanceError, String(error));
      return error.check;
    }
  }
  return undefined;
}

/** The fixture encoder with some members replaced, in a plugin object of its own (not definePlugin: it would refuse some). */
function broken(name: string, change: (base: EncoderDefinition) => Partial<EncoderDefinition>): PolymodalPlugin {
  return { ...testPlugin, name, encoders: [{ ...numericEncoder, ...change(numericEncoder) }], fusions: [] };
}

/** The fixture's preprocessor, with some methods replaced. */
function wrapPreprocessor(base: EncoderDefinition, change: (p: Preprocessor) => Partial<Preprocessor>): Partial<EncoderDefinition> {
  return {
    createPreprocessor(input, state) {
      const inner = base.createPreprocessor(input, state);
      const wrapper: Preprocessor = {
        check: (row) => inner.check(row),
        fit: (fitRows) => inner.fit(fitRows),
        features: () => inner.features(),
        transform: (transformRows, ctx) => inner.transform(transformRows, ctx),
        state: () => inner.state(),
      };
      return { ...wrapper, ...change(inner) };
    },
  };
}

test('each check can fail: the kit names the check that a broken encoder breaks', async () => {
  assert.equal(await firstFailure({}), undefined);
  assert.equal(await firstFailure({ options: { units: 0 } }), 'options schema compiles and fills defaults');
  assert.equal(await firstFailure({ expectedParams: 10 }), 'weight count');
  assert.equal(await firstFailure({ invalidRows: [{ a: '1', b: '2' }] }), 'a bad cell is reported by check');
  assert.equal(await firstFailure({ invalidRows: [] }), undefined, '[] says every cell is usable');
  const cases: [string, PolymodalPlugin][] = [
    ['options schema compiles and fills defaults', broken('typo', () => ({ optionsSchema: { type: 'object', properties: { units: { type: 'integr' } } } }))],
    ['lifecycle: inspect, check, fit, features, transform', broken('leaky-transform', (b) => wrapPreprocessor(b, (p) => ({
      transform: (r, ctx) => {
        tf.scalar(1);
        return p.transform(r, ctx);
      },
    })))],
    ['features() matches what transform returns', broken('wrong-dtype', (b) => wrapPreprocessor(b, (p) => ({
      features: () => p.features().map((f) => ({ ...f, dtype: 'int32' as const })),
    })))],
    ['state JSON round trip', broken('typed-state', (b) => wrapPreprocessor(b, (p) => ({
      state: () => ({ means: Float32Array.from((p.state() as { means: number[] }).means) }) as never,
    })))],
    ['a bad cell is reported by check', broken('throws-on-missing', (b) => wrapPreprocessor(b, (p) => ({
      check: (row) => {
        if (row.a === undefined) throw new TypeError("Cannot read properties of undefined (reading 'trim')");
        return p.check(row);
      },
    })))],
    ['build: output kind and shape', broken('wrong-kind', (b) => ({ build: (...args) => ({ ...b.build(...args), kind: 'sequence' }) }))],
    ['one training step', broken('frozen-graph', () => ({
      build: (inputs, input, _p, ctx) => {
        // A dense layer whose output is not used: its weights never get a gradient.
        tf.layers.dense({ units: 2, name: ctx.layerName('unused') }).apply(inputs.x);
        const used = tf.layers.dense({ units: input.options.units, name: ctx.layerName('dense'), trainable: true }).apply(inputs.x) as tf.SymbolicTensor;
        return { tensor: tf.layers.multiply({ name: ctx.layerName('zero') }).apply([used, tf.layers.dense({ units: input.options.units, kernelInitializer: 'zeros', biasInitializer: 'zeros', trainable: false, name: ctx.layerName('zeros') }).apply(inputs.x) as tf.SymbolicTensor]) as tf.SymbolicTensor, kind: 'vector' };
      },
    }))],
  ];
  for (const [check, plugin] of cases) {
    assert.equal(await firstFailure({ plugin, expectedParams: undefined }), check, plugin.name);
  }
});

test('the worker check fails when the worker transforms differently', async () => {
  // The fixture module's encoder is the correct one; a plugin object whose transform adds 1 disagrees with it.
  const plugin = broken('off-by-one', (b) => wrapPreprocessor(b, (p) => ({
    transform: async (r, ctx) => {
      const arrays = await p.transform(r, ctx);
      return { x: (arrays.x as Float32Array).map((v) => v + 1) };
    },
  })));
  const checks = encoderConformanceChecks({ ...spec, plugin, type: 'test/numeric' });
  const worker = checks.find((c) => c.name === 'worker-thread preprocessing equals in-process')!;
  for (const check of checks.slice(0, checks.indexOf(worker))) await check.run();
  await assert.rejects(worker.run(), (error: Error) => error instanceof ConformanceError && /the worker's transform/.test(error.message));
});

test('the worker check is skipped, with the reason, when no module URL is given', () => {
  const worker = encoderConformanceChecks({ ...spec, moduleUrl: undefined }).find((c) => c.name.startsWith('worker'))!;
  assert.match(worker.skip ?? '', /moduleUrl/);
});
