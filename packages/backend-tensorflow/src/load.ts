/**
 * Loads tfjs-node (or tfjs-node-gpu) for core: the project's own install when there is one, else the build that
 * `polymodal setup tensorflow` left in the Polymodal cache. A cached build carries its own copy of @tensorflow/tfjs,
 * but the backend must register with the project's copy (one engine, one kernel registry, one Tensor class), so
 * requests for @tensorflow/tfjs* made from inside the cache folder are answered with the project's packages.
 *
 * TensorFlow prints C++ log lines (oneDNN, cpu_feature_guard, absl) when its library loads: quiet unless
 * POLYMODAL_TF_LOGS is set (TF_CPP_MIN_LOG_LEVEL=2, and for a cached build stderr silenced while it loads, see
 * quiet-stderr.ts).
 */
import { createRequire } from 'node:module';
import Module from 'node:module';
import { dirname, join, sep } from 'node:path';
import { cachedBuilds, NATIVE_PACKAGE, type NativeFlavour } from './paths.js';
import { QUIET_ADDON, withQuietStderr } from './quiet-stderr.js';

const requireHere = createRequire(import.meta.url);

export interface LoadedNative {
  /** The tfjs-node module. */
  readonly module: unknown;
  /** 'project' (resolved from the project) or the cache folder it was loaded from. */
  readonly from: string;
}

/** Sets TensorFlow's log level before the library loads (a value the user set is kept). */
export function quietTensorflowLogs(env: NodeJS.ProcessEnv = process.env): void {
  if (env['POLYMODAL_TF_LOGS']) return;
  env['TF_CPP_MIN_LOG_LEVEL'] ??= '2';
}

function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND';
}

type Resolver = (request: string, parent: { filename?: string | null } | undefined, ...rest: unknown[]) => string;
const redirected = new Set<string>();

/**
 * Makes `require('@tensorflow/tfjs...')` from files under `folder` resolve to the project's copies (those this
 * package resolves: its peer @tensorflow/tfjs and what that depends on). Node has no public synchronous resolve
 * hook for CommonJS before Node 22, hence the wrapper around Module._resolveFilename, limited to those requests.
 */
function shareProjectTfjs(folder: string): void {
  if (redirected.has(folder)) return;
  const tfjsEntry = requireHere.resolve('@tensorflow/tfjs');
  const requireFromTfjs = createRequire(tfjsEntry);
  const internals = Module as unknown as { _resolveFilename: Resolver };
  const original = internals._resolveFilename;
  const inside = folder.endsWith(sep) ? folder : folder + sep;
  internals._resolveFilename = function resolveSharedTfjs(request, parent, ...rest) {
    if (request.startsWith('@tensorflow/tfjs') && !request.startsWith('@tensorflow/tfjs-node') && parent?.filename?.startsWith(inside)) {
      try {
        return request === '@tensorflow/tfjs' ? tfjsEntry : requireFromTfjs.resolve(request);
      } catch {
        // Not in the project (e.g. a test-only subpath): the cache's own copy.
      }
    }
    return original.call(this, request, parent, ...rest);
  };
  redirected.add(folder);
}

/**
 * tfjs-node for `flavour`: undefined when neither the project nor the cache has it (with the reason), the Error
 * when one was found but failed to load (missing libraries, a build for another TensorFlow).
 */
export function loadTfjsNode(flavour: NativeFlavour, env: NodeJS.ProcessEnv = process.env): LoadedNative | Error | undefined {
  const pkg = NATIVE_PACKAGE[flavour];
  quietTensorflowLogs(env);
  try {
    return { module: requireHere(pkg), from: 'project' };
  } catch (error) {
    if (!isNotFound(error) || !String((error as Error).message).includes(pkg)) return error instanceof Error ? error : new Error(String(error));
  }
  for (const { folder } of cachedBuilds(flavour, env)) {
    const entry = join(folder, 'node_modules', ...pkg.split('/'));
    shareProjectTfjs(folder);
    const load = () => createRequire(join(folder, 'package.json'))(pkg) as unknown;
    try {
      const module = env['POLYMODAL_TF_LOGS'] ? load() : withQuietStderr(join(entry, 'lib', 'napi-v8', QUIET_ADDON), load);
      return { module, from: folder };
    } catch (error) {
      return new Error(`${pkg} built in ${dirname(dirname(entry))} failed to load: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return undefined;
}
