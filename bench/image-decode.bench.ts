/**
 * Image preprocessing speed: decode + resize (JPEG -> 64x64 RGB bytes, bilinear, stretched) per second with
 * Polymodal's sharp pipeline (1 and 2 images in flight) against Pillow (1 and 2 processes) on the same files in
 * the same run; then whether preprocessing keeps the wasm trainer fed: one small CNN trained through core's
 * `train()` with per-batch augmentation (images decoded once, re-augmented each epoch) versus the same run
 * with no augmentation (tensors prepared once).
 *   TSX_TSCONFIG_PATH=tsconfig.base.json node --conditions=@polymodal/source --import tsx bench/image-decode.bench.ts
 * Setup: installs Debian's python3-pil with apt-get when `python3 -c "import PIL"` fails.
 * Options (env): BENCH_PYTHON (/usr/bin/python3), BENCH_IMAGES (400), BENCH_SIDE (256: source images are SIDE x SIDE), BENCH_REPEATS (3), BENCH_EPOCHS (3),
 *   BENCH_TRAIN (1; 0 skips the training comparison). Photo-sized sources: BENCH_SIDE=1024 BENCH_IMAGES=150 BENCH_TRAIN=0.
 */
import 'reflect-metadata';
import sharp from 'sharp';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { train } from '@polymodal/core';
import imageEncoders, { boundedMap, decodeImage } from '@polymodal/encoder-image';
import concatFusion from '@polymodal/fusion-concat';

const IMAGES = Number(process.env.BENCH_IMAGES ?? 400);
const SIDE = Number(process.env.BENCH_SIDE ?? 256);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 3);
/** 0 skips the training comparison (e.g. for a decode-only run on large images). */
const TRAIN = process.env.BENCH_TRAIN !== '0';
const TARGET = [64, 64] as const;
/** Debian's interpreter: python3-pil installs there (a pyenv or venv python3 earlier on PATH would not see it). */
const PYTHON = process.env.BENCH_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

function setup(): void {
  const probe = spawnSync(PYTHON, ['-c', 'import PIL; print(PIL.__version__)'], { encoding: 'utf8' });
  if (probe.status === 0) return;
  console.log('installing python3-pil (Debian) for the Pillow baseline');
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  execFileSync(sudo[0] ?? 'apt-get', [...(sudo.length ? ['apt-get'] : []), 'install', '-y', 'python3-pil'], { stdio: 'inherit' });
}

/** Smooth colour fields with a few shapes: JPEG sizes like photos', the same on every run. */
async function writeImages(dir: string): Promise<string[]> {
  const paths: string[] = [];
  for (let i = 0; i < IMAGES; i++) {
    const pixels = Buffer.alloc(SIDE * SIDE * 3);
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        const o = (y * SIDE + x) * 3;
        pixels[o] = (x * (i % 7 + 1) + y) & 255;
        pixels[o + 1] = (128 + 127 * Math.sin((x + i) / 17) * Math.cos(y / 23)) & 255;
        pixels[o + 2] = ((x - SIDE / 2) ** 2 + (y - SIDE / 2) ** 2 < (SIDE / (3 + (i % 4))) ** 2 ? 220 : (y * 3) & 255);
      }
    }
    const path = join(dir, 'images', String(i % 2), `${i}.jpg`);
    mkdirSync(join(dir, 'images', String(i % 2)), { recursive: true });
    await sharp(pixels, { raw: { width: SIDE, height: SIDE, channels: 3 } }).jpeg({ quality: 90 }).toFile(path);
    paths.push(path);
  }
  return paths;
}

async function sharpRate(paths: string[], inFlight: number): Promise<number> {
  const start = performance.now();
  await boundedMap(paths, inFlight, async (path) => decodeImage(readFileSync(path), { size: TARGET, fit: 'fill', channels: 3, interpolation: 'bilinear' }, path));
  return paths.length / ((performance.now() - start) / 1000);
}

const PILLOW = `
import sys, time
from multiprocessing import Pool
from PIL import Image
def load(path):
    with Image.open(path) as im:
        return len(im.convert('RGB').resize((${TARGET[1]}, ${TARGET[0]}), Image.BILINEAR).tobytes())
paths = open(sys.argv[1]).read().split('\\n')
workers = int(sys.argv[2])
if workers == 1:
    start = time.perf_counter(); [load(p) for p in paths]; elapsed = time.perf_counter() - start
else:
    with Pool(workers) as pool:
        pool.map(load, paths[:workers])
        start = time.perf_counter(); pool.map(load, paths, chunksize=8); elapsed = time.perf_counter() - start
print(len(paths) / elapsed)
`;

