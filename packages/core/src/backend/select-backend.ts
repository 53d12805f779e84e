import * as tf from '@tensorflow/tfjs';
import { PolymodalError } from '../errors.js';
import type { BackendName } from '../manifest/types.js';
import { registerFileRouterIfMissing } from './fs-io-handler.js';
import { loadNativeTfjs, registerTensorflowExtensions, tensorflowBackendPackage, type NativeFlavour } from './tensorflow-extensions.js';
import { tryImport } from './try-import.js';
import { loadWasmBackendExtensions } from './wasm-extensions.js';

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
}

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

async function useWasm(load: PackageImporter, reason: string): Promise<BackendInfo> {
  const loaded = await load('@tensorflow/tfjs-backend-wasm');
  if (loaded === undefined || loaded instanceof Error) {
    throw new PolymodalError('backend "wasm" needs @tensorflow/tfjs-backend-wasm, which is not installed', {
      hint: 'Run `npm install @tensorflow/tfjs-backend-wasm@4.22.0`.',
      exitCode: 2,
    });
  }
  await activate('wasm');
  const notes = await loadWasmBackendExtensions(load);
  registerFileRouterIfMissing();
  return { name: 'wasm', tfjsBackend: 'wasm', gpu: false, notes, reason };
}

/**
 * `auto`: tfjs-node-gpu when it loads and sees a GPU, then tfjs-node (each from the project, else from the build
 * `polymodal setup tensorflow` cached), then wasm. The reason says what was passed over and why.
 */
async function useAuto(load: PackageImporter): Promise<BackendInfo> {
  const passed: string[] = [];
  const notes: string[] = [];
  for (const name of ['tensorflow-gpu', 'tensorflow'] as const) {
    const attempt = await tryNode(name, load);
    if ('info' in attempt) {
      if (name === 'tensorflow-gpu' && !attempt.info.gpu) {
        passed.push(`${name}: ${NODE_PACKAGE[name]} sees no GPU`);
        continue;
      }
      return { ...attempt.info, notes: [...notes, ...attempt.info.notes], reason: `auto: ${[...passed, `chose ${name} (${attempt.info.reason})`].join('; ')}` };
    }
    passed.push(`${name}: ${attempt.skipped}`);
    // A package that is there but broken deserves a warning; one that is simply absent does not.
    if (attempt.installed) notes.push(attempt.skipped);
  }
  const info = await useWasm(load, '');
  return { ...info, notes: [...notes, ...info.notes], reason: `auto: ${passed.join('; ')}; chose wasm${passed.some((p) => p.includes('not installed')) ? ' (`polymodal setup tensorflow` builds the native backend)' : ''}` };
}

/** Makes the requested backend active. `auto` prefers tfjs-node-gpu (with a GPU), then tfjs-node, then wasm. */
export async function selectBackend(requested: BackendName, load: PackageImporter = tryImport): Promise<BackendInfo> {
  switch (requested) {
    case 'cpu':
      await activate('cpu');
      registerFileRouterIfMissing();
      return { name: 'cpu', tfjsBackend: 'cpu', gpu: false, notes: [], reason: 'requested' };
    case 'wasm':
      return useWasm(load, 'requested');
    case 'tensorflow':
    case 'tensorflow-gpu':
      return useNode(requested, load);
    case 'auto':
      return useAuto(load);
  }
}
