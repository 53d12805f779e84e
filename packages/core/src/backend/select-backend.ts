import * as tf from '@tensorflow/tfjs';
import { availableParallelism } from 'node:os';
import { PolymodalError } from '../errors.js';
import type { BackendName } from '../manifest/types.js';
import { registerFileRouterIfMissing } from './fs-io-handler.js';
import { loadNativeTfjs, registerTensorflowExtensions, tensorflowBackendPackage, type NativeFlavour } from './tensorflow-extensions.js';
import { tryImport } from './try-import.js';
import { loadWasmBackendExtensions, WASM_BACKEND_PACKAGE } from './wasm-extensions.js';

export type ConcreteBackend = Exclude<BackendName, 'auto'>;

export interface BackendInfo {
  readonly name: ConcreteBackend;
  /** tfjs's own backend name (tensorflow, wasm, cpu). */
  readonly tfjsBackend: string;
  readonly gpu: boolean;
  /** Things the user should know, e.g. a GPU package that fell back to the CPU. */
  readonly notes: readonly string[];
  /** Why this backend: "requested", or for `auto` what was tried before it and where it came from (one line). */
  readonly reason: string;
  /** On wasm: XNNPACK's thread count (1: tfjs's single-threaded build, the default; more: its threaded build). */
  readonly wasmThreads?: number;
  /** On wasm: which of @polymodal/backend-wasm's kernel builds runs (with or without fused multiply-adds), when it is installed. */
  readonly wasmKernels?: string;
}

export interface SelectBackendOptions {
  /**
   * XNNPACK threads on wasm (default 1, or the POLYMODAL_WASM_THREADS environment variable): 2 or more run tfjs's
   * threaded build (worker_threads) instead of its single-threaded one. Opt-in, because it is not faster for
   * Polymodal's training steps on a shared 2-core machine (README, "wasm performance"); when the threads cannot
   * start, wasm runs single-threaded and a note says why.
   */
  readonly wasmThreads?: number;
}

const WASM_THREADS_ENV = 'POLYMODAL_WASM_THREADS';
const MAX_WASM_THREADS = 8; // tfjs-backend-wasm 4.22's cap (its pthread pool)

const NODE_PACKAGE: Record<NativeFlavour, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

/** How packages are imported (replaced in tests). */
export type PackageImporter = (specifier: string) => Promise<unknown>;

async function activate(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`tfjs could not initialise the ${name} backend`);
  await tf.ready();
}

type NodeAttempt = { info: BackendInfo } | { skipped: string; installed: boolean };

async function tryNode(name: NativeFlavour, load: PackageImporter): Promise<NodeAttempt> {
  const pkg = NODE_PACKAGE[name];
  const backendPackage = await tensorflowBackendPackage(load);
  const loaded = await loadNativeTfjs(name, pkg, backendPackage, load);
  if (loaded === undefined) {
    const where = backendPackage ? ' in the project or the Polymodal cache' : '';
    return { skipped: `${pkg} is not installed${where}`, installed: false };
  }
  if (loaded instanceof Error) return { skipped: `${pkg} is installed but failed to load: ${loaded.message.split('\n')[0]}`, installed: true };
  await activate('tensorflow');
  const backend = tf.backend() as { isUsingGpuDevice?: boolean };
  const gpu = backend.isUsingGpuDevice === true;
  const notes: string[] = [];
  if (name === 'tensorflow-gpu' && !gpu) {
    notes.push(
      `${pkg} loaded but TensorFlow found no usable GPU and runs on the CPU. tfjs-node-gpu 4.22's prebuilt binding needs CUDA 11.2 and cuDNN 8.1 ` +
        '(libcudart.so.11.0 on the library path); `polymodal setup tensorflow --gpu` builds it against a CUDA 12 TensorFlow wheel instead.',
    );
  }
  registerTensorflowExtensions(backendPackage);
  registerFileRouterIfMissing();
  const from = loaded === 'project' ? `${pkg} from the project` : `${pkg} built in ${loaded}`;
  return { info: { name, tfjsBackend: 'tensorflow', gpu, notes, reason: from } };
}

