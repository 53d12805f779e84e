/**
 * Which build of the SIMD kernels runs: the relaxed-SIMD one, whose products (GEMMs, the convolutions, the LSTM's
 * matrix products) use fused multiply-adds (f32x4.relaxed_madd: one vfmadd on x86 with FMA3), or the SIMD-only one.
 * On the 2-core AMD EPYC machine the fused build takes 0.75-0.9x the time of the other on the seed model's products
 * (bench/seed/simd-builds.bench.ts). Relaxed SIMD is a finished WebAssembly feature, unflagged from V8 11.4 (Node 22);
 * Node 20's V8 11.3 implements it behind --experimental-wasm-relaxed-simd, which is turned on here, once, for the
 * process (it only lets modules compiled afterwards use those instructions).
 *
 * POLYMODAL_WASM_RELAXED_SIMD: unset, the fused build where the runtime compiles it; 0, the SIMD-only build (the
 * products of earlier releases, bit for bit); 1, the fused build or an error. A fused multiply-add rounds once
 * where a multiply and an add round twice, so the two builds differ in the last bits; each repeats exactly.
 */
import v8 from 'node:v8';

export const RELAXED_SIMD_ENV = 'POLYMODAL_WASM_RELAXED_SIMD';

export type SimdBuild = 'relaxed-simd' | 'simd';

export interface SimdBuildChoice {
  readonly build: SimdBuild;
  /** Why the SIMD-only build runs; absent for the fused one. */
  readonly why?: string;
}

const validate = (bytes: Uint8Array): boolean => (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate(bytes);

/** Whether this runtime compiles `bytes` (a relaxed-SIMD module), turning on Node 20's V8 flag for it if needed. */
function compilesRelaxedSimd(bytes: Uint8Array): boolean {
  if (validate(bytes)) return true;
  try {
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return false;
  }
  return validate(bytes);
}

/** The build to run, from the environment and what the runtime compiles; throws on an invalid setting. */
export function chooseSimdBuild(relaxedBytes: Uint8Array, env: NodeJS.ProcessEnv = process.env): SimdBuildChoice {
  const setting = env[RELAXED_SIMD_ENV]?.trim() ?? '';
  if (setting !== '' && setting !== '0' && setting !== '1') {
    throw new Error(`${RELAXED_SIMD_ENV} must be 0 (SIMD only) or 1 (fused multiply-adds), got ${JSON.stringify(env[RELAXED_SIMD_ENV])}; unset it to choose by what this Node compiles`);
  }
  if (setting === '0') return { build: 'simd', why: `${RELAXED_SIMD_ENV}=0` };
  if (compilesRelaxedSimd(relaxedBytes)) return { build: 'relaxed-simd' };
  const why = `Node ${process.versions.node} (V8 ${process.versions.v8}) does not compile WebAssembly relaxed SIMD`;
  if (setting === '1') throw new Error(`${RELAXED_SIMD_ENV}=1 asks for the fused multiply-add kernels, but ${why}; unset it or set it to 0`);
  return { build: 'simd', why };
}
