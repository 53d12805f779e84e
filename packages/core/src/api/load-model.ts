import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ARTIFACT_FILES, ARTIFACT_FORMAT, type ArtifactMeta, type PreprocessingState } from '../artifacts/artifact.js';
import { fileSystemHandler } from '../backend/fs-io-handler.js';
import { selectBackend, type BackendInfo } from '../backend/select-backend.js';
import { LabelCodec } from '../data/labels.js';
import { PolymodalError } from '../errors.js';
import { type LoadedManifest, resolveManifestValue } from '../manifest/load-manifest.js';
import type { BackendName, Manifest } from '../manifest/types.js';
import type { FittedInput } from '../model/fitted-input.js';
import type { PolymodalPlugin } from '../plugin/contracts.js';
import { pluginModuleOf } from '../plugin/plugin-modules.js';
import { inputSpecs } from '../pipeline/prepare-data.js';
import type { Reporter } from '../training/reporter.js';
import { silentReporter } from '../training/reporter.js';

export interface LoadModelOptions {
  backend?: BackendName;
  reporter?: Reporter;
  plugins?: readonly PolymodalPlugin[];
}

/** A trained model folder, restored: the tfjs model, fitted preprocessors and label codec. */
export interface LoadedModel {
  readonly dir: string;
  readonly meta: ArtifactMeta;
  readonly manifest: Manifest;
  readonly loaded: LoadedManifest;
  readonly model: tf.LayersModel;
  /** Preprocessors restored for data in `dataDir` (relative paths inside cells resolve from there). */
  inputsFor(dataDir: string): FittedInput[];
  readonly labels: LabelCodec;
  readonly backend: BackendInfo;
}

async function readJson<T>(path: string, what: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new PolymodalError(`${dirname(path)}: not a Polymodal model folder (no ${what})`, {
      hint: 'Give the folder that `polymodal train` wrote (it holds polymodal.json, model/ and preprocessing.json).',
      exitCode: 2,
    });
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new PolymodalError(`${path}: corrupt ${what} (${(error as Error).message})`, { hint: 'Train the model again.' });
  }
}

/** Restores a model folder in a fresh process: plugins resolve from the folder, then from the working directory. */
export async function loadModel(dir: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const reporter = options.reporter ?? silentReporter;
  const absolute = resolve(dir);
  const meta = await readJson<ArtifactMeta>(join(absolute, ARTIFACT_FILES.meta), ARTIFACT_FILES.meta);
  if (meta.format !== ARTIFACT_FORMAT) {
    const looksLikeManifest = (meta as unknown as { version?: unknown; inputs?: unknown }).inputs !== undefined;
    throw new PolymodalError(`${absolute}: ${ARTIFACT_FILES.meta} is not a Polymodal model description${looksLikeManifest ? ' (it is a manifest: this is a project folder)' : ''}`, {
      hint: `Give the model folder that \`polymodal train\` wrote (by default ${join('runs', '<name>')} beside the manifest, or its --out).`,
      exitCode: 2,
    });
  }
  const manifestJson = await readJson<Manifest>(join(absolute, ARTIFACT_FILES.manifest), ARTIFACT_FILES.manifest);
  const preprocessing = await readJson<PreprocessingState>(join(absolute, ARTIFACT_FILES.preprocessing), ARTIFACT_FILES.preprocessing);
  const loaded = await resolveManifestValue(manifestJson, join(absolute, ARTIFACT_FILES.manifest), {
    plugins: options.plugins,
    pluginSearchDirs: [process.cwd()],
  });
  for (const locked of meta.plugins) {
    const installed = loaded.registry.list().find((p) => p.name === locked.name);
    if (installed && installed.version.split('.')[0] !== locked.version.split('.')[0]) {
      reporter.event({ type: 'warning', message: `${locked.name} ${installed.version} is installed; the model was built with ${locked.version}` });
    }
  }
  const backend = await selectBackend(options.backend ?? 'auto');
  const manifest = loaded.resolved.manifest;
  const inputsFor = (dataDir: string) => inputSpecs(manifest, dataDir, meta.manifestDir ?? absolute).map((spec): FittedInput => {
    const encoder = loaded.registry.encoder(spec.encoder);
    const state = preprocessing.inputs[spec.name];
    if (state === undefined) throw new PolymodalError(`${absolute}: ${ARTIFACT_FILES.preprocessing} has no state for input "${spec.name}"`);
    const module = pluginModuleOf(loaded.registry.providerOf(spec.encoder)!);
    return { spec, encoder, preprocessor: encoder.createPreprocessor(spec, state), module };
  });
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(fileSystemHandler(join(absolute, ARTIFACT_FILES.model)));
  } catch (error) {
    throw new PolymodalError(`${join(absolute, ARTIFACT_FILES.model)}: cannot load the model (${(error as Error).message})`, {
      hint: 'The folder may be incomplete or from an incompatible version; train again.',
      cause: error,
    });
  }
  return { dir: absolute, meta, manifest, loaded, model, inputsFor, labels: LabelCodec.restore(preprocessing.labels), backend };
}
