import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { FusionDefinition, PolymodalPlugin } from '../plugin/contracts.js';
import { joinFusion, testPlugin } from '../test-fixtures/numeric-plugin.js';
import { ConformanceError } from './conformance-check.js';
import { fusionConformanceChecks, runFusionConformance, type FusionConformanceSpec } from './fusion-conformance.js';
import { MISSING_INPUTS_CHECK } from './fusion-missing-check.js';
import { replaceMissing } from '../layers/null-embedding.js';

const spec: FusionConformanceSpec = { plugin: testPlugin, type: 'join', inputs: { a: { kind: 'vector', shape: [3] }, b: { kind: 'vector', shape: [2] } }, expectedParams: 0 };

runFusionConformance(spec);

async function firstFailure(overrides: Partial<FusionConformanceSpec>): Promise<string | undefined> {
  for (const check of fusionConformanceChecks({ ...spec, ...overrides })) {
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

function plugin(fusion: Partial<FusionDefinition>): PolymodalPlugin {
  return { ...testPlugin, name: 'broken', encoders: [], fusions: [{ ...joinFusion, ...fusion }] };
}

test('each check can fail: the kit names the check that a broken fusion breaks', async () => {
  assert.equal(await firstFailure({}), undefined);
  assert.equal(await firstFailure({ type: 'nothing' }), 'options schema compiles and fills defaults');
  assert.equal(await firstFailure({ options: { extra: 1 } }), 'options schema compiles and fills defaults');
  assert.equal(await firstFailure({ expectedParams: 3 }), 'weight count');
  assert.equal(await firstFailure({ inputs: { s: { kind: 'sequence', shape: [4, 2] } } }), 'build: accepts its inputs, output [batch, units]');
  const sequenceOut = plugin({
    accepts: ['vector'],
    build: (features, _o, ctx) => tf.layers.reshape({ targetShape: [5, 1], name: ctx.layerName('reshape') }).apply(joinFusion.build(features, {}, ctx) as tf.SymbolicTensor) as tf.SymbolicTensor,
  });
  assert.equal(await firstFailure({ plugin: sequenceOut }), 'build: accepts its inputs, output [batch, units]');
  const throws = plugin({ build: () => { throw new Error('boom'); } });
  assert.equal(await firstFailure({ plugin: throws }), 'build: accepts its inputs, output [batch, units]');
});

test('a failure message names the fusion, the check and what went wrong', async () => {
  const check = fusionConformanceChecks({ ...spec, expectedParams: 3 }).find((c) => c.name === 'weight count')!;
  await assert.rejects(check.run(), /fusion join failed conformance check 'weight count': the fusion has 0 parameters, expected 3/);
});

test('a fusion that declares handlesMissingInputs must ignore an absent input\'s features', async () => {
  const skipped = fusionConformanceChecks(spec).find((c) => c.name === MISSING_INPUTS_CHECK)!;
  assert.match(skipped.skip ?? '', /does not declare handlesMissingInputs/);
  // Claims to handle missing inputs but concatenates the raw features: caught.
  assert.equal(await firstFailure({ plugin: plugin({ handlesMissingInputs: true }) }), MISSING_INPUTS_CHECK);
  // Replaces an absent input by a learned vector, and exposes a reliance of the right shape: passes.
  const masked = plugin({
    handlesMissingInputs: true,
    build: (features, _o, ctx) => {
      const parts = Object.entries(features).map(([name, f]) => replaceMissing(f, ctx, name));
      const tensor = tf.layers.concatenate({ name: ctx.layerName('concat') }).apply(parts) as tf.SymbolicTensor;
      const presence = Object.values(features).map((f) => f.present).filter((p): p is tf.SymbolicTensor => p !== undefined);
      const reliance = presence.length > 1 ? { presence: tf.layers.concatenate({ name: ctx.layerName('presence') }).apply(presence) as tf.SymbolicTensor } : undefined;
      return { tensor, reliance };
    },
  });
  assert.equal(await firstFailure({ plugin: masked }), undefined);
});
