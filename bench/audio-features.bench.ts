/**
 * Audio feature extraction speed: seconds of audio turned into log-mel spectrograms per second, from 16-bit WAV
 * files at 16 kHz (decoding included on every side; BENCH_RATE: another rate, resampled to 16 kHz), with
 * Polymodal's defaults (512-point FFT, 25 ms Hann windows, 10 ms hop, 64 Slaney mels, power_to_db, top_db 80):
 *  - Polymodal in-process (one thread) and through core's worker pool (1 and 2 worker threads), the path
 *    `preprocessing: 'heavy'` takes in training;
 *  - librosa (soundfile.read + feature.melspectrogram + power_to_db) in one process;
 *  - plain numpy/scipy (soundfile.read, strided framing, numpy.fft.rfft, a mel matrix product, log10);
 * on the same files in the same run, interleaved: each round runs every side once (in a rotating order), so a
 * change in the machine's load hits all sides alike. Python runs in one persistent process with one BLAS/OpenMP
 * thread (librosa and numpy's pocketfft are single-threaded then); Polymodal in-process is one JavaScript thread
 * (its CPU time also counts V8's garbage-collector and compiler threads; `node --single-threaded` runs those on
 * the same thread). Each line gives throughput in wall time and per CPU second (less sensitive to other load on
 * a shared machine), the best and the median over the rounds, and the ratio to librosa: best against best, and
 * the median of the per-round ratios.
 *   TSX_TSCONFIG_PATH=tsconfig.base.json node --conditions=@polymodal/source --import tsx bench/audio-features.bench.ts
 * Options (env): BENCH_PYTHON (/tmp/audio-task/venv/bin/python: a python with librosa, numpy, scipy, soundfile),
 *   BENCH_CLIPS (200), BENCH_SECONDS (1: length of each clip), BENCH_ROUNDS (7, after one warm-up round),
 *   BENCH_RATE (16000: the WAV files' rate; another rate adds resampling to 16 kHz: Polymodal's Kaiser sinc, librosa's
 *   default soxr_hq, scipy's resample_poly).
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { InputSpec } from '@polymodal/core';
import audioEncoders, { AudioPreprocessor, type AudioCnnOptions } from '@polymodal/encoder-audio';
import { TransformPool } from '../packages/core/src/pipeline/transform-pool.js';
import { wavBytes } from '../packages/encoder-audio/src/test-fixtures/clips.js';
import { Ajv } from 'ajv';

const CLIPS = Number(process.env.BENCH_CLIPS ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const PYTHON = process.env.BENCH_PYTHON ?? '/tmp/audio-task/venv/bin/python';
/** The clips' sample rate; the features are computed at 16 kHz, so other rates are resampled first on every side. */
const RATE = Number(process.env.BENCH_RATE ?? 16000);

/** Chirps with noise, a different sweep per clip. */
function writeClips(dir: string): string[] {
  mkdirSync(join(dir, 'clips'), { recursive: true });
  let seed = 1;
  return Array.from({ length: CLIPS }, (_, c) => {
    const n = Math.round(SECONDS * RATE);
    const samples = Float32Array.from({ length: n }, (_, i) => {
      seed = (seed * 16807) % 2147483647;
      const t = i / RATE;
      return 0.4 * Math.sin(2 * Math.PI * (200 + 50 * (c % 20)) * t * (1 + t)) + 0.05 * (seed / 2147483647 - 0.5);
    });
    const path = join(dir, 'clips', `${c}.wav`);
    writeFileSync(path, wavBytes([samples], RATE));
    return path;
  });
}

function spec(dir: string): InputSpec<AudioCnnOptions> {
  const schema = audioEncoders().encoders.find((e) => e.type === 'audio/cnn')!.optionsSchema;
  const options = { durationSeconds: SECONDS, normalize: 'none' };
  new Ajv({ useDefaults: true, strict: false }).compile(schema)(options);
  return { name: 'clip', encoder: 'audio/cnn', columns: ['path'], options: options as unknown as AudioCnnOptions, dataDir: dir, manifestDir: dir };
}

/** Wall and CPU seconds of one pass over the clips (CPU: the process, all its threads). */
type Timing = { wall: number; cpu: number };

async function timed(run: () => Promise<void>): Promise<Timing> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  await run();
  const used = process.cpuUsage(cpu);
  return { wall: (performance.now() - start) / 1000, cpu: (used.user + used.system) / 1e6 };
}

/** One persistent python process: each line naming a side on stdin runs one pass of it and answers its Timing. */
const PYTHON_BENCH = String.raw`
import sys, time, json, math, numpy as np, soundfile, scipy, scipy.signal
paths = sys.argv[1:]
sides = {}
try:
    import librosa
    def with_librosa(ps):
        for p in ps:
            y, sr = soundfile.read(p, dtype='float32')
            if sr != 16000:
                y, sr = librosa.resample(y, orig_sr=sr, target_sr=16000), 16000
            librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=sr, n_fft=512, hop_length=160, win_length=400, n_mels=64), top_db=80.0)
    sides['librosa ' + librosa.__version__] = with_librosa
    mel = librosa.filters.mel(sr=16000, n_fft=512, n_mels=64)
    window = np.zeros(512, dtype=np.float32); window[56:456] = scipy.signal.get_window('hann', 400)
    def with_numpy(ps):
        for p in ps:
            y, sr = soundfile.read(p, dtype='float32')
            if sr != 16000:
                g = math.gcd(sr, 16000)
                y = scipy.signal.resample_poly(y, 16000 // g, sr // g)
            y = np.pad(y, 256)
            frames = np.lib.stride_tricks.sliding_window_view(y, 512)[::160]
            power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
            db = 10 * np.log10(np.maximum(1e-10, power @ mel.T))
            np.maximum(db, db.max() - 80)
    sides['numpy ' + np.__version__ + ' / scipy ' + scipy.__version__] = with_numpy
except ImportError as e:
    print(json.dumps({'error': str(e)}), flush=True)
    sys.exit(0)
print(json.dumps({'sides': list(sides)}), flush=True)
for line in sys.stdin:
    fn = sides[line.strip()]
    t, c = time.perf_counter(), time.process_time()
    fn(paths)
    print(json.dumps({'wall': time.perf_counter() - t, 'cpu': time.process_time() - c}), flush=True)
`;

