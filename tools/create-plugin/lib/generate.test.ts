import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultCoreRange, generatePlugin, pluginFiles, UsageError } from './generate.js';
import { optionsTable, replaceOptionsTable, TABLE_END, TABLE_START } from './options-table.js';

const BIN = fileURLToPath(new URL('../bin/create-plugin.js', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** The schema object written into the generated src/options.ts. */
function schemaOf(optionsTs: string): Record<string, any> {
  const start = optionsTs.indexOf('export const optionsSchema: JsonSchema = ');
  assert.ok(start >= 0, 'options.ts exports optionsSchema');
  const json = optionsTs.slice(optionsTs.indexOf('{', start), optionsTs.lastIndexOf('};') + 1);
  return JSON.parse(json);
}

function tableIn(readme: string): string {
  return readme.slice(readme.indexOf(TABLE_START) + TABLE_START.length, readme.indexOf(TABLE_END)).trim();
}

test('the package: files, a package.json with peers, exports, types, files, engines and scripts', () => {
  const files = pluginFiles({ name: '@acme/polymodal-vector', type: 'vector/dense' });
  assert.deepEqual([...files.keys()].sort(), [
    '.gitignore', 'README.md', 'package.json', 'scripts/options-table.mjs', 'scripts/update-readme.mjs',
    'src/encoder.ts', 'src/index.test.ts', 'src/index.ts', 'src/options.ts', 'src/preprocessor.ts', 'tsconfig.json',
  ]);
  const pkg = JSON.parse(files.get('package.json')!);
  assert.equal(pkg.name, '@acme/polymodal-vector');
  assert.equal(pkg.type, 'module');
  assert.deepEqual(pkg.peerDependencies, { '@polymodal/core': defaultCoreRange(), '@tensorflow/tfjs': '^4.22.0' });
  assert.equal(pkg.dependencies, undefined, 'core and tfjs are peers, never dependencies');
  assert.match(defaultCoreRange(), /^\^\d+\.\d+\.\d+$/);
  assert.deepEqual(pkg.exports['.'], { types: './dist/index.d.ts', default: './dist/index.js' });
  assert.equal(pkg.types, './dist/index.d.ts');
  assert.deepEqual(pkg.files, ['dist', '!dist/**/*.test.*', 'README.md']);
  assert.deepEqual(pkg.engines, { node: '>=20' });
  assert.match(pkg.scripts.build, /^tsc -p tsconfig\.json/);
  assert.match(pkg.scripts.test, /node --test dist\//);
  assert.ok(pkg.keywords.includes('polymodal-plugin'));
  JSON.parse(files.get('tsconfig.json')!);
  assert.equal(files.get('scripts/options-table.mjs'), readFileSync(new URL('./options-table.js', import.meta.url), 'utf8'), 'the plugin regenerates its table with the generator\'s own code');
});

test('the sources name the type, use definePlugin, the shared dense stack and the conformance kit', () => {
  const files = pluginFiles({ name: 'polymodal-plugin-sensor', type: 'sensor-data/dense-net', coreRange: '>=0.1.0 <1' });
  assert.match(files.get('src/index.ts')!, /definePlugin\(\{ name, version, encoders: \[sensorDataDenseNetEncoder\] \}\)/);
  assert.match(files.get('src/encoder.ts')!, /type: 'sensor-data\/dense-net'/);
  assert.match(files.get('src/encoder.ts')!, /EncoderDefinition<SensorDataDenseNetOptions, SensorDataDenseNetState, SensorDataDenseNetPreprocessor>/);
  assert.match(files.get('src/index.test.ts')!, /from '@polymodal\/core\/testing'/);
  assert.match(files.get('src/index.test.ts')!, /type: 'sensor-data\/dense-net'/);
  assert.doesNotMatch([...files.values()].join('\n'), /__[A-Z]+__/, 'every placeholder is filled');
  assert.equal(JSON.parse(files.get('package.json')!).peerDependencies['@polymodal/core'], '>=0.1.0 <1');
});

test('the README options table is the one made from the schema in src/options.ts', () => {
  const files = pluginFiles({ name: 'polymodal-vector', type: 'vector/dense' });
  const schema = schemaOf(files.get('src/options.ts')!);
  assert.deepEqual(Object.keys(schema.properties), ['units', 'activation', 'dropout']);
  const table = tableIn(files.get('README.md')!);
  assert.equal(table, optionsTable(schema));
  assert.equal(table.split('\n').length, 2 + Object.keys(schema.properties).length);
  assert.match(table, /^\| `units` \| integer\[\] \(each >= 1\) \| `\[16\]` \| Dense layer sizes/m);
  assert.match(table, /^\| `dropout` \| number \(>= 0, < 1\) \| `0` \|/m);
});

test('the table follows the schema: a new option, a required one, an enum, pipes escaped; other README text is kept', () => {
  const schema = {
    type: 'object',
    required: ['path'],
    properties: { path: { type: 'string', description: 'a | b' }, mode: { enum: ['x', 'y'], default: 'x' }, rate: { type: ['number', 'null'], maximum: 2 } },
  };
  const table = optionsTable(schema);
  assert.match(table, /^\| `path` \| string \| required \| a \\\| b \|$/m);
  assert.match(table, /^\| `mode` \| "x" \\\| "y" \| `"x"` \| {2}\|$/m);
  assert.match(table, /^\| `rate` \| number \\\| null \(<= 2\) \| {2}\| {2}\|$/m);
  const readme = `# p\n\nintro\n\n${TABLE_START}\nold\n${TABLE_END}\n\nafter\n`;
  const updated = replaceOptionsTable(readme, table);
  assert.equal(tableIn(updated), table);
  assert.ok(updated.startsWith('# p\n\nintro\n\n') && updated.endsWith(`${TABLE_END}\n\nafter\n`));
  assert.throws(() => replaceOptionsTable('# no markers', table), /no options table markers/);
});

test('names and types are checked before anything is written', () => {
  assert.throws(() => pluginFiles({ name: 'Bad Name', type: 'vector/dense' }), (e: Error) => e instanceof UsageError && /not a valid npm package name/.test(e.message));
  assert.throws(() => pluginFiles({ name: 'ok', type: 'dense' }), /use family\/variant in lower case/);
  assert.throws(() => pluginFiles({ name: 'ok', type: 'Vector/Dense' }), /use family\/variant/);
  assert.throws(() => pluginFiles({ name: '', type: 'a/b' }), /package name is required/);
});

test('the command writes the package, and refuses bad input with exit 2 and no stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'create-plugin-'));
  try {
    const target = join(dir, 'my-plugin');
    const ok = spawnSync(process.execPath, [BIN, target, '--name', 'polymodal-vector', '--type', 'vector/dense'], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /created polymodal-vector/);
    assert.ok(existsSync(join(target, 'src', 'index.ts')) && existsSync(join(target, '.gitignore')));
    const again = spawnSync(process.execPath, [BIN, target, '--name', 'polymodal-vector', '--type', 'vector/dense'], { encoding: 'utf8' });
    assert.equal(again.status, 2);
    assert.match(again.stderr, /^create-plugin: .*exists and is not empty/);
    const bad = spawnSync(process.execPath, [BIN, join(dir, 'other'), '--name', 'x', '--type', 'nope'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack trace');
    assert.ok(!existsSync(join(dir, 'other')), 'nothing written');
    const unknown = spawnSync(process.execPath, [BIN, join(dir, 'x'), '--nmae', 'x'], { encoding: 'utf8' });
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /usage: create-plugin/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the generated plugin passes its own conformance test against this workspace\'s core (from sources)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'create-plugin-conformance-'));
  try {
    generatePlugin(dir, { name: 'polymodal-vector', type: 'vector/dense' });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    // Without NODE_TEST_CONTEXT, which would make the child report to this runner instead of printing its results.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const run = spawnSync(process.execPath, ['--conditions=@polymodal/source', '--import', 'tsx', '--test', '--test-reporter=tap', 'src/index.test.ts'], {
      cwd: dir, encoding: 'utf8', env: { ...env, TSX_TSCONFIG_PATH: join(REPO_ROOT, 'tsconfig.base.json') }, timeout: 240_000,
    });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /# fail 0/);
    assert.match(run.stdout, /ok \d+ - worker-thread preprocessing equals in-process/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
