// Helpers for tests that use Polymodal as a user would: `npm pack` every publishable workspace package, then
// install some of the tarballs into a new project outside the workspace (so nothing resolves from the
// repository's node_modules) and run the installed `polymodal` there.
//
// Every package must be built first (`npx nx run-many -t build`): a package's tarball holds its dist/.
// Installs use npm's own cache (shared with the workspace's `npm ci`, so the registry packages are usually
// there already) with --prefer-offline; set POLYMODAL_TEST_NPM_CACHE to use another cache folder.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './helpers.js';

const run = promisify(execFile);

/** A workspace package that is published: its folder (absolute) and its package.json. */
export interface PublishablePackage {
  dir: string;
  name: string;
  version: string;
  manifest: Record<string, any>;
}

/** The workspace folders named by the root package.json's `workspaces` globs (only `dir/*` globs are used). */
function workspaceFolders(): string[] {
  const root = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
  return root.workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [join(REPO_ROOT, pattern)];
    const parent = join(REPO_ROOT, pattern.slice(0, -2));
    return readdirSync(parent, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(parent, entry.name));
  });
}

/** Every workspace package that is not `private`, sorted by name. */
export function publishablePackages(): PublishablePackage[] {
  const found: PublishablePackage[] = [];
  for (const dir of workspaceFolders()) {
    const path = join(dir, 'package.json');
    if (!existsSync(path)) continue;
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as Record<string, any>;
    if (manifest.private === true) continue;
    found.push({ dir, name: manifest.name, version: manifest.version, manifest });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The environment for npm and for the installed CLI: without the variables npm sets for a running script
 * (a parent `npm test` would otherwise point a child npm at the workspace) and without tsx's NODE_OPTIONS.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'NODE_OPTIONS' || key === 'INIT_CWD') continue;
    if (/^npm_/i.test(key) && !/^npm_config_(cache|registry|userconfig)$/i.test(key)) continue;
    env[key] = value;
  }
  if (process.env.POLYMODAL_TEST_NPM_CACHE) env.npm_config_cache = process.env.POLYMODAL_TEST_NPM_CACHE;
  return env;
}

/** Runs npm with the clean environment; throws with npm's output when it fails. */
export async function npm(args: readonly string[], cwd: string, timeoutMs = 300_000): Promise<string> {
  try {
    const { stdout } = await run('npm', [...args], { cwd, env: cleanEnv(), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`npm ${args.join(' ')} failed in ${cwd}: ${failure.message}\n${failure.stderr ?? ''}\n${failure.stdout ?? ''}`);
  }
}

/** One entry of `npm pack --json`: the tarball's file name, sizes and file list. */
export interface PackResult {
  name: string;
  version: string;
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

/** `npm pack --json` of the given workspace packages in one npm call; `dryRun` writes no tarball. */
export async function packPackages(dirs: readonly string[], destination: string, dryRun = false): Promise<PackResult[]> {
  const workspaces = dirs.flatMap((dir) => ['--workspace', dir]);
  // Scripts are ignored: no package has a pack-time step, and the root `prepare` must not rebuild everything.
  const args = ['pack', '--json', '--ignore-scripts', '--pack-destination', destination, ...workspaces];
  if (dryRun) args.push('--dry-run');
  return JSON.parse(await npm(args, REPO_ROOT)) as PackResult[];
}

function assertBuilt(pkg: PublishablePackage): void {
  const entry = pkg.manifest.main as string | undefined;
  if (entry && !existsSync(join(pkg.dir, entry))) {
    throw new Error(`${pkg.name} is not built (${join(pkg.dir, entry)} is missing): run \`npx nx run-many -t build\` first`);
  }
}

let packed: Promise<Map<string, string>> | undefined;

/**
 * Packs every publishable workspace package into a new temp folder, once per process. Returns package name ->
 * absolute tarball path. The folder is removed when the process exits.
 */
export function packWorkspace(): Promise<Map<string, string>> {
  packed ??= (async () => {
    const packages = publishablePackages();
    packages.forEach(assertBuilt);
    const destination = mkdtempSync(join(tmpdir(), 'polymodal-pack-'));
    process.once('exit', () => rmSync(destination, { recursive: true, force: true }));
    const results = await packPackages(packages.map((pkg) => pkg.dir), destination);
    return new Map(results.map((result) => [result.name, resolve(destination, result.filename)]));
  })();
  return packed;
}

/** The folders made by createFreshProject in this process, removed on exit unless POLYMODAL_KEEP_FRESH is set. */
const freshProjects: string[] = [];
process.once('exit', () => {
  if (process.env.POLYMODAL_KEEP_FRESH) return;
  for (const dir of freshProjects) rmSync(dir, { recursive: true, force: true });
});

/**
 * A new npm project under the OS temp folder (outside the workspace) with the given tarballs and registry
 * packages (`extra`, e.g. `@tensorflow/tfjs@^4.22.0`) installed. Returns its folder.
 */
export async function createFreshProject(tarballs: readonly string[], extra: readonly string[] = []): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-fresh-'));
  freshProjects.push(dir);
  writeFileSync(join(dir, '.npmrc'), 'fund=false\naudit=false\nupdate-notifier=false\n');
  await npm(['init', '-y'], dir);
  await installInto(dir, [...tarballs, ...extra]);
  return dir;
}

/** `npm install` more tarballs or registry packages into an existing fresh project. */
export async function installInto(dir: string, specs: readonly string[]): Promise<void> {
  if (specs.length === 0) return;
  await npm(['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...specs], dir);
}

/** Names of the packages installed in `dir`/node_modules (scoped ones as `@scope/name`), at any depth. */
export function installedPackages(dir: string): Set<string> {
  const names = new Set<string>();
  const walk = (modules: string) => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules, { withFileTypes: true })) {
      if (!entry.isDirectory() && !entry.isSymbolicLink()) continue;
      if (entry.name.startsWith('.')) continue;
      if (entry.name.startsWith('@')) {
        for (const scoped of readdirSync(join(modules, entry.name), { withFileTypes: true })) {
          names.add(`${entry.name}/${scoped.name}`);
          walk(join(modules, entry.name, scoped.name, 'node_modules'));
        }
      } else {
        names.add(entry.name);
        walk(join(modules, entry.name, 'node_modules'));
      }
    }
  };
  walk(join(dir, 'node_modules'));
  return names;
}
