#!/usr/bin/env node
// Node 20's test runner takes no globs, so this finds the *.test.ts files under the given folders
// and runs them with tsx, resolving workspace packages to their TypeScript sources.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const roots = process.argv.slice(2);
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
  ['--conditions=@polymodal/source', '--import', 'tsx', '--test', '--test-concurrency=1', ...files],
  {
    stdio: 'inherit',
    // One tsconfig for every package's sources, so decorators compile the same whichever package runs its tests.
    env: { ...process.env, TSX_TSCONFIG_PATH: join(dirname(fileURLToPath(import.meta.url)), '..', 'tsconfig.base.json') },
  },
);
process.exit(result.status ?? 1);
