import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { EarlyStopping } from './early-stopping.js';
import { FixedSchedule, ReduceOnPlateau, scheduledRate } from './learning-rate-schedule.js';
import type { TrainingControl } from './training-callback.js';

function fakeControl(model?: tf.LayersModel): TrainingControl & { stopped?: string; rate: number } {
  const control = {
    model: model as tf.LayersModel,
    epochs: 10,
    rate: 0.1,
    stopped: undefined as string | undefined,
    learningRate: () => control.rate,
    setLearningRate: (r: number) => (control.rate = r),
    stop: (reason: string) => (control.stopped = reason),
  };
  return control;
}

test('early stopping waits `patience` epochs without improvement beyond minDelta', () => {
  const stopping = new EarlyStopping({ monitor: 'val_loss', patience: 2, minDelta: 0.01, mode: 'auto', restoreBestWeights: false, startFromEpoch: 0 });
  const control = fakeControl();
  [1.0, 0.8, 0.795, 0.79].forEach((loss, epoch) => stopping.onEpochEnd(epoch, { val_loss: loss }, control));
  assert.match(control.stopped ?? '', /val_loss has not improved for 2 epochs \(best 0\.8000 at epoch 2\)/);
});

test('early stopping on an accuracy monitor maximises; a baseline must be beaten first', () => {
  const stopping = new EarlyStopping({ monitor: 'val_accuracy', patience: 1, minDelta: 0, mode: 'auto', restoreBestWeights: false, startFromEpoch: 0, baseline: 0.9 });
  const control = fakeControl();
  stopping.onEpochEnd(0, { val_accuracy: 0.95 }, control);
  stopping.onEpochEnd(1, { val_accuracy: 0.97 }, control);
  assert.equal(control.stopped, undefined);
  stopping.onEpochEnd(2, { val_accuracy: 0.96 }, control);
  assert.ok(control.stopped);
});

test('restoreBestWeights puts the best epoch\'s weights back at the end', () => {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1], kernelInitializer: 'zeros' })] });
  const stopping = new EarlyStopping({ monitor: 'val_loss', patience: 5, minDelta: 0, mode: 'min', restoreBestWeights: true, startFromEpoch: 0 });
  const control = fakeControl(model);
  const setKernel = (v: number) => model.layers[0].setWeights([tf.tensor2d([[v]]), tf.zeros([1])]);
  setKernel(1);
  stopping.onEpochEnd(0, { val_loss: 0.5 }, control);
  setKernel(2);
  stopping.onEpochEnd(1, { val_loss: 0.9 }, control);
  const before = tf.memory().numTensors;
  stopping.onTrainEnd(control);
  assert.equal((model.layers[0].getWeights()[0].dataSync() as Float32Array)[0], 1);
  assert.ok(tf.memory().numTensors < before, 'kept weights are disposed');
  model.dispose();
});

test('a monitor that is never logged is a clear error', () => {
  const stopping = new EarlyStopping({ monitor: 'val_f1', patience: 1, minDelta: 0, mode: 'auto', restoreBestWeights: false, startFromEpoch: 0 });
  assert.throws(() => stopping.onEpochEnd(0, { loss: 1 }, fakeControl()), /monitors "val_f1", which this run does not log \(logged: loss\)/);
});

test('reduce on plateau follows Keras: patience, factor, cooldown, minimum', () => {
  // Traced from keras/callbacks/reduce_lr_on_plateau.py: the cooldown check runs again after its decrement.
  const plateau = new ReduceOnPlateau({ type: 'reduceOnPlateau', monitor: 'val_loss', factor: 0.5, patience: 1, minDelta: 0, cooldown: 2, minLearningRate: 0.02, mode: 'auto' });
  const control = fakeControl();
  const rates: number[] = [];
  [1, 1, 1, 1, 1, 1].forEach((loss, epoch) => {
    plateau.onEpochEnd(epoch, { val_loss: loss }, control);
    rates.push(control.rate);
  });
  assert.deepEqual(rates, [0.1, 0.05, 0.05, 0.025, 0.025, 0.02]);
});

test('fixed schedules', () => {
  assert.equal(scheduledRate({ type: 'step', every: 2, factor: 0.5 }, 1, 5, 10), 0.25);
  assert.ok(Math.abs(scheduledRate({ type: 'exponential', decayRate: 0.9, every: 1 }, 1, 2, 10) - 0.81) < 1e-12);
  const cosine = { type: 'cosine' as const, minLearningRate: 0, warmupEpochs: 2 };
  assert.deepEqual([0, 1].map((e) => scheduledRate(cosine, 1, e, 10)), [0.5, 1]);
  assert.equal(scheduledRate(cosine, 1, 2, 10), 1);
  assert.ok(Math.abs(scheduledRate(cosine, 1, 9, 10)) < 1e-12);
  const schedule = new FixedSchedule({ type: 'step', every: 1, factor: 0.5 });
  const control = fakeControl();
  schedule.onTrainBegin(control);
  schedule.onEpochBegin(3, control);
  assert.equal(control.rate, 0.1 / 8);
});
