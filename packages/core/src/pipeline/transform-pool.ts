import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { PolymodalError } from '../errors.js';
import type { FittedInput } from '../model/fitted-input.js';
import type { FeatureArrays, Row } from '../plugin/contracts.js';
import type { TransformReply, TransformTask } from './transform-protocol.js';

/** Below this many rows a worker's start-up costs more than it saves. */
const MIN_ROWS_FOR_WORKERS = 512;
const MAX_AUTO_WORKERS = 4;

const FROM_SOURCES = import.meta.url.endsWith('.ts');

/**
 * Run from TypeScript sources (tests, benchmarks under tsx), the worker is TypeScript too, and Node 20 does
 * not apply tsx's `--import` hooks inside worker threads, so the worker registers tsx itself first.
 */
function startWorker(): Worker {
  if (!FROM_SOURCES) return new Worker(new URL('./transform-worker.js', import.meta.url));
  const url = new URL('./transform-worker.ts', import.meta.url).href;
  return new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url)}); });`, { eval: true });
}

/**
 * Rows as plain objects holding the input's columns only: a table's row views cannot be cloned into a
 * worker, and the other columns are not the input's to read.
 */
function plainRows(rows: readonly Row[], columns: readonly string[]): Row[] {
  return rows.map((row) => {
    const plain: Record<string, Row[string]> = {};
    for (const column of columns) {
      const value = row[column];
      // defineProperty: a column named "__proto__" stays a column.
      if (value !== undefined) Object.defineProperty(plain, column, { value, enumerable: true, writable: true, configurable: true });
    }
    return plain;
  });
}

/** Worker threads that transform rows for preprocessors whose plugin module they can load. */
export class TransformPool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, { resolve: (a: FeatureArrays) => void; reject: (e: Error) => void }>();
  private readonly ids = new WeakMap<FittedInput, string>();
  private nextId = 0;
  private nextWorker = 0;

  constructor(readonly size: number) {
    this.workers = Array.from({ length: size }, () => {
      const worker = startWorker();
      worker.on('message', (reply: TransformReply) => {
        const waiting = this.pending.get(reply.id);
        this.pending.delete(reply.id);
        if (reply.failure !== undefined) waiting?.reject(new PolymodalError(reply.failure.message, { hint: reply.failure.hint, exitCode: reply.failure.exitCode }));
        else if (reply.error !== undefined) waiting?.reject(new Error(`preprocessing worker failed: ${reply.error}`));
        else waiting?.resolve(reply.arrays);
      });
      worker.on('error', (error) => {
        for (const waiting of this.pending.values()) waiting.reject(error);
        this.pending.clear();
      });
      return worker;
    });
  }

  /** Whether this input can run in a worker (its plugin came from a module the worker can import). */
  accepts(input: FittedInput): boolean {
    return input.module !== undefined;
  }

  /** Transforms rows split into one chunk per worker, and joins the chunks in row order. */
  async transform(input: FittedInput, rows: readonly Row[]): Promise<FeatureArrays> {
    let preprocessorId = this.ids.get(input);
    if (!preprocessorId) this.ids.set(input, (preprocessorId = randomUUID()));
    const state = input.preprocessor.state();
    const chunk = Math.ceil(rows.length / this.size);
    const parts = await Promise.all(
      Array.from({ length: Math.ceil(rows.length / chunk) }, (_, i) => this.run({
        id: this.nextId++,
        preprocessorId,
        moduleUrl: input.module!.url,
        pluginOptions: input.module!.options,
        spec: input.spec,
        state,
        rows: plainRows(rows.slice(i * chunk, (i + 1) * chunk), input.spec.columns),
      })),
    );
    const joined: FeatureArrays = {};
    for (const key of Object.keys(parts[0] ?? {})) {
      const total = parts.reduce((n, part) => n + part[key].length, 0);
      const out = new (parts[0][key].constructor as Float32ArrayConstructor | Int32ArrayConstructor)(total);
      let offset = 0;
      for (const part of parts) {
        out.set(part[key], offset);
        offset += part[key].length;
      }
      joined[key] = out;
    }
    return joined;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private run(task: TransformTask): Promise<FeatureArrays> {
    const worker = this.workers[this.nextWorker++ % this.workers.length];
    return new Promise((resolve, reject) => {
      this.pending.set(task.id, { resolve, reject });
      worker.postMessage(task);
    });
  }
}

/**
 * A pool when the setting asks for one: a number of workers, or `auto` = one per core (at most 4) when an
 * encoder declares heavy preprocessing and there are enough rows. Undefined means transform in-process.
 */
export function createTransformPool(setting: number | 'auto', inputs: readonly FittedInput[], rows: number): TransformPool | undefined {
  const eligible = inputs.filter((input) => input.module !== undefined);
  if (eligible.length === 0) return undefined;
  if (setting === 'auto') {
    const heavy = eligible.some((input) => input.encoder.preprocessing === 'heavy');
    const cores = availableParallelism();
    return heavy && cores > 1 && rows >= MIN_ROWS_FOR_WORKERS ? new TransformPool(Math.min(cores, MAX_AUTO_WORKERS)) : undefined;
  }
  return setting > 0 ? new TransformPool(setting) : undefined;
}

/** Runs `work` with a pool when the setting calls for one, and always closes it. */
export async function withTransformPool<T>(
  setting: number | 'auto',
  inputs: readonly FittedInput[],
  rows: number,
  work: (pool: TransformPool | undefined) => Promise<T>,
): Promise<T> {
  const pool = createTransformPool(setting, inputs, rows);
  try {
    return await work(pool);
  } finally {
    await pool?.close();
  }
}
