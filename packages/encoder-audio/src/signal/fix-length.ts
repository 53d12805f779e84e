/**
 * A signal cut or zero-padded to `length` samples: longer signals keep the window starting at `start` (centre
 * crop: (n - length) / 2, random crop in training: anywhere), shorter ones are padded with zeros at the end
 * (librosa's `fix_length`).
 */
export function fixLength(signal: Float32Array, length: number, start: number): Float32Array {
  if (signal.length === length) return signal;
  if (signal.length > length) return signal.slice(start, start + length);
  const out = new Float32Array(length);
  out.set(signal);
  return out;
}

/** The centre crop's start (0 when the signal is not longer than `length`). */
export function centreStart(samples: number, length: number): number {
  return Math.max(0, Math.floor((samples - length) / 2));
}

/** A crop start from a uniform draw in [0, 1). */
export function randomStart(samples: number, length: number, draw: number): number {
  return Math.max(0, Math.min(samples - length, Math.floor(draw * (samples - length + 1))));
}
