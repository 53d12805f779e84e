import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EncoderDefinition, Preprocessor, Row } from '../plugin/contracts.js';
import { definePlugin } from '../plugin/define-plugin.js';
import { joinFusion, numericEncoder, syntheticCsv, testManifest } from '../test-fixtures/numeric-plugin.js';
import { crossval, runFold, type FoldJob } from './crossval.js';

/** The numeric encoder, but its saved state also lists the `line` of every row its preprocessing was fitted on. */
const spyEncoder: EncoderDefinition<{ units: number }, { means: number[]; fittedLines?: number[] }> = {
  ...numericEncoder,
  createPreprocessor(input, state) {
    const inner = numericEncoder.createPreprocessor(input, state);
    let fittedLines = state?.fittedLines;
    const spy: Preprocessor<{ means: number[]; fittedLines?: number[] }> = {
      check: (row) => inner.check(row),
      features: () => inner.features(),
      transform: (rows, ctx) => inner.transform(rows, ctx),
      fit(rows: readonly Row[]) {
        fittedLines = rows.map((row) => Number(row.line));
        return inner.fit(rows);
      },
      state: () => ({ ...inner.state(), fittedLines }),
    };
    return spy;
  },
};
const spyPlugin = definePlugin({ name: 'polymodal-test-plugin', version: '1.0.0', encoders: [spyEncoder], fusions: [joinFusion] });

/** syntheticCsv plus a `line` column holding each row's line in the file. */
function csvWithLines(rows: number): string {
  const lines = syntheticCsv(rows).trimEnd().split('\n');
  return [`line,${lines[0]}`, ...lines.slice(1).map((l, i) => `${i + 2},${l}`)].join('\n') + '\n';
}

function workspace(): { dir: string; manifest: string } {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-crossval-'));
  writeFileSync(join(dir, 'data.csv'), csvWithLines(150));
  writeFileSync(join(dir, 'polymodal.json'), JSON.stringify(testManifest({
    training: { backend: 'wasm', epochs: 2, batchSize: 16, seed: 5 },
    evaluation: { metrics: ['accuracy', 'f1'] },
  })));
  return { dir, manifest: join(dir, 'polymodal.json') };
}

test('no fold\'s preprocessing sees its held-out rows; every row is held out once per repeat', async () => {
  const { dir, manifest } = workspace();
  try {
    const result = await crossval({
      manifest, folds: 3, repeats: 2, stratify: true, plugins: [spyPlugin],
      // What the CLI uses to add reports: files written here must land in the committed folders.
      beforeFoldCommit: async (folder) => writeFileSync(join(folder.dir, 'fold-extra.txt'), folder.target),
      beforeCommit: async (staging, summary) => writeFileSync(join(staging, 'added-before-commit.txt'), JSON.stringify({ folds: summary.folds })),
    });
    assert.equal(result.results.length, 6);
    for (let repeat = 0; repeat < 2; repeat++) {
      const heldOut = result.results.filter((r) => r.repeat === repeat).flatMap((r) => r.lines.test).sort((a, b) => a - b);
      assert.deepEqual(heldOut, Array.from({ length: 150 }, (_, i) => i + 2), `repeat ${repeat}: each row held out exactly once`);
    }
    for (const fold of result.results) {
      const state = JSON.parse(readFileSync(join(fold.outDir, 'preprocessing.json'), 'utf8'));
      const fitted: number[] = state.inputs.numbers.fittedLines;
      assert.deepEqual([...fitted].sort((a, b) => a - b), [...fold.lines.train].sort((a, b) => a - b), 'fitted on exactly the fold\'s training rows');
      const held = new Set(fold.lines.test);
      assert.ok(!fitted.some((line) => held.has(line)), `fold ${fold.fold} of repeat ${fold.repeat}: preprocessing saw held-out rows`);
      assert.equal(fold.rows.test, 50);
      // stratified: each held-out fold has (about) the data's share of positives
      const metrics = JSON.parse(readFileSync(join(fold.outDir, 'metrics.json'), 'utf8'));
      assert.deepEqual(metrics.test, fold.metrics);
    }
    assert.notDeepEqual(result.results[0].lines.test, result.results[3].lines.test, 'a repeat assigns rows to folds anew');
    for (const name of ['accuracy', 'f1']) {
      const values = result.results.map((r) => r.metrics[name]);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      assert.ok(Math.abs(result.summary[name].mean - mean) < 1e-12);
      assert.ok(result.summary[name].std >= 0);
    }
    const saved = JSON.parse(readFileSync(join(result.outDir, 'crossval.json'), 'utf8'));
    assert.deepEqual(saved.summary, JSON.parse(JSON.stringify(result.summary)));
    assert.ok(readFileSync(join(result.outDir, 'added-before-commit.txt'), 'utf8').includes('"folds":3'), 'beforeCommit adds to the committed folder');
    for (const fold of result.results) assert.ok(existsSync(join(fold.outDir, 'fold-extra.txt')), `beforeFoldCommit added to ${fold.outDir}`);
    assert.deepEqual(readdirSync(join(result.outDir, 'folds')).length, 6);
    assert.ok(!readdirSync(join(dir, 'runs')).some((f) => f.includes('.partial')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('folds can run through another runner, several at once, and a failing fold leaves no folder', async () => {
  const { dir, manifest } = workspace();
  try {
    let running = 0;
    let most = 0;
    const jobs: FoldJob[] = [];
    const result = await crossval({
      manifest, folds: 4, parallel: 2, plugins: [spyPlugin],
      runFold: async (job) => {
        jobs.push(job);
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 20));
        try {
          return await runFold(job, { plugins: [spyPlugin] });
        } finally {
          running--;
        }
      },
    });
    assert.equal(result.results.length, 4);
    assert.equal(most, 2, 'two folds at a time');
    assert.deepEqual(jobs.map((j) => j.fold).sort(), [0, 1, 2, 3]);
    const failing = crossval({ manifest, folds: 2, outDir: join(dir, 'failed'), plugins: [spyPlugin], runFold: () => Promise.reject(new Error('boom')) });
    await assert.rejects(failing, /boom/);
    assert.ok(!existsSync(join(dir, 'failed')));
    assert.ok(!readdirSync(dir).some((f) => f.includes('.partial')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('onFold sees the folds done so far; aborting the signal starts no further fold and leaves no folder', async () => {
  const { dir, manifest } = workspace();
  try {
    const seen: number[][] = [];
    const controller = new AbortController();
    const stopped = crossval({
      manifest, folds: 3, outDir: join(dir, 'stopped'), plugins: [spyPlugin], signal: controller.signal,
      onFold: (result, done) => {
        seen.push(done.map((d) => d.fold));
        assert.equal(done.at(-1), result);
        controller.abort(new Error('pruned after the first fold'));
      },
    });
    await assert.rejects(stopped, /pruned after the first fold/);
    assert.deepEqual(seen, [[0]], 'one fold ran, then the signal stopped the rest');
    assert.ok(!existsSync(join(dir, 'stopped')));
    assert.ok(!readdirSync(dir).some((f) => f.includes('.partial')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
