// HDF5 access through h5wasm's Node build, shared by the reader and the writer. That build opens real paths only
// (its file system is Node's own), so bytes (a .keras archive's model.weights.h5) go through a private temp file.
// h5wasm (a 15 MB package with a wasm build of libhdf5) loads on first use, not when a plugin imports this package.
import type h5wasmModule from 'h5wasm/node';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type H5Wasm = typeof h5wasmModule;
export type H5File = InstanceType<H5Wasm['File']>;
export type H5Group = InstanceType<H5Wasm['Group']>;
export type H5Dataset = InstanceType<H5Wasm['Dataset']>;

let loaded: H5Wasm | undefined;

/** h5wasm, loaded and initialised once. Every file object comes from here, so the sync helpers below find it set. */
async function h5(): Promise<H5Wasm> {
  if (!loaded) {
    const module = (await import('h5wasm/node')).default;
    await module.ready;
    loaded = module;
  }
  return loaded;
}

/** A float32 array and its shape, row-major (HDF5's and tfjs's order). */
export interface FloatArray {
  shape: number[];
  values: Float32Array;
}

/** The first bytes of every HDF5 file. */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export function isHdf5(bytes: Uint8Array): boolean {
  return HDF5_SIGNATURE.every((byte, i) => bytes[i] === byte);
}

/** Opens `path` read-only, runs `read` and closes the file, also when `read` throws. */
export async function readH5<T>(path: string, read: (file: H5File) => T): Promise<T> {
  const h5wasm = await h5();
  const file = new h5wasm.File(path, 'r');
  try {
    return read(file);
  } finally {
    file.close();
  }
}

/** Like readH5, for HDF5 bytes held in memory. */
export async function readH5Bytes<T>(bytes: Uint8Array, read: (file: H5File) => T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-h5-'));
  try {
    const path = join(dir, 'file.h5');
    writeFileSync(path, bytes);
    return await readH5(path, read);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Creates a new HDF5 file, lets `write` fill it, and returns its bytes (nothing is left on disk). */
export async function writeH5Bytes(write: (file: H5File) => void): Promise<Uint8Array> {
  const h5wasm = await h5();
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-h5-'));
  try {
    const path = join(dir, 'file.h5');
    const file = new h5wasm.File(path, 'w');
    try {
      write(file);
    } finally {
      file.close();
    }
    return new Uint8Array(readFileSync(path));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The group at `path` below `parent`, or null when there is none (or it is not a group). */
export function groupAt(parent: H5Group, path: string): H5Group | null {
  const entity = parent.get(path);
  return entity instanceof loaded!.Group ? entity : null;
}

/** The dataset at `path` below `parent`, or null. */
export function datasetAt(parent: H5Group, path: string): H5Dataset | null {
  const entity = parent.get(path);
  return entity instanceof loaded!.Dataset ? entity : null;
}

/** A string attribute (h5py writes them as fixed or variable-length strings, sometimes as bytes). */
export function stringAttribute(entity: H5Group | H5Dataset, name: string): string | undefined {
  const attribute = entity.attrs[name];
  if (!attribute) return undefined;
  const value = attribute.value;
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
}

/** A list-of-strings attribute (Keras's layer_names, weight_names); [] when absent. */
export function stringListAttribute(entity: H5Group | H5Dataset, name: string): string[] {
  const attribute = entity.attrs[name];
  if (!attribute) return [];
  const value = attribute.value;
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.map((v) => (v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v))) : [];
}

/** A floating-point dataset as float32 (float64 is narrowed); throws for other element types. */
export function readFloatDataset(dataset: H5Dataset): FloatArray {
  const value = dataset.value;
  const shape = dataset.shape ?? [];
  if (value instanceof Float32Array) return { shape, values: value };
  if (value instanceof Float64Array) return { shape, values: Float32Array.from(value) };
  if (typeof value === 'number') return { shape, values: Float32Array.of(value) };
  throw new Error(`dataset ${dataset.path} holds ${JSON.stringify(dataset.dtype)} values, not float32 or float64`);
}

/** Writes a float32 dataset at `name` in `group` (the writer's counterpart of readFloatDataset). */
export function writeFloatDataset(group: H5Group, name: string, array: FloatArray): H5Dataset {
  return group.create_dataset({ name, data: array.values, shape: array.shape, dtype: '<f' });
}
