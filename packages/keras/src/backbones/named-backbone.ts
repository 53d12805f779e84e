import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { didYouMean, PolymodalError } from '@polymodal/core';
import { kerasToTfjsTopology } from '../read/keras-topology.js';
import { buildModel, readLegacyWeightsFile } from '../read/load-keras-model.js';
import { polymodalCacheDir } from './cache-dir.js';
import { describeChecksum, expectedDigest, fileDigest } from './checksum.js';
import { downloadFile } from './download.js';
import { withPreprocessing } from './preprocessing.js';
import { BACKBONES, DEFAULT_BACKBONE_BASE_URL, type BackboneEntry } from './registry.js';

export interface NamedBackboneOptions {
  /** The images' [height, width, channels]; the bundled architectures take any size. */
  inputShape: [number, number, number];
  /** Default: POLYMODAL_CACHE, else $XDG_CACHE_HOME/polymodal, else ~/.cache/polymodal. Files go to `<cache>/backbones/<name>/`. */
  cacheDir?: string;
  /** Default: POLYMODAL_BACKBONE_BASE_URL, else keras.applications' address. */
  baseUrl?: string;
  /** Never download (also with POLYMODAL_OFFLINE=1): a file not in the cache is an error that says where to put it. */
  offline?: boolean;
  /** Progress bar on stderr; default: when stderr is a terminal. */
  progress?: boolean;
  /** For tests: another registry, architecture folder, fetch, warning sink. */
  registry?: ReadonlyMap<string, BackboneEntry>;
  architectureDir?: string;
  fetch?: typeof fetch;
  warn?: (line: string) => void;
}

// Two folders up from src/backbones and from dist/backbones alike.
const ARCHITECTURE_DIR = fileURLToPath(new URL('../../architectures', import.meta.url));

/** Whether a string names a registered backbone (rather than a file). */
export function isBackboneName(value: string, registry: ReadonlyMap<string, BackboneEntry> = BACKBONES): boolean {
  return registry.has(value);
}

export function backboneEntry(name: string, registry: ReadonlyMap<string, BackboneEntry> = BACKBONES): BackboneEntry {
  const entry = registry.get(name);
  if (!entry) {
    throw new PolymodalError(`unknown backbone "${name}".${didYouMean(name, [...registry.keys()])}`, { hint: `Named backbones: ${[...registry.keys()].join(', ')}.`, exitCode: 2 });
  }
  return entry;
}

/**
 * A named backbone as a tfjs LayersModel taking [0, 1] images of `inputShape` (its own preprocessing is its first
 * layer), its weights downloaded once into the cache.
 */
export async function loadNamedBackbone(name: string, options: NamedBackboneOptions): Promise<{ model: tf.LayersModel; entry: BackboneEntry }> {
  const entry = backboneEntry(name, options.registry);
  if (options.inputShape[2] !== 3) {
    throw new PolymodalError(`backbone "${name}" takes RGB images (3 channels), not ${options.inputShape[2]}`, { hint: 'Set options.channels to 3.', exitCode: 2 });
  }
  const weightsPath = await backboneWeights(entry, options);
  const architecture = JSON.parse(gunzipSync(readFileSync(join(options.architectureDir ?? ARCHITECTURE_DIR, `${entry.architecture}.json.gz`))).toString('utf8'));
  const translated = kerasToTfjsTopology(architecture, `${entry.architecture} architecture`, { inputShape: options.inputShape });
  const { topology, weights: fixed } = withPreprocessing(translated, entry.preprocessing);
  const weights = await readLegacyWeightsFile(weightsPath);
  const model = await buildModel(topology, weights, weightsPath, { byOrder: entry.match === 'order', fixed });
  return { model, entry };
}

/** The cached weights file of a backbone, downloaded first if missing; a cached file is checked against its checksum. */
export async function backboneWeights(entry: BackboneEntry, options: Omit<NamedBackboneOptions, 'inputShape'> = {}): Promise<string> {
  const target = join(options.cacheDir ?? polymodalCacheDir(), 'backbones', entry.name, entry.weights.name);
  const what = `the weights of backbone "${entry.name}"`;
  if (existsSync(target)) {
    const expected = expectedDigest(entry.weights.checksum);
    if (expected !== null && (await fileDigest(target, entry.weights.checksum)) !== expected) {
      throw new PolymodalError(`${what}: the cached file ${target} does not match its checksum (${describeChecksum(entry.weights.checksum)})`, {
        hint: 'Delete it to download it again, or replace it with a good copy.',
        exitCode: 1,
      });
    }
    return target;
  }
  const base = options.baseUrl ?? process.env.POLYMODAL_BACKBONE_BASE_URL ?? DEFAULT_BACKBONE_BASE_URL;
  const url = new URL(entry.weights.path, base.endsWith('/') ? base : `${base}/`).href;
  if (options.offline ?? process.env.POLYMODAL_OFFLINE === '1') {
    throw new PolymodalError(`${what}: ${target} is not in the cache and downloads are off (offline)`, {
      hint: `Download ${url} elsewhere and place it at ${target} (${describeChecksum(entry.weights.checksum)}).`,
      exitCode: 1,
    });
  }
  await downloadFile(url, target, { checksum: entry.weights.checksum, what, fetch: options.fetch, progress: options.progress });
  if (entry.weights.checksum === 'unverified') {
    const sha256 = await fileDigest(target, { sha256: '' });
    (options.warn ?? ((line) => process.stderr.write(`${line}\n`)))(
      `warning: ${what}: no checksum is published for ${url}; kept it unverified at ${target} (sha256 ${sha256}). Compare it with a trusted copy.`,
    );
  }
  return target;
}
