import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACT_FILES, EXPLANATION_FILE, type CrossvalResult, type Explanation, type Manifest } from '@polymodal/core';
import type { SharpFactory } from './png.js';
import { fixtureArtifacts, fixtureEvaluation } from './test-fixtures/report-input.js';
import { writeCrossvalReport, writeEvaluationReport, writeTrainingReport } from './write-model-report.js';

/** A model folder holding what train() writes that a report reads (no weights: a report never loads the model). */
function modelFolder(root: string): string {
  const dir = join(root, 'model');
  mkdirSync(dir);
  const artifacts = fixtureArtifacts('binary', ['no', 'yes']);
  const files: [string, unknown][] = [
    [ARTIFACT_FILES.meta, artifacts.meta], [ARTIFACT_FILES.manifest, artifacts.manifest], [ARTIFACT_FILES.history, artifacts.history],
    [ARTIFACT_FILES.metrics, artifacts.metrics],
  ];
  for (const [file, value] of files) writeFileSync(join(dir, file), JSON.stringify(value));
  writeFileSync(join(dir, ARTIFACT_FILES.summary), artifacts.summary!);
  return dir;
}

const chartIds = (html: string) => [...html.matchAll(/data-chart="([^"]+)"/g)].map((m) => m[1]);

test('writeTrainingReport reads the model folder and writes report.html and plots/ into it', async () => {
  const root = mkdtempSync(join(tmpdir(), 'polymodal-report-'));
  try {
    const dir = modelFolder(root);
    const evaluation = fixtureEvaluation('binary', ['no', 'yes']);
    const written = await writeTrainingReport(dir, { evaluation, generatedBy: 'polymodal train', targetDir: '/models/final' }, { plots: 'svg' });
    assert.equal(written.html, join(dir, 'report.html'));
    const html = readFileSync(written.html, 'utf8');
    const charts = chartIds(html);
    assert.deepEqual(charts.slice(0, 4), ['confusion-matrix', 'roc-curve', 'pr-curve', 'calibration']);
    assert.ok(html.includes('polymodal train'));
    assert.ok(html.includes('<dd>/models/final</dd>'), 'the folder shown is where it will be, not the staging folder');
    assert.ok(html.includes('<td>test</td><td class="num">20</td>'), 'split sizes read from metrics.json');
    assert.deepEqual(readdirSync(join(dir, 'plots')).filter((name) => !name.startsWith('.')).sort(), charts.map((c) => `${c}.svg`).sort());
    assert.ok(readFileSync(join(dir, 'plots', 'roc-curve.svg'), 'utf8').startsWith('<svg'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('an explanation.json in the folder adds the contribution section', async () => {
  const root = mkdtempSync(join(tmpdir(), 'polymodal-report-'));
  try {
    const dir = modelFolder(root);
    const explanation: Explanation = {
      dataSource: 'data.csv', rowsUsed: 'test split', rows: 20, repeats: 2, seed: 1, baseline: { accuracy: 0.9 }, lowerIsBetter: [],
      inputs: [{ name: 'numbers', columns: ['a'], metrics: { accuracy: { drop: 0.3, ci95: [0.2, 0.4], drops: [0.2, 0.4] } } }],
    };
    writeFileSync(join(dir, EXPLANATION_FILE), JSON.stringify(explanation));
    const written = await writeTrainingReport(dir, { generatedBy: 'polymodal explain' });
    const html = readFileSync(written.html, 'utf8');
    assert.ok(chartIds(html).includes('contribution-accuracy'));
    assert.ok(chartIds(html).includes('learning-curve-loss'), 'the training sections stay');
    assert.deepEqual(written.plots, []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('an evaluation report goes outside the folder, and a failing plot leaves neither plots nor page', async () => {
  const root = mkdtempSync(join(tmpdir(), 'polymodal-report-'));
  try {
    const dir = modelFolder(root);
    const before = readdirSync(dir).sort();
    const htmlPath = join(root, 'model-evaluation.html');
    const evaluation = fixtureEvaluation('binary', ['no', 'yes']);
    const written = await writeEvaluationReport(dir, { evaluation, generatedBy: 'polymodal evaluate' }, htmlPath, { plots: 'svg' });
    assert.equal(written.plotsDir, join(root, 'model-evaluation-plots'));
    assert.ok(readFileSync(htmlPath, 'utf8').includes('polymodal evaluate'));
    assert.deepEqual(readdirSync(dir).sort(), before, 'the model folder is left as train wrote it');

    const broken: SharpFactory = () => ({ png: () => ({ toBuffer: () => Promise.reject(new Error('rasterizer failed')) }) });
    const failedPath = join(root, 'failed.html');
    await assert.rejects(writeEvaluationReport(dir, { evaluation }, failedPath, { plots: 'png', sharp: broken }), /rasterizer failed/);
    assert.ok(!existsSync(failedPath));
    assert.deepEqual(readdirSync(root).filter((name) => name.startsWith('failed')), [], 'no plots folder, no staging left');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('writeCrossvalReport charts every metric over the folds', async () => {
  const root = mkdtempSync(join(tmpdir(), 'polymodal-report-'));
  try {
    const fold = (index: number, accuracy: number) => ({
      repeat: 0, fold: index, outDir: join(root, `fold-${index}`), rows: { train: 40, validation: 10, test: 25 },
      lines: { train: [], validation: [], test: [] }, metrics: { accuracy }, validation: { accuracy }, epochsRun: 3, warnings: [],
    });
    const result: CrossvalResult = {
      name: 'cv', task: 'binary', manifest: join(root, 'polymodal.json'), folds: 2, repeats: 1, stratify: true, outDir: root,
      summary: { accuracy: { mean: 0.75, std: 0.07, min: 0.7, max: 0.8 } }, results: [fold(0, 0.7), fold(1, 0.8)],
    };
    const written = await writeCrossvalReport(root, result, { version: 1, name: 'cv' } as unknown as Manifest);
    const html = readFileSync(written.html, 'utf8');
    assert.deepEqual(chartIds(html), ['crossval-accuracy']);
    assert.ok(html.includes('<td>fold 2</td>'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
