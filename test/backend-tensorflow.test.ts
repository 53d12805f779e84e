// The backend suite on the native tensorflow backend (tfjs-node built by `polymodal setup tensorflow` against the
// reference venv's TensorFlow wheel, cached): every encoder and fusion trains an epoch on it, models trained on
// wasm predict the same on tensorflow and the reverse (within 1e-5), a predictor compiled to one TensorFlow graph
// (@polymodal/export's tensorflowGraph) predicts as tfjs does, and `auto` picks it. Skipped, with the
// reason, when the binding cannot be built here; under POLYMODAL_REQUIRE_REFERENCE=1 (CI) that fails instead.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { isCompilerSkip, isRowError, loadPredictor, readTable, selectBackend, type Predictor, type PredictorResult } from '@polymodal/core';
import { PolymodalGRU, PolymodalLSTM } from '@polymodal/encoder-text';
import { tensorflowGraph, tensorflowTrainingGraph } from '@polymodal/export';
import { assertSuccess, makeWorkspace, removeWorkspace, REPO_ROOT, runCli, show } from './helpers.js';
import { speechExampleData } from '../tools/speech-example-data.mjs';

let workspace = '';
let unavailable: string | null = null;

before(async () => {
  workspace = makeWorkspace();
  const reference = (await import(join(REPO_ROOT, 'tools/reference-python.mjs'))) as { referencePython(): { python?: string; skip?: string } };
  const { python, skip } = reference.referencePython();
  if (skip) {
    unavailable = skip;
    return;
  }
  const setup = runCli(['setup', 'tensorflow', '--python', python!], workspace);
  if (setup.status !== 0) unavailable = `polymodal setup tensorflow failed: ${setup.stderr.trim().split('\n').slice(-3).join(' | ')}`;
});
after(() => removeWorkspace(workspace));

function skipOrFail(t: { skip(message: string): void }): void {
  if (process.env.POLYMODAL_REQUIRE_REFERENCE === '1') throw new Error(`POLYMODAL_REQUIRE_REFERENCE=1 but the tensorflow backend cannot be built here: ${unavailable}`);
  t.skip(unavailable!);
}

const example = (name: string) => join(REPO_ROOT, 'examples', name, 'polymodal.json');

/** `polymodal train` for one epoch on `backend` into workspace/`out`; returns the model folder. */
function train(manifest: string, backend: string, out: string, settings: string[] = []): string {
  const dir = join(workspace, out);
  const result = runCli(['train', manifest, '--backend', backend, '--epochs', '1', '--out', dir, ...settings.flatMap((s) => ['--set', s])], workspace);
  assertSuccess(result);
  assert.match(result.stdout, new RegExp(`^backend: ${backend} `, 'm'), show(result));
  assert.doesNotMatch(result.stderr + result.stdout, /oneDNN|cpu_feature_guard|absl::InitializeLog/, `TensorFlow's C++ logs must stay out of the CLI's output\n${show(result)}`);
  return dir;
}

type Prediction = { row: number; prediction: unknown; probabilities?: Record<string, number>; value?: number };

function predict(model: string, input: string, backend: string): Prediction[] {
  const result = runCli(['predict', model, '--input', input, '--backend', backend], workspace);
  assertSuccess(result);
  return result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Prediction);
}

function assertSamePredictions(a: Prediction[], b: Prediction[], what: string): void {
  assert.equal(a.length, b.length);
  let worst = 0;
  a.forEach((row, i) => {
    const other = b[i]!;
    for (const [label, p] of Object.entries(row.probabilities ?? { value: row.value ?? 0 })) {
      const q = (other.probabilities ?? { value: other.value ?? 0 })[label]!;
      worst = Math.max(worst, Math.abs(p - q));
    }
  });
  assert.ok(worst <= 1e-5, `${what}: predictions differ by up to ${worst}`);
}

