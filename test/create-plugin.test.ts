// The plugin generator as a third-party author uses it: generate a package outside the workspace, install its
// dev dependencies from the packed tarballs, build it, run its conformance test, pack it, install it with core
// and the CLI into a fresh project, and train and predict a manifest that uses its encoder.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT } from './helpers.js';
import { cleanEnv, createFreshProject, npm, packWorkspace, publishablePackages } from './packaging.js';

const run = promisify(execFile);
const GENERATOR = join(REPO_ROOT, 'tools/create-plugin/bin/create-plugin.js');
const PLUGIN = 'polymodal-plugin-vector';
const TYPE = 'vector/dense';

/** The named workspace packages and the first-party packages they depend on (not on the registry yet). */
function withFirstPartyDependencies(names: readonly string[]): string[] {
  const all = new Set(names);
  for (const name of names) {
    const found = publishablePackages().find((pkg) => pkg.name === name);
    assert.ok(found, `${name} is a workspace package`);
    for (const dep of Object.keys(found.manifest.dependencies ?? {})) if (dep.startsWith('@polymodal/')) all.add(dep);
  }
  return [...all];
}

/** Two numeric columns and a label that follows from them. */
function pointsCsv(rows: number): string {
  const lines = ['x,y,label'];
  for (let i = 0; i < rows; i++) {
    const x = ((i * 37) % 100) / 25 - 2;
    const y = ((i * 61) % 100) / 25 - 2;
    lines.push(`${x.toFixed(2)},${i % 9 === 0 ? '' : y.toFixed(2)},${x + y > 0 ? 'up' : 'down'}`);
  }
  return lines.join('\n') + '\n';
}

async function polymodal(cwd: string, args: readonly string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npx', ['--no', 'polymodal', ...args], { cwd, env: cleanEnv(), timeout: 180_000, maxBuffer: 16 * 1024 * 1024 });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { status: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('a plugin package made by the generator', () => {
  let tarballs: Map<string, string>;
  let scratch: string;
  let pluginDir: string;
  let pluginTarball: string;
  const tarball = (name: string) => {
    const path = tarballs.get(name);
    assert.ok(path, `no tarball for ${name} (packed: ${[...tarballs.keys()].join(', ')})`);
    return path;
  };

  before(async () => {
    tarballs = await packWorkspace();
    scratch = mkdtempSync(join(tmpdir(), 'polymodal-create-plugin-'));
    pluginDir = join(scratch, 'plugin');
    const { stdout } = await run(process.execPath, [GENERATOR, pluginDir, '--name', PLUGIN, '--type', TYPE], { env: cleanEnv() });
    assert.match(stdout, new RegExp(`created ${PLUGIN}`));
    // What `npm install` does for a published core; here core and its first-party dependencies come as tarballs.
    await npm(['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', '--save-dev',
      ...withFirstPartyDependencies(['@polymodal/core']).map(tarball), '@tensorflow/tfjs@^4.22.0', 'typescript@~5.9.3', '@types/node@^20.19.0'], pluginDir);
  });

  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('builds with tsc and passes its conformance test (npm test)', async () => {
    // Without NODE_TEST_CONTEXT (set by this test runner), which would make the plugin's runner report to this
    // one instead of printing its results.
    const { NODE_TEST_CONTEXT: _, ...env } = cleanEnv();
    const { stdout: output } = await run('npm', ['test'], { cwd: pluginDir, env, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
    assert.match(output, /worker-thread preprocessing equals in-process/, output.slice(-3000));
    assert.match(output, /save\/load round trip with equal predictions/);
    assert.match(output, /# fail 0/);
    assert.ok(existsSync(join(pluginDir, 'dist', 'index.d.ts')), 'types are built');
  });

  it('packs dist, types and README, no sources or tests', async () => {
    const [packed] = JSON.parse(await npm(['pack', '--json', '--pack-destination', scratch], pluginDir)) as { filename: string; files: { path: string }[] }[];
    const files = packed.files.map((f) => f.path);
    for (const file of ['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/options.js']) assert.ok(files.includes(file), `${file} in ${files.join(', ')}`);
    assert.deepEqual(files.filter((f) => /\.test\.|(^|\/)src\//.test(f)), [], 'no tests or sources');
    const readme = readFileSync(join(pluginDir, 'README.md'), 'utf8');
    assert.match(readme, /\| `units` \| integer\[\] \(each >= 1\) \| `\[16\]` \|/, 'the build regenerated the options table');
    pluginTarball = join(scratch, packed.filename);
  });

  it('installs with core and the CLI into a fresh project, and trains and predicts a manifest that uses it', async () => {
    assert.ok(pluginTarball, 'packed by the previous test');
    const project = await createFreshProject([...withFirstPartyDependencies(['@polymodal/core', '@polymodal/cli', '@polymodal/fusion-concat']).map(tarball), pluginTarball]);
    writeFileSync(join(project, 'points.csv'), pointsCsv(80));
    writeFileSync(join(project, 'polymodal.json'), JSON.stringify({
      version: 1,
      name: 'points',
      plugins: [PLUGIN, '@polymodal/fusion-concat'],
      data: { source: 'points.csv', split: { validation: 0.2, test: 0.2, seed: 3 } },
      inputs: { point: { encoder: TYPE, columns: ['x', 'y'], options: { units: [8], dropout: 0.1 } } },
      fusion: { type: 'concat' },
      output: { column: 'label', task: 'binary', positiveClass: 'up' },
      training: { epochs: 3, batchSize: 16, seed: 1, backend: 'wasm' },
    }, null, 2));
    const trained = await polymodal(project, ['train', 'polymodal.json', '--out', 'model']);
    assert.equal(trained.status, 0, `${trained.stderr}\n${trained.stdout.slice(-1500)}`);
    const lock = JSON.parse(readFileSync(join(project, 'model', 'polymodal.json'), 'utf8'));
    assert.ok(lock.plugins.some((p: { name: string }) => p.name === PLUGIN), JSON.stringify(lock.plugins));
    const predicted = await polymodal(project, ['predict', 'model', '--input', 'points.csv', '--output', 'predictions.jsonl']);
    assert.equal(predicted.status, 0, predicted.stderr);
    const lines = readFileSync(join(project, 'predictions.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(lines.length, 80);
    assert.ok(lines.every((p) => p.prediction === 'up' || p.prediction === 'down'), JSON.stringify(lines[0]));
  });
});
