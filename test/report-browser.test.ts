// report.html in a real headless browser (Debian chromium driven by playwright-core): it loads with no
// console errors and no network requests, shows every chart, and renders to a non-trivial screenshot.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext } from 'playwright-core';
import { assertSuccess, makeWorkspace, removeWorkspace, runCli, writeProject } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const TRAIN_CHARTS = ['Confusion matrix', 'ROC curve', 'Precision-recall curve', 'Calibration', 'Learning curve: loss', 'Learning curve: accuracy'];

let root: string;
let modelDir: string;
let browser: BrowserContext | undefined;
let profile: string | undefined;

/** A fresh profile folder per run (--user-data-dir, which playwright takes as launchPersistentContext's first argument). */
async function launch(): Promise<BrowserContext> {
  assert.ok(existsSync(CHROMIUM), `Debian chromium is not installed (no ${CHROMIUM}); the report browser tests need it: ` +
    'run `apt-get update && apt-get install -y chromium` (CI installs it in .ci/run)');
  profile = mkdtempSync(join(tmpdir(), 'polymodal-chromium-'));
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

before(async () => {
  root = makeWorkspace();
  const manifest = writeProject(root, { edit: (m) => { m.data.split.test = 0.25; } });
  modelDir = join(root, 'runs', 'model');
  assertSuccess(runCli(['train', manifest, '--epochs', '4', '--out', modelDir], root));
  browser = await launch();
});
after(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  removeWorkspace(root);
});

/** Opens a file in a fresh page; returns the page and every console error, page error and network request. */
async function open(path: string) {
  const page = await browser!.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => { if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`); });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => { if (!request.url().startsWith('file:')) requests.push(request.url()); });
  await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
  return { page, problems, requests };
}

describe('report.html in headless chromium', () => {
  it('loads without console errors or network requests and shows every chart with its title', async () => {
    const { page, problems, requests } = await open(join(modelDir, 'report.html'));
    try {
      assert.deepEqual(problems, []);
      assert.deepEqual(requests, [], 'a self-contained page requests nothing');
      assert.equal(await page.locator('script').count(), 0);
      const captions = await page.locator('figure.chart figcaption').allTextContents();
      assert.deepEqual(captions, TRAIN_CHARTS);
      assert.equal(await page.locator('figure.chart > svg').count(), TRAIN_CHARTS.length);
      // Every chart is laid out with a real size, and its title is drawn inside the SVG.
      for (const [i, title] of TRAIN_CHARTS.entries()) {
        const svg = page.locator('figure.chart > svg').nth(i);
        const box = await svg.boundingBox();
        assert.ok(box && box.width > 150 && box.height > 150, `${title}: laid out at ${JSON.stringify(box)}`);
        assert.ok((await svg.locator('text', { hasText: title }).count()) >= 1, `${title} drawn in its SVG`);
        assert.ok((await svg.locator('path, line, rect').count()) > 5, `${title} has marks`);
      }
      // Confusion-matrix cells carry their counts, and they add up to the test split.
      const counts = (await page.locator('#chart-confusion-matrix .layer_1_marks text').allTextContents()).map(Number);
      const metrics = JSON.parse(readFileSync(join(modelDir, 'metrics.json'), 'utf8'));
      assert.equal(counts.reduce((a, b) => a + b, 0), metrics.rows.test);
      for (const heading of ['Overview', 'Data', 'Metrics', 'Evaluation', 'Learning curves', 'Model summary', 'Resolved manifest']) {
        assert.ok(await page.locator('h2', { hasText: heading }).isVisible(), `section ${heading}`);
      }
    } finally {
      await page.close();
    }
  });

  it('renders to a non-trivial screenshot', async () => {
    const { page, problems } = await open(join(modelDir, 'report.html'));
    const folder = mkdtempSync(join(tmpdir(), 'polymodal-screenshot-'));
    try {
      const path = join(folder, 'report.png');
      await page.screenshot({ path, fullPage: true });
      const png = readFileSync(path);
      assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
      const width = png.readUInt32BE(16);
      const height = png.readUInt32BE(20);
      assert.equal(width, 1280);
      assert.ok(height > 1500, `a full page with several rows of charts: ${height}px`);
      assert.ok(png.length > 100_000, `${png.length} bytes: a page of charts, not a blank one`);
      assert.deepEqual(problems, []);
      if (process.env.POLYMODAL_KEEP_SCREENSHOT) writeFileSync(process.env.POLYMODAL_KEEP_SCREENSHOT, png);
    } finally {
      await page.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('the evaluate report adds its data and loads cleanly too', async () => {
    const result = runCli(['evaluate', modelDir], root);
    assertSuccess(result);
    const path = join(root, 'runs', 'model-evaluation.html');
    assert.ok(result.stdout.includes(`Report: ${path}`), result.stdout);
    const { page, problems, requests } = await open(path);
    try {
      assert.deepEqual(problems, []);
      assert.deepEqual(requests, []);
      assert.deepEqual(await page.locator('figure.chart figcaption').allTextContents(), TRAIN_CHARTS);
      assert.ok(await page.getByText('polymodal evaluate').isVisible());
    } finally {
      await page.close();
    }
  });
});
