import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { withSeededTfjsRandom } from '../backend/seeded-tfjs-random.js';
import { isPolymodalError } from '../errors.js';
import type { TrainingConfig } from '../manifest/types.js';
import { createRandom } from '../util/random.js';
import { commitBackup, listBackups } from './backup-files.js';
import { memorySource, recordingTrainer, smallConfig, smallModel } from './test-fixtures/small-job.js';
import { hasTrainingBackup, readTrainingBackup, removeTrainingBackups } from './training-backup.js';

await tf.setBackend('cpu');

/** The small model without batch normalization, `units` wide. */
function otherModel(units: number, normalize: boolean): tf.LayersModel {
  const input = tf.input({ shape: [4], name: 'x' });
  let hidden = tf.layers.dense({ units, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  if (normalize) hidden = tf.layers.batchNormalization().apply(hidden) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(hidden) as tf.SymbolicTensor });
}

/** Trains (or resumes) into `backupDir`; returns the error, if any, and the tensor counts around train(). */
async function run(backupDir: string, options: { config?: TrainingConfig; resume?: boolean; model?: () => tf.LayersModel } = {}) {
  const config = options.config ?? smallConfig({ epochs: 3 });
  const random = createRandom(config.seed);
  const { trainer } = recordingTrainer(config.seed);
  return withSeededTfjsRandom(config.seed, async () => {
    const model = (options.model ?? smallModel)();
    const before = tf.memory().numTensors;
    let error: unknown;
    try {
      await trainer.train({
        model,
        task: 'binary',
        train: memorySource(64, 'train', random.fork('augment/0')),
        validation: memorySource(32, 'validation', random.fork('augment/1')),
        config,
        backupDir,
        resume: options.resume,
      });
    } catch (caught) {
      error = caught;
    }
    const after = tf.memory().numTensors;
    model.dispose();
    return { error, leaked: after - before };
  });
}

async function withFolder(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'polymodal-backup-'));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function assertUserError(error: unknown, pattern: RegExp): void {
  assert.ok(isPolymodalError(error), `a PolymodalError, not ${String(error)}`);
  assert.equal(error.exitCode, 2);
  assert.match(error.describe(), pattern);
}

test('each epoch leaves exactly one complete backup, the newest', async () => {
  await withFolder(async (dir) => {
    assert.equal((await run(dir)).error, undefined);
    assert.deepEqual(await readdir(dir), ['epoch-000003']);
    const { snapshot } = await readTrainingBackup(dir);
    assert.equal(snapshot.epochs, 3);
    assert.equal(snapshot.history.length, 3);
    assert.deepEqual(Object.keys(snapshot.randoms).sort(), ['shuffle', 'tfjs', 'train', 'validation']);
    assert.deepEqual(Object.keys(snapshot.callbacks).sort(), ['earlyStopping', 'learningRateSchedule']);
    tf.dispose([...snapshot.weights, ...snapshot.optimizer.tensors, ...Object.values(snapshot.callbacks).flatMap((c) => c.tensors)]);
  });
});

test('resume without a backup is a clear error (exit 2)', async () => {
  await withFolder(async (dir) => {
    const { error, leaked } = await run(join(dir, 'none'), { resume: true });
    assertUserError(error, /there is no training backup in .*none to resume from/);
    assert.equal(leaked, 0);
  });
});

test('a damaged backup is a clear error (exit 2) naming the backup and what is wrong', async () => {
  await withFolder(async (dir) => {
    await run(dir);
    const [backup] = await listBackups(dir);
    const tensors = join(backup.path, 'tensors.bin');
    const bytes = await readFile(tensors);
    bytes[10] ^= 0xff;
    await writeFile(tensors, bytes);
    const flipped = await run(dir, { resume: true });
    assertUserError(flipped.error, /the training backup .*epoch-000003 is damaged: tensors\.bin does not match its recorded SHA-256/);
    assert.equal(flipped.leaked, 0);

    await writeFile(join(backup.path, 'state.json'), '{"format": "polymodal-training-backup", "version": 1, "epo');
    assertUserError((await run(dir, { resume: true })).error, /is damaged: state\.json is not valid JSON/);
    await writeFile(join(backup.path, 'state.json'), JSON.stringify({ format: 'polymodal-training-backup', version: 1, epochs: 3 }));
    assertUserError((await run(dir, { resume: true })).error, /is damaged: state\.json lacks or garbles: .*history/);
  });
});

test('a backup of a different model, different data or different settings is refused (exit 2), leaking nothing', async () => {
  await withFolder(async (dir) => {
    await run(dir);
    const fewer = await run(dir, { resume: true, model: () => otherModel(8, false) });
    assertUserError(fewer.error, /was written for a different model: it has 8 weight tensors, this model has 4/);
    assert.equal(fewer.leaked, 0);
    const narrower = await run(dir, { resume: true, model: () => otherModel(6, true) });
    assertUserError(narrower.error, /was written for a different model: weight 1 has shape \[4, 8\] there and \[4, 6\] here/);
    assert.equal(narrower.leaked, 0);
    const settings = await run(dir, { resume: true, config: smallConfig({ epochs: 3, batchSize: 8 }) });
    assertUserError(settings.error, /was written with different training settings \(training\.batchSize\)/);
    assert.equal(settings.leaked, 0);
  });
});

test('a kill at any moment leaves a complete backup: partial folders are ignored, then cleaned', async () => {
  await withFolder(async (dir) => {
    await run(dir, { config: smallConfig({ epochs: 2 }) });
    // What a kill -9 while writing epoch 3's backup leaves (pid 999999999 is not running).
    const partial = join(dir, '.epoch-000003.partial-999999999-abcd0123');
    await mkdir(partial);
    await writeFile(join(partial, 'tensors.bin'), 'half');
    assert.equal((await readTrainingBackup(dir)).snapshot.epochs, 2);
    // A write that fails half way leaves the previous backup and no partial folder of its own.
    await assert.rejects(commitBackup(dir, 3, async (folder) => {
      await writeFile(join(folder, 'state.json'), '{');
      throw new Error('disk full');
    }), /disk full/);
    assert.deepEqual((await readdir(dir)).sort(), ['.epoch-000003.partial-999999999-abcd0123', 'epoch-000002']);
    await commitBackup(dir, 3, async (folder) => writeFile(join(folder, 'state.json'), '{}'));
    assert.deepEqual(await readdir(dir), ['epoch-000003']);
    await writeFile(join(dir, 'notes.txt'), 'not ours');
    await removeTrainingBackups(dir);
    assert.deepEqual(await readdir(dir), ['notes.txt'], 'only what Polymodal wrote is removed');
    assert.equal(await hasTrainingBackup(dir), false);
  });
});
