// Train the quickstart, then use the model folder from fresh processes: predict, evaluate, determinism,
// JSON-lines progress, atomic output.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  assertSuccess,
  assertUserError,
  makeWorkspace,
  QUICKSTART_CSV,
  QUICKSTART_MANIFEST,
  readJson,
  removeWorkspace,
  runCli,
  stagingLeftovers,
  subdir,
  writeProject,
  type CliResult,
  type Json,
} from './helpers.js';

const EPOCHS = '3';
const ARTIFACT_FILES = ['model/model.json', 'model/weights.bin', 'preprocessing.json', 'manifest.json', 'history.json', 'metrics.json', 'polymodal.json'];

let root: string;
/** A copy of examples/quickstart: polymodal.json and data/customers.csv. */
let project: string;
let dataRows: number;
/** --out folders of the trains below, under root/runs/. */
let runs: string;
let first: { dir: string; result: CliResult };
/** The `train --json` run's folder and parsed stdout events, for the checkpoint-event tests. */
let jsonRun: { dir: string; events: Json[] } | undefined;

before(() => {
  root = makeWorkspace();
  project = subdir(root, 'quickstart');
  mkdirSync(join(project, 'data'));
  copyFileSync(QUICKSTART_MANIFEST, join(project, 'polymodal.json'));
  copyFileSync(QUICKSTART_CSV, join(project, 'data/customers.csv'));
  dataRows = readFileSync(QUICKSTART_CSV, 'utf8').split('\n').filter((l) => l.trim() !== '').length - 1;
  runs = subdir(root, 'runs');
  const dir = join(runs, 'seed-42-a');
  first = { dir, result: runCli(['train', 'polymodal.json', '--epochs', EPOCHS, '--out', dir], project) };
});
after(() => removeWorkspace(root));

function trainedModel(): string {
  assertSuccess(first.result);
  return first.dir;
}

function readLines(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  assert.ok(text.endsWith('\n'), `${path} should end with a newline`);
  return text.slice(0, -1).split('\n');
}

const metricValues = (metrics: Json) => ({ train: metrics.train, validation: metrics.validation, test: metrics.test, threshold: metrics.threshold, rows: metrics.rows });

