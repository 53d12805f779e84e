import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { medianPruner } from '../pruners/median-pruner.js';
import { noPruner } from '../pruners/pruner.js';
import { randomSampler } from '../samplers/random-sampler.js';
import { SearchSpace } from '../space/search-space.js';
import type { SearchSection } from '../space/types.js';
import { JOURNAL_FILE, readJournal, type JournalRecord } from './journal.js';
import { runStudy, type StudyOptions, type TrialExecutor } from './run-study.js';

const root = mkdtempSync(join(tmpdir(), 'polymodal-tune-'));
after(() => rmSync(root, { recursive: true, force: true }));
let count = 0;
const freshDir = () => join(root, `study-${count++}`);

const section: SearchSection = { params: { x: { type: 'float', pointer: '/training/x', low: 0, high: 1 } } };
const space = new SearchSpace(section.params);

/** A fake trial: `epochs` epochs whose val_loss falls towards (x - 0.3)^2; fails for x > failAbove. */
function fakeExecutor(options: { epochs?: number; failAbove?: number; ran?: number[] } = {}): TrialExecutor {
  return {
    async run(job, onEpoch, signal) {
      options.ran?.push(job.number);
      const x = job.params.x as number;
      if (x > (options.failAbove ?? Infinity)) throw new Error(`x=${x} is too large`);
      const epochs = options.epochs ?? 3;
      const final = (x - 0.3) ** 2;
      for (let epoch = 1; epoch <= epochs; epoch++) {
        await new Promise((r) => setTimeout(r, 1));
        if (signal.aborted) throw new Error('stopped');
        onEpoch(epoch, { val_loss: final + (epochs - epoch) * 0.1 });
      }
      if (signal.aborted) throw new Error('stopped');
      return { value: final, outDir: job.outDir, epochs, metrics: { validation: { loss: final }, test: {} } };
    },
  };
}

function options(dir: string, overrides: Partial<StudyOptions> = {}): StudyOptions {
  return {
    dir, manifest: '/m.json', trials: 6, parallel: 2, space, section, sampler: randomSampler, pruner: noPruner,
    objective: 'val_loss', direction: 'min', seed: 5, executor: fakeExecutor(), ...overrides,
  };
}

const records = (dir: string) => readJournal(join(dir, JOURNAL_FILE)).records;

test('a study runs its trials, a failing one is recorded with its error and the study goes on', async () => {
  const dir = freshDir();
  const view = await runStudy(options(dir, { executor: fakeExecutor({ failAbove: 0.6 }) }));
  assert.equal(view.trials.length, 6);
  const failed = view.trials.filter((t) => t.state === 'failed');
  assert.ok(failed.length > 0 && failed.length < 6, 'some trials fail at this seed');
  assert.ok(failed.every((t) => /is too large/.test(t.error!)));
  assert.ok(view.trials.filter((t) => t.state === 'complete').every((t) => Math.abs(t.value! - ((t.params.x as number) - 0.3) ** 2) < 1e-12));
  assert.equal(new Set(view.trials.map((t) => t.seed)).size, 6, 'each trial has its own seed');
  // Resuming a finished study runs nothing; asking for more runs only the difference.
  const ran: number[] = [];
  await runStudy(options(dir, { executor: fakeExecutor({ ran, failAbove: 0.6 }) }));
  assert.deepEqual(ran, []);
  const more = await runStudy(options(dir, { trials: 8, executor: fakeExecutor({ ran, failAbove: 0.6 }) }));
  assert.deepEqual(ran, [6, 7]);
  assert.equal(more.trials.length, 8);
});

