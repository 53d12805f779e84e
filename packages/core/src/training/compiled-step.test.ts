// The trainer with a compiled training step: its batch loop, events, interrupts and tensor hygiene, with a step
// written in tfjs itself (tfjs's own loss and gradients), so its history must match model.fit's. The TensorFlow
// graph step is checked on the real backend in test/backend-tensorflow.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { withSeededTfjsRandom } from '../backend/seeded-tfjs-random.js';
import type { BackendInfo } from '../backend/select-backend.js';
import type { TrainingConfig } from '../manifest/types.js';
import { createRandom } from '../util/random.js';
import type { CompiledTrainingStep, TrainingStepCompiler } from './compiled-step.js';
import { isTrainingInterrupted } from './interrupted.js';
import type { RunEvent } from './reporter.js';
import { memorySource, recordingTrainer, smallConfig } from './test-fixtures/small-job.js';

await tf.setBackend('cpu');

const config = smallConfig({ earlyStopping: undefined, learningRateSchedule: undefined, checkpoint: undefined, epochs: 3 });
const CPU = { name: 'cpu' } as BackendInfo;

/** Dense layers only: the same in training and inference, so a compiled step must give fit's numbers. */
function plainModel(): tf.LayersModel {
  const input = tf.input({ shape: [4], name: 'x' });
  const hidden = tf.layers.dense({ units: 8, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(hidden) as tf.SymbolicTensor });
}

/** tfjs's step as a compiled one: mean binary cross-entropy, binary accuracy, gradients by variable name. */
class TfjsStep implements CompiledTrainingStep {
  readonly description = 'tfjs, as a compiled step';
  runs = 0;
  disposed = false;

  constructor(private readonly model: tf.LayersModel) {}

  run(inputs: readonly tf.Tensor[], target: tf.Tensor) {
    this.runs++;
    const variables = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
    let accuracy: tf.Scalar | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const prediction = this.model.apply(inputs[0], { training: true }) as tf.Tensor;
      accuracy = tf.keep(tf.mean(tf.metrics.binaryAccuracy(target, prediction)) as tf.Scalar);
      return tf.mean(tf.metrics.binaryCrossentropy(target, prediction)) as tf.Scalar;
    }, variables);
    return { logs: [value, accuracy!], gradients: grads };
  }

  dispose(): void {
    this.disposed = true;
  }
}

function compilerOf(result: (model: tf.LayersModel) => CompiledTrainingStep | { skipped: string }, backends = ['cpu']): TrainingStepCompiler & { made: CompiledTrainingStep[]; options: unknown[] } {
  const made: CompiledTrainingStep[] = [];
  const options: unknown[] = [];
  return {
    name: 'test-step',
    backends,
    made,
    options,
    async compile(model, _backend, given) {
      options.push(given);
      const compiled = result(model);
      if ('run' in compiled) made.push(compiled);
      return compiled;
    },
  };
}

async function train(compiler: TrainingStepCompiler | undefined, options: { classWeight?: Record<number, number>; signal?: AbortSignal; config?: TrainingConfig; onTrainingBatch?: () => void } = {}) {
  const job = options.config ?? config;
  const random = createRandom(job.seed);
  const { trainer, events } = recordingTrainer(job.seed);
  return withSeededTfjsRandom(job.seed, async () => {
    const model = plainModel();
    const before = tf.memory().numTensors;
    let outcome: { error?: unknown; history?: Record<string, number>[] } = {};
    try {
      const result = await trainer.train({
        model,
        task: 'binary',
        train: memorySource(96, 'train', random.fork('augment/0'), options.onTrainingBatch),
        validation: memorySource(32, 'validation', random.fork('augment/1')),
        config: job,
        classWeight: options.classWeight,
        signal: options.signal,
        stepCompiler: compiler ? { compiler, backend: CPU } : undefined,
      });
      outcome = { history: result.history.map((epoch) => epoch.logs) };
    } catch (error) {
      outcome = { error };
    }
    const after = tf.memory().numTensors;
    model.dispose();
    return { ...outcome, events, before, after };
  });
}

const infos = (events: RunEvent[]) => events.filter((e) => e.type === 'info').map((e) => (e as { message: string }).message);

test('a compiled step trains as model.fit does: the same losses, metrics and validation, batch by batch, no tensors left', async () => {
  const compiler = compilerOf((model) => new TfjsStep(model));
  const compiled = await train(compiler);
  const fitted = await train(undefined);
  assert.equal(compiled.error, undefined, String(compiled.error));
  assert.deepEqual(infos(compiled.events), ['[test-step] training step: tfjs, as a compiled step']);
  const step = compiler.made[0] as TfjsStep;
  assert.equal(step.runs, 3 * Math.ceil(96 / config.batchSize), 'one run per batch');
  assert.ok(step.disposed, 'the trainer disposes the compiled step');
  assert.equal(compiled.history!.length, 3);
  compiled.history!.forEach((logs, epoch) => {
    for (const key of ['loss', 'accuracy', 'val_loss', 'val_accuracy']) {
      const expected = fitted.history![epoch]![key]!;
      assert.ok(Math.abs(logs[key]! - expected) <= 1e-6, `epoch ${epoch + 1} ${key}: ${logs[key]} vs model.fit's ${expected}`);
    }
  });
  const batches = compiled.events.filter((e) => e.type === 'batchEnd');
  assert.ok(batches.length >= 3, 'the progress bar hears the batches');
  assert.equal(compiled.after, compiled.before, 'no tensors leaked');
});

test('a compiler that declines leaves training to model.fit, and says why', async () => {
  const result = await train(compilerOf(() => ({ skipped: 'the model has a layer it cannot take' })));
  assert.equal(result.error, undefined);
  assert.deepEqual(infos(result.events), ['[test-step] training runs op by op: the model has a layer it cannot take']);
  assert.equal(result.after, result.before);
});

test('a compiler for another backend is not asked; the job\'s class weights reach the compiler', async () => {
  const elsewhere = compilerOf((model) => new TfjsStep(model), ['tensorflow']);
  const other = await train(elsewhere);
  assert.deepEqual(infos(other.events), []);
  assert.equal(elsewhere.made.length, 0);
  const weighted = compilerOf(() => ({ skipped: 'not this time' }));
  await train(weighted, { classWeight: { 0: 1, 1: 2 } });
  assert.deepEqual(weighted.options, [{ classWeight: { 0: 1, 1: 2 } }]);
});

test('an abort stops a compiled step\'s loop after the current batch, and the step is still disposed', async () => {
  const controller = new AbortController();
  let batches = 0;
  const compiler = compilerOf((model) => new TfjsStep(model));
  const result = await train(compiler, { config: { ...config, epochs: 5 }, signal: controller.signal, onTrainingBatch: () => ++batches === 2 && controller.abort() });
  assert.ok(isTrainingInterrupted(result.error), String(result.error));
  assert.match((result.error as Error).message, /^interrupted after epoch 2, batch 1$/);
  assert.ok((compiler.made[0] as TfjsStep).disposed);
  assert.equal(result.after, result.before, 'no tensors leaked');
});
