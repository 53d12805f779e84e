/**
 * tfjs's threaded wasm build (tfjs-backend-wasm-threaded-simd: XNNPACK over an emscripten pthread pool) in Node.
 * tfjs 4.22 never picks it there: its WASM_HAS_MULTITHREAD_SUPPORT flag answers false under IS_NODE (tfjs#3830), and
 * forcing the flag fails in `new Worker(blob:...)` (ERR_WORKER_PATH: Node's worker_threads take file paths, not
 * blob: URLs), because tfjs's init() hands emscripten the worker script and the main script as Blobs. The emscripten
 * output itself supports Node (worker_threads, fs), so this builds the module as tfjs's init() does with paths
 * instead of Blobs, and registers it as the 'wasm' backend: every kernel registered for 'wasm' (tfjs's and this
 * package's) runs on it unchanged. Two more things differ from a browser:
 * - tfjs caps the pool at emscripten_num_logical_cores() / 2 (it assumes two hyperthreads per core), which is
 *   os.cpus().length / 2 in Node: 1 on a 2-core machine. The module is given `2 * threads` there so the cap is the
 *   requested count (callers validate it against the cores, see validateWasmThreads).
 * - emscripten keeps its running pthreads' workers referenced, which would keep Node alive after the work is done;
 *   the pool's workers are unreferenced (they hold no work between kernel calls) and its idle spares terminated.
 */
import * as tf from '@tensorflow/tfjs';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** emscripten's pthread pool in tfjs 4.22 (PTHREAD_POOL_SIZE) and tfjs's own cap on XNNPACK's threads. */
export const MAX_WASM_THREADS = 8;
const WASM_PRIORITY = 2; // tfjs's own priority for 'wasm'

interface NodeWorker {
  unref(): void;
  terminate(): unknown;
}

interface ThreadedModule {
  cwrap(name: string, returns: string | null, args: string[]): (...args: number[]) => number;
  PThread: { runningWorkers: NodeWorker[]; unusedWorkers: NodeWorker[] };
  tfjs?: Record<string, unknown>;
}

type ModuleFactory = (config: Record<string, unknown>) => Promise<ThreadedModule>;
type WasmImports = { env: Record<string, unknown> };

