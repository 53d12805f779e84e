import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cell } from '../data/cell.js';
import { readTable } from '../data/table.js';
import type { EncoderDefinition, InputSpec, Preprocessor, Row } from '../plugin/contracts.js';
import { definePlugin } from '../plugin/define-plugin.js';
import { resolveCellPath } from '../plugin/resolve-cell-path.js';
import { PolymodalError } from '../errors.js';
import { syntheticCsv, testManifest, testPlugin } from '../test-fixtures/numeric-plugin.js';
import { predict } from './predict.js';
import { isRowError, loadPredictor, type PredictorResult } from './predictor.js';
import type { ModelCompiler } from '../model/compiled-model.js';
import { train } from './train.js';

const project = mkdtempSync(join(tmpdir(), 'polymodal-predictor-'));
process.on('exit', () => rmSync(project, { recursive: true, force: true }));

/** An image-family encoder whose one feature is the file's size: enough to see which bytes were read. */
class FileSizePreprocessor implements Preprocessor<{ trained: true }> {
  constructor(private readonly input: InputSpec) {}
  private bytesOf(value: string): Buffer {
    const match = /^data:[^,]*;base64,/.exec(value);
    if (match) return Buffer.from(value.slice(match[0].length), 'base64');
    return readFileSync(resolveCellPath(this.input, value));
  }
  check(row: Row) {
    const column = this.input.columns[0];
    const value = cell(row, column);
    if (typeof value !== 'string') return { column, problem: 'no file' };
    try {
      this.bytesOf(value);
      return undefined;
    } catch (error) {
      return { column, problem: error instanceof PolymodalError ? error.message : 'cannot read the file' };
    }
  }
  fit() {}
  features() {
    return [{ key: 'size', shape: [1], dtype: 'float32' as const }];
  }
  transform(rows: readonly Row[]) {
    return { size: Float32Array.from(rows, (row) => this.bytesOf(String(cell(row, this.input.columns[0]))).length / 100) };
  }
  state() {
    return { trained: true as const };
  }
}

const fileEncoder: EncoderDefinition<Record<string, never>, { trained: true }> = {
  type: 'image/file-size',
  description: 'test encoder reading files',
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  columns: { min: 1, max: 1 },
  produces: ['vector'],
  createPreprocessor: (input) => new FileSizePreprocessor(input),
  build: (inputs, _input, _p, ctx) => ({ tensor: tf.layers.dense({ units: 2, name: ctx.layerName('dense') }).apply(inputs.size) as tf.SymbolicTensor, kind: 'vector' }),
};
const filePlugin = definePlugin({ name: 'polymodal-test-file-plugin', version: '1.0.0', encoders: [fileEncoder] });

const csvPath = join(project, 'data.csv');
// The fixture's data with an identifier column in front.
writeFileSync(csvPath, syntheticCsv(120).split('\n').map((line, i) => (i === 0 ? `key,${line}` : line === '' ? '' : `k${i},${line}`)).join('\n'));

const numericModel = (async () => {
  writeFileSync(join(project, 'polymodal.json'), JSON.stringify(testManifest({ training: { backend: 'cpu', epochs: 1, batchSize: 16, seed: 5 } })));
  return (await train({ manifest: join(project, 'polymodal.json'), plugins: [testPlugin], outDir: join(project, 'numeric') })).outDir;
})();

const files = join(project, 'files');
const fileModel = (async () => {
  await numericModel; // one training at a time: both seed tfjs's random source
  mkdirSync(files);
  const lines = ['picture,a,label'];
  for (let i = 0; i < 40; i++) {
    writeFileSync(join(files, `f${i}.bin`), Buffer.alloc(10 + i * 5, i));
    lines.push(`files/f${i}.bin,${i % 7},${i % 2 ? 'pos' : 'neg'}`);
  }
  writeFileSync(join(project, 'files.csv'), lines.join('\n') + '\n');
  const manifest = testManifest({
    plugins: ['polymodal-test-plugin', 'polymodal-test-file-plugin'],
    data: { source: 'files.csv', split: { validation: 0.2, test: 0.2, seed: 3 } },
    inputs: { picture: { encoder: 'image/file-size', column: 'picture' }, numbers: { encoder: 'test/numeric', columns: ['a'] } },
    training: { backend: 'cpu', epochs: 1, batchSize: 8, seed: 5 },
  });
  writeFileSync(join(project, 'files.json'), JSON.stringify(manifest));
  return (await train({ manifest: join(project, 'files.json'), plugins: [testPlugin, filePlugin], outDir: join(project, 'file-model') })).outDir;
})();

async function csvRows(): Promise<Row[]> {
  return [...(await readTable(csvPath)).rows];
}

function withoutRow(result: PredictorResult): object {
  const { row: _row, ...rest } = result;
  return rest;
}