describe('every encoder and fusion trains on tensorflow (1 epoch)', () => {
  const cases: [string, string, string[]][] = [
    ['tabular/mlp + concat (quickstart)', 'quickstart', []],
    ['image/cnn + text/lstm, fused BlockLSTMV2 (seed)', 'seed', []],
    ['text/gru + fusion gated (movies)', 'movies', ['/inputs/title/encoder=text/gru', '/fusion={"type":"gated"}']],
    ['text/gru resetAfter false, fused GRUBlockCell (movies)', 'movies', ['/inputs/title/encoder=text/gru', '/inputs/title/options/resetAfter=false']],
    ['text/cnn + fusion attention (movies)', 'movies', [
      '/plugins=["@polymodal/encoder-text","@polymodal/encoder-tabular","@polymodal/fusion-attention"]',
      '/inputs/title={"encoder":"text/cnn","columns":["title"],"options":{"numWords":1000,"maxLength":12}}', '/fusion={"type":"attention"}',
    ]],
    ['text/transformer + text/bag (movies)', 'movies', [
      '/inputs/title={"encoder":"text/transformer","columns":["title"],"options":{"numWords":1000,"maxLength":12}}',
      '/inputs/words={"encoder":"text/bag","columns":["title"],"options":{"numWords":1000}}',
    ]],
    ['audio/cnn (speech)', 'speech', []],
    // The backbone is keras-in's committed fixture (no network): padding, depthwise and separable convolutions, batch
    // norm, ReLU6, Add, Multiply, Concatenate and pooling, fine-tuned from its first layer so every gradient runs.
    ['image/pretrained, a Keras backbone fine-tuned whole (seed)', 'seed', [
      `/inputs/image=${JSON.stringify({ encoder: 'image/pretrained', column: 'image', options: {
        model: join(REPO_ROOT, 'packages/keras/src/read/test-fixtures/custom_cnn.keras'), size: [16, 16], channels: 3, layer: 'features', trainableFrom: 'stem_conv',
      } })}`,
    ]],
    ['audio/conv1d with batch norm (speech)', 'speech', [
      '/inputs/clip={"encoder":"audio/conv1d","column":"path","options":{"blocks":[{"filters":16,"batchNorm":true},{"filters":32}]}}',
    ]],
  ];
  for (const [label, name, settings] of cases) {
    test(label, (t) => {
      if (unavailable) return skipOrFail(t);
      const speech = name === 'speech' ? speechExampleData() : {};
      if (speech.skip) return t.skip(speech.skip);
      train(example(name), 'tensorflow', `train-${label.replace(/[^a-z0-9]+/gi, '-')}`, settings);
    });
  }
});

describe('models move between wasm and tensorflow', () => {
  test('a model trained on wasm predicts the same on tensorflow, and one trained on tensorflow the same on wasm (1e-5)', (t) => {
    if (unavailable) return skipOrFail(t);
    // The seed model: a convolution and an LSTM (the fused kernel on tensorflow, the loops on wasm).
    const input = join(REPO_ROOT, 'examples/seed/data/seed.csv');
    const onWasm = train(example('seed'), 'wasm', 'seed-wasm');
    assertSamePredictions(predict(onWasm, input, 'wasm'), predict(onWasm, input, 'tensorflow'), 'trained on wasm');
    const onTensorflow = train(example('seed'), 'tensorflow', 'seed-tensorflow');
    assertSamePredictions(predict(onTensorflow, input, 'tensorflow'), predict(onTensorflow, input, 'wasm'), 'trained on tensorflow');
  });
});

/** Each row's probabilities, in order; a row error fails the test. */
async function probabilities(predictor: Predictor, rows: Record<string, unknown>[]): Promise<number[][]> {
  const results: PredictorResult[] = await predictor.predict(rows as never, { batchSize: 16 });
  return results.map((result) => {
    assert.ok(!isRowError(result), JSON.stringify(result));
    const { probabilities, value } = result as { probabilities?: Record<string, number>; value?: number };
    return probabilities ? Object.values(probabilities) : [value!];
  });
}

