// The workspace packages named by the root package.json's `workspaces` (only `dir` and `dir/*` entries are used).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every workspace package under `root`: { dir (absolute), manifest (its package.json) }. */
export function workspacePackages(root) {
  const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const dirs = workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [join(root, pattern)];
    const parent = join(root, pattern.slice(0, -2));
    return readdirSync(parent, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(parent, e.name));
  });
  return dirs
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }));
}

/** The folders holding a package's TypeScript sources: `src/`, or the package folder itself for one without (test/). */
export function sourceFolders(packages) {
  return packages.flatMap(({ dir }) => (existsSync(join(dir, 'src')) ? [join(dir, 'src')] : readdirSync(dir).some((f) => f.endsWith('.ts')) ? [dir] : []));
}
