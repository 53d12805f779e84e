import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Explanation, Task } from '@polymodal/core';
import { buildReport } from './build-report.js';
import { fixtureArtifacts, fixtureEvaluation } from './test-fixtures/report-input.js';

function chartIds(html: string): string[] {
  return [...html.matchAll(/<figure class="chart" id="chart-([^"]+)"/g)].map((m) => m[1]);
}

const CASES: { task: Task; classes: string[]; charts: string[] }[] = [
  {
    task: 'binary', classes: ['no', 'yes'],
    charts: ['confusion-matrix', 'roc-curve', 'pr-curve', 'calibration', 'learning-curve-loss', 'learning-curve-accuracy', 'learning-curve-f1'],
  },
  {
    task: 'multiclass', classes: ['a', 'b', 'c'],
    charts: ['confusion-matrix', 'roc-curve', 'pr-curve', 'learning-curve-loss', 'learning-curve-accuracy', 'learning-curve-f1'],
  },
  { task: 'multilabel', classes: ['x', 'y'], charts: ['roc-curve', 'pr-curve', 'learning-curve-loss', 'learning-curve-accuracy', 'learning-curve-f1'] },
  { task: 'regression', classes: [], charts: ['predicted-vs-actual', 'learning-curve-loss'] },
];

for (const { task, classes, charts } of CASES) {
  test(`a ${task} report has the task's charts, each an inline SVG with its title`, async () => {
    const report = await buildReport({ artifacts: fixtureArtifacts(task, classes), evaluation: fixtureEvaluation(task, classes), generatedBy: 'test' });
    assert.deepEqual(chartIds(report.html), charts);
    assert.deepEqual(report.charts.map((c) => c.id), charts);
    for (const chart of report.charts) {
      assert.ok(chart.svg.includes(`>${chart.title}</text>`), `${chart.id}: SVG shows its title "${chart.title}"`);
      assert.ok(report.html.includes(chart.svg), `${chart.id} is inlined`);
    }
  });
}

test('the page is self-contained and escapes what it shows', async () => {
  const { html } = await buildReport({ artifacts: fixtureArtifacts('binary', ['no', 'yes']), evaluation: fixtureEvaluation('binary', ['no', 'yes']) });
  assert.ok(html.startsWith('<!DOCTYPE html>'));
  assert.doesNotMatch(html, /<script/i, 'no scripts at all (the manifest text is escaped)');
  assert.ok(html.includes('&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(html.includes('fixture &lt;&amp;&gt;: Polymodal report'));
  const external = [...html.matchAll(/(?:src|href)="([^"#][^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(external, [], 'no external resources');
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  // data split sizes, skipped rows, summary, manifest, metrics of each split and the evaluation
  for (const text of ['<td>validation</td><td class="num">20</td>', '<strong>2</strong> rows skipped', 'not a number', '&lt;dense&gt;', '&quot;version&quot;: 1',
    'evaluation (test split of data.csv)', 'warning: x: ill-defined', 'stopped: early stopping on val_loss', 'weights restored from epoch 3']) {
    assert.ok(html.includes(text), `report shows ${text}: ${html.slice(0, 3000)}`);
  }
  // ids inside the SVGs are unique across the page
  const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, ids.length, 'unique element ids');
});

test('the confusion matrix shows every count, and the report is a pure function of its input', async () => {
  const evaluation = { ...fixtureEvaluation('binary', ['no', 'yes']), rows: 5, targets: [0, 0, 1, 1, 1], scores: [0.1, 0.7, 0.8, 0.9, 0.2] };
  const input = { artifacts: fixtureArtifacts('binary', ['no', 'yes']), evaluation };
  const first = await buildReport(input);
  const cm = first.charts.find((c) => c.id === 'confusion-matrix')!;
  // tn 1, fp 1, fn 1, tp 2
  const texts = [...cm.svg.matchAll(/<text[^>]*>(\d+)<\/text>/g)].map((m) => m[1]);
  for (const count of ['1', '2']) assert.ok(texts.includes(count), `count ${count} drawn in ${texts.join(',')}`);
  assert.equal((await buildReport(input)).html, first.html);
});

test('a report without history or evaluation still renders, and the explanation adds its section', async () => {
  const artifacts = fixtureArtifacts('binary', ['no', 'yes']);
  delete artifacts.history;
  const explanation: Explanation = {
    dataSource: 'data.csv', rowsUsed: 'test split', rows: 20, repeats: 3, seed: 1, baseline: { accuracy: 0.9 }, lowerIsBetter: [],
    inputs: [
      { name: 'numbers', columns: ['a'], metrics: { accuracy: { drop: 0.3, ci95: [0.2, 0.4], drops: [0.2, 0.3, 0.4] } } },
      { name: 'noise', columns: ['b'], metrics: { accuracy: { drop: 0, ci95: [0, 0], drops: [0, 0, 0] } } },
    ],
  };
  const report = await buildReport({ artifacts: { ...artifacts, explanation } });
  assert.deepEqual(report.charts.map((c) => c.id), ['contribution-accuracy']);
  assert.ok(report.html.includes('Per-input contribution'));
  assert.ok(!report.html.includes('Learning curves'));
});