describe('a predictor compiled to one TensorFlow graph (SavedModel)', () => {
  for (const [name, settings] of [['seed', []], ['quickstart', []], ['movies', ['/inputs/title/required=false']]] as [string, string[]][]) {
    test(`${name}: the graph predicts what tfjs predicts (1e-5), leaves no tensor behind and is freed by dispose`, async (t) => {
      if (unavailable) return skipOrFail(t);
      const dir = train(example(name), 'tensorflow', `graph-${name}`, settings);
      const manifest = JSON.parse((await import('node:fs')).readFileSync(example(name), 'utf8')) as { data: { source: string } };
      const dataFile = join(REPO_ROOT, 'examples', name, manifest.data.source);
      const rows = (await readTable(dataFile)).rows.slice(0, 40) as Record<string, unknown>[];
      const options = { backend: 'tensorflow' as const, allowPathsUnder: join(dataFile, '..'), pluginSearchDirs: [REPO_ROOT] };
      const eager = await loadPredictor(dir, options);
      const graph = await loadPredictor(dir, { ...options, compile: tensorflowGraph() });
      try {
        assert.equal(eager.engine, 'tfjs on tensorflow');
        assert.deepEqual(graph.notes, []);
        assert.match(graph.engine, /^TensorFlow graph \(SavedModel, \d+ ops\)$/);
        const expected = await probabilities(eager, rows);
        const tensors = tf.memory().numTensors;
        const actual = await probabilities(graph, rows);
        // One row alone, as a server's lone request runs.
        const alone = await probabilities(graph, rows.slice(3, 4));
        assert.equal(tf.memory().numTensors, tensors, 'the graph predictions leave no tensor behind');
        let worst = 0;
        expected.forEach((row, r) => row.forEach((p, c) => (worst = Math.max(worst, Math.abs(p - actual[r]![c]!)))));
        alone[0]!.forEach((p, c) => (worst = Math.max(worst, Math.abs(p - expected[3]![c]!))));
        assert.ok(worst <= 1e-5, `${name}: the graph's probabilities differ from tfjs's by up to ${worst}`);
      } finally {
        eager.dispose();
        graph.dispose();
      }
      await assert.rejects(graph.predict(rows.slice(0, 1)), /disposed/);
    });
  }
});

test('the graph runs PolymodalLSTM as one BlockLSTMV2: forwards and backwards, last state and sequences (1e-5)', async (t) => {
  if (unavailable) return skipOrFail(t);
  const backend = await selectBackend('tensorflow');
  for (const goBackwards of [false, true]) {
    for (const returnSequences of [false, true]) {
      const input = tf.input({ shape: [7, 3], name: 'tokens' });
      const model = tf.model({ inputs: input, outputs: new PolymodalLSTM({ units: 5, goBackwards, returnSequences }).apply(input) as tf.SymbolicTensor });
      const compiled = await tensorflowGraph().compile(model, backend);
      assert.ok(!isCompilerSkip(compiled), isCompilerSkip(compiled) ? compiled.skipped : '');
      const x = tf.randomNormal([4, 7, 3], 0, 1, 'float32', 5);
      const expected = (model.predict(x) as tf.Tensor).dataSync();
      const actual = compiled.predict([x]).dataSync();
      assert.equal(actual.length, expected.length);
      const worst = expected.reduce((w, v, i) => Math.max(w, Math.abs(v - actual[i]!)), 0);
      assert.ok(worst <= 1e-5, `goBackwards ${goBackwards}, returnSequences ${returnSequences}: differs by ${worst}`);
      compiled.dispose();
      model.dispose();
      x.dispose();
    }
  }
});

test('auto chooses tensorflow here and says why, on one line', (t) => {
  if (unavailable) return skipOrFail(t);
  const result = runCli(['train', example('quickstart'), '--epochs', '1', '--out', join(workspace, 'auto')], workspace);
  assertSuccess(result);
  assert.match(result.stdout, /backend: tensorflow \(auto: tensorflow-gpu: @tensorflow\/tfjs-node-gpu is not installed[^\n]*; chose tensorflow \(@tensorflow\/tfjs-node built in [^\n]*\)\)\n/, show(result));
});