/** The python sides, driven over stdin/stdout; a reason instead when python or librosa is not there. */
async function pythonSides(paths: string[]): Promise<{ sides: Array<{ name: string; run: () => Promise<Timing> }>; close: () => void } | string> {
  const child = spawn(PYTHON, ['-c', PYTHON_BENCH, ...paths], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1', NUMBA_NUM_THREADS: '1' },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const failed = new Promise<string>((resolve) => {
    child.on('error', (error) => resolve(String(error)));
    child.on('exit', () => resolve(stderr.trim().split('\n').pop() ?? 'exited'));
  });
  const next = async (): Promise<Record<string, unknown>> => {
    const line = await Promise.race([lines.next(), failed]);
    if (typeof line === 'string') throw new Error(line);
    if (line.done) throw new Error(stderr.trim().split('\n').pop() ?? 'python exited');
    return JSON.parse(line.value) as Record<string, unknown>;
  };
  let hello: Record<string, unknown>;
  try {
    hello = await next();
  } catch (error) {
    return `${PYTHON} could not run them (${(error as Error).message})`;
  }
  if (!Array.isArray(hello.sides)) {
    child.kill();
    return `${PYTHON} lacks librosa (${String(hello.error)})`;
  }
  const sides = (hello.sides as string[]).map((name) => ({
    name: `${name} (1 process)`,
    run: async () => {
      child.stdin.write(`${name}\n`);
      return (await next()) as Timing;
    },
  }));
  return { sides, close: () => child.stdin.end() };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-audio-bench-'));
  try {
    const paths = writeClips(dir);
    const rows = paths.map((path) => ({ path }));
    const audioSeconds = CLIPS * SECONDS;
    console.log(`${CLIPS} clips of ${SECONDS} s at ${RATE} Hz (${audioSeconds} s of audio); ${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${ROUNDS} rounds`);
    const input = spec(dir);
    const preprocessor = new AudioPreprocessor(input, '2d');
    await preprocessor.fit(rows);
    const encoder = audioEncoders().encoders[0];
    const moduleUrl = new URL('../packages/encoder-audio/src/index.ts', import.meta.url).href;
    const fitted = { spec: input as unknown as InputSpec, encoder, preprocessor, module: { url: moduleUrl } };
    const pools = [1, 2].map((workers) => ({ workers, pool: new TransformPool(workers) }));
    const python = await pythonSides(paths);
    const sides: Array<{ name: string; run: () => Promise<Timing> }> = [
      { name: 'Polymodal in-process (1 thread)', run: () => timed(async () => { await preprocessor.transform(rows, { training: false, random: () => 0 }); }) },
      ...pools.map(({ workers, pool }) => ({
        name: `Polymodal, ${workers} worker thread${workers > 1 ? 's' : ''}`,
        run: () => timed(async () => { await pool.transform(fitted, rows); }),
      })),
      ...(typeof python === 'string' ? [] : python.sides),
    ];
    const timings = new Map<string, Timing[]>(sides.map((side) => [side.name, []]));
    try {
      for (let round = 0; round <= ROUNDS; round++) {
        for (let i = 0; i < sides.length; i++) {
          const side = sides[(i + round) % sides.length];
          const timing = await side.run();
          if (round > 0) timings.get(side.name)?.push(timing); // round 0 warms up: tables, JIT, worker start-up
        }
      }
    } finally {
      for (const { pool } of pools) await pool.close();
      if (typeof python !== 'string') python.close();
    }
    const librosa = [...timings.entries()].find(([name]) => name.startsWith('librosa'))?.[1];
    const rate = (t: number) => (audioSeconds / t).toFixed(0);
    console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end`);
    console.log(`${''.padEnd(36)} ${'wall: s of audio / s, best / median'.padStart(36)} ${'CPU: s of audio / CPU s, best / median'.padStart(40)}`);
    for (const [name, runs] of timings) {
      const column = (key: keyof Timing) => {
        const values = runs.map((t) => t[key]);
        const best = Math.min(...values);
        let text = `${rate(best)} / ${rate(median(values))}`;
        if (librosa) {
          const reference = librosa.map((t) => t[key]);
          const perRound = values.map((v, r) => reference[r] / v);
          text += ` (${(Math.min(...reference) / best).toFixed(2)}x / ${median(perRound).toFixed(2)}x)`;
        }
        return text;
      };
      console.log(`${name.padEnd(36)} ${column('wall').padStart(36)} ${column('cpu').padStart(40)}`);
    }
    if (typeof python === 'string') console.log(`librosa, numpy/scipy: skipped: ${python}; set BENCH_PYTHON to a python with librosa`);
    console.log('Ratios to librosa: best against best / median of the rounds\' ratios. CPU time counts every thread of the process.');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
