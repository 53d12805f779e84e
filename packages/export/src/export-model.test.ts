// Every first-party encoder and fusion, trained for an epoch on a shipped example, exported to ONNX (run by
// onnxruntime-node) and to a tfjs graph model (run by tf.loadGraphModel): the same predictions within 1e-4. The
// TensorFlow SavedModel export of each is run by Python TensorFlow in the reference check at the end.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileSystemHandler, isPolymodalError, type PointerSetting } from '@polymodal/core';
import { exportOnnx, exportSavedModel, exportTfjsGraph, onnxPreprocessingPath, SAVED_MODEL_METADATA_FILE, type ExportSummary } from './export-model.js';
import { runGraphModel, runOnnx, TOLERANCE } from './test-fixtures/compare.js';
import { preprocessedRows, trainExample } from './test-fixtures/example-run.js';
import { REPO_ROOT } from './test-fixtures/plugin-layers.js';
import { speechExampleData } from '../../../tools/speech-example-data.mjs';

interface PythonJob {
  model: string;
  /** The graph-model folder of the same model, run by TensorFlow. */
  graph: string;
  /** The SavedModel folder of the same model, loaded by tf.saved_model.load. */
  savedModel: string;
  inputs: Record<string, { data: number[]; shape: number[]; dtype: string }>;
  expected: number[][];
  /** Raw rows and the preprocessing description beside the model: the README's Python path, rows to predictions. */
  fromRows?: { rows: unknown[]; description: string; expected: number[][] };
}

/** The input kinds the README's Python preprocessing snippet covers. */
const SNIPPET_KINDS = new Set(['tabular', 'text']);

/** Every exported ONNX model with its inputs and Polymodal's outputs, for the reference check at the end. */
const pythonJobs: PythonJob[] = [];

let scratch: string;
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'polymodal-export-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function worst(expected: Float32Array[], actual: Float32Array[]): number {
  let max = 0;
  expected.forEach((e, i) => e.forEach((v, j) => {
    const d = Math.abs(v - actual[i][j]);
    max = Number.isNaN(d) ? Infinity : Math.max(max, d);
  }));
  return max;
}

/** Exports the model in every graph format and checks them; the SavedModel's summary is returned. */
async function checkExports(label: string, modelDir: string): Promise<ExportSummary> {
  const prepared = await preprocessedRows(modelDir);
  const onnxFile = join(scratch, `${label}.onnx`);
  const onnx = await exportOnnx(modelDir, onnxFile);
  assert.deepEqual(onnx.inputs.map((i) => i.name), prepared.names);
  const fromOnnx = await runOnnx(await readFile(onnxFile), prepared.names, prepared.tensors);
  const inputs: PythonJob['inputs'] = {};
  prepared.tensors.forEach((t, i) => (inputs[prepared.names[i]] = { data: Array.from(t.dataSync()), shape: t.shape, dtype: t.dtype }));
  const savedModelDir = join(scratch, `${label}-saved-model`);
  const job: PythonJob = { model: onnxFile, graph: join(scratch, `${label}-graph`), savedModel: savedModelDir, inputs, expected: prepared.expected.map((e) => Array.from(e)) };
  const description = JSON.parse(await readFile(onnxPreprocessingPath(onnxFile), 'utf8'));
  if (Object.values(description.inputs as Record<string, { kind: string }>).every((input) => SNIPPET_KINDS.has(input.kind))) {
    job.fromRows = { rows: prepared.rows, description: onnxPreprocessingPath(onnxFile), expected: prepared.expectedAllPresent.map((e) => Array.from(e)) };
  }
  pythonJobs.push(job);
  const graphDir = join(scratch, `${label}-graph`);
  const graph = await exportTfjsGraph(modelDir, graphDir);
  const json = JSON.parse(await readFile(join(graphDir, 'model.json'), 'utf8'));
  assert.equal(json.format, 'graph-model');
  const artifacts = await fileSystemHandler(graphDir).load!();
  const fromGraph = await runGraphModel(artifacts, prepared.names, graph.outputs.map((o) => o.name), prepared.tensors);
  const differences = { onnx: worst(prepared.expected, fromOnnx), graph: worst(prepared.expected, fromGraph) };
  assert.ok(differences.onnx <= TOLERANCE && differences.graph <= TOLERANCE, `${label}: ${JSON.stringify(differences)}`);
  assert.ok(Object.keys(onnx.opCounts).length > 0);
  // Beside each model, the preprocessing description `--format keras` writes too, naming the same model inputs.
  const savedModel = await exportSavedModel(modelDir, savedModelDir);
  assert.deepEqual(savedModel.inputs, graph.inputs);
  assert.deepEqual(savedModel.files.slice(0, 2), [join(savedModelDir, 'saved_model.pb'), join(savedModelDir, SAVED_MODEL_METADATA_FILE)]);
  const metadata = JSON.parse(await readFile(savedModel.files[1], 'utf8'));
  assert.equal(metadata['polymodal.signature'], 'serving_default');
  assert.deepEqual(JSON.parse(metadata['polymodal.inputs']), prepared.names);
  for (const [file, model] of [[onnx.files[1], `${label}.onnx`], [graph.files[2], 'model.json'], [savedModel.files[2], 'saved_model.pb']]) {
    const description = JSON.parse(await readFile(file, 'utf8'));
    assert.equal(description.model, model);
    assert.deepEqual(description.modelInputs.map((m: { name: string }) => m.name), prepared.names);
  }
  tf.dispose(prepared.tensors);
  return savedModel;
}

