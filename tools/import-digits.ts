/**
 * Writes scikit-learn's handwritten digits (1,797 8x8 images, 16 grey levels; shipped by Debian's python3-sklearn
 * as sklearn/datasets/data/digits.csv.gz) as greyscale PNG files in class subfolders:
 * examples/digits/data/digits/<digit>/<index>.png, the layout of Keras's flow_from_directory.
 *   apt-get install python3-sklearn        (once; the file is plain CSV, Python is not run)
 *   node --import tsx tools/import-digits.ts [path/to/digits.csv.gz]
 * Pixel values 0..16 are scaled to 0..255 (round(v * 255 / 16)); nothing else changes.
 */
import sharp from 'sharp';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const source = process.argv[2] ?? '/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz';
if (!existsSync(source)) {
  console.error(`${source}: not found. Install Debian's python3-sklearn (apt-get install python3-sklearn) or pass the path of digits.csv.gz.`);
  process.exit(1);
}
const out = fileURLToPath(new URL('../examples/digits/data/digits/', import.meta.url));
rmSync(out, { recursive: true, force: true });
const lines = gunzipSync(readFileSync(source)).toString('utf8').trim().split('\n');
let written = 0;
for (const [index, line] of lines.entries()) {
  const values = line.split(',').map(Number);
  if (values.length !== 65 || values.some((v) => !Number.isInteger(v) || v < 0 || v > 16)) throw new Error(`${source}:${index + 1}: expected 64 pixels (0..16) and a digit`);
  const label = values[64];
  const pixels = Buffer.from(values.slice(0, 64).map((v) => Math.round((v * 255) / 16)));
  mkdirSync(join(out, String(label)), { recursive: true });
  await sharp(pixels, { raw: { width: 8, height: 8, channels: 1 } }).png({ compressionLevel: 9 }).toFile(join(out, String(label), `${String(index).padStart(4, '0')}.png`));
  written++;
}
console.log(`wrote ${written} digits to ${out}`);
