// The packages as npm will publish them: what each tarball holds, and a new project outside the workspace that
// installs only what a text model needs, trains and predicts with `npx polymodal`, and gets nothing else.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT } from './helpers.js';
import {
  cleanEnv, createFreshProject, installedPackages, installInto, packPackages, packWorkspace, publishablePackages, type PackResult,
} from './packaging.js';

const run = promisify(execFile);

/** The first-party plugins: the packages that carry the polymodal-plugin keyword. */
const PLUGINS = publishablePackages().filter((pkg) => (pkg.manifest.keywords ?? []).includes('polymodal-plugin')).map((pkg) => pkg.name);
/** What a text-only project names; core's and the CLI's own first-party dependencies come with them. */
const TEXT_PROJECT = ['@polymodal/core', '@polymodal/cli', '@polymodal/encoder-text', '@polymodal/fusion-concat'];

describe('every publishable package', () => {
  const packages = publishablePackages();
  let packed: PackResult[];

  before(async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'polymodal-dry-pack-'));
    try {
      packed = await packPackages(packages.map((pkg) => pkg.dir), scratch, true);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    // The figures the README's package table quotes.
    for (const result of packed) console.log(`${result.name}: ${result.files.length} files, ${(result.size / 1024).toFixed(1)} kB packed, ${(result.unpackedSize / 1024).toFixed(1)} kB unpacked`);
  });

  it('declares what npm and Node need: license, engines, files, and exports with types for every entry point', () => {
    assert.ok(packages.length >= 10, `found ${packages.map((p) => p.name).join(', ')}`);
    for (const { name, manifest } of packages) {
      assert.equal(manifest.license, 'Apache-2.0', name);
      assert.equal(manifest.engines?.node, '>=20', `${name}: engines.node`);
      assert.equal(manifest.type, 'module', name);
      assert.ok(Array.isArray(manifest.files) && manifest.files.length > 0, `${name}: files`);
      if (manifest.bin) continue; // the batteries-included package is a command only
      assert.ok(manifest.exports?.['.'], `${name}: exports["."]`);
      for (const [subpath, target] of Object.entries<Record<string, string> | string>(manifest.exports)) {
        if (typeof target === 'string') continue;
        assert.ok(target.types?.startsWith('./dist/') && target.default?.startsWith('./dist/'), `${name}: exports["${subpath}"] has dist types and code`);
      }
      assert.equal(manifest.types, manifest.exports['.'].types, `${name}: types`);
    }
  });

  it('carries a README and the project LICENSE', () => {
    const licence = readFileSync(join(REPO_ROOT, 'LICENSE'), 'utf8');
    for (const { name, dir } of packages) {
      assert.ok(readFileSync(join(dir, 'README.md'), 'utf8').startsWith(`# ${name}\n`), `${name}: README.md`);
      assert.equal(readFileSync(join(dir, 'LICENSE'), 'utf8'), licence, `${name}: LICENSE is the project's`);
    }
  });

  it('the README\'s package table lists every publishable package with its folder', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Packages\n'), readme.indexOf('\n## ', readme.indexOf('\n## Packages\n') + 1));
    const rows = [...section.matchAll(/^\| `([^`]+)` \(`([^`]+)`\)/gm)].map((m) => `${m[1]} ${m[2]}`).sort();
    assert.deepEqual(rows, packages.map((pkg) => `${pkg.name} ${relative(REPO_ROOT, pkg.dir)}`).sort());
  });

  it('plugins peer-depend on a range of core and on tfjs, and on nothing else of ours but the Keras format reader', () => {
    for (const name of PLUGINS) {
      const { manifest } = packages.find((pkg) => pkg.name === name)!;
      assert.equal(manifest.peerDependencies['@polymodal/core'], '^0.1.0', `${name}: core as a peer range`);
      assert.ok(manifest.peerDependencies['@tensorflow/tfjs'], `${name}: tfjs as a peer`);
      const ours = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }).filter((dep) => dep.startsWith('@polymodal/') || dep === 'polymodal');
      // @polymodal/keras reads pretrained backbones (.keras, .h5): an ordinary dependency, it holds no tfjs state of its own.
      assert.deepEqual(ours.filter((dep) => dep !== '@polymodal/keras'), ['@polymodal/core'], `${name}: first-party packages it uses`);
      assert.equal(manifest.dependencies?.['@polymodal/core'], undefined, `${name}: core is no dependency (a second copy would break instanceof)`);
    }
    const withSharp = packages.filter((pkg) => pkg.manifest.dependencies?.sharp !== undefined).map((pkg) => pkg.name);
    assert.deepEqual(withSharp, ['@polymodal/encoder-image'], 'sharp is a dependency of the image encoder only (an optional peer of the report)');
  });

  it('the CLI depends on core, the wasm backend and tfjs, takes the report as an optional peer, and bundles no plugin', () => {
    const { manifest } = packages.find((pkg) => pkg.name === '@polymodal/cli')!;
    assert.deepEqual(Object.keys(manifest.dependencies).filter((dep) => dep.startsWith('@polymodal/')).sort(), ['@polymodal/backend-wasm', '@polymodal/core']);
    for (const dep of ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'tsyringe', 'reflect-metadata']) assert.ok(manifest.dependencies[dep], `CLI depends on ${dep}`);
    assert.equal(manifest.peerDependencies['@polymodal/report'], '^0.1.0');
    assert.equal(manifest.peerDependenciesMeta['@polymodal/report'].optional, true);
    const core = packages.find((pkg) => pkg.name === '@polymodal/core')!.manifest;
    for (const heavy of ['vega', 'vega-lite', 'sharp']) {
      assert.equal(core.dependencies[heavy] ?? core.peerDependencies?.[heavy], undefined, `core does not name ${heavy}`);
    }
  });

  it('the batteries-included `polymodal` brings the CLI, the report and every plugin, and its command is the CLI\'s', async () => {
    const bundle = packages.find((pkg) => pkg.name === 'polymodal')!;
    for (const name of ['@polymodal/encoder-tabular', '@polymodal/encoder-image', '@polymodal/encoder-text', '@polymodal/fusion-concat', '@polymodal/fusion-attention']) {
      assert.ok(PLUGINS.includes(name), `${name} carries the polymodal-plugin keyword`);
    }
    for (const name of [...PLUGINS, '@polymodal/cli', '@polymodal/report']) assert.ok(bundle.manifest.dependencies[name], `polymodal depends on ${name}`);
    assert.equal(bundle.manifest.bin.polymodal, './bin/polymodal.js');
    const { stdout } = await run(process.execPath, [join(bundle.dir, 'bin/polymodal.js'), 'plugins', '--json'], { cwd: REPO_ROOT, env: cleanEnv() });
    const listed = (JSON.parse(stdout) as { name: string; installed: boolean }[]).filter((p) => p.installed).map((p) => p.name);
    for (const name of PLUGINS) assert.ok(listed.includes(name), `\`polymodal plugins\` through the bundle lists ${name}`);
  });

  it('packs dist, types, README and LICENSE (and core its schema), no tests, fixtures, sources, source maps or build info', () => {
    for (const result of packed) {
      const files = result.files.map((f) => f.path);
      const where = `${result.name}: ${files.join(', ')}`;
      assert.ok(files.includes('README.md') && files.includes('LICENSE') && files.includes('package.json'), where);
      const offending = files.filter((f) => /\.test\.|test-fixtures|(^|\/)src\/|\.tsbuildinfo$|\.map$|(^|\/)node_modules\//.test(f));
      assert.deepEqual(offending, [], `${result.name} packs files it must not`);
      if (result.name === 'polymodal') {
        assert.ok(files.includes('bin/polymodal.js'), where);
        continue;
      }
      assert.ok(files.includes('dist/index.js') && files.includes('dist/index.d.ts'), where);
      if (result.name === '@polymodal/core') assert.ok(files.includes('schema/manifest.v1.json'), where);
      if (result.name === '@polymodal/cli') assert.ok(files.includes('bin/polymodal.js'), where);
    }
  });
});

