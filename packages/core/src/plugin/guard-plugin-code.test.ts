import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { PolymodalError } from '../errors.js';
import { numericEncoder, joinFusion } from '../test-fixtures/numeric-plugin.js';
import type { EncoderDefinition, InputSpec, Preprocessor } from './contracts.js';
import { definePlugin } from './define-plugin.js';
import { PluginRegistry } from './registry.js';

const spec: InputSpec = { name: 'review', encoder: 'test/numeric', columns: ['a'], options: { units: 2 }, dataDir: '.', manifestDir: '.' };

function caught(run: () => unknown): PolymodalError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof PolymodalError, `expected a PolymodalError, got ${(error as Error)?.stack ?? error}`);
    return error;
  }
  assert.fail('expected a throw');
}

/** numericEncoder with its preprocessor's methods replaced by `overrides`. */
function encoderWith(overrides: Partial<Record<keyof Preprocessor, unknown>>, build?: EncoderDefinition['build']): EncoderDefinition {
  return {
    ...numericEncoder,
    createPreprocessor: (input, state) => Object.assign(numericEncoder.createPreprocessor(input, state), overrides),
    ...(build ? { build } : {}),
  };
}

function registryWith(encoder: EncoderDefinition, name = 'acme-encoder'): PluginRegistry {
  return new PluginRegistry([definePlugin({ name, version: '1.0.0', encoders: [encoder], fusions: [joinFusion] })]);
}

test('an exception thrown in a plugin\'s fit is "[plugin] /inputs/<name>: ..." with exit 1', () => {
  const registry = registryWith(encoderWith({ fit: () => { throw new TypeError('cannot read properties of undefined'); } }));
  const preprocessor = registry.encoder('test/numeric').createPreprocessor(spec);
  const error = caught(() => preprocessor.fit([{ a: '1' }]));
  assert.equal(error.message, '[acme-encoder] /inputs/review: fit failed: cannot read properties of undefined');
  assert.equal(error.exitCode, 1);
  assert.match(error.details.hint!, /acme-encoder/);
});

test('a rejected transform is attributed too, and a PolymodalError keeps its exit code and hint', async () => {
  const registry = registryWith(encoderWith({
    transform: async () => { throw new PolymodalError('the tokenizer file is gone', { hint: 'Reinstall.', exitCode: 2 }); },
    inspect: () => { throw new RangeError('too many columns'); },
  }));
  const preprocessor = registry.encoder('test/numeric').createPreprocessor(spec);
  await assert.rejects(Promise.resolve(preprocessor.transform([{ a: '1' }], { training: false, random: Math.random })), (error: unknown) => {
    assert.ok(error instanceof PolymodalError);
    assert.equal(error.message, '[acme-encoder] /inputs/review: the tokenizer file is gone');
    assert.equal(error.exitCode, 2);
    assert.equal(error.details.hint, 'Reinstall.');
    return true;
  });
  assert.equal(caught(() => preprocessor.inspect!([])).message, '[acme-encoder] /inputs/review: inspect failed: too many columns');
});

test('errors in build and in a fusion\'s build are configuration errors (exit 2); build gets the plugin\'s own preprocessor', () => {
  let seen: unknown;
  const raw = { fit() {} };
  const registry = registryWith({
    ...numericEncoder,
    createPreprocessor: () => raw as unknown as Preprocessor,
    build: (_inputs, _input, preprocessor) => {
      seen = preprocessor;
      throw new Error('units must be positive');
    },
  });
  const encoder = registry.encoder('test/numeric');
  const preprocessor = encoder.createPreprocessor(spec);
  const error = caught(() => encoder.build({}, spec, preprocessor, { tf, layerName: (s) => s }));
  assert.equal(error.message, '[acme-encoder] /inputs/review: build failed: units must be positive');
  assert.equal(error.exitCode, 2);
  assert.equal(seen, raw, 'build receives the object createPreprocessor returned');

  const broken = new PluginRegistry([definePlugin({ name: 'acme-fusion', version: '1.0.0', fusions: [{ ...joinFusion, build: () => { throw new Error('no inputs'); } }] })]);
  const fusionError = caught(() => broken.fusion('join').build({}, {}, { tf, layerName: (s) => s }));
  assert.equal(fusionError.message, '[acme-fusion] /fusion: build failed: no inputs');
  assert.equal(fusionError.exitCode, 2);
});

test('a working plugin behaves as before behind the guard', () => {
  const registry = registryWith(numericEncoder);
  const encoder = registry.encoder('test/numeric');
  assert.equal(encoder.type, 'test/numeric');
  assert.equal(encoder.optionsSchema, numericEncoder.optionsSchema);
  const preprocessor = encoder.createPreprocessor(spec);
  preprocessor.fit([{ a: '1' }, { a: '3' }]);
  assert.deepEqual(preprocessor.state(), { means: [2] });
  const arrays = preprocessor.transform([{ a: '5' }], { training: false, random: Math.random }) as Record<string, Float32Array>;
  assert.deepEqual([...arrays.x], [3]);
});

test('definePlugin refuses an options schema that does not compile, naming the plugin and the type (exit 2)', () => {
  const error = caught(() => definePlugin({
    name: 'acme-typo',
    version: '1.0.0',
    encoders: [{ ...numericEncoder, optionsSchema: { type: 'object', properties: { units: { tpye: 'integer' } } } }],
  }));
  assert.equal(error.exitCode, 2);
  assert.match(error.message, /^\[acme-typo\] /);
  assert.match(error.describe(), /encoder type "test\/numeric": invalid options schema \(strict mode: unknown keyword: "tpye"\)/);
});

test('a plugin object made without definePlugin is checked when registered', () => {
  const plugin = { name: 'hand-made', version: '1.0.0', apiVersion: 1, encoders: [], layers: [], fusions: [{ ...joinFusion, optionsSchema: { type: 'objekt' } }] };
  const error = caught(() => new PluginRegistry([plugin]));
  assert.equal(error.exitCode, 2);
  assert.match(error.message, /^\[hand-made\] fusion type "join": invalid options schema/);
});
