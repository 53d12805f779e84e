/**
 * The SIMD kernels module for a shared heap. tfjs's threaded build (threaded-backend.ts) gives its heap as a shared
 * WebAssembly.Memory (maximum 4 GiB), and an instance may import a shared memory only when its import is declared
 * shared, with a maximum. The kernels do plain loads and stores, no atomics: they run on the JavaScript thread
 * between XNNPACK's parallel calls, never beside them, so the same code is valid on either memory. Rewriting the
 * one import's limits keeps a single AssemblyScript source and build (tools/build-simd-kernels.mjs) for both.
 */

/** WebAssembly's 64 KiB pages in 4 GiB: the maximum of tfjs's threaded memory, which the import must allow. */
const MAX_PAGES = 65536;
const IMPORT_SECTION = 2;
const MEMORY_KIND = 2;
const LIMITS_SHARED_WITH_MAX = 0x03;

function readU32(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let p = at;
  for (;;) {
    const b = bytes[p++];
    value += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) return { value, next: p };
    shift += 7;
  }
}

function u32(value: number): number[] {
  const out: number[] = [];
  let v = value;
  do {
    const b = v % 128;
    v = Math.floor(v / 128);
    out.push(v > 0 ? b | 0x80 : b);
  } while (v > 0);
  return out;
}

function skipName(bytes: Uint8Array, at: number): number {
  const { value, next } = readU32(bytes, at);
  return next + value;
}

/** The import section's payload with the memory import's limits made shared, maximum 4 GiB. */
function sharedImports(bytes: Uint8Array, start: number, end: number): number[] {
  const { value: count, next } = readU32(bytes, start);
  if (count !== 1) throw new Error(`simd kernels: expected one import (the memory), found ${count}`);
  const kindAt = skipName(bytes, skipName(bytes, next));
  if (bytes[kindAt] !== MEMORY_KIND) throw new Error('simd kernels: the one import is not a memory');
  const flags = bytes[kindAt + 1];
  if (flags & 0x02) return [...bytes.subarray(start, end)]; // already shared
  const min = readU32(bytes, kindAt + 2);
  const afterLimits = flags & 0x01 ? readU32(bytes, min.next).next : min.next;
  if (afterLimits !== end) throw new Error('simd kernels: unexpected bytes after the memory import');
  return [...bytes.subarray(start, kindAt + 1), LIMITS_SHARED_WITH_MAX, ...u32(min.value), ...u32(MAX_PAGES)];
}

/** `bytes` (a module whose only import is its memory) with that import declared shared, maximum 4 GiB. */
export function withSharedMemoryImport(bytes: Uint8Array): Uint8Array {
  const out: number[] = [...bytes.subarray(0, 8)];
  let p = 8;
  let rewritten = false;
  while (p < bytes.length) {
    const id = bytes[p];
    const { value: size, next } = readU32(bytes, p + 1);
    const end = next + size;
    if (id === IMPORT_SECTION) {
      const payload = sharedImports(bytes, next, end);
      out.push(id, ...u32(payload.length), ...payload);
      rewritten = true;
    } else {
      out.push(...bytes.subarray(p, end));
    }
    p = end;
  }
  if (!rewritten) throw new Error('simd kernels: the module has no import section (it must import its memory)');
  return Uint8Array.from(out);
}
