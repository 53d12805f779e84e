// Shared helpers for the integration tests: spawn the built CLI in a fresh process and build throwaway
// workspaces. Temp folders live under test/.tmp-*/ (not os.tmpdir()) so that manifests listing
// "@polymodal/encoder-tabular" and "@polymodal/fusion-concat" resolve those plugins from the repository's
// node_modules.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEST_ROOT = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(TEST_ROOT, '..');
export const CLI_BIN = join(REPO_ROOT, 'apps/cli/bin/polymodal.js');
export const QUICKSTART_DIR = join(REPO_ROOT, 'examples/quickstart');
export const QUICKSTART_MANIFEST = join(QUICKSTART_DIR, 'polymodal.json');
export const QUICKSTART_CSV = join(QUICKSTART_DIR, 'data/customers.csv');

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `polymodal <args>` in a fresh Node process (the built CLI in apps/cli/dist). */
export function runCli(args: readonly string[], cwd: string, extraEnv: Readonly<Record<string, string>> = {}): CliResult {
  assert.ok(existsSync(CLI_BIN), `CLI entry point not found at ${CLI_BIN}; build it with \`npx nx run-many -t build\``);
  const env = { ...process.env, ...extraEnv };
  // The test process runs under tsx; the CLI must run as users run it, from its compiled output.
  delete env.NODE_OPTIONS;
  const result = spawnSync(process.execPath, [CLI_BIN, ...args], {
    encoding: 'utf8',
    cwd,
    env,
    timeout: 180_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** A human-readable dump of a CLI run, for assertion messages. */
export function show(result: CliResult): string {
  return `exit ${result.status}${result.signal ? ` (signal ${result.signal})` : ''}\n--- stderr ---\n${result.stderr}\n--- stdout (tail) ---\n${result.stdout.slice(-2000)}`;
}

const STACK_LINE = /^\s+at\s/m;

/**
 * A user mistake: the given exit code, every expected fragment in stderr, no stack trace, no
 * "internal error" banner.
 */
export function assertUserError(result: CliResult, exitCode: number, expected: readonly (string | RegExp)[]): void {
  assert.equal(result.status, exitCode, `expected exit ${exitCode}\n${show(result)}`);
  assert.doesNotMatch(result.stderr, STACK_LINE, `stderr must not hold a stack trace\n${show(result)}`);
  assert.doesNotMatch(result.stderr, /internal error/i, `a user mistake must not be reported as an internal error\n${show(result)}`);
  assert.doesNotMatch(result.stdout, STACK_LINE, `stdout must not hold a stack trace\n${show(result)}`);
  for (const fragment of expected) {
    if (typeof fragment === 'string') assert.ok(result.stderr.includes(fragment), `stderr should include ${JSON.stringify(fragment)}\n${show(result)}`);
    else assert.match(result.stderr, fragment, `stderr should match ${fragment}\n${show(result)}`);
  }
}

export function assertSuccess(result: CliResult): void {
  assert.equal(result.status, 0, `expected exit 0\n${show(result)}`);
  assert.doesNotMatch(result.stderr, STACK_LINE, `stderr must not hold a stack trace\n${show(result)}`);
}

/** A fresh folder test/.tmp-XXXXXX/ ; remove it with removeWorkspace(). */
export function makeWorkspace(): string {
  return mkdtempSync(join(TEST_ROOT, '.tmp-'));
}

export function removeWorkspace(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A sub-folder of a workspace, created fresh for one test. */
export function subdir(root: string, name: string): string {
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

export type Json = any;

/** The quickstart manifest as an object (a fresh copy each call). */
export function quickstartManifest(): Json {
  return JSON.parse(readFileSync(QUICKSTART_MANIFEST, 'utf8'));
}

/** The quickstart CSV's lines (header first), without the trailing empty line. */
export function quickstartLines(count?: number): string[] {
  const lines = readFileSync(QUICKSTART_CSV, 'utf8').split(/\r?\n/).filter((line) => line !== '');
  return count === undefined ? lines : lines.slice(0, count + 1);
}

/** Index of each column in the quickstart CSV header. */
export const COLUMNS = Object.fromEntries(quickstartLines(0)[0].split(',').map((name, i) => [name, i])) as Record<string, number>;

/** Replaces one field of a CSV line (simple unquoted CSV only). */
export function setField(line: string, column: string, value: string): string {
  const fields = line.split(',');
  assert.ok(COLUMNS[column] !== undefined, `no column ${column}`);
  fields[COLUMNS[column]] = value;
  return fields.join(',');
}

/**
 * Writes `polymodal.json` (the quickstart manifest, changed by `edit`) and, unless `csv` is null, its data
 * file `data.csv` into `dir`. Returns the manifest path.
 */
export function writeProject(dir: string, options: { edit?: (manifest: Json) => void; csv?: string | null; manifestName?: string } = {}): string {
  const manifest = quickstartManifest();
  delete manifest.$schema;
  manifest.data.source = 'data.csv';
  options.edit?.(manifest);
  const path = join(dir, options.manifestName ?? 'polymodal.json');
  writeFileSync(path, JSON.stringify(manifest, null, 2) + '\n');
  if (options.csv !== null) writeFileSync(join(dir, 'data.csv'), options.csv ?? quickstartLines(120).join('\n') + '\n');
  return path;
}

/** Entries of `dir` (recursively) whose name marks an atomic-write staging folder or file. */
export function stagingLeftovers(dir: string): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (/\.partial-|\.previous(-|$)|^\..*\.[0-9a-f]{12}\.tmp$/.test(entry.name)) found.push(path);
      if (entry.isDirectory()) walk(path);
    }
  };
  walk(dir);
  return found;
}

export function readJson(path: string): Json {
  return JSON.parse(readFileSync(path, 'utf8'));
}