/** A small text classification set: the label follows from which words a review holds. */
function reviewsCsv(rows: number): string {
  const good = ['great', 'lovely', 'superb', 'fun', 'moving'];
  const bad = ['dull', 'awful', 'boring', 'slow', 'weak'];
  const filler = ['the', 'film', 'was', 'plot', 'and', 'acting', 'quite'];
  const lines = ['review,label'];
  for (let i = 0; i < rows; i++) {
    const positive = i % 2 === 0;
    const words = [filler[i % filler.length], (positive ? good : bad)[i % 5], filler[(i * 3) % filler.length], (positive ? good : bad)[(i * 7) % 5]];
    lines.push(`${words.join(' ')},${positive ? 'pos' : 'neg'}`);
  }
  return lines.join('\n') + '\n';
}

function textManifest(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    version: 1,
    name: 'reviews',
    plugins: ['@polymodal/encoder-text', '@polymodal/fusion-concat'],
    data: { source: 'reviews.csv', split: { validation: 0.2, test: 0.2, seed: 3 } },
    inputs: { review: { encoder: 'text/bag', columns: ['review'], options: { numWords: 30, mode: 'count', units: [8] } } },
    fusion: { type: 'concat' },
    output: { column: 'label', task: 'binary', positiveClass: 'pos' },
    training: { epochs: 2, batchSize: 16, seed: 1, backend: 'wasm' },
    ...extra,
  }, null, 2);
}

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** `npx polymodal <args>` in the fresh project, as its user would run it. */
async function polymodal(cwd: string, args: readonly string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await run('npx', ['--no', 'polymodal', ...args], { cwd, env: cleanEnv(), timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { status: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** Every folder under `dir`/node_modules (at any depth) that holds the package `name`. */
function copiesOf(dir: string, name: string): string[] {
  const found: string[] = [];
  const walk = (modules: string) => {
    if (!existsSync(modules)) return;
    if (existsSync(join(modules, name, 'package.json'))) found.push(join(modules, name));
    for (const entry of readdirSync(modules)) {
      const nested = entry.startsWith('@') ? readdirSync(join(modules, entry)).map((n) => join(entry, n)) : [entry];
      for (const pkg of nested) walk(join(modules, pkg, 'node_modules'));
    }
  };
  walk(join(dir, 'node_modules'));
  return found;
}

/** `npm ls <names> --all --json`: which top-level packages the named ones are reached through. */
async function dependencyTree(cwd: string, names: readonly string[]): Promise<{ dependencies?: Record<string, unknown> }> {
  const args = ['ls', ...names, '--all', '--json'];
  try {
    return JSON.parse((await run('npm', args, { cwd, env: cleanEnv(), maxBuffer: 16 * 1024 * 1024 })).stdout);
  } catch (error) {
    // npm ls exits 1 for problems elsewhere in the tree (unmet optional peers); its JSON is still complete.
    const { stdout } = error as { stdout?: string };
    if (!stdout) throw error;
    return JSON.parse(stdout);
  }
}

const shown = (r: Run) => `exit ${r.status}\n--- stderr ---\n${r.stderr}\n--- stdout ---\n${r.stdout.slice(-1500)}`;

describe('a text-only project installed from the tarballs', () => {
  let tarballs: Map<string, string>;
  let project: string;
  const started = Date.now();

  before(async () => {
    tarballs = await packWorkspace();
    const tarball = (name: string) => {
      const path = tarballs.get(name);
      assert.ok(path, `no tarball for ${name} (packed: ${[...tarballs.keys()].join(', ')})`);
      return path;
    };
    // core and the CLI bring @polymodal/metrics and @polymodal/backend-wasm; until they are on the registry, their
    // tarballs are given too (npm takes them for the dependency ranges).
    const firstParty = new Set(TEXT_PROJECT);
    for (const name of TEXT_PROJECT) {
      const { manifest } = publishablePackages().find((pkg) => pkg.name === name)!;
      for (const dep of Object.keys(manifest.dependencies ?? {})) if (dep.startsWith('@polymodal/')) firstParty.add(dep);
    }
    project = await createFreshProject([...firstParty].map(tarball));
    console.log(`installed ${[...firstParty].join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    writeFileSync(join(project, 'reviews.csv'), reviewsCsv(60));
    writeFileSync(join(project, 'polymodal.json'), textManifest());
  });

  after(() => console.log(`fresh-project tests took ${((Date.now() - started) / 1000).toFixed(1)} s`));

  it('holds no sharp, no vega, no report and no other plugin', () => {
    const installed = installedPackages(project);
    for (const name of TEXT_PROJECT) assert.ok(installed.has(name), `${name} installed`);
    const unwanted = ['sharp', 'vega', 'vega-lite', '@polymodal/report', 'polymodal', ...PLUGINS.filter((p) => !TEXT_PROJECT.includes(p))];
    assert.deepEqual(unwanted.filter((name) => installed.has(name)), [], 'installed though a text model does not need them');
    assert.ok(![...installed].some((name) => name.startsWith('@img/sharp')), 'no sharp binaries');
    assert.deepEqual(copiesOf(project, '@polymodal/core'), [join(project, 'node_modules/@polymodal/core')], 'one core: plugins share the application\'s');
    assert.ok(!project.startsWith(REPO_ROOT), 'the project lies outside the workspace');
  });

  it('every entry point its exports name loads from the installed tarballs (nothing it needs was left out)', async () => {
    const specifiers = [...installedPackages(project)].filter((name) => name.startsWith('@polymodal/')).flatMap((name) => {
      const { exports } = JSON.parse(readFileSync(join(project, 'node_modules', name, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
      return Object.keys(exports).filter((subpath) => !subpath.endsWith('.json') && !subpath.endsWith('.js')).map((subpath) => name + subpath.slice(1));
    });
    assert.ok(specifiers.includes('@polymodal/core/testing') && specifiers.includes('@polymodal/encoder-text'), specifiers.join(', '));
    const code = `for (const s of ${JSON.stringify(specifiers)}) await import(s);`;
    await run(process.execPath, ['--input-type=module', '-e', code], { cwd: project, env: cleanEnv() });
  });

  it('trains and predicts with `npx polymodal`', async () => {
    const trained = await polymodal(project, ['train', 'polymodal.json', '--out', 'model']);
    assert.equal(trained.status, 0, shown(trained));
    for (const file of ['model/model.json', 'preprocessing.json', 'metrics.json', 'polymodal.json']) assert.ok(existsSync(join(project, 'model', file)), `model/${file}`);
    const lock = JSON.parse(readFileSync(join(project, 'model', 'polymodal.json'), 'utf8'));
    assert.deepEqual(lock.plugins.map((p: { name: string }) => p.name).sort(), ['@polymodal/encoder-text', '@polymodal/fusion-concat']);
    const predicted = await polymodal(project, ['predict', 'model', '--input', 'reviews.csv', '--output', 'predictions.jsonl']);
    assert.equal(predicted.status, 0, shown(predicted));
    const lines = readFileSync(join(project, 'predictions.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(lines.length, 60);
    assert.ok(lines.every((p) => p.prediction === 'pos' || p.prediction === 'neg'), JSON.stringify(lines[0]));
  });

  it('without @polymodal/report, evaluate still evaluates and says no report was written; asking for plots fails early', async () => {
    const evaluated = await polymodal(project, ['evaluate', 'model']);
    assert.equal(evaluated.status, 0, shown(evaluated));
    assert.match(evaluated.stdout, /accuracy/);
    assert.ok(evaluated.stderr.includes('no HTML report written: reports need @polymodal/report (run `npm install @polymodal/report`)'), shown(evaluated));
    assert.ok(!existsSync(join(project, 'model-evaluation.html')));
    const plots = await polymodal(project, ['evaluate', 'model', '--plots', 'svg']);
    assert.equal(plots.status, 2, shown(plots));
    assert.ok(plots.stderr.includes('--plots svg needs the package @polymodal/report, which is not installed'), shown(plots));
    assert.ok(plots.stderr.includes('npm install @polymodal/report'), shown(plots));
  });

  it('a manifest kept outside the project finds its plugins from the current directory', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'polymodal-manifest-elsewhere-'));
    try {
      writeFileSync(join(elsewhere, 'reviews.csv'), reviewsCsv(60));
      writeFileSync(join(elsewhere, 'polymodal.json'), textManifest());
      const validated = await polymodal(project, ['validate', join(elsewhere, 'polymodal.json')]);
      assert.equal(validated.status, 0, shown(validated));
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('a manifest naming image/cnn fails with the install line of its plugin', async () => {
    const photo = { photo: { encoder: 'image/cnn', columns: ['review'] } };
    writeFileSync(join(project, 'images.json'), textManifest({
      plugins: ['@polymodal/encoder-text', '@polymodal/encoder-image', '@polymodal/fusion-concat'],
      inputs: { ...JSON.parse(textManifest()).inputs, ...photo },
    }));
    const listed = await polymodal(project, ['validate', 'images.json']);
    assert.equal(listed.status, 2, shown(listed));
    assert.match(listed.stderr, /@polymodal\/encoder-image/);
    assert.ok(listed.stderr.includes('npm install @polymodal/encoder-image'), shown(listed));
    assert.doesNotMatch(listed.stderr, /^\s+at\s/m, 'no stack trace');

    writeFileSync(join(project, 'unlisted.json'), textManifest({ inputs: { ...JSON.parse(textManifest()).inputs, ...photo } }));
    const unlisted = await polymodal(project, ['validate', 'unlisted.json']);
    assert.equal(unlisted.status, 2, shown(unlisted));
    assert.ok(unlisted.stderr.includes('npm install @polymodal/encoder-image'), shown(unlisted));
  });

  it('adding @polymodal/report gives HTML reports, and only the report brings vega', async () => {
    await installInto(project, [tarballs.get('@polymodal/report')!]);
    const tree = await dependencyTree(project, ['vega', 'vega-lite']);
    assert.deepEqual(Object.keys(tree.dependencies ?? {}), ['@polymodal/report'], `vega reached through: ${JSON.stringify(tree)}`);
    const evaluated = await polymodal(project, ['evaluate', 'model', '--report', 'evaluation.html']);
    assert.equal(evaluated.status, 0, shown(evaluated));
    const html = readFileSync(join(project, 'evaluation.html'), 'utf8');
    assert.ok(html.includes('data-chart="roc-curve"'), 'the report has its charts');
  });
});