test('after a crash, running trials are recorded as interrupted and rerun once with their parameters and seed; nothing is counted twice', async () => {
  const dir = freshDir();
  await runStudy(options(dir, { trials: 3 }));
  // What a coordinator killed with -9 leaves: two starts without an end, and a torn last line.
  const path = join(dir, JOURNAL_FILE);
  appendFileSync(path, JSON.stringify({ op: 'start', trial: 3, params: { x: 0.31 }, seed: 99, at: 'then' }) + '\n');
  appendFileSync(path, JSON.stringify({ op: 'start', trial: 4, params: { x: 0.5 }, seed: 98, at: 'then', retryOf: 1 }) + '\n');
  appendFileSync(path, JSON.stringify({ op: 'epoch', trial: 3, epoch: 1, value: 0.2 }) + '\n{"op":"epo');
  const ran: number[] = [];
  const view = await runStudy(options(dir, { trials: 5, executor: fakeExecutor({ ran }) }));
  const byNumber = new Map(view.trials.map((t) => [t.number, t]));
  assert.equal(byNumber.get(3)!.state, 'interrupted');
  assert.equal(byNumber.get(4)!.state, 'failed', 'a rerun interrupted again is failed');
  assert.match(byNumber.get(4)!.error!, /interrupted twice/);
  const rerun = view.trials.find((t) => t.retryOf === 3)!;
  assert.deepEqual([rerun.params, rerun.seed, rerun.state], [{ x: 0.31 }, 99, 'complete']);
  assert.deepEqual(ran, [rerun.number], 'only the interrupted trial ran: 3 finished + 1 failed + the rerun = 5');
  const journal: JournalRecord[] = records(dir);
  const ends = journal.filter((r) => r.op === 'end');
  assert.equal(new Set(ends.map((r) => r.trial)).size, ends.length, 'one end record per trial');
  assert.doesNotThrow(() => readFileSync(path, 'utf8').trim().split('\n').forEach((l) => JSON.parse(l)), 'the torn line was cut');
});

test('median pruning stops bad trials early and records them as pruned', async () => {
  const dir = freshDir();
  const view = await runStudy(options(dir, { trials: 12, parallel: 1, executor: fakeExecutor({ epochs: 5 }), pruner: medianPruner({ warmupEpochs: 1, minTrials: 3 }) }));
  const pruned = view.trials.filter((t) => t.state === 'pruned');
  assert.ok(pruned.length > 0, 'some trials were pruned');
  assert.ok(pruned.every((t) => t.epochs < 5 && t.epochs >= 2));
  assert.ok(pruned.every((t) => ((t.params.x as number) - 0.3) ** 2 > 0.01), 'only bad ones');
});

test('resuming with another objective or space is refused; a second coordinator on the same folder too', async () => {
  const dir = freshDir();
  await runStudy(options(dir, { trials: 1 }));
  await assert.rejects(runStudy(options(dir, { trials: 1, objective: 'val_accuracy' })), /holds another study \(its objective differs\)/);
  writeFileSync(join(dir, '.study.lock'), String(process.ppid));
  await assert.rejects(runStudy(options(dir, { trials: 1 })), /another polymodal tune \(pid \d+\) is running this study/);
  writeFileSync(join(dir, '.study.lock'), '999999999');
  await runStudy(options(dir, { trials: 2 }));
});

test('a stopped study records its running trials as interrupted, to rerun on resume', async () => {
  const dir = freshDir();
  const controller = new AbortController();
  const view = await runStudy(options(dir, {
    trials: 4,
    signal: controller.signal,
    executor: { run: (job, onEpoch, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('stopped')))) },
    onChange: (_view, _trial, what) => { if (what === 'start') setTimeout(() => controller.abort(), 5); },
  }));
  assert.ok(view.trials.length >= 1);
  assert.ok(view.trials.every((t) => t.state === 'interrupted'));
  const resumed = await runStudy(options(dir, { trials: 4 }));
  assert.equal(resumed.trials.filter((t) => t.state === 'complete').length, 4);
  for (const stopped of view.trials) {
    const rerun = resumed.trials.filter((t) => t.retryOf === stopped.number);
    assert.equal(rerun.length, 1, `trial ${stopped.number} is rerun once`);
    assert.deepEqual([{ ...rerun[0].params }, rerun[0].seed], [{ ...stopped.params }, stopped.seed]);
  }
});
