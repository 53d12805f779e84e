import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { main } from '../main.js';
import type { Output } from '../render/reporters.js';

function capture(): Output & { stdout: string; stderr: string } {
  const sink = { stdout: '', stderr: '', tty: false, columns: 80, out: (t: string) => void (sink.stdout += t), err: (t: string) => void (sink.stderr += t) };
  return sink;
}

/** A plain-object plugin (no imports), so it loads from any folder: numeric columns, and a fit that may throw. */
function pluginSource(name: string, { fitThrows = false, withLayers = true } = {}): string {
  return `
const encoder = {
  type: 'plain/numeric', description: 'numbers', columns: { min: 1 }, produces: ['vector'],
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  createPreprocessor: (input) => ({
    check: () => undefined,
    fit: () => { ${fitThrows ? "throw new TypeError('cannot read the vocabulary');" : ''} },
    features: () => [{ key: 'x', shape: [input.columns.length], dtype: 'float32' }],
    transform: (rows) => ({ x: Float32Array.from(rows.flatMap((row) => input.columns.map((c) => Number(row[c])))) }),
    state: () => ({}),
  }),
  build: (inputs) => ({ tensor: inputs.x, kind: 'vector' }),
};
const fusion = { type: 'plain-join', description: 'first input', accepts: ['vector'], optionsSchema: { type: 'object', properties: {} },
  build: (features) => Object.values(features)[0].tensor };
export default () => ({ name: ${JSON.stringify(name)}, version: '1.0.0', apiVersion: 1, encoders: [encoder], fusions: [fusion]${withLayers ? ', layers: []' : ''} });
`;
}

function installPackage(project: string, name: string, source: string): void {
  const dir = join(project, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', main: 'index.mjs' }));
  writeFileSync(join(dir, 'index.mjs'), source);
}

function manifest(plugins: unknown[]): string {
  return JSON.stringify({
    version: 1, name: 'plain', plugins,
    data: { source: 'data.csv', split: { validation: 0.25, test: 0.25, seed: 1 } },
    inputs: { numbers: { encoder: 'plain/numeric', columns: ['a'] } },
    fusion: { type: 'plain-join' },
    output: { column: 'label', task: 'binary' },
    training: { backend: 'cpu', epochs: 1, batchSize: 8, seed: 1 },
  });
}

async function inProject(run: (project: string) => Promise<void>): Promise<void> {
  const project = mkdtempSync(join(tmpdir(), 'polymodal-cli-plugins-'));
  try {
    const rows = Array.from({ length: 40 }, (_, i) => `${i % 7},${i % 2 ? 'yes' : 'no'}`);
    writeFileSync(join(project, 'data.csv'), ['a,label', ...rows].join('\n') + '\n');
    await run(project);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

function assertUserError(out: { stderr: string }, code: number, actual: number, pattern: RegExp): void {
  assert.equal(actual, code, out.stderr);
  assert.match(out.stderr, pattern);
  assert.doesNotMatch(out.stderr, /\n\s+at |internal error/);
}

test('a plugins entry that is not a plugin is exit 2 naming the package, never an internal error', () =>
  inProject(async (project) => {
    installPackage(project, 'no-layers', pluginSource('no-layers', { withLayers: false }));
    installPackage(project, 'a-number', 'export default 42;\n');
    const cases: [unknown, RegExp][] = [
      ['ajv', /package "ajv" is not a Polymodal plugin/],
      ['node:fs', /"node:fs" is a module specifier with a scheme, not an npm package name/],
      ['no-layers', /package "no-layers" is not a Polymodal plugin \(its default export has no "layers" array\)/],
      ['a-number', /package "a-number" is not a Polymodal plugin \(its default export is a number\)/],
    ];
    // The real ajv (core's dependency), installed in the project as npm would.
    symlinkSync(dirname(createRequire(import.meta.url).resolve('ajv/package.json')), join(project, 'node_modules', 'ajv'));
    for (const [entry, expected] of cases) {
      const path = join(project, 'polymodal.json');
      writeFileSync(path, manifest([entry]));
      const out = capture();
      const code = await main(['validate', path], out);
      assertUserError(out, 2, code, expected);
    }
  }));

test('train: an exception in a plugin\'s fit is "[plugin] /inputs/numbers: ..." with exit 1', () =>
  inProject(async (project) => {
    installPackage(project, 'throwing-plugin', pluginSource('throwing-plugin', { fitThrows: true }));
    writeFileSync(join(project, 'polymodal.json'), manifest(['throwing-plugin']));
    const out = capture();
    const code = await main(['train', join(project, 'polymodal.json'), '--out', join(project, 'out')], out);
    assertUserError(out, 1, code, /\[throwing-plugin\] \/inputs\/numbers: fit failed: cannot read the vocabulary/);
    assert.equal(existsSync(join(project, 'out')), false, 'no model folder');
  }));

test('plugins --manifest refuses a local module path unless --allow-local-plugins', () =>
  inProject(async (project) => {
    const marker = join(project, 'ran.txt');
    writeFileSync(join(project, 'local.mjs'), `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, '1');\n${pluginSource('local-plugin')}`);
    writeFileSync(join(project, 'polymodal.json'), manifest(['./local.mjs']));
    const refused = capture();
    assertUserError(refused, 2, await main(['plugins', '--manifest', join(project, 'polymodal.json')], refused), /is a path; plugins are npm package names \(allow local plugin paths with --allow-local-plugins/);
    assert.equal(existsSync(marker), false, 'the local module did not run');
    const allowed = capture();
    assert.equal(await main(['plugins', '--manifest', join(project, 'polymodal.json'), '--allow-local-plugins', '--json'], allowed), 0, allowed.stderr);
    assert.equal(JSON.parse(allowed.stdout)[0].name, 'local-plugin');
  }));