test('predictor.predict gives what predict() gives for the same rows (strings or numbers), with ids, in one load', async () => {
  const dir = await numericModel;
  const fromFile = await predict(dir, { input: csvPath, backend: 'cpu', plugins: [testPlugin], idColumn: 'key' });
  const predictor = await loadPredictor(dir, { backend: 'cpu', plugins: [testPlugin], idColumn: 'key' });
  try {
    const rows = await csvRows();
    const results = await predictor.predict(rows);
    assert.equal(results.length, fromFile.predictions.length);
    assert.deepEqual(results.map((r) => r.row), rows.map((_, i) => i));
    assert.deepEqual(results.map(withoutRow), fromFile.predictions.map(withoutRow));
    assert.equal(fromFile.predictions[0].id, 'k1');
    // JSON numbers read like the file's text; one row alone gives what it gives in a batch.
    const numeric = rows.slice(0, 5).map((r) => ({ a: Number(r.a), b: Number(r.b), noise: Number(r.noise), key: r.key }));
    assert.deepEqual((await predictor.predict(numeric)).map(withoutRow), results.slice(0, 5).map(withoutRow));
    assert.deepEqual(withoutRow((await predictor.predict([rows[7]]))[0]), withoutRow(results[7]));
  } finally {
    predictor.dispose();
  }
});

test('predict --id-column names a missing column with the file and its columns (exit 2)', async () => {
  const dir = await numericModel;
  await assert.rejects(predict(dir, { input: csvPath, backend: 'cpu', plugins: [testPlugin], idColumn: 'kee' }), (error: PolymodalError) => {
    assert.equal(error.exitCode, 2);
    assert.match(error.message, /--id-column "kee" is not a column of the file\. Did you mean "key"\?/);
    return true;
  });
});

test('a row that fails its check gets its own error; the other rows are predicted; no tensor outlives a call', async () => {
  const dir = await numericModel;
  const predictor = await loadPredictor(dir, { backend: 'cpu', plugins: [testPlugin] });
  try {
    assert.deepEqual(predictor.inputs.map((c) => [c.name, c.type, c.required]), [['a', 'number', true], ['b', 'number', true], ['noise', 'number', true]]);
    assert.equal(predictor.task, 'binary');
    predictor.warmUp();
    const good = { a: 1, b: 0.5, noise: 0.2 };
    const before = tf.memory().numTensors;
    const results = await predictor.predict([good, { ...good, b: 'lots' }, { a: 1, noise: 0 }, [] as never, { ...good, a: { x: 1 } } as never, good]);
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    assert.deepEqual(results.map((r) => (isRowError(r) ? r.error.column : 'ok')), ['ok', 'b', 'b', '', 'a', 'ok']);
    assert.match((results[3] as { error: { problem: string } }).error.problem, /a row must be an object/);
    assert.match((results[4] as { error: { problem: string } }).error.problem, /expected a number, got an object/);
    assert.deepEqual(withoutRow(results[0]), withoutRow(results[5]));
    await predictor.predict([{ a: 'x', b: 1, noise: 1 }]);
    assert.equal(tf.memory().numTensors, before, 'an all-invalid call leaked');
  } finally {
    predictor.dispose();
  }
  await assert.rejects(predictor.predict([{ a: 1, b: 1, noise: 1 }]), /disposed/);
});

test('file cells: bytes and data: URIs always; paths only under allowPathsUnder, links resolved', async () => {
  const dir = await fileModel;
  const bytes = readFileSync(join(files, 'f3.bin'));
  const closed = await loadPredictor(dir, { backend: 'cpu', plugins: [testPlugin, filePlugin] });
  const open = await loadPredictor(dir, { backend: 'cpu', plugins: [testPlugin, filePlugin], allowPathsUnder: files });
  try {
    assert.deepEqual(closed.inputs.map((c) => [c.name, c.type]), [['picture', 'image'], ['a', 'number']]);
    const [fromBytes, fromUri, refused] = await closed.predict([
      { picture: new Uint8Array(bytes), a: 3 },
      { picture: `data:application/octet-stream;base64,${bytes.toString('base64')}`, a: 3 },
      { picture: join(files, 'f3.bin'), a: 3 },
    ]);
    assert.deepEqual(withoutRow(fromBytes), withoutRow(fromUri));
    assert.ok(isRowError(refused) && /file paths are not accepted here/.test(refused.error.problem));
    const fromFile = await predict(dir, { input: join(project, 'files.csv'), backend: 'cpu', plugins: [testPlugin, filePlugin] });
    const [relative, absolute] = await open.predict([{ picture: 'f3.bin', a: 3 }, { picture: join(files, 'f3.bin'), a: '3' }]);
    assert.deepEqual(withoutRow(relative), withoutRow(fromBytes));
    assert.deepEqual(withoutRow(absolute), withoutRow(fromFile.predictions[3]));
    // Outside the root: a path, a climb out, a link out.
    writeFileSync(join(project, 'secret.bin'), 'secret');
    symlinkSync(join(project, 'secret.bin'), join(files, 'link.bin'));
    const outside = await open.predict([{ picture: join(project, 'secret.bin'), a: 1 }, { picture: '../secret.bin', a: 1 }, { picture: 'link.bin', a: 1 }]);
    for (const result of outside) assert.ok(isRowError(result) && /resolves outside the data root/.test(result.error.problem), JSON.stringify(result));
    const wrongType = await closed.predict([{ picture: 5, a: 1 }, { picture: bytes.toString('base64'), a: new Uint8Array(2) }]);
    assert.deepEqual(wrongType.map((r) => isRowError(r) && r.error.column), ['picture', 'picture']);
    const bytesInNumber = await closed.predict([{ picture: new Uint8Array(bytes), a: new Uint8Array(2) }]);
    assert.ok(isRowError(bytesInNumber[0]) && /bytes are accepted only in image and audio columns/.test(bytesInNumber[0].error.problem));
  } finally {
    closed.dispose();
    open.dispose();
  }
  await assert.rejects(loadPredictor(dir, { backend: 'cpu', plugins: [testPlugin, filePlugin], allowPathsUnder: join(project, 'nope') }), /does not exist/);
  assert.ok(existsSync(dir));
});