const MOVIES_PLUGINS = ['@polymodal/encoder-text', '@polymodal/encoder-tabular', '@polymodal/fusion-attention'];
/** Trains on 10% of the movies (the export needs trained weights, not a good model). */
const SMALL_MOVIES_SPLIT: PointerSetting = { pointer: '/data/split', value: { validation: 0.05, test: 0.85, seed: 3 } };

const CASES: { label: string; example: string; set?: PointerSetting[] }[] = [
  { label: 'quickstart: tabular/mlp, concat', example: 'quickstart' },
  // The other shipped examples as they are (speech-context comes below with two encoders and two fusions).
  { label: 'penguins: tabular/mlp, multiclass', example: 'penguins' },
  { label: 'tune-article: tabular/mlp with dense layers', example: 'tune-article' },
  { label: 'digits: image/cnn with augmentation (inactive at predict)', example: 'digits' },
  { label: 'digit-genre: optional image/cnn and text inputs, as shipped', example: 'digit-genre' },
  { label: 'speech: audio/cnn on log-mel features', example: 'speech' },
  { label: 'seed: image/cnn and text/lstm, concat', example: 'seed', set: [{ pointer: '/data/split', value: { validation: 0.1, test: 0.5, seed: 3 } }] },
  {
    label: 'movies: text/gru (bidirectional), text/cnn, text/bag and an optional tabular/mlp, attention fusion',
    example: 'movies',
    set: [
      SMALL_MOVIES_SPLIT,
      { pointer: '/inputs/title/encoder', value: 'text/gru' },
      { pointer: '/inputs/title/options', value: { numWords: 300, maxLength: 12, embeddingDim: 8, units: 6, bidirectional: true } },
      { pointer: '/inputs/title_cnn', value: { encoder: 'text/cnn', columns: ['title'], options: { numWords: 300, maxLength: 12, embeddingDim: 8, convFilters: 4 } } },
      { pointer: '/inputs/title_bag', value: { encoder: 'text/bag', columns: ['title'], options: { numWords: 300, units: [8] } } },
      { pointer: '/inputs/figures/required', value: false },
      { pointer: '/plugins', value: MOVIES_PLUGINS },
      { pointer: '/fusion', value: { type: 'attention', options: { dModel: 8, numHeads: 2, ffDim: 16, units: [8] } } },
    ],
  },
  {
    label: 'movies: text/transformer (sequence) into the attention fusion',
    example: 'movies',
    set: [
      SMALL_MOVIES_SPLIT,
      { pointer: '/inputs/title/encoder', value: 'text/transformer' },
      { pointer: '/inputs/title/options', value: { numWords: 300, maxLength: 12, embeddingDim: 8, heads: 2, ffDim: 16, output: 'sequence' } },
      { pointer: '/plugins', value: MOVIES_PLUGINS },
      { pointer: '/fusion', value: { type: 'attention', options: { dModel: 8, numHeads: 2, ffDim: 16 } } },
    ],
  },
  {
    label: 'movies: text/lstm (optional input: PolymodalNullEmbedding) and tabular/mlp, gated fusion',
    example: 'movies',
    set: [
      SMALL_MOVIES_SPLIT,
      { pointer: '/inputs/title/options', value: { numWords: 300, maxLength: 12, embeddingDim: 8, units: 6 } },
      { pointer: '/inputs/title/required', value: false },
      { pointer: '/fusion', value: { type: 'gated', options: { width: 8, units: [8] } } },
    ],
  },
  {
    label: 'speech-context: audio/cnn and tabular/mlp, concat with dense layers, multiclass',
    example: 'speech-context',
    set: [{ pointer: '/data/split', value: { validation: 0.1, test: 0.7, seed: 3 } }],
  },
  {
    label: 'speech-context: audio/conv1d and tabular/mlp, gated fusion (concat)',
    example: 'speech-context',
    set: [
      { pointer: '/data/split', value: { validation: 0.1, test: 0.7, seed: 3 } },
      { pointer: '/inputs/clip/encoder', value: 'audio/conv1d' },
      { pointer: '/fusion', value: { type: 'gated', options: { width: 8, combine: 'concat', gate: 'sigmoid' } } },
    ],
  },
];

const trained = new Map<string, string>();

CASES.forEach(({ label, example, set }, index) => {
  test(label, async (t) => {
    const speech = example.startsWith('speech') ? speechExampleData() : {};
    if (speech.skip) return t.skip(speech.skip);
    const modelDir = await trainExample(example, join(scratch, `${example}-${index}`), set);
    trained.set(label, modelDir);
    const savedModel = await checkExports(`${example}-${index}`, modelDir);
    // TensorFlow runs an LSTM's whole time loop as one op; the graph model (tfjs has no such op) unrolls it.
    if (label.includes('text/lstm')) assert.equal(savedModel.opCounts['BlockLSTMV2'], 1, JSON.stringify(savedModel.opCounts));
  });
});