/** The WebAssembly API used here (this package's TypeScript lib has no DOM types, where its declarations live). */
interface WebAssemblyApi {
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => object;
  instantiate(bytes: Uint8Array, imports: WasmImports): Promise<{ instance: object; module: object }>;
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

const require = createRequire(import.meta.url);

/** The folder of tfjs-backend-wasm's emscripten outputs (the threaded JavaScript, its worker script, the .wasm). */
function emscriptenOutputs(): string {
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
}

/**
 * The pthread worker script as a file (Node's Worker needs one). tfjs ships it as a JavaScript string; its "\n"
 * escapes arrive as real newlines and are escaped back, as tfjs's init() does. Named by content, written once.
 */
function workerScript(outputs: string): string {
  const { wasmWorkerContents } = require(join(outputs, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  const contents = wasmWorkerContents.replace(/\n/g, '\\n');
  const hash = createHash('sha256').update(contents).digest('hex').slice(0, 16);
  const path = join(tmpdir(), `polymodal-tfjs-wasm-threaded-${hash}.worker.cjs`);
  if (!existsSync(path) || readFileSync(path, 'utf8') !== contents) {
    const partial = `${path}.${process.pid}.tmp`;
    writeFileSync(partial, contents);
    renameSync(partial, path); // atomic: another process may be reading it
  }
  return path;
}

/** Why threads cannot run here, or null when they can (SharedArrayBuffer, shared wasm memory, worker_threads). */
export function wasmThreadsUnavailable(): string | null {
  if (typeof SharedArrayBuffer === 'undefined') return 'this Node has no SharedArrayBuffer';
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  } catch {
    return 'this Node cannot create a shared WebAssembly.Memory';
  }
  try {
    require('node:worker_threads');
  } catch {
    return 'this Node has no worker_threads';
  }
  return null;
}

/** The largest thread count that can help here: the CPUs Node may use, at most tfjs's cap. */
export function usefulWasmThreads(): number {
  return Math.min(availableParallelism(), MAX_WASM_THREADS);
}

async function createThreadedBackend(threads: number): Promise<tf.KernelBackend> {
  const outputs = emscriptenOutputs();
  const factory = require(join(outputs, 'tfjs-backend-wasm-threaded-simd.js')) as ModuleFactory;
  const wasmFile = join(outputs, 'tfjs-backend-wasm-threaded-simd.wasm');
  // A failed instantiation would otherwise be an unhandled rejection (which emscripten's Node code rethrows).
  let failInstantiation: (error: unknown) => void = () => {};
  const instantiationFailed = new Promise<never>((_, reject) => (failInstantiation = reject));
  const module = await Promise.race([instantiationFailed, factory({
    locateFile: (path: string, prefix: string) => (path.endsWith('.worker.js') ? workerScript(outputs) : path.endsWith('.wasm') ? wasmFile : prefix + path),
    // Each pthread worker evaluates this file to get the module's factory (tfjs passes a Blob of it instead).
    mainScriptUrlOrBlob: join(outputs, 'tfjs-backend-wasm-threaded-simd.js'),
    instantiateWasm(imports: WasmImports, receive: (instance: object, module: object) => void) {
      imports.env.emscripten_num_logical_cores = () => 2 * threads; // tfjs's cap is this / 2
      WebAssembly.instantiate(readFileSync(wasmFile), imports).then(
        ({ instance, module: compiled }) => receive(instance, compiled),
        failInstantiation,
      );
      return {};
    },
  })]);
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  tfWasm.setThreadsCount(threads);
  const backend = new tfWasm.BackendWasm(module as unknown as ConstructorParameters<typeof tfWasm.BackendWasm>[0]);
  const started = tfWasm.getThreadsCount();
  const { runningWorkers, unusedWorkers } = module.PThread;
  for (const worker of runningWorkers) worker.unref();
  for (const worker of unusedWorkers.splice(0)) void worker.terminate();
  if (started !== threads) {
    backend.dispose();
    throw new Error(`tfjs's threaded wasm build started ${started} XNNPACK threads where ${threads} were asked for`);
  }
  return backend;
}

/** The thread count of the active 'wasm' backend's XNNPACK pool (1 for tfjs's single-threaded build). */
export function wasmThreadsInUse(): number {
  return tfWasm.getThreadsCount();
}

let registered: number | null = null;
let singleThreaded: (() => tf.KernelBackend | Promise<tf.KernelBackend>) | null = null;
let startFailure: Error | null = null;

/** Why the last threaded 'wasm' backend failed to initialise (tf.setBackend only logs it), or null. */
export function threadedWasmStartFailure(): Error | null {
  return startFailure;
}

/**
 * Makes 'wasm' tfjs's threaded build with `threads` XNNPACK threads (the JavaScript thread and threads - 1 workers).
 * Call before `tf.setBackend('wasm')`; a 'wasm' backend already initialised with another count is disposed with its
 * tensors. The factory rejects (and tf.setBackend('wasm') answers false) when the threads do not start.
 */
export function registerThreadedWasmBackend(threads: number): void {
  if (!Number.isInteger(threads) || threads < 2 || threads > MAX_WASM_THREADS) {
    throw new Error(`registerThreadedWasmBackend: threads must be an integer from 2 to ${MAX_WASM_THREADS}, got ${threads}`);
  }
  if (registered === threads) return;
  singleThreaded ??= tf.findBackendFactory('wasm');
  if (tf.findBackendFactory('wasm') != null) tf.removeBackend('wasm');
  startFailure = null;
  tf.registerBackend('wasm', () => createThreadedBackend(threads).catch((error: unknown) => {
    startFailure = error instanceof Error ? error : new Error(String(error));
    throw startFailure;
  }), WASM_PRIORITY);
  registered = threads;
}

/** Puts tfjs's own (single-threaded in Node) 'wasm' factory back; a threaded 'wasm' backend is disposed. */
export function restoreSingleThreadedWasmBackend(): void {
  if (registered == null || singleThreaded == null) return;
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', singleThreaded, WASM_PRIORITY);
  registered = null;
}
