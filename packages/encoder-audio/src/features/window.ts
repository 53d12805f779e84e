export type WindowName = 'hann' | 'hamming' | 'blackman' | 'rectangular';

/**
 * A periodic window of `length` samples (scipy's `get_window(name, length, fftbins=True)`, as librosa uses),
 * zero-padded on both sides to `size` like librosa's `pad_center` when `length < size`.
 */
export function analysisWindow(name: WindowName, length: number, size: number): Float64Array {
  if (length > size) throw new RangeError(`window length ${length} is longer than the FFT size ${size}`);
  const window = new Float64Array(size);
  const left = Math.floor((size - length) / 2);
  for (let i = 0; i < length; i++) {
    const phase = (2 * Math.PI * i) / length;
    window[left + i] =
      name === 'hann' ? 0.5 - 0.5 * Math.cos(phase)
        : name === 'hamming' ? 0.54 - 0.46 * Math.cos(phase)
          : name === 'blackman' ? 0.42 - 0.5 * Math.cos(phase) + 0.08 * Math.cos(2 * phase)
            : 1;
  }
  return window;
}
