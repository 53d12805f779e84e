/**
 * Instances of this package's WebAssembly kernels (assembly/*.ts, built by tools/build-wasm-kernels.mjs): each
 * instance gets a memory of its own, which the caller lays out and grows. Modules are compiled once per thread.
 */

/** The WebAssembly API (the packages' TypeScript lib has no DOM types, where its declarations live). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
const PAGE = 65536;

const compiled = new Map<string, object>();

/** A new instance of the module `base64` holds, on a fresh memory of at least `bytes` bytes. */
export function instantiateKernels<Exports>(base64: string, bytes: number): { exports: Exports; memory: WasmMemory } {
  let module = compiled.get(base64);
  if (!module) {
    module = new WebAssembly.Module(Buffer.from(base64, 'base64'));
    compiled.set(base64, module);
  }
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)) });
  return { exports: new WebAssembly.Instance(module, { env: { memory } }).exports as Exports, memory };
}

/** Grows `memory` to at least `bytes` bytes (which detaches views of its old buffer). */
export function reserve(memory: WasmMemory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / PAGE));
}

/** Bump allocation of 16-byte aligned regions, from offset 0. */
export class MemoryLayout {
  end = 0;
  take(bytes: number): number {
    const at = this.end;
    this.end = Math.ceil((at + bytes) / 16) * 16;
    return at;
  }
}
