import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TrainResult } from '@polymodal/core';
import { objectiveOf, trialOverrides } from './run-trial.js';

const result = (restoredEpoch?: number) => ({
  metrics: { validation: { accuracy: 0.8, f1: 0.6 } },
  training: {
    restoredEpoch,
    history: [1, 2, 3].map((epoch) => ({ epoch, logs: { val_loss: 1 / epoch + (epoch === 3 ? 0.5 : 0), val_accuracy: 0.7 } })),
  },
}) as unknown as TrainResult;

test('the objective is the validation metric of the final model, or the epoch log of the epoch it kept', () => {
  assert.equal(objectiveOf(result(), 'val_f1'), 0.6);
  assert.equal(objectiveOf(result(), 'val_accuracy'), 0.8);
  assert.equal(objectiveOf(result(), 'val_loss'), 1 / 3 + 0.5);
  assert.equal(objectiveOf(result(2), 'val_loss'), 0.5, 'early stopping restored epoch 2');
  assert.ok(Number.isNaN(objectiveOf(result(), 'val_rocAuc')));
});

test("a trial's overrides: the command's settings, then the trial's, then its seed", () => {
  assert.deepEqual(trialOverrides({ overrides: { epochs: 2, set: [{ pointer: '/a', value: 1 }] }, settings: [{ pointer: '/b', value: 2 }], seed: 9 }), {
    epochs: 2, set: [{ pointer: '/a', value: 1 }, { pointer: '/b', value: 2 }], seed: 9,
  });
});
