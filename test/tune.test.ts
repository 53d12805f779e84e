// `polymodal tune` and `train --set` in fresh processes: a small study, resuming after kill -9 of the
// coordinator, a failing trial, and the errors of a bad search space.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertSuccess, assertUserError, CLI_BIN, makeWorkspace, readJson, removeWorkspace, runCli, writeProject, type Json } from './helpers.js';

let root: string;
let manifest: string;

const SEARCH = {
  params: {
    units: { type: 'int', pointer: '/inputs/measures/options/units/0', low: 8, high: 32, step: 8 },
    lr: { type: 'float', pointer: '/training/optimizer/learningRate', low: 1e-3, high: 1e-1, log: true },
  },
};

before(() => {
  root = makeWorkspace();
  manifest = writeProject(root, {
    edit: (m) => {
      m.training.epochs = 2;
      m.search = SEARCH;
    },
  });
});
after(() => removeWorkspace(root));

function journal(dir: string): Json[] {
  return readFileSync(join(dir, 'journal.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

describe('train --set', () => {
  it('overrides any manifest value by JSON pointer; a pointer that leads nowhere is a manifest error', () => {
    const out = join(root, 'runs', 'set');
    assertSuccess(runCli(['train', manifest, '--out', out, '--set', '/training/epochs=1', '--set', '/inputs/measures/options/units=[4]'], root));
    assert.equal(readJson(join(out, 'history.json')).epochs.length, 1);
    assert.deepEqual(readJson(join(out, 'manifest.json')).inputs.measures.options.units, [4]);
    assertUserError(runCli(['train', manifest, '--set', '/training/earlyStopping/nothing/deeper=1'], root), 2, [
      '/training/earlyStopping/nothing/deeper: /training/earlyStopping/nothing does not exist in the manifest',
    ]);
    assertUserError(runCli(['train', manifest, '--set', '/training/epochs=many'], root), 2, ['/training/epochs']);
  });
});

describe('tune', () => {
  it('runs trials in child processes and writes the best manifest, the best model, study.json and a report', () => {
    const dir = join(root, 'study');
    const result = runCli(['tune', manifest, '--trials', '3', '--parallel', '2', '--algorithm', 'random', '--epochs', '1', '--out', dir, '--objective', 'val_accuracy'], root);
    assertSuccess(result);
    assert.match(result.stdout, /trial 0 started: units=\d+ lr=/);
    assert.match(result.stdout, /best so far: trial \d+, val_accuracy /);
    const study = readJson(join(dir, 'study.json'));
    assert.equal(study.trials.length, 3);
    assert.ok(study.trials.every((t: Json) => t.state === 'complete' && t.epochs === 1), JSON.stringify(study.trials));
    assert.equal(new Set(study.trials.map((t: Json) => t.seed)).size, 3);
    const best = study.trials.reduce((a: Json, b: Json) => (b.value > a.value ? b : a));
    assert.equal(study.best.trial, best.number);
    const bestManifest = readJson(join(dir, 'best-manifest.json'));
    assert.equal(bestManifest.search, undefined);
    assert.equal(bestManifest.inputs.measures.options.units[0], best.params.units);
    assert.equal(bestManifest.training.optimizer.learningRate, best.params.lr);
    assertSuccess(runCli(['validate', join(dir, 'best-manifest.json')], root));
    assert.deepEqual(readJson(join(dir, 'best-model', 'metrics.json')).validation, best.metrics.validation);
    const report = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.ok(report.includes('data-chart="objective-by-trial"') && report.includes('data-chart="param-units"'));
  });

  it('resumes after kill -9 of the coordinator: finished trials are not rerun, the interrupted one is, none counted twice', async () => {
    const dir = join(root, 'killed');
    const args = [CLI_BIN, 'tune', manifest, '--trials', '3', '--algorithm', 'random', '--epochs', '2', '--out', dir];
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const coordinator = spawn(process.execPath, args, { cwd: root, env, stdio: 'ignore' });
    // Wait until one trial finished and the next one is running, then kill the coordinator outright.
    const deadline = Date.now() + 90_000;
    for (;;) {
      assert.ok(Date.now() < deadline, 'the study did not reach its second trial');
      await sleep(200);
      if (!existsSync(join(dir, 'journal.jsonl'))) continue;
      const records = journal(dir);
      if (records.some((r) => r.op === 'end' && r.state === 'complete') && records.some((r) => r.op === 'epoch' && r.trial === 1)) break;
    }
    coordinator.kill('SIGKILL');
    await new Promise((r) => coordinator.once('exit', r));
    const before = journal(dir);
    const finishedBefore = before.filter((r) => r.op === 'end').map((r) => r.trial);
    const result = runCli(args.slice(1), root);
    assertSuccess(result);
    assert.match(result.stdout, /rerun of trial 1/);
    const records = journal(dir);
    const ends = records.filter((r) => r.op === 'end');
    assert.equal(new Set(ends.map((r) => r.trial)).size, ends.length, 'one end per trial');
    assert.deepEqual(ends.find((r) => r.trial === 1)?.state, 'interrupted');
    const starts = records.filter((r) => r.op === 'start');
    for (const trial of finishedBefore) assert.equal(starts.filter((r) => r.trial === trial).length, 1);
    const rerun = starts.find((r) => r.retryOf === 1);
    assert.deepEqual(rerun?.params, starts.find((r) => r.trial === 1).params);
    const counted = ends.filter((r) => ['complete', 'pruned', 'failed'].includes(r.state));
    assert.equal(counted.length, 3);
    assert.equal(readJson(join(dir, 'study.json')).trials.filter((t: Json) => t.state === 'complete').length, 3);
  });

  it('records a trial whose manifest is invalid as failed, with the pointer error, and goes on', () => {
    const space = join(root, 'space.json');
    const dir = join(root, 'failing');
    writeProject(root, { manifestName: 'plain.json', edit: (m) => { m.training.epochs = 1; } });
    const values = ['tabular/mlp', 'tabular/mpl'];
    writeFileSync(space, JSON.stringify({ params: { encoder: { type: 'choice', pointer: '/inputs/measures/encoder', values } } }));
    const result = runCli(['tune', join(root, 'plain.json'), '--space', space, '--trials', '5', '--algorithm', 'grid', '--out', dir], root);
    assertSuccess(result);
    const study = readJson(join(dir, 'study.json'));
    assert.equal(study.trials.length, 2, 'the grid has two points');
    const failed = study.trials.find((t: Json) => t.params.encoder === 'tabular/mpl');
    assert.equal(failed.state, 'failed');
    assert.match(failed.error, /\/inputs\/measures\/encoder: unknown encoder type "tabular\/mpl"\. Did you mean "tabular\/mlp"\?/);
    assert.equal(study.best.params.encoder, 'tabular/mlp');
  });

  it('a cv_<metric> objective cross-validates each trial: the mean held-out metric over the folds, one step per fold', () => {
    const dir = join(root, 'cv-study');
    const result = runCli(['tune', manifest, '--trials', '2', '--algorithm', 'random', '--epochs', '1', '--objective', 'cv_accuracy', '--cv-folds', '2', '--out', dir], root);
    assertSuccess(result);
    assert.match(result.stdout, /cv_accuracy \(max, mean over 2 stratified folds; steps are folds\)/);
    const study = readJson(join(dir, 'study.json'));
    assert.equal(study.objective, 'cv_accuracy');
    for (const trial of study.trials) {
      assert.equal(trial.state, 'complete', JSON.stringify(trial));
      assert.equal(trial.epochs, 2, 'one step per fold');
      const folds = readJson(join(trial.outDir, 'crossval.json'));
      assert.equal(folds.folds, 2);
      assert.equal(folds.stratify, true);
      const mean = folds.results.reduce((sum: number, r: Json) => sum + r.metrics.accuracy, 0) / 2;
      assert.ok(Math.abs(trial.value - mean) < 1e-12, `${trial.value} is the mean held-out accuracy ${mean}`);
      assert.ok(Math.abs(trial.values[1] - mean) < 1e-12 && Math.abs(trial.values[0] - folds.results[0].metrics.accuracy) < 1e-12, 'steps are the running mean');
    }
    assert.ok(existsSync(join(dir, 'best-model', 'crossval.json')), 'the best trial\'s folds');
    assertUserError(runCli(['tune', manifest, '--trials', '2', '--cv-folds', '3', '--out', join(root, 'cv-bad')], root), 2, ['--cv-folds needs a cv_<metric> objective']);
    assertUserError(runCli(['tune', manifest, '--trials', '2', '--objective', 'cv_loss', '--out', join(root, 'cv-bad')], root), 2, ['--objective cv_loss: use']);
  });

  it('an invalid search space is a manifest error with pointers, before any trial runs', () => {
    const bad = writeProject(root, {
      manifestName: 'bad.json',
      edit: (m) => {
        m.search = { params: { units: { type: 'int', pointer: '/inputs/nothing/units', low: 64, high: 8 } }, objective: 'accuracy' };
      },
    });
    assertUserError(runCli(['tune', bad, '--trials', '2', '--out', join(root, 'bad-study')], root), 2, [
      '/search/params/units/pointer: /inputs/nothing/units: /inputs/nothing does not exist in the manifest',
      '/search/params/units/high: must be >= low (64)',
      '/search/objective: must be val_loss, val_<metric> or cv_<metric>',
    ]);
    assert.equal(existsSync(join(root, 'bad-study')), false);
    assertUserError(runCli(['tune', manifest, '--trials', '2', '--objective', 'val_precision'], root), 2, [
      '--objective val_precision: use val_loss, val_accuracy, val_f1, val_rocAuc, or cv_<metric> (cv_accuracy, cv_f1, cv_rocAuc), or add "precision" to evaluation.metrics',
    ]);
  });
});


// Distributed trials need Debian's redis-server (.ci/run installs it); without it this part is skipped.
const redisServer = spawnSync('redis-server', ['--version']).status === 0;

describe('tune --queue with polymodal worker', { skip: redisServer ? false : 'redis-server is not installed (apt-get install -y redis-server)' }, () => {
  const processes: ChildProcess[] = [];
  after(() => processes.forEach((p) => p.kill('SIGKILL')));

  function start(command: string, args: string[], onLine?: (line: string) => void): ChildProcess {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let buffer = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      lines.forEach((line) => onLine?.(line));
    });
    child.stderr!.resume();
    processes.push(child);
    return child;
  }

  it('two workers share the trials; one killed mid-trial has its trial retried once by the other', async () => {
    const port = 20000 + Math.floor(Math.random() * 30000);
    start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    await sleep(500);
    const queue = `redis://127.0.0.1:${port}`;
    const dir = join(root, 'queued');
    const logs: string[][] = [[], []];
    let victimTrial: string | undefined;
    const workers = [0, 1].map((i) => start(process.execPath, [CLI_BIN, 'worker', '--queue', queue, '--lock-seconds', '4'], (line) => {
      logs[i].push(line);
      const started = /^trial (\d+) started/.exec(line);
      if (i === 0 && started && victimTrial === undefined) victimTrial = started[1];
    }));
    // Kill the first worker once its trial has reported an epoch (of 6): mid-trial.
    const killer = setInterval(() => {
      if (victimTrial === undefined || !existsSync(join(dir, 'journal.jsonl'))) return;
      if (journal(dir).some((r) => r.op === 'epoch' && String(r.trial) === victimTrial)) {
        workers[0].kill('SIGKILL');
        clearInterval(killer);
      }
    }, 100);
    await sleep(3000);
    const tune = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      let stdout = '';
      const child = start(process.execPath, [CLI_BIN, 'tune', manifest, '--trials', '3', '--parallel', '2', '--algorithm', 'random', '--epochs', '6', '--out', dir, '--queue', queue], (line) => (stdout += line + '\n'));
      child.on('exit', (code) => resolve({ code, stdout }));
    });
    clearInterval(killer);
    assert.equal(tune.code, 0, tune.stdout + logs.flat().join('\n'));
    assert.ok(victimTrial !== undefined, 'worker 1 took a trial');
    const study = readJson(join(dir, 'study.json'));
    assert.deepEqual(study.trials.map((t: Json) => t.state), ['complete', 'complete', 'complete'], JSON.stringify(study.trials));
    assert.ok(logs[1].some((l) => new RegExp(`^trial ${victimTrial} started \\(job [0-9a-f]+-trial-${victimTrial}, attempt 2\\)`).test(l)), logs.join('\n---\n'));
    assert.ok(logs[1].some((l) => new RegExp(`^trial ${victimTrial} complete`).test(l)));
    assert.ok(logs[1].filter((l) => / started /.test(l)).length >= 2, 'the surviving worker ran the retry and its own trial');
  });

  it('crossval --queue puts its folds on the same queue; a worker killed mid-fold has its fold retried once by the other', async () => {
    const port = 20000 + Math.floor(Math.random() * 30000);
    start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    await sleep(500);
    const queue = `redis://127.0.0.1:${port}`;
    const out = join(root, 'queued-cv');
    const logs: string[][] = [[], []];
    let victim: { fold: string; at: number } | undefined;
    const workers = [0, 1].map((i) => start(process.execPath, [CLI_BIN, 'worker', '--queue', queue, '--lock-seconds', '4'], (line) => {
      logs[i].push(line);
      const started = /^(fold \d+ of repeat \d+) started/.exec(line);
      if (i === 0 && started && victim === undefined) victim = { fold: started[1], at: Date.now() };
    }));
    // Kill the first worker a second after it took a fold (of 8 epochs, several seconds): mid-fold.
    const killer = setInterval(() => {
      if (victim === undefined || Date.now() - victim.at < 1000) return;
      workers[0].kill('SIGKILL');
      clearInterval(killer);
    }, 100);
    await sleep(3000);
    const crossval = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      let stdout = '';
      const child = start(process.execPath, [CLI_BIN, 'crossval', manifest, '--folds', '3', '--stratify', '--epochs', '8', '--out', out, '--queue', queue, '--json'], (line) => (stdout += line + '\n'));
      child.on('exit', (code) => resolve({ code, stdout }));
    });
    clearInterval(killer);
    assert.equal(crossval.code, 0, crossval.stdout + logs.flat().join('\n'));
    assert.ok(victim !== undefined, 'worker 1 took a fold');
    assert.ok(logs[0].every((l) => !l.startsWith(`${victim.fold} complete`)), 'the victim was killed before it finished');
    assert.ok(logs[1].some((l) => new RegExp(`^${victim!.fold} started \\(job [0-9a-f]+-crossval-r1-f\\d, attempt 2\\)`).test(l)), logs.join('\n---\n'));
    assert.ok(logs[1].some((l) => l.startsWith(`${victim!.fold} complete`)));
    const result = readJson(join(out, 'crossval.json'));
    assert.equal(result.results.length, 3);
    const heldOut = result.results.flatMap((r: Json) => r.lines.test).sort((a: number, b: number) => a - b);
    assert.deepEqual(heldOut, Array.from({ length: 120 }, (_, i) => i + 2), 'each row held out once');
    for (const fold of result.results) assert.ok(existsSync(join(fold.outDir, 'model', 'model.json')), fold.outDir);
    assert.equal(typeof result.summary.accuracy.mean, 'number');
    assert.ok(existsSync(join(out, 'report.html')));
    assert.equal(JSON.parse(crossval.stdout.trim().split('\n').at(-1)!).type, 'result');
  });
});
