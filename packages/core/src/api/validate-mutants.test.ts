// Every value of a full manifest replaced by each of a few wrong values: validate must answer each with a
// PolymodalError (a user error with pointers), never a TypeError from a check that trusted a broken part.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolymodalError } from '../errors.js';
import { syntheticCsv, testManifest, testPlugin } from '../test-fixtures/numeric-plugin.js';
import { validate } from './validate.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const REPLACEMENTS: Json[] = [null, 5, 'x', [], {}, true, ['a'], { a: 1 }, 'constructor'];

/** The path of every value in `value`, the root excluded. */
function valuePaths(value: Json, prefix: string[] = []): string[][] {
  const own = prefix.length === 0 ? [] : [prefix];
  if (value === null || typeof value !== 'object') return own;
  return [...own, ...Object.entries(value).flatMap(([key, child]) => valuePaths(child, [...prefix, key]))];
}

function replaced(base: Json, path: readonly string[], replacement: Json): Json {
  const copy = structuredClone(base);
  let parent = copy as Record<string, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, Json>;
  parent[path[path.length - 1]] = replacement;
  return copy;
}

test('validate answers every structural mutant of a manifest with a PolymodalError, never a crash', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-mutants-'));
  const manifestPath = join(dir, 'polymodal.json');
  const check = async (manifest: Json) => {
    writeFileSync(manifestPath, JSON.stringify(manifest));
    return validate(manifestPath, { plugins: [testPlugin] });
  };
  try {
    writeFileSync(join(dir, 'data.csv'), syntheticCsv(30));
    const full = testManifest({
      training: { backend: 'wasm', earlyStopping: { monitor: 'val_auc' }, checkpoint: {}, learningRateSchedule: { type: 'reduceOnPlateau' }, classWeight: { pos: 1 } },
      evaluation: { metrics: ['auc'], threshold: 'maxF1' },
      output: { column: 'label', task: 'binary', classes: ['neg', 'pos'], positiveClass: 'pos', hiddenUnits: [4] },
    });
    // Every default filled in, so the mutants reach each nested value; plus a plugin entry in object form.
    const resolved = (await check(full as Json)).resolved.manifest;
    const base = { ...structuredClone(resolved), plugins: ['polymodal-test-plugin', { package: 'polymodal-test-plugin2', options: { a: 1 } }] } as unknown as Json;
    const crashes: string[] = [];
    let mutants = 0;
    for (const path of valuePaths(base)) {
      for (const replacement of REPLACEMENTS) {
        mutants++;
        try {
          await check(replaced(base, path, replacement));
        } catch (error) {
          if (!(error instanceof PolymodalError)) crashes.push(`/${path.join('/')} = ${JSON.stringify(replacement)}: ${(error as Error).stack}`);
        }
      }
    }
    assert.ok(mutants > 600, `only ${mutants} mutants`);
    assert.deepEqual(crashes, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