async function useNode(name: NativeFlavour, load: PackageImporter): Promise<BackendInfo> {
  const attempt = await tryNode(name, load);
  if ('info' in attempt) return { ...attempt.info, reason: `requested (${attempt.info.reason})` };
  const pkg = NODE_PACKAGE[name];
  throw new PolymodalError(`backend "${name}" needs ${pkg}, which ${attempt.skipped.slice(pkg.length + 1)}`, {
    hint: `Run \`polymodal setup tensorflow${name === 'tensorflow-gpu' ? ' --gpu' : ''}\` (builds it against a local Python's TensorFlow), or \`npm install ${pkg}@4.22.0\` (downloads libtensorflow; see "GPU and native backends" in the README), or use --backend wasm.`,
    exitCode: 2,
  });
}

/** The requested thread count: the option, else the environment variable, else 1; a value that cannot work is an error. */
function requestedWasmThreads(options: SelectBackendOptions): number {
  const fromEnv = process.env[WASM_THREADS_ENV];
  const raw = options.wasmThreads ?? (fromEnv === undefined || fromEnv === '' ? 1 : Number(fromEnv));
  const what = options.wasmThreads !== undefined ? 'wasmThreads' : WASM_THREADS_ENV;
  const useful = Math.min(availableParallelism(), MAX_WASM_THREADS);
  if (!Number.isInteger(raw) || raw < 1) {
    throw new PolymodalError(`${what} must be a whole number of threads from 1 to ${useful}, got ${options.wasmThreads ?? JSON.stringify(fromEnv)}`, {
      hint: `Use 1 (the default: tfjs's single-threaded wasm build) or 2-${useful} (its threaded build).`,
      exitCode: 2,
    });
  }
  if (raw > useful) {
    throw new PolymodalError(`${what} ${raw} would have no effect beyond ${useful}: ${availableParallelism()} CPUs are available here and tfjs runs at most ${MAX_WASM_THREADS} XNNPACK threads`, {
      hint: `Use ${useful} or fewer.`,
      exitCode: 2,
    });
  }
  return raw;
}

function wasmThreadsWithoutEffect(threads: number, backend: string): PolymodalError {
  return new PolymodalError(`${threads} wasm threads would have no effect: the backend is ${backend}, not wasm`, {
    hint: `Unset ${WASM_THREADS_ENV} (or wasmThreads), or use --backend wasm.`,
    exitCode: 2,
  });
}

interface ThreadingApi {
  registerThreadedWasmBackend(threads: number): void;
  restoreSingleThreadedWasmBackend(): void;
  wasmThreadsUnavailable(): string | null;
  wasmThreadsInUse(): number;
  threadedWasmStartFailure(): Error | null;
}

function isThreadingApi(loaded: unknown): loaded is ThreadingApi {
  const api = loaded as Partial<ThreadingApi> | null;
  return typeof api?.registerThreadedWasmBackend === 'function' && typeof api.restoreSingleThreadedWasmBackend === 'function' &&
    typeof api.wasmThreadsUnavailable === 'function' && typeof api.wasmThreadsInUse === 'function' && typeof api.threadedWasmStartFailure === 'function';
}

/**
 * Activates 'wasm' with `threads` XNNPACK threads (tfjs's threaded build, from @polymodal/backend-wasm) or, when
 * they cannot start, single-threaded; returns the count in use and, after a fallback, a note saying why.
 */
async function activateWasm(threads: number, load: PackageImporter): Promise<{ threads: number; note?: string }> {
  const loaded = await load(WASM_BACKEND_PACKAGE);
  const api = isThreadingApi(loaded) ? loaded : null;
  if (threads === 1) {
    api?.restoreSingleThreadedWasmBackend(); // a threaded build selected earlier in this process
    await activate('wasm');
    return { threads: 1 };
  }
  const fallback = async (why: string) => {
    api?.restoreSingleThreadedWasmBackend();
    await activate('wasm');
    return { threads: 1, note: `${threads} wasm threads asked for, running single-threaded: ${why}` };
  };
  if (api == null) return fallback(`tfjs's threaded build needs ${WASM_BACKEND_PACKAGE} with threading (npm install ${WASM_BACKEND_PACKAGE})`);
  const unavailable = api.wasmThreadsUnavailable();
  if (unavailable != null) return fallback(unavailable);
  api.registerThreadedWasmBackend(threads);
  if (!(await tf.setBackend('wasm'))) return fallback(`its threads did not start (${api.threadedWasmStartFailure()?.message.split('\n')[0] ?? 'no reason given'})`);
  await tf.ready();
  return { threads: api.wasmThreadsInUse() };
}

