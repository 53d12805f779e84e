#!/usr/bin/env node
// `npm test` runs this first: no import circle in any package's sources (madge), and every package keeps to its
// boundaries (tools/architecture/boundaries.mjs). Exits 1 with the list of problems.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkBoundaries } from './architecture/boundaries.mjs';
import { findCircles } from './architecture/circles.mjs';
import { sourceFolders, workspacePackages } from './architecture/workspace.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const packages = workspacePackages(root);
const sources = sourceFolders(packages);
const { circles, unresolved } = await findCircles(root, sources);
const problems = [
  ...circles.map((circle) => `import circle: ${[...circle, circle[0]].join(' -> ')}`),
  ...unresolved.map((specifier) => `an import madge cannot resolve (so circles through it go unseen): ${specifier}`),
  ...checkBoundaries(root, packages),
];
if (problems.length > 0) {
  console.error(`architecture check: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`architecture check: no import circles in ${sources.length} source folders; ${packages.length} packages keep their boundaries`);
