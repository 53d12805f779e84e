import * as tf from '@tensorflow/tfjs';
import { PolymodalError } from '../errors.js';
import type { BackendName } from '../manifest/types.js';
import { registerFileRouterIfMissing } from './fs-io-handler.js';
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
}

const NODE_PACKAGE: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

async function activate(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`tfjs could not initialise the ${name} backend`);
  await tf.ready();
}

async function useNode(name: 'tensorflow-gpu' | 'tensorflow', required: boolean): Promise<BackendInfo | string> {
  const pkg = NODE_PACKAGE[name];
  const loaded = await tryImport(pkg);
  if (loaded === undefined || loaded instanceof Error) {
    const why = loaded instanceof Error ? `is installed but failed to load: ${loaded.message.split('\n')[0]}` : 'is not installed';
    if (!required) return `${pkg} ${why}`;
    throw new PolymodalError(`backend "${name}" needs ${pkg}, which ${why}`, {
      hint: `Run \`npm install ${pkg}@4.22.0\` (see "GPU and native backends" in the README for offline installs), or use --backend wasm.`,
      exitCode: 2,
    });
  }
  await activate('tensorflow');
  const backend = tf.backend() as { isUsingGpuDevice?: boolean };
  const gpu = backend.isUsingGpuDevice === true;
  const notes: string[] = [];
  if (name === 'tensorflow-gpu' && !gpu) {
    notes.push(
      `${pkg} loaded but TensorFlow found no usable GPU and runs on the CPU. tfjs-node-gpu 4.22 needs CUDA 11.2 and cuDNN 8.1 ` +
        '(libcudart.so.11.0 on the library path); other CUDA versions fall back to the CPU silently.',
    );
  }
  registerFileRouterIfMissing();
  return { name, tfjsBackend: 'tensorflow', gpu, notes };
}

async function useWasm(): Promise<BackendInfo> {
  const loaded = await tryImport('@tensorflow/tfjs-backend-wasm');
  if (loaded === undefined || loaded instanceof Error) {
    throw new PolymodalError('backend "wasm" needs @tensorflow/tfjs-backend-wasm, which is not installed', {
      hint: 'Run `npm install @tensorflow/tfjs-backend-wasm@4.22.0`.',
      exitCode: 2,
    });
  }
  await activate('wasm');
  const notes = await loadWasmBackendExtensions();
  registerFileRouterIfMissing();
  return { name: 'wasm', tfjsBackend: 'wasm', gpu: false, notes };
}

/** Makes the requested backend active. `auto` prefers tfjs-node-gpu, then tfjs-node, then wasm. */
export async function selectBackend(requested: BackendName): Promise<BackendInfo> {
  switch (requested) {
    case 'cpu':
      await activate('cpu');
      registerFileRouterIfMissing();
      return { name: 'cpu', tfjsBackend: 'cpu', gpu: false, notes: [] };
    case 'wasm':
      return useWasm();
    case 'tensorflow':
    case 'tensorflow-gpu':
      return (await useNode(requested, true)) as BackendInfo;
    case 'auto': {
      const skipped: string[] = [];
      for (const name of ['tensorflow-gpu', 'tensorflow'] as const) {
        const result = await useNode(name, false);
        if (typeof result !== 'string') {
          if (name === 'tensorflow-gpu' && !result.gpu) continue;
          return result;
        }
        if (!result.endsWith('is not installed')) skipped.push(result);
      }
      const info = await useWasm();
      return { ...info, notes: [...skipped, ...info.notes] };
    }
  }
}
