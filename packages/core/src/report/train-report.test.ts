import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate } from '../api/evaluate.js';
import { train } from '../api/train.js';
import { syntheticCsv, testManifest, testPlugin } from '../test-fixtures/numeric-plugin.js';

test('train writes report.html and plots into the model folder; evaluate writes its own report', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-report-'));
  try {
    writeFileSync(join(dir, 'data.csv'), syntheticCsv(200));
    writeFileSync(join(dir, 'polymodal.json'), JSON.stringify(testManifest()));
    const result = await train({ manifest: join(dir, 'polymodal.json'), plugins: [testPlugin], report: true, plots: 'png' });
    const html = readFileSync(join(result.outDir, 'report.html'), 'utf8');
    const charts = [...html.matchAll(/data-chart="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(charts, ['confusion-matrix', 'roc-curve', 'pr-curve', 'calibration', 'learning-curve-loss', 'learning-curve-accuracy']);
    assert.deepEqual(readdirSync(join(result.outDir, 'plots')).sort(), charts.map((c) => `${c}.png`).sort());
    assert.ok(html.includes(`test split of ${join(dir, 'data.csv')}`));
    assert.ok(html.includes('<td>test</td><td class="num">40</td>'), 'split sizes shown');

    const reportPath = join(dir, 'evaluation', 'report.html');
    const evaluated = await evaluate(result.outDir, { plugins: [testPlugin], report: reportPath, plots: 'svg' });
    assert.equal(evaluated.written?.html, reportPath);
    const page = readFileSync(reportPath, 'utf8');
    assert.ok(page.includes('polymodal evaluate'));
    assert.equal(evaluated.written?.plots.length, 6);
    assert.ok(readFileSync(join(dir, 'evaluation', 'report-plots', 'roc-curve.svg'), 'utf8').startsWith('<svg'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
