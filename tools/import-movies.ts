/**
 * Copies the films table shipped by the vega-datasets npm package into examples/movies/data/movies.jsonl: the
 * films of the six most common major genres, with snake_case column names and the release year parsed from the
 * release date. Values are otherwise unchanged (the table's known errors included).
 *   node --import tsx tools/import-movies.ts
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const GENRES = ['Drama', 'Comedy', 'Action', 'Adventure', 'Thriller/Suspense', 'Horror'];

// The package's exports map exposes only build/index.js; its data folder sits beside build/.
const entry = createRequire(import.meta.url).resolve('vega-datasets');
const source = join(dirname(entry), '..', 'data', 'movies.json');
const records = JSON.parse(readFileSync(source, 'utf8')) as Record<string, string | number | null>[];

function year(date: string | number | null): number | null {
  const match = typeof date === 'string' ? /(\d{4})$/.exec(date.trim()) : null;
  return match ? Number(match[1]) : null;
}

const lines = records
  .filter((r) => typeof r['Major Genre'] === 'string' && GENRES.includes(r['Major Genre']) && r.Title != null)
  .map((r) => JSON.stringify({
    title: String(r.Title),
    release_year: year(r['Release Date']),
    production_budget: r['Production Budget'],
    running_time_min: r['Running Time min'],
    mpaa_rating: r['MPAA Rating'],
    creative_type: r['Creative Type'],
    source: r.Source,
    imdb_rating: r['IMDB Rating'],
    major_genre: r['Major Genre'],
  }));
const target = new URL('../examples/movies/data/movies.jsonl', import.meta.url);
mkdirSync(dirname(target.pathname), { recursive: true });
writeFileSync(target, lines.join('\n') + '\n');
console.log(`wrote ${lines.length} films from ${source}`);
