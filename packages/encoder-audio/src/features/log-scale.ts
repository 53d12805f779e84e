/** librosa's `power_to_db(S, ref, amin, top_db)` in place: 10 log10(max(amin, S) / max(amin, ref)), floored at max - topDb. */
export function powerToDb(values: Float64Array, ref: number, amin: number, topDb: number | null): void {
  const offset = 10 * Math.log10(Math.max(amin, ref));
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
