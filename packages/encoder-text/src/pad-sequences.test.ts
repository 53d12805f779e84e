// Expectations below are traced by hand through Keras's `pad_sequences`
// (keras/preprocessing/sequence.py, Keras 2.x; same body in keras.utils.pad_sequences):
//   lengths = [len(x) for x in sequences]; if maxlen is None: maxlen = np.max(lengths)
//   x = np.full((num_samples, maxlen), value, dtype=dtype)
//   for idx, s in enumerate(sequences):
//       if not len(s): continue
//       trunc = s[-maxlen:] if truncating == 'pre' else s[:maxlen]
//       trunc = np.asarray(trunc, dtype=dtype)
//       if padding == 'post': x[idx, :len(trunc)] = trunc
//       else:                 x[idx, -len(trunc):] = trunc
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { padSequences, type PaddedSequences } from './pad-sequences.js';

function rows(p: PaddedSequences): number[][] {
  const [n, maxlen] = p.shape;
  const out: number[][] = [];
  for (let i = 0; i < n; i++) out.push(Array.from(p.data.subarray(i * maxlen, (i + 1) * maxlen)));
  return out;
}

const SEQS = [[1, 2, 3], [4, 5], [6], []];

describe('padSequences', () => {
  it('defaults: maxlen = longest, pre padding with 0, int32', () => {
    // maxlen = np.max([3, 2, 1, 0]) = 3; x = zeros((4, 3)); x[idx, -len(s):] = s; the empty row is skipped.
    const p = padSequences(SEQS);
    assert.ok(p.data instanceof Int32Array);
    assert.equal(p.dtype, 'int32');
    assert.deepEqual(p.shape, [4, 3]);
    assert.deepEqual(rows(p), [[1, 2, 3], [0, 4, 5], [0, 0, 6], [0, 0, 0]]);
  });

  it("padding 'post' writes x[idx, :len(trunc)]", () => {
    assert.deepEqual(rows(padSequences(SEQS, { padding: 'post' })), [[1, 2, 3], [4, 5, 0], [6, 0, 0], [0, 0, 0]]);
  });

  it("maxlen shorter than the longest: truncating 'pre' keeps s[-maxlen:]", () => {
    // [1,2,3][-2:] = [2,3]; [4,5][-2:] = [4,5]; [6][-2:] = [6] -> pre-padded [0,6].
    const p = padSequences(SEQS, { maxlen: 2 });
    assert.deepEqual(p.shape, [4, 2]);
    assert.deepEqual(rows(p), [[2, 3], [4, 5], [0, 6], [0, 0]]);
  });

  it("truncating 'post' keeps s[:maxlen], independent of padding side", () => {
    // [1,2,3][:2] = [1,2]; [6][:2] = [6], placed pre ([0,6]) or post ([6,0]).
    assert.deepEqual(rows(padSequences(SEQS, { maxlen: 2, truncating: 'post' })), [[1, 2], [4, 5], [0, 6], [0, 0]]);
    assert.deepEqual(
      rows(padSequences(SEQS, { maxlen: 2, truncating: 'post', padding: 'post' })),
      [[1, 2], [4, 5], [6, 0], [0, 0]],
    );
  });

  it('maxlen longer than the longest, with a custom value', () => {
    // np.full((4, 5), -1); every sequence fits, so only the padding side matters.
    assert.deepEqual(rows(padSequences(SEQS, { maxlen: 5, value: -1 })), [
      [-1, -1, 1, 2, 3],
      [-1, -1, -1, 4, 5],
      [-1, -1, -1, -1, 6],
      [-1, -1, -1, -1, -1],
    ]);
    assert.deepEqual(rows(padSequences([[7]], { maxlen: 3, value: 9, padding: 'post' })), [[7, 9, 9]]);
  });

  it('int32 casts like numpy: fill value and elements truncate toward zero', () => {
    // np.full(..., 1.7, dtype='int32') -> 1; np.asarray([2.9, -2.9], dtype='int32') -> [2, -2].
    assert.deepEqual(rows(padSequences([[2.9, -2.9]], { maxlen: 3, value: 1.7 })), [[1, 2, -2]]);
  });

  it("dtype 'float32' returns a Float32Array with float padding", () => {
    const p = padSequences([[0.5, 1.25], [2]], { dtype: 'float32', value: -0.5 });
    assert.ok(p.data instanceof Float32Array);
    assert.equal(p.dtype, 'float32');
    assert.deepEqual(rows(p), [[0.5, 1.25], [-0.5, 2]]);
  });

  it('only empty sequences give maxlen 0 rows; typed arrays are accepted as sequences', () => {
    // np.max([0, 0]) = 0 -> shape (2, 0).
    const empty = padSequences([[], []]);
    assert.deepEqual(empty.shape, [2, 0]);
    assert.equal(empty.data.length, 0);
    assert.deepEqual(rows(padSequences([Int32Array.of(7, 8, 9), new Float64Array([1])], { maxlen: 2 })), [[8, 9], [0, 1]]);
  });

  it("maxlen 0 with truncating 'post' gives empty rows (s[:0] = [])", () => {
    const p = padSequences([[1, 2]], { maxlen: 0, truncating: 'post' });
    assert.deepEqual(p.shape, [1, 0]);
  });

  it('no sequences: shape [0, maxlen] (Keras raises from np.max([]) when maxlen is None)', () => {
    assert.deepEqual(padSequences([]).shape, [0, 0]);
    assert.deepEqual(padSequences([], { maxlen: 4 }).shape, [0, 4]);
  });

  it('rejects what Keras rejects (bad padding/truncating, non-sequences) and invalid maxlen/value', () => {
    assert.throws(() => padSequences(SEQS, { padding: 'middle' as 'pre' }), /padding type "middle"/);
    assert.throws(() => padSequences(SEQS, { truncating: 'x' as 'pre' }), /truncating type "x"/);
    assert.throws(() => padSequences([[1], 5 as unknown as number[]]), /non-sequence at position 1/);
    assert.throws(() => padSequences(SEQS, { maxlen: -1 }), RangeError);
    assert.throws(() => padSequences(SEQS, { maxlen: 2.5 }), RangeError);
    assert.throws(() => padSequences(SEQS, { value: Number.NaN }), TypeError);
  });
});
