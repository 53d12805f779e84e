// What Polymodal writes and never removes: --out targets, numbered runs, --overwrite, output files, and
// interrupted runs (signals, kill -9) that leave nothing half-written and can be resumed exactly.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  assertSuccess, assertUserError, CLI_BIN, makeWorkspace, removeWorkspace, runCli, show, stagingLeftovers, subdir, writeProject, type CliResult,
} from './helpers.js';

let workspace: string;
before(() => {
  workspace = makeWorkspace();
});
after(() => removeWorkspace(workspace));

/** A small, quick project: 120 rows, a few epochs. */
function project(name: string, edit?: (manifest: any) => void): { dir: string; manifest: string } {
  const dir = subdir(workspace, name);
  const manifest = writeProject(dir, {
    edit: (m) => {
      m.training.epochs = 3;
      delete m.training.earlyStopping;
      edit?.(m);
    },
  });
  return { dir, manifest };
}

function listing(dir: string): string[] {
  return readdirSync(dir).sort();
}

describe('train never removes what Polymodal did not write', () => {
  test('--out at the project folder, at ".", or empty is refused and deletes nothing', () => {
    const { dir, manifest } = project('protect');
    const before = listing(dir);
    assertUserError(runCli(['train', manifest, '--out', dir, '--overwrite'], dir), 2, ['would contain the manifest']);
    assertUserError(runCli(['train', manifest, '--out', '.'], dir), 2, ['would contain']);
    assertUserError(runCli(['train', manifest, '--out', ''], dir), 2, ['--out is empty']);
    assert.deepEqual(listing(dir), before);
  });

  test('--out at a folder with someone else\'s files is refused, even with --overwrite', () => {
    const { dir, manifest } = project('foreign');
    const foreign = join(dir, 'notes');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'thesis.txt'), 'do not lose me');
    const result = runCli(['train', manifest, '--out', foreign, '--overwrite'], dir);
    assertUserError(result, 2, ['not a folder Polymodal wrote', 'never removes']);
    assert.equal(readFileSync(join(foreign, 'thesis.txt'), 'utf8'), 'do not lose me');
  });

  test('runs without --out are numbered; an existing model needs --overwrite', () => {
    const { dir, manifest } = project('numbered');
    const first = runCli(['train', manifest], dir);
    assertSuccess(first);
    assert.match(first.stdout, /Model written to runs\/churn\n/);
    assert.match(first.stdout, /polymodal evaluate runs\/churn\n/);
    const second = runCli(['train', manifest], dir);
    assertSuccess(second);
    assert.match(second.stdout, /Model written to runs\/churn_2\n/);
    assert.ok(existsSync(join(dir, 'runs/churn/polymodal.json')) && existsSync(join(dir, 'runs/churn_2/polymodal.json')));
    assertUserError(runCli(['train', manifest, '--out', 'runs/churn'], dir), 2, ['--overwrite']);
    assertSuccess(runCli(['train', manifest, '--out', 'runs/churn', '--overwrite'], dir));
    assert.deepEqual(stagingLeftovers(dir), []);
  });

  test('unwritable or odd outputs are user errors, not internal ones', () => {
    const { dir, manifest } = project('unwritable');
    assertUserError(runCli(['train', manifest, '--out', '/proc/polymodal-model'], dir), 2, ['cannot create files in /proc']);
    assertUserError(runCli(['train', manifest, '--out', join(dir, 'data.csv', 'model')], dir), 2, ['is a file, not a folder']);
    assertUserError(runCli(['train', manifest, '--out', join(dir, 'x'.repeat(300))], dir), 2, ['too long']);
  });

  test('predict refuses to replace a file it did not write unless asked', () => {
    const { dir, manifest } = project('predict-output');
    assertSuccess(runCli(['train', manifest, '--out', 'model'], dir));
    writeFileSync(join(dir, 'mine.jsonl'), 'precious\n');
    assertUserError(runCli(['predict', 'model', '--input', 'data.csv', '--output', 'mine.jsonl'], dir), 2, ['already exists', '--overwrite']);
    assert.equal(readFileSync(join(dir, 'mine.jsonl'), 'utf8'), 'precious\n');
    assertUserError(runCli(['predict', 'model', '--input', 'data.csv', '--output', dir], dir), 2, ['is a folder']);
    assertUserError(runCli(['predict', 'model', '--input', 'data.csv', '--output', '/proc/polymodal.jsonl'], dir), 2, ['cannot create files in /proc']);
    assertSuccess(runCli(['predict', 'model', '--input', 'data.csv', '--output', 'mine.jsonl', '--overwrite'], dir));
    assert.match(readFileSync(join(dir, 'mine.jsonl'), 'utf8'), /"prediction"/);
  });
});

