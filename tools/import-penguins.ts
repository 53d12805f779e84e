/**
 * Copies the Palmer penguins table (CC0, shipped by the vega-datasets npm package) into
 * examples/penguins/data/penguins.jsonl, one JSON object per line, with snake_case column names.
 *   node --import tsx tools/import-penguins.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// The package's exports map exposes only build/index.js; its data folder sits beside build/.
const entry = createRequire(import.meta.url).resolve('vega-datasets');
const source = join(dirname(entry), '..', 'data', 'penguins.json');
const records = JSON.parse(readFileSync(source, 'utf8')) as Record<string, string | number | null>[];
const names: Record<string, string> = {
  Species: 'species',
  Island: 'island',
  'Beak Length (mm)': 'beak_length_mm',
  'Beak Depth (mm)': 'beak_depth_mm',
  'Flipper Length (mm)': 'flipper_length_mm',
  'Body Mass (g)': 'body_mass_g',
  Sex: 'sex',
};
const lines = records.map((record) =>
  JSON.stringify(Object.fromEntries(Object.entries(record).map(([key, value]) => [names[key] ?? key, value === '.' ? null : value]))),
);
writeFileSync(new URL('../examples/penguins/data/penguins.jsonl', import.meta.url), lines.join('\n') + '\n');
console.log(`wrote ${lines.length} penguins from ${source}`);
