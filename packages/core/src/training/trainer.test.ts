import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { withSeededTfjsRandom } from '../backend/seeded-tfjs-random.js';
import { isPolymodalError } from '../errors.js';
import type { TrainingConfig } from '../manifest/types.js';
import { createRandom } from '../util/random.js';
import { isTrainingInterrupted } from './interrupted.js';
import type { RunEvent } from './reporter.js';
import { memorySource, recordingTrainer, smallConfig, smallModel } from './test-fixtures/small-job.js';

await tf.setBackend('cpu');

const plain = (overrides: Partial<TrainingConfig>) => smallConfig({ earlyStopping: undefined, learningRateSchedule: undefined, checkpoint: undefined, ...overrides });

/** Trains the small model; returns what train() settled with, the events and the tensor count before and after. */
async function train(config: TrainingConfig, options: { rows?: number; signal?: AbortSignal; onTrainingBatch?: () => void; task?: 'binary' | 'regression' } = {}) {
  const random = createRandom(config.seed);
  const { trainer, events } = recordingTrainer(config.seed);
  return withSeededTfjsRandom(config.seed, async () => {
    const model = smallModel(options.task === 'regression' ? 'linear' : 'sigmoid');
    const before = tf.memory().numTensors;
    let outcome: { error?: unknown; epochsRun?: number };
    try {
      const result = await trainer.train({
        model,
        task: options.task ?? 'binary',
        train: memorySource(options.rows ?? 96, 'train', random.fork('augment/0'), options.onTrainingBatch),
        validation: memorySource(32, 'validation', random.fork('augment/1')),
        config,
        signal: options.signal,
      });
      outcome = { epochsRun: result.epochsRun };
    } catch (error) {
      outcome = { error };
    }
    const after = tf.memory().numTensors;
    model.dispose();
    return { ...outcome, events, before, after };
  });
}

test('an abort stops training after the current batch, with TrainingInterrupted and no leaked tensors', async () => {
  const controller = new AbortController();
  let trainingBatches = 0;
  // Aborted as epoch 2's batches are made: model.fit runs one batch of it, then stops.
  const result = await train(plain({ epochs: 5 }), { signal: controller.signal, onTrainingBatch: () => ++trainingBatches === 2 && controller.abort() });
  assert.ok(isTrainingInterrupted(result.error), String(result.error));
  assert.equal((result.error as { exitCode: number }).exitCode, 130);
  assert.match((result.error as Error).message, /^interrupted after epoch 2, batch 1$/);
  assert.deepEqual(result.events.filter((e) => e.type === 'epochEnd').map((e) => (e as { epoch: number }).epoch), [1]);
  assert.equal(result.after, result.before, 'no tensors leaked');
});

test('an abort from a signal handler (a later macrotask) is seen while model.fit runs, not after it', async () => {
  const controller = new AbortController();
  // 6,000 rows in batches of 16 take well over 100 ms per epoch, so the bar's yield comes before the epoch ends.
  setImmediate(() => controller.abort());
  const result = await train(plain({ epochs: 3 }), { rows: 6000, signal: controller.signal });
  assert.ok(isTrainingInterrupted(result.error), String(result.error));
  assert.match((result.error as Error).message, /^interrupted after epoch 1, batch \d+$/);
  assert.equal(result.after, result.before);
});

test('a NaN or infinite training loss stops at its first epoch with a clear error (exit 1) and no leaked tensors', async () => {
  // A linear regression output: binary cross-entropy clips its inputs and would stay finite.
  const result = await train(plain({ epochs: 4, optimizer: { type: 'sgd', learningRate: 1e6 } }), { task: 'regression' });
  assert.ok(isPolymodalError(result.error), String(result.error));
  const error = result.error as { exitCode: number; describe(): string };
  assert.equal(error.exitCode, 1);
  assert.match(error.describe(), /training loss is (NaN|Infinity) in epoch \d: the learning rate is too high, or the inputs have extreme or invalid values/);
  assert.match(error.describe(), /lower training\.optimizer\.learningRate \(it was 1000000\)/);
  const epochs = result.events.filter((e) => e.type === 'epochEnd').length;
  assert.ok(epochs < 4, 'training stopped early');
  assert.equal(result.after, result.before);
});

test('batch events carry running means (the last equals the epoch line) and seconds since the epoch began', async () => {
  const result = await train(plain({ epochs: 2 }));
  assert.equal(result.error, undefined);
  const batches = result.events.filter((e): e is Extract<RunEvent, { type: 'batchEnd' }> => e.type === 'batchEnd');
  const epochs = result.events.filter((e): e is Extract<RunEvent, { type: 'epochEnd' }> => e.type === 'epochEnd');
  for (const epoch of epochs) {
    const last = batches.filter((b) => b.epoch === epoch.epoch).at(-1)!;
    assert.equal(last.batch, last.batches);
    assert.deepEqual(last.logs, { loss: epoch.logs.loss, accuracy: epoch.logs.accuracy });
    assert.ok(last.seconds > 0 && last.seconds <= epoch.seconds, `${last.seconds} s within the epoch's ${epoch.seconds} s`);
  }
});