interface LiveRun {
  done: Promise<CliResult>;
  kill(signal: NodeJS.Signals): void;
  /** Resolves once the run has reported this many finished epochs (JSON lines). */
  epochs(count: number): Promise<void>;
}

function startTrain(args: string[], cwd: string): LiveRun {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, [CLI_BIN, 'train', ...args, '--json'], { cwd, env });
  let stdout = '';
  let stderr = '';
  const waiters: { count: number; resolve: () => void }[] = [];
  let finished = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
    finished = [...stdout.matchAll(/"type":"epochEnd"/g)].length;
    for (const waiter of waiters.filter((w) => finished >= w.count)) waiter.resolve();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const done = new Promise<CliResult>((resolve) => child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })));
  return {
    done,
    kill: (signal) => child.kill(signal),
    epochs: (count) => new Promise((resolve, reject) => {
      if (finished >= count) return resolve();
      waiters.push({ count, resolve });
      void done.then((r) => reject(new Error(`the run ended before epoch ${count}\n${show(r)}`)));
    }),
  };
}

/** Long enough to be interrupted mid-run: 40 epochs of 120 rows with dropout, Adam and a schedule. */
function longProject(name: string) {
  return project(name, (m) => {
    m.training.epochs = 40;
    m.training.batchSize = 8;
    m.training.learningRateSchedule = { type: 'cosine', warmupEpochs: 2 };
  });
}

function weights(dir: string): Buffer {
  return readFileSync(join(dir, 'model/weights.bin'));
}

describe('interrupted runs', () => {
  test('SIGINT stops after the current batch, leaves no partial folder, and the run resumes to the same weights', async () => {
    const { dir, manifest } = longProject('sigint');
    assertSuccess(runCli(['train', manifest, '--out', 'straight'], dir));
    const run = startTrain([manifest, '--out', 'resumed'], dir);
    await run.epochs(3);
    run.kill('SIGINT');
    const interrupted = await run.done;
    assert.equal(interrupted.status, 130, show(interrupted));
    assert.match(interrupted.stderr, /--resume/);
    assert.doesNotMatch(interrupted.stderr, /^\s+at\s/m);
    assert.ok(!existsSync(join(dir, 'resumed')), 'no model folder after an interrupted run');
    assert.deepEqual(stagingLeftovers(dir), []);
    const resumed = runCli(['train', manifest, '--out', 'resumed', '--resume'], dir);
    assertSuccess(resumed);
    assert.ok(weights(join(dir, 'resumed')).equals(weights(join(dir, 'straight'))), 'resumed weights equal the straight run\'s');
    assert.deepEqual(listing(dir).filter((n) => n.startsWith('.')), []);
  });

  test('SIGTERM exits 143; kill -9 leaves a staging folder that the resumed run removes', async () => {
    const { dir, manifest } = longProject('sigkill');
    const term = startTrain([manifest, '--out', 'model'], dir);
    await term.epochs(2);
    term.kill('SIGTERM');
    assert.equal((await term.done).status, 143);
    const original = readFileSync(manifest, 'utf8');
    const changed = JSON.parse(original);
    changed.training.batchSize = 16;
    writeFileSync(manifest, JSON.stringify(changed));
    assertUserError(runCli(['train', manifest, '--out', 'model', '--resume'], dir), 2, ['the manifest changed']);
    writeFileSync(manifest, original);
    const straight = runCli(['train', manifest, '--out', 'straight'], dir);
    assertSuccess(straight);
    const killed = startTrain([manifest, '--out', 'model', '--overwrite'], dir);
    await killed.epochs(4);
    killed.kill('SIGKILL');
    await killed.done;
    assert.ok(stagingLeftovers(dir).length > 0, 'kill -9 leaves the staging folder (nothing can clean up)');
    const resumed = runCli(['train', manifest, '--out', 'model', '--resume'], dir);
    assertSuccess(resumed);
    assert.deepEqual(stagingLeftovers(dir), [], 'the next run removed the killed run\'s staging folder');
    assert.ok(weights(join(dir, 'model')).equals(weights(join(dir, 'straight'))), 'resumed after kill -9: same weights as a straight run');
  });

  test('--resume with nothing to resume says so', () => {
    const { dir, manifest } = project('nothing-to-resume');
    assertUserError(runCli(['train', manifest, '--resume'], dir), 2, ['nothing to resume']);
  });
});
