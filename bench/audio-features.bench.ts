/**
 * Audio feature extraction speed: seconds of audio turned into log-mel spectrograms per second of wall time,
 * from 16-bit WAV files at 16 kHz (decoding included on every side), with Polymodal's defaults (512-point FFT,
 * 25 ms Hann windows, 10 ms hop, 64 Slaney mels, power_to_db with top_db 80):
 *  - Polymodal in-process (one core) and through core's worker pool (1 and 2 worker threads), the path
 *    `preprocessing: 'heavy'` takes in training;
 *  - librosa (soundfile.read + feature.melspectrogram + power_to_db) in one process;
 *  - plain numpy/scipy (soundfile.read, strided framing, numpy.fft.rfft, a mel matrix product, log10);
 * on the same files in the same run. Python runs with one BLAS/OpenMP thread. Each line gives wall-clock throughput
 * and throughput per CPU second (less sensitive to other load on a shared machine), the best of BENCH_REPEATS.
 *   TSX_TSCONFIG_PATH=tsconfig.base.json node --conditions=@polymodal/source --import tsx bench/audio-features.bench.ts
 * Options (env): BENCH_PYTHON (/tmp/audio-task/venv/bin/python: a python with librosa, numpy, scipy, soundfile),
 *   BENCH_CLIPS (200), BENCH_SECONDS (1: length of each clip), BENCH_REPEATS (3: the best of these is reported).
 */
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InputSpec } from '@polymodal/core';
import audioEncoders, { AudioPreprocessor, type AudioCnnOptions } from '@polymodal/encoder-audio';
import { TransformPool } from '../packages/core/src/pipeline/transform-pool.js';
import { wavBytes } from '../packages/encoder-audio/src/test-fixtures/clips.js';
import { Ajv } from 'ajv';

const CLIPS = Number(process.env.BENCH_CLIPS ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const PYTHON = process.env.BENCH_PYTHON ?? '/tmp/audio-task/venv/bin/python';
const RATE = 16000;

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

/** Wall and CPU seconds (this process, all its threads), each the least over the repeats. */
type Timing = { wall: number; cpu: number };

async function best(run: () => Promise<void>): Promise<Timing> {
  await run(); // warm-up: tables, JIT
  const timing = { wall: Infinity, cpu: Infinity };
  for (let r = 0; r < REPEATS; r++) {
    const start = performance.now();
    const cpu = process.cpuUsage();
    await run();
    const used = process.cpuUsage(cpu);
    timing.wall = Math.min(timing.wall, (performance.now() - start) / 1000);
    timing.cpu = Math.min(timing.cpu, (used.user + used.system) / 1e6);
  }
  return timing;
}

const PYTHON_BENCH = String.raw`
import sys, time, json, numpy as np, soundfile
paths = sys.argv[2:]
repeats = int(sys.argv[1])
def bench(fn):
    fn(paths[:5])
    wall = cpu = float('inf')
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        fn(paths)
        wall, cpu = min(wall, time.perf_counter() - t), min(cpu, time.process_time() - c)
    return {'wall': wall, 'cpu': cpu}
out = {}
try:
    import librosa
    def with_librosa(ps):
        for p in ps:
            y, sr = soundfile.read(p, dtype='float32')
            librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=sr, n_fft=512, hop_length=160, win_length=400, n_mels=64), top_db=80.0)
    out['librosa ' + librosa.__version__] = bench(with_librosa)
except ImportError as e:
    out['librosa'] = 'skipped: ' + str(e)
import scipy.signal
mel = None
def with_numpy(ps):
    global mel
    if mel is None:
        import librosa
        mel = librosa.filters.mel(sr=16000, n_fft=512, n_mels=64)
    window = np.zeros(512, dtype=np.float32); window[56:456] = scipy.signal.get_window('hann', 400)
    for p in ps:
        y, sr = soundfile.read(p, dtype='float32')
        y = np.pad(y, 256)
        frames = np.lib.stride_tricks.sliding_window_view(y, 512)[::160]
        power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
        db = 10 * np.log10(np.maximum(1e-10, power @ mel.T))
        np.maximum(db, db.max() - 80)
out['numpy ' + np.__version__ + ' / scipy ' + scipy.__version__] = bench(with_numpy)
print(json.dumps(out))
`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-audio-bench-'));
  try {
    const paths = writeClips(dir);
    const rows = paths.map((path) => ({ path }));
    const audioSeconds = CLIPS * SECONDS;
    console.log(`${CLIPS} clips of ${SECONDS} s at ${RATE} Hz (${audioSeconds} s of audio); ${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores; best of ${REPEATS}`);
    const results: Array<[string, Timing | string]> = [];
    const input = spec(dir);
    const preprocessor = new AudioPreprocessor(input, '2d');
    await preprocessor.fit(rows);
    results.push(['Polymodal in-process (1 core)', await best(async () => { await preprocessor.transform(rows, { training: false, random: () => 0 }); })]);
    const encoder = audioEncoders().encoders[0];
    const moduleUrl = new URL('../packages/encoder-audio/src/index.ts', import.meta.url).href;
    for (const workers of [1, 2]) {
      const pool = new TransformPool(workers);
      try {
        const fitted = { spec: input as unknown as InputSpec, encoder, preprocessor, module: { url: moduleUrl } };
        results.push([`Polymodal, ${workers} worker thread${workers > 1 ? 's' : ''}`, await best(async () => { await pool.transform(fitted, rows); })]);
      } finally {
        await pool.close();
      }
    }
    const python = spawnSync(PYTHON, ['-c', PYTHON_BENCH, String(REPEATS), ...paths], {
      encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1', NUMBA_NUM_THREADS: '1' },
    });
    if (python.status === 0) {
      for (const [name, value] of Object.entries(JSON.parse(python.stdout) as Record<string, Timing | string>)) results.push([`${name} (1 process)`, value]);
    } else {
      results.push(['librosa, numpy/scipy', `skipped: ${PYTHON} could not run them (${(python.stderr || String(python.error)).trim().split('\n').pop()}); set BENCH_PYTHON to a python with librosa`]);
    }
    const librosa = results.find(([name, v]) => name.startsWith('librosa') && typeof v !== 'string')?.[1] as Timing | undefined;
    console.log(`${''.padEnd(40)} ${'wall: s of audio / s'.padStart(22)} ${'CPU: s of audio / CPU s'.padStart(24)}`);
    for (const [name, value] of results) {
      if (typeof value === 'string') {
        console.log(`${name.padEnd(40)} ${value}`);
        continue;
      }
      const ratio = (a: number, b: number | undefined) => (b ? ` (${(b / a).toFixed(2)}x librosa)` : '');
      const wall = `${(audioSeconds / value.wall).toFixed(0)}${ratio(value.wall, librosa?.wall)}`;
      const cpu = `${(audioSeconds / value.cpu).toFixed(0)}${ratio(value.cpu, librosa?.cpu)}`;
      console.log(`${name.padEnd(40)} ${wall.padStart(22)} ${cpu.padStart(24)}`);
    }
    console.log('CPU time counts every thread of the process (worker threads too); with other work on the machine, wall times vary from run to run.');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