test('seed: image/pretrained (a tfjs backbone with BatchNormalization and DepthwiseConv2D, partly fine-tuned), concat', async () => {
  const backboneDir = join(scratch, 'backbone');
  const image = tf.input({ shape: [32, 32, 3], name: 'backbone_input' });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', name: 'stem' }).apply(image) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'stem_bn' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6, name: 'stem_relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', name: 'depthwise' }).apply(x) as tf.SymbolicTensor;
  const backbone = tf.model({ inputs: image, outputs: x });
  await backbone.save(fileSystemHandler(backboneDir));
  backbone.dispose();
  const modelDir = await trainExample('seed', join(scratch, 'seed-pretrained'), [
    { pointer: '/data/split', value: { validation: 0.1, test: 0.5, seed: 3 } },
    { pointer: '/plugins', value: ['@polymodal/encoder-image', '@polymodal/fusion-concat'] },
    { pointer: '/inputs', value: { image: { encoder: 'image/pretrained', column: 'image', options: { model: backboneDir, size: [32, 32], trainableFrom: 'depthwise' } } } },
  ]);
  await checkExports('seed-pretrained', modelDir);
});

test('existing outputs: refused without overwrite, replaced with it (never a foreign folder or a file); a bad opset is refused first', async () => {
  const modelDir = trained.get(CASES[0].label) ?? (await trainExample('quickstart', join(scratch, 'quickstart-overwrite')));
  const file = join(scratch, 'taken.onnx');
  await writeFile(file, 'not a model');
  await assert.rejects(exportOnnx(modelDir, file), (error) => isPolymodalError(error) && /already exists/.test(error.message));
  assert.equal(await readFile(file, 'utf8'), 'not a model');
  const tensorsBefore = tf.memory().numTensors;
  const summary = await exportOnnx(modelDir, file, { overwrite: true, opset: 13 });
  assert.equal(summary.opset, 13);
  assert.equal(tf.memory().numTensors, tensorsBefore, 'the export leaves no tensor behind');
  await assert.rejects(exportOnnx(modelDir, join(scratch, 'x.onnx'), { opset: 9 }), (error) => isPolymodalError(error) && /opset 9 is not supported/.test(error.message));
  const graphDir = join(scratch, 'graph-taken');
  await exportTfjsGraph(modelDir, graphDir);
  await assert.rejects(exportTfjsGraph(modelDir, graphDir), (error) => isPolymodalError(error) && /already holds a Polymodal folder/.test(error.message));
  await exportTfjsGraph(modelDir, graphDir, { overwrite: true });
  // A folder Polymodal did not write is never replaced, even with overwrite; nor is a file.
  const foreign = join(scratch, 'foreign');
  await mkdir(foreign);
  await writeFile(join(foreign, 'notes.txt'), 'mine');
  await assert.rejects(exportTfjsGraph(modelDir, foreign, { overwrite: true }), (error) => isPolymodalError(error) && /not a folder Polymodal wrote/.test(error.message));
  assert.equal(await readFile(join(foreign, 'notes.txt'), 'utf8'), 'mine');
  await assert.rejects(exportTfjsGraph(modelDir, file, { overwrite: true }), (error) => isPolymodalError(error) && /is a file/.test(error.message));
  // Nothing half-written is left beside the targets.
  assert.deepEqual((await readdir(scratch)).filter((name) => name.startsWith('.')), []);
});

test('the reference stack agrees: onnx.checker (full check), Python onnxruntime and TensorFlow (the graph model as a GraphDef, the SavedModel through its signature) on every export', async (t) => {
  const { referencePython } = (await import(join(REPO_ROOT, 'tools/reference-python.mjs'))) as { referencePython(): { python?: string; skip?: string } };
  const reference = referencePython();
  if (!reference.python) {
    t.skip(reference.skip);
    return;
  }
  assert.ok(pythonJobs.length > 0, 'the example exports ran first');
  const jobs = join(scratch, 'python-jobs.json');
  await writeFile(jobs, JSON.stringify(pythonJobs));
  const run = spawnSync(reference.python, [join(REPO_ROOT, 'packages/export/tools/check_exports.py'), jobs], {
    encoding: 'utf8', timeout: 180_000, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
  });
  for (const line of run.stdout.trim().split('\n')) t.diagnostic(line);
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  assert.equal(run.stdout.trim().split('\n').filter((line) => line.startsWith('ok ')).length, pythonJobs.length, run.stdout);
  assert.ok(pythonJobs.some((job) => job.fromRows) && run.stdout.includes('from raw rows'), run.stdout);
  assert.equal(run.stdout.split('TensorFlow on the graph model').length - 1, pythonJobs.length, run.stdout);
  assert.equal(run.stdout.split('TensorFlow on the SavedModel').length - 1, pythonJobs.length, run.stdout);
});
