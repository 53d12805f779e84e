#!/usr/bin/env node
// Node 20's test runner takes no globs, so this finds the *.test.ts files under the given folders
// and runs them with tsx, resolving workspace packages to their TypeScript sources.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Two test files run at once unless `--concurrency=N` says otherwise, never more than the machine has cores:
// every file works in its own temp folders (shared caches are written to a temp name, then renamed), and most
// run one tfjs thread or wait on one-thread CLI processes, so a second file uses the second core. On this
// project's 2-core machines that takes about a third off the suites (the integration tests: ~590 -> 372 s).
const CONCURRENCY_FLAG = /^--concurrency=(\d+)$/;
const args = process.argv.slice(2);
const unknownFlag = args.find((arg) => arg.startsWith('-') && !CONCURRENCY_FLAG.test(arg));
const requested = Number(args.map((arg) => CONCURRENCY_FLAG.exec(arg)?.[1]).find((n) => n !== undefined) ?? 2);
if (unknownFlag !== undefined || requested < 1) {
  console.error(`run-tests: ${unknownFlag ?? '--concurrency=0'} is not an option; give folders, and --concurrency=N with N >= 1`);
  process.exit(2);
}
const concurrency = Math.min(requested, availableParallelism());
const roots = args.filter((arg) => !CONCURRENCY_FLAG.test(arg));
if (roots.length === 0) roots.push('src');

function collect(dir, out) {
  if (!statSync(dir).isDirectory()) {
    out.push(dir);
    return out;
  }
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (entry.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const files = roots.flatMap((root) => collect(root, [])).sort();
if (files.length === 0) {
  console.error(`no *.test.ts files under ${roots.join(', ')}`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--conditions=@polymodal/source', '--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...files],
  {
    stdio: 'inherit',
    // One tsconfig for every package's sources, so decorators compile the same whichever package runs its tests.
    env: { ...process.env, TSX_TSCONFIG_PATH: join(dirname(fileURLToPath(import.meta.url)), '..', 'tsconfig.base.json') },
  },
);
process.exit(result.status ?? 2);
