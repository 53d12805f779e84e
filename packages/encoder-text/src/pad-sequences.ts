/**
 * Keras-compatible `pad_sequences` (`keras.preprocessing.sequence.pad_sequences`, also
 * `keras.utils.pad_sequences`), in pure TypeScript.
 *
 * The result is one flat row-major typed array of `n * maxlen` values plus its shape, ready for
 * `tf.tensor2d(result.data, result.shape, result.dtype)` without a copy of nested arrays.
 * Row `i` is `result.data.subarray(i * maxlen, (i + 1) * maxlen)`.
 */

/** Element type of the padded matrix. */
export type PadSequencesDType = 'int32' | 'float32';

/** Options of {@link padSequences}; names and defaults follow Keras. */
export interface PadSequencesOptions<D extends PadSequencesDType = PadSequencesDType> {
  /** Length of every row. Default: the length of the longest sequence (0 when there are none). */
  maxlen?: number | null;
  /** Where to pad shorter sequences. Default 'pre'. */
  padding?: 'pre' | 'post';
  /** Where to cut longer sequences: 'pre' keeps the last `maxlen` values, 'post' the first. Default 'pre'. */
  truncating?: 'pre' | 'post';
  /** Padding value, cast to `dtype` (for int32: truncated toward zero). Default 0. */
  value?: number;
  /** Element type. Default 'int32'. */
  dtype?: D;
}

/** A padded `[numSequences, maxlen]` matrix in row-major order. */
export interface PaddedSequences<D extends PadSequencesDType = PadSequencesDType> {
  data: D extends 'float32' ? Float32Array : Int32Array;
  shape: [number, number];
  dtype: D;
}

/**
 * Pads / truncates every sequence to the same length (Keras `pad_sequences`).
 *
 * Values are converted as NumPy's `astype` does for in-range numbers: int32 truncates toward zero,
 * float32 rounds to single precision. Empty sequences become rows of `value`.
 */
export function padSequences(
  sequences: ReadonlyArray<ArrayLike<number>>,
  options?: PadSequencesOptions<'int32'>,
): PaddedSequences<'int32'>;
export function padSequences(
  sequences: ReadonlyArray<ArrayLike<number>>,
  options: PadSequencesOptions<'float32'> & { dtype: 'float32' },
): PaddedSequences<'float32'>;
export function padSequences(
  sequences: ReadonlyArray<ArrayLike<number>>,
  options?: PadSequencesOptions,
): PaddedSequences;
export function padSequences(
  sequences: ReadonlyArray<ArrayLike<number>>,
  options: PadSequencesOptions = {},
): PaddedSequences {
  const { padding = 'pre', truncating = 'pre', value = 0, dtype = 'int32' } = options;
  if (!Array.isArray(sequences)) throw new TypeError('sequences must be an array of sequences');
  if (padding !== 'pre' && padding !== 'post') throw new TypeError(`padding type "${String(padding)}" not understood`);
  if (truncating !== 'pre' && truncating !== 'post') {
    throw new TypeError(`truncating type "${String(truncating)}" not understood`);
  }
  if (dtype !== 'int32' && dtype !== 'float32') throw new TypeError(`dtype must be 'int32' or 'float32', got ${String(dtype)}`);
  if (typeof value !== 'number' || (dtype === 'int32' && !Number.isFinite(value))) {
    throw new TypeError(`value must be a ${dtype === 'int32' ? 'finite ' : ''}number, got ${String(value)}`);
  }

  // keras: `lengths.append(len(x))` for every x, ValueError for non-sequences
  const n = sequences.length;
  let longest = 0;
  for (let i = 0; i < n; i++) {
    const s = sequences[i] as ArrayLike<number> | null | undefined;
    if (s == null || typeof s !== 'object' || typeof s.length !== 'number') {
      throw new TypeError(`sequences must be a list of sequences; found non-sequence at position ${i}`);
    }
    if (s.length > longest) longest = s.length;
  }
  // keras: `if maxlen is None: maxlen = np.max(lengths)`
  const maxlen = options.maxlen ?? longest;
  if (!Number.isSafeInteger(maxlen) || maxlen < 0) {
    throw new RangeError(`maxlen must be a non-negative integer, got ${String(maxlen)}`);
  }

  // keras: `x = np.full((num_samples, maxlen), value, dtype=dtype)`
  const data = dtype === 'float32' ? new Float32Array(n * maxlen) : new Int32Array(n * maxlen);
  if (value !== 0) data.fill(value);

  for (let idx = 0; idx < n; idx++) {
    const s = sequences[idx];
    const len = s.length;
    // keras: `if not len(s): continue`
    if (len === 0) continue;
    // keras: truncating 'pre' -> `trunc = s[-maxlen:]`, 'post' -> `trunc = s[:maxlen]`
    const count = Math.min(len, maxlen);
    const start = truncating === 'pre' ? len - count : 0;
    // keras: padding 'post' -> `x[idx, :len(trunc)] = trunc`, 'pre' -> `x[idx, -len(trunc):] = trunc`
    const offset = idx * maxlen + (padding === 'post' ? 0 : maxlen - count);
    for (let k = 0; k < count; k++) data[offset + k] = s[start + k];
  }
  return { data, shape: [n, maxlen], dtype };
}