function pillowRate(listFile: string, script: string, workers: number): number {
  return Number(execFileSync(PYTHON, [script, listFile, String(workers)], { encoding: 'utf8' }).trim());
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function trainSeconds(dir: string, augment: boolean): Promise<number> {
  const manifest = {
    version: 1,
    name: augment ? 'augmented' : 'fixed',
    plugins: ['@polymodal/encoder-image', '@polymodal/fusion-concat'],
    data: { source: 'images', split: { validation: 0, test: 0 }, workers: 0 },
    inputs: {
      photo: {
        encoder: 'image/cnn',
        column: 'path',
        options: {
          size: [...TARGET], fit: 'fill',
          blocks: [{ filters: 16, padding: 'same' }, { filters: 32, padding: 'same' }],
          ...(augment ? { augment: { flipHorizontal: true, rotation: 10, zoom: 0.1, brightness: 0.1 } } : {}),
        },
      },
    },
    fusion: { type: 'concat' },
    output: { column: 'label', task: 'binary' },
    training: { backend: 'wasm', epochs: EPOCHS, batchSize: 32, seed: 1 },
    evaluation: { metrics: ['accuracy'] },
  };
  const path = join(dir, `${manifest.name}.json`);
  writeFileSync(path, JSON.stringify(manifest));
  let epochSeconds: number[] = [];
  const start = performance.now();
  await train({
    manifest: path,
    plugins: [imageEncoders(), concatFusion()],
    outDir: join(dir, 'runs', manifest.name),
    reporter: { event: (event: { type: string; seconds?: number }) => void (event.type === 'epochEnd' && event.seconds !== undefined && epochSeconds.push(event.seconds)) },
  } as Parameters<typeof train>[0]);
  const total = (performance.now() - start) / 1000;
  return epochSeconds.length === EPOCHS ? epochSeconds.reduce((a, b) => a + b, 0) : total;
}

async function main(): Promise<void> {
  setup();
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-image-bench-'));
  try {
    console.log(`${cpus()[0]?.model ?? 'cpu'}, ${availableParallelism()} cores, sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}), node ${process.version}`);
    const paths = await writeImages(dir);
    const listFile = join(dir, 'paths.txt');
    writeFileSync(listFile, paths.join('\n'));
    const script = join(dir, 'pillow_bench.py');
    writeFileSync(script, PILLOW);
    const pillowVersion = execFileSync(PYTHON, ['-c', 'import PIL; print(PIL.__version__)'], { encoding: 'utf8' }).trim();
    console.log(`${IMAGES} JPEG files of ${SIDE}x${SIDE} -> ${TARGET.join('x')} RGB, bilinear; Pillow ${pillowVersion}; median of ${REPEATS}`);
    await sharpRate(paths.slice(0, 20), 1); // warm-up
    const rows: [string, number][] = [];
    for (const inFlight of [1, 2]) rows.push([`polymodal/sharp, ${inFlight} in flight`, median(await sequential(REPEATS, () => sharpRate(paths, inFlight)))]);
    for (const workers of [1, 2]) rows.push([`Pillow, ${workers} process${workers > 1 ? 'es' : ''}`, median(await sequential(REPEATS, async () => pillowRate(listFile, script, workers)))]);
    for (const [name, rate] of rows) console.log(`${name.padEnd(32)} ${rate.toFixed(0).padStart(7)} images/s`);
    console.log(`ratio sharp/Pillow: ${(rows[0][1] / rows[2][1]).toFixed(2)}x (1 vs 1), ${(rows[1][1] / rows[3][1]).toFixed(2)}x (2 vs 2); target >= 2x`);

    if (!TRAIN) return;
    const fixed = await trainSeconds(dir, false);
    const augmented = await trainSeconds(dir, true);
    console.log(`training ${IMAGES} images x ${EPOCHS} epochs on wasm (batch 32): tensors prepared once ${fixed.toFixed(1)} s, ` +
      `augmented per batch ${augmented.toFixed(1)} s (${augmented >= fixed ? '+' : ''}${((augmented / fixed - 1) * 100).toFixed(0)}%)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function sequential<T>(times: number, run: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < times; i++) out.push(await run());
  return out;
}

await main();