test('batchSize sets the rows per model call: the same predictions in fewer calls; a bad size is refused', async () => {
  const dir = await numericModel; // trained with batchSize 16
  const predictor = await loadPredictor(dir, { backend: 'cpu', plugins: [testPlugin] });
  try {
    const rows = (await csvRows()).slice(0, 40);
    predictor.warmUp();
    // Kernels run per call: 40 rows in chunks of 16 are three model calls, with batchSize 40 one.
    const kernels = async (batchSize?: number) => {
      let results: PredictorResult[] = [];
      const profile = await tf.profile(async () => {
        results = await predictor.predict(rows, batchSize === undefined ? {} : { batchSize });
      });
      return { count: profile.kernels.length, results };
    };
    const chunked = await kernels();
    const whole = await kernels(40);
    assert.deepEqual(whole.results, chunked.results);
    assert.ok(chunked.count > 2 * whole.count, `${chunked.count} kernels in chunks of 16, ${whole.count} in one call`);
    await assert.rejects(predictor.predict(rows, { batchSize: 0 }), /batchSize must be a positive integer, got 0/);
  } finally {
    predictor.dispose();
  }
});

test('a model compiler runs the plain predictions on the backends it names; one that declines leaves a note; dispose frees it', async () => {
  const dir = await numericModel;
  const rows = (await csvRows()).slice(0, 12);
  const plain = await loadPredictor(dir, { backend: 'cpu', plugins: [testPlugin] });
  const expected = await plain.predict(rows);
  assert.equal(plain.engine, 'tfjs on cpu');
  plain.dispose();
  const log = { compiled: 0, predicted: 0, disposed: 0 };
  const compiler: ModelCompiler = {
    name: 'test-compiler',
    backends: ['cpu'],
    async compile(model, backend) {
      log.compiled++;
      assert.equal(backend.name, 'cpu');
      return {
        description: 'a test engine',
        predict: (inputs) => {
          log.predicted++;
          return model.predict(inputs.length === 1 ? inputs[0] : [...inputs]) as tf.Tensor;
        },
        dispose: () => void log.disposed++,
      };
    },
  };
  const compiled = await loadPredictor(dir, { backend: 'cpu', plugins: [testPlugin], compile: compiler });
  try {
    assert.equal(compiled.engine, 'a test engine');
    assert.deepEqual(compiled.notes, []);
    const tensors = tf.memory().numTensors;
    assert.deepEqual(await compiled.predict(rows), expected);
    assert.equal(tf.memory().numTensors, tensors, 'the compiled outputs are disposed');
    assert.ok(log.predicted >= 1, 'the compiled model ran the predictions');
    // Explanations need the fusion's reliance outputs: they stay on the tfjs model.
    const calls = log.predicted;
    await compiled.predict(rows, { explain: true });
    assert.equal(log.predicted, calls);
  } finally {
    compiled.dispose();
    compiled.dispose();
  }
  assert.equal(log.disposed, 1);
  // Not its backend: never called, no note. Declining: a note naming the compiler, predictions on tfjs.
  const elsewhere = await loadPredictor(dir, { backend: 'cpu', plugins: [testPlugin], compile: { ...compiler, backends: ['tensorflow'] } });
  assert.equal(log.compiled, 1);
  assert.deepEqual([elsewhere.engine, elsewhere.notes], ['tfjs on cpu', []]);
  elsewhere.dispose();
  const declining = await loadPredictor(dir, { backend: 'cpu', plugins: [testPlugin], compile: { ...compiler, compile: async () => ({ skipped: 'it cannot' }) } });
  assert.deepEqual(declining.notes, ['[test-compiler] it cannot; predicting with tfjs']);
  assert.deepEqual(await declining.predict(rows), expected);
  declining.dispose();
});
