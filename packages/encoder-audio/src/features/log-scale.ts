import type { FeatureOptions } from './feature-options.js';

/** The log compression of a spectrogram: feature options' `log` with its parameters. */
export type LogCompression = Pick<FeatureOptions, 'log' | 'ref' | 'amin' | 'topDb' | 'logOffset'>;

/** power_to_db's subtrahend: 10 log10(max(amin, ref)). */
export function dbOffset(ref: number, amin: number): number {
  return 10 * Math.log10(Math.max(amin, ref));
}

/** librosa's `power_to_db(S, ref, amin, top_db)` in place: 10 log10(max(amin, S) / max(amin, ref)), floored at max - topDb. */
export function powerToDb(values: Float64Array, ref: number, amin: number, topDb: number | null): void {
  const offset = dbOffset(ref, amin);
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const db = 10 * Math.log10(Math.max(amin, values[i])) - offset;
    values[i] = db;
    if (db > max) max = db;
  }
  if (topDb === null) return;
  const floor = max - topDb;
  for (let i = 0; i < values.length; i++) if (values[i] < floor) values[i] = floor;
}

/** ln(S + offset) in place (the "log offset" compression many speech models use). */
export function logWithOffset(values: Float64Array, offset: number): void {
  for (let i = 0; i < values.length; i++) values[i] = Math.log(values[i] + offset);
}

/** `compression` applied in place (the scalar path; the SIMD kernels apply it in their memory). */
export function compress(values: Float64Array, compression: LogCompression): void {
  if (compression.log === 'db') powerToDb(values, compression.ref, compression.amin, compression.topDb);
  else if (compression.log === 'log') logWithOffset(values, compression.logOffset);
}
