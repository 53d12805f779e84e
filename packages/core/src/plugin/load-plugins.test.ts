import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PolymodalError } from '../errors.js';
import { loadPlugins } from './load-plugins.js';

/** A package under `dir/node_modules/<name>` whose module body is `source`. */
function installPackage(dir: string, name: string, source: string): void {
  const packageDir = join(dir, 'node_modules', ...name.split('/'));
  mkdirSync(packageDir, { recursive: true });
  writeFileSync(join(packageDir, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', main: 'index.mjs' }));
  writeFileSync(join(packageDir, 'index.mjs'), source);
}

function withProject(run: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polymodal-load-plugins-'));
    try {
      await run(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

async function refusal(promise: Promise<unknown>): Promise<PolymodalError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof PolymodalError, `expected a PolymodalError, got ${(error as Error)?.stack ?? error}`);
    return error;
  }
  assert.fail('expected the load to be refused');
}

const markerSource = (marker: string) => `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport default { name: 'x' };\n`;

test('entries must be npm package names: paths, schemes and subpaths are refused before any code runs', withProject(async (dir) => {
  const marker = join(dir, 'ran.txt');
  writeFileSync(join(dir, 'evil.mjs'), markerSource(marker));
  installPackage(dir, 'evil-package', markerSource(marker));
  const refused: [string, RegExp][] = [
    ['./evil.mjs', /is a path; plugins are npm package names.*--allow-local-plugins/],
    [join(dir, 'evil.mjs'), /is a path/],
    ['../evil.mjs', /is a path/],
    ['node:fs', /scheme, not an npm package name/],
    ['file:///etc/passwd', /scheme/],
    ['https://example.com/plugin.mjs', /scheme/],
    ['evil-package/index.mjs', /subpath of a package/],
    ['@scope/pkg/deep', /subpath of a package/],
    ['Not A Name', /not a valid npm package name/],
  ];
  for (const [entry, expected] of refused) {
    // The valid package listed first must not run either: every entry is checked before anything loads.
    const error = await refusal(loadPlugins(['evil-package', entry], dir));
    assert.equal(error.exitCode, 2, entry);
    assert.match(error.message, /^\/plugins\/1: /, entry);
    assert.match(error.message, expected, entry);
  }
  assert.equal(existsSync(marker), false, 'no plugin code ran');
}));

test('with allowLocalPlugins a local module path loads, resolved from the first folder', withProject(async (dir) => {
  writeFileSync(join(dir, 'local.mjs'), "export default () => ({ name: 'my-local', version: '1.0.0', apiVersion: 1, encoders: [], fusions: [], layers: [] });\n");
  const [plugin] = await loadPlugins(['./local.mjs'], dir, [], { allowLocalPlugins: true });
  assert.equal(plugin.name, 'my-local');
}));

test('a package that is not a plugin is exit 2, naming the package and what is missing', withProject(async (dir) => {
  installPackage(dir, 'a-string', "export default 'hello';\n");
  installPackage(dir, 'a-class', 'export default class Thing { constructor() { throw new Error("constructed"); } }\n');
  installPackage(dir, 'no-layers', "export default { name: 'no-layers', version: '1.0.0', apiVersion: 1, encoders: [], fusions: [] };\n");
  installPackage(dir, 'no-fusions', "export default () => ({ name: 'no-fusions', version: '1.0.0', apiVersion: 1, encoders: [], layers: [] });\n");
  installPackage(dir, 'throws-on-import', "throw new TypeError('boom at import');\n");
  installPackage(dir, 'factory-throws', "export default () => { throw new RangeError('bad factory'); };\n");
  const coreDir = fileURLToPath(new URL('.', import.meta.url));
  const cases: [string, string, RegExp][] = [
    ['ajv', coreDir, /package "ajv" is not a Polymodal plugin \(its default export is a class\)/],
    ['a-string', dir, /package "a-string" is not a Polymodal plugin \(its default export is a string\)/],
    ['a-class', dir, /package "a-class" is not a Polymodal plugin \(its default export is a class\)/],
    ['no-layers', dir, /package "no-layers" is not a Polymodal plugin \(its default export has no "layers" array\)/],
    ['no-fusions', dir, /package "no-fusions" is not a Polymodal plugin \(its default export has no "fusions" array\)/],
    ['throws-on-import', dir, /\[throws-on-import\] cannot be loaded: boom at import/],
    ['factory-throws', dir, /package "factory-throws" is not a Polymodal plugin \(calling its default export failed: bad factory\)/],
    ['not-installed-anywhere', dir, /plugin package "not-installed-anywhere" is not installed/],
  ];
  for (const [name, from, expected] of cases) {
    const error = await refusal(loadPlugins([name], from));
    assert.equal(error.exitCode, 2, name);
    assert.match(error.message, expected, name);
  }
}));

test('a plugin module inside a forbidden folder is refused', withProject(async (dir) => {
  const marker = join(dir, 'ran.txt');
  const modelDir = join(dir, 'model-folder');
  installPackage(modelDir, 'polymodal-test-plugin', markerSource(marker));
  const error = await refusal(loadPlugins(['polymodal-test-plugin'], [join(modelDir, 'sub')], [], { forbiddenDirs: [modelDir] }));
  assert.equal(error.exitCode, 2);
  assert.match(error.message, /inside .*model-folder; loading a model runs no code from its folder/);
  assert.equal(existsSync(marker), false);
}));
