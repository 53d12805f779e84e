// Import circles in TypeScript sources, found by madge (which resolves NodeNext `./x.js` specifiers to `./x.ts`
// through the TypeScript config). Type-only imports count: a circle of types is a circle of concepts too.
import madge from 'madge';
import { join } from 'node:path';

/**
 * Every import circle among the `.ts` files under `dirs` (absolute folders). Returns each circle as the list of
 * its files relative to `root`, and the relative specifiers madge could not resolve (a check that cannot see an import
 * cannot see a circle through it, so those are errors too).
 */
export async function findCircles(root, dirs, tsConfig = join(root, 'tsconfig.base.json')) {
  const result = await madge(dirs, {
    baseDir: root,
    fileExtensions: ['ts'],
    tsConfig,
    excludeRegExp: [/node_modules/, /[\\/]dist[\\/]/, /[\\/]\.tmp-/, /\.d\.ts$/],
    detectiveOptions: { ts: { skipTypeImports: false }, es6: { skipTypeImports: false } },
  });
  // madge also lists npm packages it did not follow (it is told not to): only relative imports matter here.
  const unresolved = result.warnings().skipped.filter((specifier) => specifier.startsWith('.'));
  return { circles: result.circular(), unresolved };
}
