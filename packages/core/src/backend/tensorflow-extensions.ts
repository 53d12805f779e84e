/**
 * Loads @polymodal/backend-tensorflow (an optional peer) for the tensorflow backends: it finds tfjs-node in the
 * project or in the build `polymodal setup tensorflow` cached, keeps TensorFlow's C++ logs quiet, and provides
 * accelerated routines for plugins (the fused recurrent kernels). Without it core imports tfjs-node by name.
 */
import { registerAcceleratedRoutines, type AcceleratedRoutines } from './accelerated-routines.js';
import { tryImport } from './try-import.js';

export const TENSORFLOW_BACKEND_PACKAGE = '@polymodal/backend-tensorflow';

export type NativeFlavour = 'tensorflow' | 'tensorflow-gpu';

/** What core needs of that package's entry (loaded by name, so checked at run time). */
export interface TensorflowBackendModule {
  loadTfjsNode(flavour: NativeFlavour): { module: unknown; from: string } | Error | undefined;
  registerTensorflowBackendExtensions(): { readonly kernels: readonly string[]; readonly routines: AcceleratedRoutines };
}

function isTensorflowBackendModule(value: unknown): value is TensorflowBackendModule {
  const candidate = value as Partial<TensorflowBackendModule> | null;
  return typeof candidate?.loadTfjsNode === 'function' && typeof candidate.registerTensorflowBackendExtensions === 'function';
}

/** The package, or undefined when it is not installed or not what core expects. */
export async function tensorflowBackendPackage(load: (specifier: string) => Promise<unknown> = tryImport): Promise<TensorflowBackendModule | undefined> {
  const loaded = await load(TENSORFLOW_BACKEND_PACKAGE);
  return isTensorflowBackendModule(loaded) ? loaded : undefined;
}

/**
 * tfjs-node (or -gpu): through the package when it is installed (project, then cache), else by name.
 * @returns where it came from ('project' or a cache folder), undefined when not installed, the Error when it failed to load.
 */
export async function loadNativeTfjs(
  flavour: NativeFlavour, pkg: string, backendPackage: TensorflowBackendModule | undefined, load: (specifier: string) => Promise<unknown> = tryImport,
): Promise<string | Error | undefined> {
  if (backendPackage) {
    const loaded = backendPackage.loadTfjsNode(flavour);
    return loaded instanceof Error || loaded === undefined ? loaded : loaded.from;
  }
  const imported = await load(pkg);
  return imported instanceof Error || imported === undefined ? imported : 'project';
}

/** Registers the package's kernels and routines for tfjs's 'tensorflow' backend; returns the kernels' names. */
export function registerTensorflowExtensions(backendPackage: TensorflowBackendModule | undefined): readonly string[] {
  if (!backendPackage) return [];
  const { kernels, routines } = backendPackage.registerTensorflowBackendExtensions();
  registerAcceleratedRoutines('tensorflow', routines);
  return kernels;
}