async function useWasm(load: PackageImporter, reason: string, threads: number): Promise<BackendInfo> {
  const loaded = await load('@tensorflow/tfjs-backend-wasm');
  if (loaded === undefined || loaded instanceof Error) {
    throw new PolymodalError('backend "wasm" needs @tensorflow/tfjs-backend-wasm, which is not installed', {
      hint: 'Run `npm install @tensorflow/tfjs-backend-wasm@4.22.0`.',
      exitCode: 2,
    });
  }
  const started = await activateWasm(threads, load);
  const extensions = await loadWasmBackendExtensions(load);
  const notes = [...(started.note ? [started.note] : []), ...extensions.notes];
  registerFileRouterIfMissing();
  const threaded = started.threads > 1 ? ` (${started.threads} XNNPACK threads: tfjs's threaded build)` : '';
  return { name: 'wasm', tfjsBackend: 'wasm', gpu: false, notes, reason: reason + threaded, wasmThreads: started.threads, wasmKernels: extensions.kernels };
}

/**
 * `auto`: tfjs-node-gpu when it loads and sees a GPU, then tfjs-node (each from the project, else from the build
 * `polymodal setup tensorflow` cached), then wasm. The reason says what was passed over and why.
 */
async function useAuto(load: PackageImporter, threads: number): Promise<BackendInfo> {
  const passed: string[] = [];
  const notes: string[] = [];
  for (const name of ['tensorflow-gpu', 'tensorflow'] as const) {
    const attempt = await tryNode(name, load);
    if ('info' in attempt) {
      if (name === 'tensorflow-gpu' && !attempt.info.gpu) {
        passed.push(`${name}: ${NODE_PACKAGE[name]} sees no GPU`);
        continue;
      }
      if (threads > 1) throw wasmThreadsWithoutEffect(threads, `${name} (auto chose it)`);
      return { ...attempt.info, notes: [...notes, ...attempt.info.notes], reason: `auto: ${[...passed, `chose ${name} (${attempt.info.reason})`].join('; ')}` };
    }
    passed.push(`${name}: ${attempt.skipped}`);
    // A package that is there but broken deserves a warning; one that is simply absent does not.
    if (attempt.installed) notes.push(attempt.skipped);
  }
  const info = await useWasm(load, '', threads);
  const setup = passed.some((p) => p.includes('not installed')) ? ' (`polymodal setup tensorflow` builds the native backend)' : '';
  return { ...info, notes: [...notes, ...info.notes], reason: `auto: ${passed.join('; ')}; chose wasm${info.reason}${setup}` };
}

/**
 * Makes the requested backend active. `auto` prefers tfjs-node-gpu (with a GPU), then tfjs-node, then wasm.
 * `options.wasmThreads` (or POLYMODAL_WASM_THREADS) picks tfjs's threaded wasm build; it is an error off wasm.
 */
export async function selectBackend(requested: BackendName, load: PackageImporter = tryImport, options: SelectBackendOptions = {}): Promise<BackendInfo> {
  const threads = requestedWasmThreads(options);
  if (threads > 1 && requested !== 'wasm' && requested !== 'auto') throw wasmThreadsWithoutEffect(threads, requested);
  switch (requested) {
    case 'cpu':
      await activate('cpu');
      registerFileRouterIfMissing();
      return { name: 'cpu', tfjsBackend: 'cpu', gpu: false, notes: [], reason: 'requested' };
    case 'wasm':
      return useWasm(load, 'requested', threads);
    case 'tensorflow':
    case 'tensorflow-gpu':
      return useNode(requested, load);
    case 'auto':
      return useAuto(load, threads);
  }
}