describe('the training step as one TensorFlow graph (tensorflowTrainingGraph)', () => {
  const LOSSES = { binaryCrossentropy: tf.metrics.binaryCrossentropy, categoricalCrossentropy: tf.metrics.categoricalCrossentropy, meanSquaredError: tf.metrics.meanSquaredError };
  type Loss = keyof typeof LOSSES;

  function seedLike(): tf.LayersModel {
    const image = tf.input({ shape: [10, 10, 3], name: 'image' });
    const tokens = tf.input({ shape: [7], name: 'text', dtype: 'int32' });
    const pictures = tf.layers.flatten().apply(tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }).apply(image)) as tf.SymbolicTensor;
    const words = new PolymodalLSTM({ units: 5 }).apply(tf.layers.embedding({ inputDim: 30, outputDim: 6 }).apply(tokens)) as tf.SymbolicTensor;
    return tf.model({ inputs: [image, tokens], outputs: tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(tf.layers.concatenate().apply([pictures, words])) as tf.SymbolicTensor });
  }

  function sequenceClassifier(): tf.LayersModel {
    const steps = tf.input({ shape: [6, 4], name: 'steps' });
    const states = new PolymodalLSTM({ units: 5, goBackwards: true, returnSequences: true }).apply(steps) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling1d().apply(states) as tf.SymbolicTensor;
    return tf.model({ inputs: steps, outputs: tf.layers.dense({ units: 3, activation: 'softmax' }).apply(pooled) as tf.SymbolicTensor });
  }

  function gruClassifier(resetAfter: boolean): () => tf.LayersModel {
    return () => {
      const steps = tf.input({ shape: [5, 3], name: 'steps' });
      const last = new PolymodalGRU({ units: 4, resetAfter }).apply(steps) as tf.SymbolicTensor;
      return tf.model({ inputs: steps, outputs: tf.layers.dense({ units: 3, activation: 'softmax' }).apply(last) as tf.SymbolicTensor });
    };
  }

  function maxPooledSequence(): tf.LayersModel {
    const steps = tf.input({ shape: [8, 3], name: 'steps' });
    const features = tf.layers.conv1d({ filters: 4, kernelSize: 3, activation: 'relu' }).apply(steps) as tf.SymbolicTensor;
    const pooled = tf.layers.globalMaxPooling1d().apply(features) as tf.SymbolicTensor;
    return tf.model({ inputs: steps, outputs: tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(pooled) as tf.SymbolicTensor });
  }

  function pooledCnn(): tf.LayersModel {
    const image = tf.input({ shape: [12, 12, 1], name: 'image' });
    let x = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(image) as tf.SymbolicTensor;
    x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.averagePooling2d({ poolSize: 2 }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.dense({ units: 6, activation: 'tanh' }).apply(tf.layers.flatten().apply(x)) as tf.SymbolicTensor;
    return tf.model({ inputs: image, outputs: tf.layers.dense({ units: 4, activation: 'softmax' }).apply(x) as tf.SymbolicTensor });
  }

  function mergedRegression(): tf.LayersModel {
    const x = tf.input({ shape: [5], name: 'x' });
    const a = tf.layers.dense({ units: 4, activation: 'sigmoid' }).apply(x) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 4, activation: 'relu' }).apply(x) as tf.SymbolicTensor;
    const merged = tf.layers.add().apply([tf.layers.multiply().apply([a, b]) as tf.SymbolicTensor, tf.layers.average().apply([a, b]) as tf.SymbolicTensor]) as tf.SymbolicTensor;
    return tf.model({ inputs: x, outputs: tf.layers.dense({ units: 2 }).apply(merged) as tf.SymbolicTensor });
  }

  function batch(model: tf.LayersModel, loss: Loss, rows: number): { inputs: tf.Tensor[]; target: tf.Tensor } {
    const inputs = model.inputs.map((input, i) => {
      const shape = [rows, ...(input.shape.slice(1) as number[])];
      return input.dtype === 'int32' ? tf.randomUniform(shape, 0, 29, 'int32', 3 + i) : tf.randomNormal(shape, 0, 1, 'float32', 3 + i);
    });
    const columns = model.outputs[0]!.shape.at(-1) as number;
    const target = loss === 'categoricalCrossentropy' ? tf.oneHot(tf.tensor1d(Array.from({ length: rows }, (_, r) => r % columns), 'int32'), columns).toFloat()
      : loss === 'binaryCrossentropy' ? tf.tensor2d(Array.from({ length: rows }, (_, r) => r % 2), [rows, 1]) : tf.randomNormal([rows, columns], 0, 1, 'float32', 9);
    return { inputs, target };
  }

  function regularised(): tf.LayersModel {
    const x = tf.input({ shape: [5], name: 'x' });
    const hidden = tf.layers.dense({ units: 4, activation: 'relu', kernelRegularizer: tf.regularizers.l2({ l2: 0.05 }), biasRegularizer: tf.regularizers.l1l2({ l1: 0.02, l2: 0.01 }) }).apply(x) as tf.SymbolicTensor;
    return tf.model({ inputs: x, outputs: tf.layers.dense({ units: 3, activation: 'softmax', kernelRegularizer: tf.regularizers.l1({ l1: 0.01 }) }).apply(hidden) as tf.SymbolicTensor });
  }

  const cases: [string, () => tf.LayersModel, Loss, Record<number, number>?][] = [
    ['the seed model\'s layers: conv, relu, flatten, embedding, fused LSTM, concat, sigmoid, binary cross-entropy', seedLike, 'binaryCrossentropy'],
    ['a backwards LSTM returning sequences, average pooling over time, softmax, categorical cross-entropy', sequenceClassifier, 'categoricalCrossentropy'],
    ['same-padded conv, max and average pooling, tanh, softmax', pooledCnn, 'categoricalCrossentropy'],
    ['a GRU (reset after, Keras\'s default), its recurrence unrolled in the graph', gruClassifier(true), 'categoricalCrossentropy'],
    ['a GRU with resetAfter false', gruClassifier(false), 'categoricalCrossentropy'],
    ['Conv1D and global max pooling (the speech encoder\'s head)', maxPooledSequence, 'binaryCrossentropy'],
    ['Add, Multiply and Average of two branches, linear output, mean squared error', mergedRegression, 'meanSquaredError'],
    ['L1 and L2 regularisers on kernels and a bias (the penalties in the loss and the gradients)', regularised, 'categoricalCrossentropy'],
    ['class weights on the seed model\'s layers (each row\'s loss weighed by its class)', seedLike, 'binaryCrossentropy', { 0: 0.25, 1: 3 }],
    ['class weights on a softmax output', pooledCnn, 'categoricalCrossentropy', { 0: 1, 1: 2, 2: 0.5, 3: 4 }],
  ];
  for (const [label, build, loss, classWeight] of cases) {
    test(`${label}: loss and every gradient equal tfjs's step on a fresh batch (1e-4 of scale), nothing left behind`, async (t) => {
      if (unavailable) return skipOrFail(t);
      const backend = await selectBackend('tensorflow');
      const model = build();
      model.compile({ optimizer: 'adam', loss, metrics: loss === 'meanSquaredError' ? [] : ['accuracy'] });
      const before = tf.memory().numTensors;
      const compiled = await tensorflowTrainingGraph().compile(model, backend, { classWeight });
      assert.ok(!isCompilerSkip(compiled), isCompilerSkip(compiled) ? compiled.skipped : '');
      tf.tidy(() => {
        const { inputs, target } = batch(model, loss, 9);
        const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
        // model.fit's step: each row's loss (times its class's weight), the mean, plus the regularisers' penalties.
        const classes = (target.shape[1]! > 1 ? target.argMax(1) : target.reshape([-1])).arraySync() as number[];
        const rowWeights = classWeight ? tf.tensor1d(classes.map((c) => classWeight[c]!)) : tf.onesLike(tf.zeros([9]));
        const expected = tf.variableGrads(() => {
          const rows = LOSSES[loss](target, model.apply(inputs.length === 1 ? inputs[0]! : inputs, { training: true }) as tf.Tensor);
          return model.calculateLosses().reduce((total: tf.Scalar, penalty) => total.add(penalty), tf.mean(rows.mul(rowWeights)) as tf.Scalar);
        }, variables);
        const actual = compiled.run(inputs, target);
        assert.equal(actual.logs.length, loss === 'meanSquaredError' ? 1 : 2);
        const within = (what: string, e: tf.Tensor, a: tf.Tensor | undefined) => {
          assert.ok(a, `${what}: missing`);
          const ev = e.dataSync();
          const av = a.dataSync();
          const scale = Math.max(1e-6, ...Array.from(ev, Math.abs));
          const worst = ev.reduce((w, v, i) => Math.max(w, Math.abs(v - av[i]!)), 0);
          assert.ok(worst <= 1e-4 * scale, `${what}: differs by ${worst} at scale ${scale}`);
        };
        within('the loss', expected.value, actual.logs[0]);
        for (const [name, grad] of Object.entries(expected.grads)) within(`the gradient of ${name}`, grad, actual.gradients[name]);
        assert.deepEqual(Object.keys(actual.gradients).sort(), Object.keys(expected.grads).sort());
      });
      compiled.dispose();
      assert.equal(tf.memory().numTensors, before, 'the compiler and the step leave no tensors');
      model.dispose();
    });
  }

  test('what trains differently from inference is declined with the layer named', async (t) => {
    if (unavailable) return skipOrFail(t);
    const backend = await selectBackend('tensorflow');
    const x = tf.input({ shape: [4] });
    const normalised = tf.model({ inputs: x, outputs: tf.layers.dense({ units: 1 }).apply(tf.layers.batchNormalization({ name: 'norm' }).apply(x)) as tf.SymbolicTensor });
    const noisy = tf.model({ inputs: x, outputs: tf.layers.dense({ units: 1 }).apply(tf.layers.gaussianNoise({ stddev: 0.1, name: 'noise' }).apply(x)) as tf.SymbolicTensor });
    for (const [model, reason] of [
      [normalised, /layer "norm" \(BatchNormalization\) uses batch statistics in training/],
      [noisy, /layer "noise" \(GaussianNoise\) has stddev 0.1, which acts in training only/],
    ] as const) {
      model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
      const compiled = await tensorflowTrainingGraph().compile(model, backend);
      assert.ok(isCompilerSkip(compiled), 'declined');
      assert.match(compiled.skipped, reason);
      model.dispose();
    }
  });

  test('polymodal train on tensorflow runs the graph step: the same epochs as --run-eagerly (1e-3), and the same again on a rerun', (t) => {
    if (unavailable) return skipOrFail(t);
    const epochs = (args: string[], out: string) => {
      const result = runCli(['train', example('seed'), '--backend', 'tensorflow', '--epochs', '2', '--out', join(workspace, out), ...args], workspace);
      assertSuccess(result);
      return { result, lines: [...result.stdout.matchAll(/^Epoch \d\/2 .*?loss ([\d.]+)  accuracy ([\d.]+)  val_loss ([\d.]+)/gm)].map((m) => m.slice(1).map(Number)) };
    };
    const graph = epochs([], 'graph-1');
    assert.match(graph.result.stdout, /^\[tensorflow-training-graph\] training step: TensorFlow graph \(\d+ ops: forward, loss, gradients\)$/m, show(graph.result));
    const eager = epochs(['--run-eagerly'], 'eager');
    assert.doesNotMatch(eager.result.stdout, /tensorflow-training-graph/, show(eager.result));
    assert.equal(graph.lines.length, 2, show(graph.result));
    graph.lines.forEach((values, epoch) => values.forEach((v, i) => assert.ok(Math.abs(v - eager.lines[epoch]![i]!) <= 1e-3, `epoch ${epoch + 1}: ${graph.lines[epoch]} vs ${eager.lines[epoch]}`)));
    assert.deepEqual(epochs([], 'graph-2').lines, graph.lines, 'the same manifest, data and seed give the same figures');
  });
});

test('--run-eagerly with --backend wasm is refused: it would change nothing', () => {
  const result = runCli(['train', example('seed'), '--backend', 'wasm', '--run-eagerly'], workspace);
  assert.equal(result.status, 2, show(result));
  assert.match(result.stderr, /--run-eagerly has no effect with --backend wasm/);
});
