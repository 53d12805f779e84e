/**
 * Loads @polymodal/backend-wasm (an optional peer) when the wasm backend is selected: its training kernels for
 * tfjs's 'wasm' backend and its accelerated routines for plugins. Without it the wasm backend still runs on tfjs's
 * own kernels, which lack some gradients: the returned note says which, and how to get them.
 */
import * as tf from '@tensorflow/tfjs';
import { registerAcceleratedRoutines, type AcceleratedRoutines } from './accelerated-routines.js';
import { PolymodalError } from '../errors.js';
import { tryImport } from './try-import.js';

export const WASM_BACKEND_PACKAGE = '@polymodal/backend-wasm';

/** What core needs of that package's entry (it is loaded by name, so this is checked at run time). */
export interface WasmBackendExtensionsModule {
  registerWasmBackendExtensions(): {
    readonly kernels: readonly string[];
    readonly routines: AcceleratedRoutines;
    /** The build of the package's SIMD kernels (fused multiply-adds or SIMD only) and why; absent before 0.1.1. */
    readonly simd?: { readonly build: 'relaxed-simd' | 'simd'; readonly why?: string };
  };
}

/** What loading the package gives the backend's description. */
export interface WasmExtensionsLoad {
  /** Warnings for the user: empty when the package loaded, else the one of {@link missingExtensionsNote}. */
  readonly notes: string[];
  /** Which kernels run, for the backend line ("Polymodal's SIMD kernels with fused multiply-adds"); absent without the package. */
  readonly kernels?: string;
}

/**
 * Gradient kernels that @tensorflow/tfjs-backend-wasm 4.22 lacks and @polymodal/backend-wasm adds, with the
 * layers whose training needs them.
 */
const TRAINING_KERNELS: ReadonlyMap<string, readonly string[]> = new Map([
  ['Conv2DBackpropFilter', ['Conv1D', 'Conv2D', 'SeparableConv2D']],
  ['DepthwiseConv2dNativeBackpropFilter', ['DepthwiseConv2D', 'SeparableConv2D']],
  ['DepthwiseConv2dNativeBackpropInput', ['DepthwiseConv2D']],
  ['UnsortedSegmentSum', ['Embedding']],
]);

function isExtensionsModule(value: unknown): value is WasmBackendExtensionsModule {
  return typeof (value as Partial<WasmBackendExtensionsModule> | null)?.registerWasmBackendExtensions === 'function';
}

/** The one-line warning for a wasm backend without the package: what is missing and the install line. */
export function missingExtensionsNote(why: string): string {
  const missing = [...TRAINING_KERNELS.keys()].filter((kernel) => tf.getKernel(kernel, 'wasm') == null);
  const layers = [...new Set(missing.flatMap((kernel) => TRAINING_KERNELS.get(kernel)!))];
  const lacks = missing.length === 0
    ? "training on wasm runs on tfjs's own, slower kernels"
    : `tfjs's wasm backend lacks the training kernels ${missing.join(', ')}, so ${layers.slice(0, -1).join(', ')}` +
      `${layers.length > 1 ? ' and ' : ''}${layers[layers.length - 1]} layers cannot train on wasm`;
  return `${WASM_BACKEND_PACKAGE} ${why}: ${lacks}; install ${WASM_BACKEND_PACKAGE} (npm install ${WASM_BACKEND_PACKAGE})`;
}

/**
 * Registers @polymodal/backend-wasm's kernels and routines; call with the wasm backend's kernels registered
 * (after importing @tensorflow/tfjs-backend-wasm). Idempotent.
 * @param load imports the package (replaced in tests)
 * @throws PolymodalError (exit 2) when the package refuses its settings (POLYMODAL_WASM_RELAXED_SIMD)
 */
export async function loadWasmBackendExtensions(load: (specifier: string) => Promise<unknown> = tryImport): Promise<WasmExtensionsLoad> {
  const loaded = await load(WASM_BACKEND_PACKAGE);
  if (loaded === undefined) return { notes: [missingExtensionsNote('is not installed')] };
  if (loaded instanceof Error) return { notes: [missingExtensionsNote(`is installed but failed to load (${loaded.message.split('\n')[0]})`)] };
  if (!isExtensionsModule(loaded)) return { notes: [missingExtensionsNote('is installed but has no registerWasmBackendExtensions()')] };
  let registered: ReturnType<WasmBackendExtensionsModule['registerWasmBackendExtensions']>;
  try {
    registered = loaded.registerWasmBackendExtensions();
  } catch (error) {
    throw new PolymodalError(`${WASM_BACKEND_PACKAGE}: ${(error as Error).message}`, { hint: 'Fix or unset the setting it names.', exitCode: 2 });
  }
  registerAcceleratedRoutines('wasm', registered.routines);
  return { notes: [], kernels: describeSimdBuild(registered.simd) };
}

function describeSimdBuild(simd: ReturnType<WasmBackendExtensionsModule['registerWasmBackendExtensions']>['simd']): string | undefined {
  if (simd == null) return undefined;
  return simd.build === 'relaxed-simd' ? "Polymodal's SIMD kernels with fused multiply-adds" : `Polymodal's SIMD kernels without fused multiply-adds: ${simd.why}`;
}
