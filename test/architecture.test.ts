// The import-circle check and the module-boundary check that `npm test` runs first (tools/check-architecture.mjs):
// each must find what it is for, shown on small planted cases outside the repository.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
// @ts-expect-error plain ESM tools without type declarations
import { checkBoundaries, importSpecifiers, packageOf } from '../tools/architecture/boundaries.mjs';
// @ts-expect-error plain ESM tools without type declarations
import { findCircles } from '../tools/architecture/circles.mjs';
import { REPO_ROOT } from './helpers.js';

let root: string;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'polymodal-architecture-'));
  // The repository's own TypeScript settings (NodeNext: `./x.js` names `./x.ts`).
  writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ extends: join(REPO_ROOT, 'tsconfig.base.json') }));
});

after(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, text: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
}

describe('the circle check', () => {
  it('finds a circle through NodeNext `.js` specifiers of `.ts` files, type-only imports included', async () => {
    write('circle/src/api/train.ts', "import type { HistoryFile } from '../report/types.js';\nexport const train = (h: HistoryFile) => h;\n");
    write('circle/src/report/types.ts', "import type { train } from '../api/train.js';\nexport interface HistoryFile { run: typeof train }\n");
    write('circle/src/report/page.ts', "import type { HistoryFile } from './types.js';\nexport const page = (h: HistoryFile) => String(h);\n");
    const { circles, unresolved } = await findCircles(root, [join(root, 'circle/src')], join(root, 'tsconfig.json'));
    assert.deepEqual(unresolved, []);
    assert.deepEqual(circles, [['circle/src/api/train.ts', 'circle/src/report/types.ts']]);
  });

  it('finds none once the shared type lives below both', async () => {
    write('straight/src/artifacts/history.ts', 'export interface HistoryFile { epochs: number }\n');
    write('straight/src/api/train.ts', "import type { HistoryFile } from '../artifacts/history.js';\nexport const train = (h: HistoryFile) => h;\n");
    write('straight/src/report/page.ts', "import type { HistoryFile } from '../artifacts/history.js';\nimport { train } from '../api/train.js';\nexport const page = (h: HistoryFile) => train(h);\n");
    const { circles, unresolved } = await findCircles(root, [join(root, 'straight/src')], join(root, 'tsconfig.json'));
    assert.deepEqual({ circles, unresolved }, { circles: [], unresolved: [] });
  });

  it('reports a relative import it cannot resolve (a circle through it would go unseen)', async () => {
    write('broken/src/a.ts', "import { b } from './missing.js';\nexport const a = b;\n");
    const { unresolved } = await findCircles(root, [join(root, 'broken/src')], join(root, 'tsconfig.json'));
    assert.deepEqual(unresolved, ['./missing.js']);
  });
});

describe('the boundary check', () => {
  const pkg = (dir: string, manifest: Record<string, unknown>) => ({ dir: join(root, 'boundaries', dir), manifest });
  const core = pkg('core', { name: '@polymodal/core', dependencies: { '@polymodal/metrics': '^0.1.0' } });
  const metrics = pkg('metrics', { name: '@polymodal/metrics' });
  const plugin = (name: string, manifest: Record<string, unknown> = {}) =>
    pkg(name, { name: `@polymodal/${name}`, keywords: ['polymodal-plugin'], peerDependencies: { '@polymodal/core': '^0.1.0' }, ...manifest });

  it('names the specifiers a source imports', () => {
    assert.deepEqual(
      importSpecifiers("import a from 'x';\nexport { b } from './b.js';\nconst c = await import('@s/c/sub');\nimport 'side';\nimport type { T } from \"t\";"),
      ['x', './b.js', '@s/c/sub', 'side', 't'],
    );
    assert.deepEqual(['@s/c/sub', 'vega/build', './x.js', 'node:fs'].map(packageOf), ['@s/c', 'vega', null, null]);
  });

  it('accepts plugins that use core only', () => {
    write('boundaries/encoder-good/src/index.ts', "import { definePlugin } from '@polymodal/core';\nimport * as tf from '@tensorflow/tfjs';\n");
    assert.deepEqual(checkBoundaries(root, [core, metrics, plugin('encoder-good')]), []);
  });

  it('refuses a plugin importing another plugin, core importing the report, and vega outside the report', () => {
    write('boundaries/encoder-a/src/index.ts', "import { tokenizer } from '@polymodal/encoder-b';\n");
    write('boundaries/encoder-b/src/index.ts', 'export const tokenizer = 1;\n');
    write('boundaries/core/src/index.ts', "import { buildReport } from '@polymodal/report';\nimport * as vega from 'vega';\n");
    const report = pkg('report', { name: '@polymodal/report', dependencies: { vega: '^6.4.0' } });
    const problems: string[] = checkBoundaries(root, [core, metrics, report, plugin('encoder-a', { dependencies: { '@polymodal/core': '0.1.0' } }), plugin('encoder-b')]);
    const expected = [
      /boundaries\/core\/src\/index\.ts imports @polymodal\/report: a core package must not use @polymodal\/report/,
      /boundaries\/core\/src\/index\.ts imports vega: vega belongs to report packages only/,
      /encoder-a\/package\.json: a plugin takes @polymodal\/core as a peer dependency/,
      /encoder-a\/src\/index\.ts imports @polymodal\/encoder-b: a plugin must not use another plugin/,
    ];
    for (const pattern of expected) assert.ok(problems.some((p) => pattern.test(p)), `${pattern} in\n${problems.join('\n')}`);
    assert.equal(problems.length, expected.length, problems.join('\n'));
  });
});
