import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, posix, win32 } from 'node:path';
import { PolymodalError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

/**
 * Saves and loads a tfjs LayersModel as model.json + weights.bin in a folder, on any backend
 * (tfjs's own file:// handler exists only in tfjs-node). Each file is written whole or not at all.
 */
export function fileSystemHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error('fileSystemHandler saves layers models only (binary topologies are not supported)');
      }
      await mkdir(dir, { recursive: true });
      const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const manifest: tf.io.WeightsManifestConfig = [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }];
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        weightsManifest: manifest,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      await writeFileAtomic(join(dir, WEIGHTS_BIN), new Uint8Array(weights));
      await writeFileAtomic(join(dir, MODEL_JSON), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    load: () => loadModelArtifacts((path) => readFile(join(dir, path))),
  };
}

/**
 * Where a weights file named in model.json lies, relative to the model folder. Paths come from a file anyone
 * may have written, so they must stay inside the folder: no absolute paths, no `..`, no URLs.
 */
export function confinedWeightPath(path: unknown): string {
  const text = String(path);
  const normalized = posix.normalize(text.replace(/^(\.\/)+/, ''));
  if (typeof path !== 'string' || text === '' || text.includes('\0') || text.includes('\\') || /^[a-z][a-z0-9+.-]*:/i.test(text) ||
    posix.isAbsolute(normalized) || win32.isAbsolute(text) || normalized === '..' || normalized.startsWith('../') || normalized === '.') {
    throw new PolymodalError(`model.json names the weights file ${JSON.stringify(text)}, which is not inside the model folder`, {
      hint: 'A model folder\'s weights must be files in its model/ folder; this folder was damaged or crafted. Train the model again.',
      exitCode: 2,
    });
  }
  return normalized;
}

/** A model's artifacts from model.json and its weight files, read through `read` (paths relative to the model folder). */
export async function loadModelArtifacts(read: (relativePath: string) => Promise<Uint8Array>): Promise<tf.io.ModelArtifacts> {
  const modelJson = JSON.parse(Buffer.from(await read(MODEL_JSON)).toString('utf8')) as tf.io.ModelJSON;
  return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const buffers = await Promise.all(
      manifest.flatMap((group) => group.paths).map(async (path) => {
        const bytes = await read(confinedWeightPath(path));
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      }),
    );
    return [manifest.flatMap((group) => group.weights), tf.io.CompositeArrayBuffer.join(buffers)];
  });
}

const FILE_SCHEME = 'file://';

// tfjs's IORouter type says a handler is always returned, but its registry skips routers that return null.
const fileRouter = ((url: string | string[]) => {
  if (Array.isArray(url) || !url.startsWith(FILE_SCHEME)) return null;
  return fileSystemHandler(url.slice(FILE_SCHEME.length));
}) as Parameters<typeof tf.io.registerSaveRouter>[0];

/** Lets `model.save('file://dir')` work on wasm and cpu; tfjs-node has its own router and tfjs throws on two. */
export function registerFileRouterIfMissing(): void {
  if (tf.io.getSaveHandlers(`${FILE_SCHEME}probe`).length > 0) return;
  tf.io.registerSaveRouter(fileRouter);
  tf.io.registerLoadRouter(fileRouter);
}
