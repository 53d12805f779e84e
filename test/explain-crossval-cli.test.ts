// `polymodal explain` and `polymodal crossval --parallel` in fresh processes.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertSuccess, assertUserError, makeWorkspace, removeWorkspace, runCli, writeProject, type Json } from './helpers.js';

let root: string;
let manifest: string;

before(() => {
  root = makeWorkspace();
  manifest = writeProject(root, {
    edit: (m) => {
      m.inputs = {
        account: { encoder: 'tabular/mlp', columns: ['tenure_months', 'contract'] },
        charges: { encoder: 'tabular/mlp', columns: ['monthly_charges'] },
      };
    },
  });
});
after(() => removeWorkspace(root));

describe('explain', () => {
  it('prints a table per input and metric, writes explanation.json and adds it to the report', () => {
    const model = join(root, 'runs', 'explained');
    assertSuccess(runCli(['train', manifest, '--epochs', '3', '--out', model], root));
    const result = runCli(['explain', model, '--repeats', '3'], root);
    assertSuccess(result);
    assert.match(result.stdout, /input\s+metric\s+baseline\s+drop\s+95% CI/);
    assert.match(result.stdout, /^account\s+accuracy\s/m);
    assert.match(result.stdout, /^charges\s+f1\s/m);
    const saved = JSON.parse(readFileSync(join(model, 'explanation.json'), 'utf8'));
    assert.deepEqual(saved.inputs.map((i: Json) => i.name), ['account', 'charges']);
    assert.equal(saved.inputs[0].metrics.accuracy.drops.length, 3);
    assert.ok(readFileSync(join(model, 'report.html'), 'utf8').includes('data-chart="contribution-accuracy"'));
    const json = runCli(['explain', model, '--repeats', '2', '--json'], root);
    assertSuccess(json);
    const last = JSON.parse(json.stdout.trim().split('\n').at(-1)!);
    assert.equal(last.type, 'result');
    assert.equal(last.repeats, 2);
    assertUserError(runCli(['explain', model, '--repeats', '0'], root), 2, ['--repeats must be an integer >= 1']);
  });
});

describe('crossval', () => {
  it('runs folds in child processes and writes crossval.json, the report and each fold', () => {
    const out = join(root, 'runs', 'cv');
    const result = runCli(['crossval', manifest, '--folds', '3', '--stratify', '--parallel', '2', '--epochs', '2', '--out', out, '--json'], root);
    assertSuccess(result);
    const last = JSON.parse(result.stdout.trim().split('\n').at(-1)!);
    assert.equal(last.type, 'result');
    assert.equal(last.results.length, 3);
    const heldOut = last.results.flatMap((r: Json) => r.lines.test).sort((a: number, b: number) => a - b);
    assert.deepEqual(heldOut, Array.from({ length: 120 }, (_, i) => i + 2), 'each row held out once');
    for (const fold of last.results) {
      const train = new Set(fold.lines.train);
      assert.ok(!fold.lines.test.some((line: number) => train.has(line)));
      assert.ok(existsSync(join(fold.outDir, 'model', 'model.json')));
      assert.ok(existsSync(join(fold.outDir, 'report.html')), 'each fold keeps its own report (written in its child process)');
    }
    assert.equal(typeof last.summary.accuracy.mean, 'number');
    assert.equal(typeof last.summary.accuracy.std, 'number');
    // (besides the owner marker every folder Polymodal writes carries)
    assert.deepEqual(readdirSync(out).filter((name) => !name.startsWith('.')).sort(), ['crossval.json', 'folds', 'report.html']);
    const text = runCli(['crossval', manifest, '--folds', '2', '--epochs', '1', '--out', join(root, 'runs', 'cv2')], root);
    assertSuccess(text);
    assert.match(text.stdout, /accuracy\s+\d\.\d{4}\s+\d\.\d{4}/);
    assertUserError(runCli(['crossval', manifest, '--epochs', '1'], root), 2, ['missing --folds K']);
  });

  it('takes --allow-local-plugins like the other commands that load a manifest, in its fold processes too', () => {
    const local = writeProject(root, {
      manifestName: 'local-plugin.json',
      csv: null,
      edit: (m) => {
        m.data.source = 'data.csv';
        m.plugins = ['./local-tabular.mjs', '@polymodal/fusion-concat'];
      },
    });
    writeFileSync(join(root, 'local-tabular.mjs'), "export { default } from '@polymodal/encoder-tabular';\n");
    assertUserError(runCli(['crossval', local, '--folds', '2', '--epochs', '1', '--out', join(root, 'runs', 'refused')], root), 2, [
      'is a path; plugins are npm package names (allow local plugin paths with --allow-local-plugins',
    ]);
    assert.equal(existsSync(join(root, 'runs', 'refused')), false);
    const out = join(root, 'runs', 'local');
    assertSuccess(runCli(['crossval', local, '--folds', '2', '--parallel', '2', '--epochs', '1', '--out', out, '--allow-local-plugins'], root));
    assert.equal(JSON.parse(readFileSync(join(out, 'crossval.json'), 'utf8')).results.length, 2);
  });
});
