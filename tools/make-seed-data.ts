/**
 * Writes examples/seed/data: 300 rows of a 64x64 PNG and a short text each, with a binary label that needs
 * both: the label is 1 when the image shows a bright square or the text mentions an alarm word (each 30%
 * of rows, so about half the labels are 1, with 5% of labels flipped). Deterministic: the same files every run.
 *   node --import tsx tools/make-seed-data.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import seedrandom from 'seedrandom';

const ROWS = 300;
const SIZE = 64;
const root = new URL('../examples/seed/data/', import.meta.url);
const random = seedrandom.alea('polymodal-seed-example');
const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];

const filler = ['the', 'report', 'from', 'site', 'shows', 'a', 'reading', 'of', 'normal', 'level', 'today', 'with', 'no', 'change', 'in', 'weather', 'staff', 'noted', 'routine', 'check'];
const alarm = ['smoke', 'leak', 'fire', 'alarm', 'overheat', 'crack'];

async function image(hasSquare: boolean): Promise<Buffer> {
  const pixels = Buffer.alloc(SIZE * SIZE * 3);
  const [r, g, b] = [random() * 120, random() * 120, random() * 120];
  const [x0, y0] = [Math.floor(random() * 40), Math.floor(random() * 40)];
  const side = 12 + Math.floor(random() * 12);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const inSquare = hasSquare && x >= x0 && x < x0 + side && y >= y0 && y < y0 + side;
      const shade = (x + y) / (2 * SIZE);
      const i = (y * SIZE + x) * 3;
      pixels[i] = inSquare ? 250 : r * (0.5 + shade);
      pixels[i + 1] = inSquare ? 240 : g * (0.5 + shade);
      pixels[i + 2] = inSquare ? 60 : b * (0.5 + shade);
    }
  }
  return sharp(pixels, { raw: { width: SIZE, height: SIZE, channels: 3 } }).png({ compressionLevel: 9 }).toBuffer();
}

mkdirSync(new URL('images/', root), { recursive: true });
const lines = ['image,text,label'];
for (let i = 0; i < ROWS; i++) {
  const hasSquare = random() < 0.3;
  const mentionsAlarm = random() < 0.3;
  const words = Array.from({ length: 6 + Math.floor(random() * 14) }, () => pick(filler));
  if (mentionsAlarm) words.splice(Math.floor(random() * words.length), 0, pick(alarm));
  let label = hasSquare || mentionsAlarm ? 1 : 0;
  if (random() < 0.05) label = 1 - label;
  const name = `images/${String(i).padStart(3, '0')}.png`;
  writeFileSync(new URL(name, root), await image(hasSquare));
  lines.push(`${name},"${words.join(' ')}",${label}`);
}
writeFileSync(new URL('seed.csv', root), lines.join('\n') + '\n');
console.log(`wrote ${ROWS} rows`);
