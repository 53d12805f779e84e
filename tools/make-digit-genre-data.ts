/**
 * Writes examples/digit-genre/data: each of scikit-learn's 1,797 handwritten digits (examples/digits) paired with one
 * film (examples/movies) whose genre is light (Comedy, Adventure) or tense (Action, Horror, Thriller/Suspense), and the
 * label "<digit>-<tone>" (20 classes), which neither modality gives alone: the image tells the digit, the text the tone.
 *   node --import tsx tools/make-digit-genre-data.ts [OUT_DIR]     (default examples/digit-genre/data)
 * Output: data/images/<index>.png (byte copies of examples/digits/data/digits/<digit>/<index>.png, renamed so the
 * path does not give the class away) and data/pairs.jsonl ({ image, text, label, split } per row, in digit index order).
 * Deterministic: the films are shuffled by a seeded generator, so every run writes the same files.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import seedrandom from 'seedrandom';

const TONE_OF_GENRE = new Map([
  ['Comedy', 'light'], ['Adventure', 'light'], ['Action', 'tense'], ['Horror', 'tense'], ['Thriller/Suspense', 'tense'],
]);
// The genre as the text says it: one word per genre, the same shape for all, so no other word tells the tone.
const PHRASE_OF_GENRE = new Map([
  ['Comedy', 'a comedy'], ['Adventure', 'an adventure'], ['Action', 'an action'], ['Horror', 'a horror'], ['Thriller/Suspense', 'a thriller'],
]);

interface Film { title: string; release_year: number | null; major_genre: string }

const examples = fileURLToPath(new URL('../examples/', import.meta.url));
const digitsDir = join(examples, 'digits', 'data', 'digits');
const out = resolve(process.argv[2] ?? join(examples, 'digit-genre', 'data'));

const digits = readdirSync(digitsDir)
  .flatMap((digit) => readdirSync(join(digitsDir, digit)).map((file) => ({ digit, file, index: Number.parseInt(file, 10) })))
  .sort((a, b) => a.index - b.index);

const candidates = readFileSync(join(examples, 'movies', 'data', 'movies.jsonl'), 'utf8').trim().split('\n')
  .map((line) => JSON.parse(line) as Film)
  .filter((film) => TONE_OF_GENRE.has(film.major_genre));
if (candidates.length < digits.length) throw new Error(`${candidates.length} films of the five genres for ${digits.length} digits`);

const random = seedrandom.alea('polymodal-digit-genre');
/** Fisher-Yates with the seeded generator. */
function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

// Which film goes with which digit is arbitrary but fixed.
const films = shuffled(candidates);

const labels = digits.map(({ digit }, i) => `${digit}-${TONE_OF_GENRE.get(films[i].major_genre)}`);

/** A fixed split, stratified by label (20% test, 15% validation), so the example and bench/fusions score the same rows. */
function splits(): string[] {
  const byLabel = new Map<string, number[]>();
  labels.forEach((label, i) => byLabel.set(label, [...(byLabel.get(label) ?? []), i]));
  const split = new Array<string>(labels.length).fill('train');
  for (const label of [...byLabel.keys()].sort()) {
    const rows = shuffled(byLabel.get(label)!);
    const test = Math.round(rows.length * 0.2);
    const validation = Math.round(rows.length * 0.15);
    rows.forEach((row, k) => { if (k < test) split[row] = 'test'; else if (k < test + validation) split[row] = 'validation'; });
  }
  return split;
}
const split = splits();

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'images'), { recursive: true });
const lines = digits.map(({ digit, file, index }, i) => {
  const film = films[i];
  const image = `images/${String(index).padStart(4, '0')}.png`;
  copyFileSync(join(digitsDir, digit, file), join(out, image));
  const year = film.release_year === null ? '' : ` (${film.release_year})`;
  const text = `${film.title}${year}, ${PHRASE_OF_GENRE.get(film.major_genre)} film`;
  return JSON.stringify({ image, text, label: labels[i], split: split[i] });
});
writeFileSync(join(out, 'pairs.jsonl'), lines.join('\n') + '\n');
console.log(`wrote ${lines.length} rows and images to ${out}`);