describe('train, then predict and evaluate in fresh processes', () => {
  it('train writes the complete model folder and reports where', () => {
    const dir = trainedModel();
    for (const file of ARTIFACT_FILES) assert.ok(existsSync(join(dir, file)), `model folder lacks ${file}`);
    assert.ok(first.result.stdout.includes(`Model written to ${dir}`), first.result.stdout);
    const meta = readJson(join(dir, 'polymodal.json'));
    assert.equal(meta.format, 'polymodal-model');
    assert.ok(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'].includes(meta.backend.name), `backend recorded: ${JSON.stringify(meta.backend)}`);
    assert.equal(typeof meta.backend.tfjsBackend, 'string');
    assert.ok(first.result.stdout.includes(`backend: ${meta.backend.name}`), 'the backend announced is the one recorded');
    assert.equal(meta.seed, 42);
    assert.equal(meta.trainingData, join(project, 'data/customers.csv'));
    assert.deepEqual(meta.classes, ['no', 'yes']);
    const history = readJson(join(dir, 'history.json'));
    assert.equal(history.epochsRun, Number(EPOCHS));
    assert.equal(history.epochs.length, Number(EPOCHS));
    const metrics = readJson(join(dir, 'metrics.json'));
    assert.equal(metrics.rows.train + metrics.rows.validation + metrics.rows.test, dataRows);
    for (const split of ['train', 'validation', 'test']) {
      for (const name of ['accuracy', 'f1', 'rocAuc']) assert.equal(typeof metrics[split][name], 'number', `${split}.${name}`);
    }
    const weights = readFileSync(join(dir, 'model/weights.bin'));
    const modelJson = readJson(join(dir, 'model/model.json'));
    const declared = modelJson.weightsManifest.flatMap((group: Json) => group.weights)
      .reduce((bytes: number, w: Json) => bytes + 4 * w.shape.reduce((a: number, b: number) => a * b, 1), 0);
    assert.equal(weights.length, declared, 'weights.bin holds exactly the weights model.json declares');
  });

  it('no .partial staging folder is left next to the output folder', () => {
    trainedModel();
    assert.deepEqual(readdirSync(runs).filter((name) => name.includes('partial')), []);
    assert.deepEqual(stagingLeftovers(root), []);
  });

  it('predict writes one JSONL line per row, with probabilities that sum to 1', () => {
    const dir = trainedModel();
    const output = join(root, 'preds.jsonl');
    const result = runCli(['predict', dir, '--input', 'data/customers.csv', '--output', output], project);
    assertSuccess(result);
    assert.ok(result.stderr.includes(`${dataRows} predictions written to ${output}`), result.stderr);
    assert.equal(result.stdout, '', 'with --output nothing goes to stdout');
    const lines = readLines(output);
    assert.equal(lines.length, dataRows);
    const seenRows = new Set<number>();
    for (const line of lines) {
      const prediction = JSON.parse(line);
      assert.ok(['no', 'yes'].includes(prediction.prediction), line);
      const probabilities = Object.values(prediction.probabilities) as number[];
      assert.deepEqual(Object.keys(prediction.probabilities).sort(), ['no', 'yes']);
      for (const p of probabilities) assert.ok(p >= 0 && p <= 1, line);
      const sum = probabilities.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5, `probabilities sum to ${sum}: ${line}`);
      // The predicted class is the likelier one at the 0.5 threshold the model was saved with.
      assert.equal(prediction.prediction, prediction.probabilities.yes >= 0.5 ? 'yes' : 'no', line);
      seenRows.add(prediction.row);
    }
    assert.equal(seenRows.size, dataRows, 'each prediction names a distinct row');
    assert.ok(seenRows.has(2) && seenRows.has(dataRows + 1), 'rows are file lines (header is line 1)');
  });

  it('predict twice gives byte-identical output, and stdout output equals the --output file', () => {
    const dir = trainedModel();
    const a = join(root, 'preds-a.jsonl');
    const b = join(root, 'preds-b.jsonl');
    assertSuccess(runCli(['predict', dir, '--input', 'data/customers.csv', '--output', a], project));
    assertSuccess(runCli(['predict', dir, '--input', 'data/customers.csv', '--output', b], project));
    assert.ok(readFileSync(a).equals(readFileSync(b)), 'two predict runs differ');
    const toStdout = runCli(['predict', dir, '--input', 'data/customers.csv'], project);
    assertSuccess(toStdout);
    assert.equal(toStdout.stdout, readFileSync(a, 'utf8'), 'predictions on stdout are the same JSONL');
  });

  it('evaluate --json reproduces metrics.json\'s test metrics on the same backend', () => {
    const dir = trainedModel();
    const meta = readJson(join(dir, 'polymodal.json'));
    const metrics = readJson(join(dir, 'metrics.json'));
    const result = runCli(['evaluate', dir, '--json', '--backend', meta.backend.name], root);
    assertSuccess(result);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    const final = lines.at(-1);
    assert.equal(final.type, 'result');
    assert.equal(final.rowsUsed, 'test split');
    assert.equal(final.rows, metrics.rows.test, 'evaluate rebuilds the same test split');
    assert.equal(final.threshold, metrics.threshold);
    // evaluate reports every metric of the task, those the manifest chose among them.
    for (const name of [...Object.keys(metrics.test), 'balancedAccuracy', 'prAuc', 'logLoss', 'brier']) assert.ok(name in final.metrics, name);
    for (const [name, value] of Object.entries(metrics.test) as [string, number][]) {
      assert.ok(Math.abs(final.metrics[name] - value) <= 1e-6, `test ${name}: evaluate ${final.metrics[name]} vs metrics.json ${value}`);
    }
  });

  it('evaluate --data on all rows reports every row', () => {
    const dir = trainedModel();
    const result = runCli(['evaluate', dir, '--json', '--data', join(project, 'data/customers.csv')], root);
    assertSuccess(result);
    const final = JSON.parse(result.stdout.trim().split('\n').at(-1)!);
    assert.equal(final.rowsUsed, 'all rows');
    assert.equal(final.rows, dataRows);
  });

  it('training again with the same seed gives identical metrics and weights', () => {
    const dir = trainedModel();
    const again = join(runs, 'seed-42-b');
    assertSuccess(runCli(['train', 'polymodal.json', '--epochs', EPOCHS, '--out', again], project));
    assert.deepEqual(metricValues(readJson(join(again, 'metrics.json'))), metricValues(readJson(join(dir, 'metrics.json'))));
    assert.deepEqual(readJson(join(again, 'history.json')).epochs.map((e: Json) => e.logs ?? e), readJson(join(dir, 'history.json')).epochs.map((e: Json) => e.logs ?? e));
    assert.ok(readFileSync(join(again, 'model/weights.bin')).equals(readFileSync(join(dir, 'model/weights.bin'))), 'same seed, different weights');
  });

  it('a different seed gives different weights', () => {
    const dir = trainedModel();
    const other = join(runs, 'seed-43');
    assertSuccess(runCli(['train', 'polymodal.json', '--epochs', EPOCHS, '--seed', '43', '--out', other], project));
    assert.equal(readJson(join(other, 'polymodal.json')).seed, 43);
    assert.equal(readJson(join(other, 'manifest.json')).training.seed, 43, 'the saved manifest holds the seed used');
    assert.ok(!readFileSync(join(other, 'model/weights.bin')).equals(readFileSync(join(dir, 'model/weights.bin'))), 'seed 43 gave the weights of seed 42');
  });

  it('train --json prints only JSON lines, ending with a result line that matches metrics.json', () => {
    const dir = join(runs, 'json');
    const result = runCli(['train', 'polymodal.json', '--epochs', '2', '--json', '--out', dir], project);
    assertSuccess(result);
    const lines = result.stdout.split('\n').filter((line) => line !== '');
    const events = lines.map((line, i) => {
      try {
        return JSON.parse(line);
      } catch {
        assert.fail(`stdout line ${i + 1} is not JSON: ${line}`);
      }
    });
    jsonRun = { dir, events };
    assert.ok(events.length > 2);
    for (const event of events) assert.equal(typeof event.type, 'string', JSON.stringify(event));
    const final = events.at(-1);
    assert.equal(final.type, 'result');
    assert.equal(events.filter((e) => e.type === 'result').length, 1);
    assert.equal(final.outDir, dir);
    assert.equal(final.epochsRun, 2);
    assert.equal(final.backend, readJson(join(dir, 'polymodal.json')).backend.name);
    assert.deepEqual(final.metrics, readJson(join(dir, 'metrics.json')));
    assert.equal(events.filter((e) => e.type === 'epochEnd').length, 2);
    assert.deepEqual(stagingLeftovers(runs), []);
  });

  it('train --json checkpoint events count epochs from 1, like epochEnd events and history.json', () => {
    assert.ok(jsonRun, 'the train --json run above must have succeeded');
    const { dir, events } = jsonRun;
    const checkpoints = events.filter((e) => e.type === 'checkpoint');
    assert.ok(checkpoints.length > 0, 'the quickstart saves a best checkpoint');
    for (const checkpoint of checkpoints) {
      const previous = events.slice(0, events.indexOf(checkpoint)).filter((e) => e.type === 'epochEnd').at(-1);
      assert.equal(checkpoint.epoch, previous.epoch, `checkpoint event ${JSON.stringify(checkpoint)} follows epochEnd ${previous.epoch}`);
    }
    assert.equal(checkpoints.at(-1).epoch, readJson(join(dir, 'history.json')).checkpointEpoch);
  });

  it('train --json checkpoint events give a path that exists once the run is over', () => {
    assert.ok(jsonRun, 'the train --json run above must have succeeded');
    const { dir, events } = jsonRun;
    const last = events.filter((e) => e.type === 'checkpoint').at(-1);
    assert.ok(last, 'the quickstart saves a best checkpoint');
    assert.ok(existsSync(join(dir, 'checkpoints/best/model.json')), 'the model folder keeps its best checkpoint');
    assert.ok(existsSync(last.path), `checkpoint event path ${last.path} does not exist (the model folder is ${dir})`);
  });

  it('training into an existing model folder with --overwrite replaces it whole', () => {
    const dir = join(runs, 'replace');
    assertSuccess(runCli(['train', 'polymodal.json', '--epochs', '1', '--out', dir], project));
    const before = readJson(join(dir, 'polymodal.json')).createdAt;
    assertSuccess(runCli(['train', 'polymodal.json', '--epochs', '2', '--out', dir, '--overwrite'], project));
    assert.notEqual(readJson(join(dir, 'polymodal.json')).createdAt, before);
    assert.equal(readJson(join(dir, 'history.json')).epochsRun, 2);
    assert.deepEqual(readdirSync(dirname(dir)).filter((name) => name.includes('partial') || name.includes('previous')), []);
  });

  it('a train that fails after it starts writing leaves no .partial staging folder and no model folder', () => {
    // classWeight names a class the data does not have: only found once the labels are read, during training.
    const dir = subdir(root, 'fails-late');
    writeProject(dir, {
      edit: (m: Json) => {
        m.training.classWeight = { maybe: 2 };
      },
    });
    const result = runCli(['train', 'polymodal.json', '--epochs', '1', '--out', 'out'], dir);
    assertUserError(result, 2, ['/training/classWeight/maybe', '"maybe" is not a class (no, yes)']);
    assert.equal(existsSync(join(dir, 'out')), false);
    assert.deepEqual(stagingLeftovers(dir), [], 'a failed train must clean up its staging folder');
  });
});
