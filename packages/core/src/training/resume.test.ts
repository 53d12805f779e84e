import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { withSeededTfjsRandom } from '../backend/seeded-tfjs-random.js';
import type { TrainingConfig } from '../manifest/types.js';
import { createRandom } from '../util/random.js';
import { listBackups } from './backup-files.js';
import { isTrainingInterrupted } from './interrupted.js';
import { memorySource, recordingTrainer, smallConfig, smallModel, weightBytes } from './test-fixtures/small-job.js';
import type { TrainingJob, TrainingResult } from './trainer.js';

await tf.setBackend('cpu');

interface Outcome {
  /** Tensors alive after train() settled minus before it started (the model's own excluded). */
  leaked: number;
  weights?: Buffer;
  training?: TrainingResult;
  error?: unknown;
  /** The best checkpoint's weights file. */
  checkpoint?: Buffer;
}

/**
 * One run as api/train.ts makes it: the run's streams from the seed, the model built inside the seeded
 * Math.random scope, then trained. `interruptAtTrainingBatch` aborts when the n-th training batch (1-based,
 * one per epoch here) is being made, so the interrupted epoch has already drawn from every stream.
 */
async function run(config: TrainingConfig, dirs: { backup: string; checkpoints: string }, options: { resume?: boolean; interruptAtTrainingBatch?: number }): Promise<Outcome> {
  const controller = new AbortController();
  let trainingBatches = 0;
  const random = createRandom(config.seed);
  const onTrainingBatch = () => {
    trainingBatches++;
    if (trainingBatches === options.interruptAtTrainingBatch) controller.abort();
  };
  const { trainer } = recordingTrainer(config.seed);
  return withSeededTfjsRandom(config.seed, async () => {
    const model = smallModel();
    const job: TrainingJob = {
      model,
      task: 'binary',
      train: memorySource(96, 'train', random.fork('augment/0'), onTrainingBatch),
      validation: memorySource(40, 'validation', random.fork('augment/1')),
      config,
      checkpointDir: dirs.checkpoints,
      backupDir: dirs.backup,
      resume: options.resume,
      signal: controller.signal,
    };
    const before = tf.memory().numTensors;
    try {
      const training = await trainer.train(job);
      return { leaked: tf.memory().numTensors - before, weights: weightBytes(model), training, checkpoint: await readFile(join(dirs.checkpoints, 'best', 'weights.bin')) };
    } catch (error) {
      return { leaked: tf.memory().numTensors - before, error };
    } finally {
      model.dispose();
    }
  });
}

async function folders(): Promise<{ root: string; straight: { backup: string; checkpoints: string }; resumed: { backup: string; checkpoints: string } }> {
  const root = await mkdtemp(join(tmpdir(), 'polymodal-resume-'));
  const pair = (name: string) => ({ backup: join(root, name, 'backup'), checkpoints: join(root, name, 'checkpoints') });
  return { root, straight: pair('straight'), resumed: pair('resumed') };
}

const withoutSeconds = (training?: TrainingResult) => training?.history.map(({ seconds: _seconds, ...rest }) => rest);

for (const [name, config] of [
  ['adam, shuffle, dropout, reduceOnPlateau, early stopping with restoreBestWeights, best checkpoint', smallConfig()],
  ['adamax and a cosine schedule', smallConfig({ optimizer: { type: 'adamax', learningRate: 0.05 }, learningRateSchedule: { type: 'cosine', minLearningRate: 0.001, warmupEpochs: 1 } })],
] as const) {
  test(`a run interrupted mid-epoch and resumed in a fresh model ends byte-identical to a straight run (${name})`, async () => {
    const dirs = await folders();
    try {
      const straight = await run(config, dirs.straight, {});
      assert.equal(straight.error, undefined);
      assert.ok(straight.training!.epochsRun >= 4, 'the straight run trains past the interruption point');

      const interrupted = await run(config, dirs.resumed, { interruptAtTrainingBatch: 3 });
      assert.ok(isTrainingInterrupted(interrupted.error), `interrupted: ${String(interrupted.error)}`);
      assert.match((interrupted.error as Error).message, /interrupted after epoch 3, batch 1/);

      const [backup] = await listBackups(dirs.resumed.backup);
      const saved = await readFile(join(backup.path, 'files', 'best', 'weights.bin'));
      assert.ok(saved.equals(await readFile(join(dirs.resumed.checkpoints, 'best', 'weights.bin'))), 'the backup holds the best checkpoint');
      // Resumed into a new checkpoint folder: the best checkpoint so far must come from the backup.
      const resumed = await run(config, { backup: dirs.resumed.backup, checkpoints: join(dirs.root, 'new-checkpoints') }, { resume: true });
      assert.equal(resumed.error, undefined, String(resumed.error));
      assert.equal(resumed.training!.resumedAfterEpoch, 2);
      assert.ok(resumed.weights!.equals(straight.weights!), 'final weights are byte-identical');
      assert.deepEqual(withoutSeconds(resumed.training), withoutSeconds(straight.training));
      assert.deepEqual({ ...resumed.training, history: [] }, { ...straight.training, history: [], resumedAfterEpoch: 2 });
      assert.ok(resumed.checkpoint!.equals(straight.checkpoint!), 'the best checkpoint is the same');
      assert.deepEqual([straight.leaked, interrupted.leaked, resumed.leaked], [0, 0, 0], 'no run leaks tensors');
    } finally {
      await rm(dirs.root, { recursive: true, force: true });
    }
  });
}

test('resuming a run that early stopping had already ended trains no further and restores the best weights', async () => {
  const dirs = await folders();
  // A patience of 1 with a high rate stops well before 30 epochs.
  const config = smallConfig({ epochs: 30, earlyStopping: { monitor: 'val_loss', patience: 1, minDelta: 0.01, mode: 'auto', restoreBestWeights: true, startFromEpoch: 0 } });
  try {
    const straight = await run(config, dirs.straight, {});
    assert.ok(straight.training!.stopReason, 'early stopping ended the straight run');
    const again = await run(config, dirs.straight, { resume: true });
    assert.equal(again.training!.resumedAfterEpoch, straight.training!.epochsRun);
    assert.equal(again.training!.stopReason, straight.training!.stopReason);
    assert.ok(again.weights!.equals(straight.weights!));
  } finally {
    await rm(dirs.root, { recursive: true, force: true });
  }
});
