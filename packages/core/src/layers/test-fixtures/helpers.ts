/** Helpers shared by the layer tests; under test-fixtures/, so the library build leaves them out. */
import * as tf from '@tensorflow/tfjs';

/** Deterministic pseudo-random numbers in [-0.5, 0.5) from a small LCG, for fixed test data. */
export function fixedValues(count: number, seed: number): number[] {
  let state = (seed * 2654435761) >>> 0 || 1;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out.push(state / 2 ** 32 - 0.5);
  }
  return out;
}

/** Sets every weight of a built layer to fixed values (seeded by its position) and returns them by name. */
export function setFixedWeights(layer: tf.layers.Layer, seed = 1): Map<string, number[]> {
  const byName = new Map<string, number[]>();
  const values = layer.weights.map((w, i) => {
    const size = w.shape.reduce((a: number, b) => a * (b as number), 1);
    const data = fixedValues(size, seed * 1000 + i + 1);
    byName.set(w.originalName.split('/').slice(-2).join('/'), data);
    return tf.tensor(data, w.shape as number[]);
  });
  layer.setWeights(values);
  tf.dispose(values);
  return byName;
}

/** Nested JS array `[B][T][D]` from a flat array. */
export function to3d(flat: number[], b: number, t: number, d: number): number[][][] {
  return Array.from({ length: b }, (_, i) =>
    Array.from({ length: t }, (_, j) => flat.slice((i * t + j) * d, (i * t + j + 1) * d)),
  );
}

/** `[T][Din] x [Din*Dout flat, row-major] + bias`. */
export function dense(x: number[][], kernel: number[], bias: number[] | null, outDim: number): number[][] {
  return x.map((row) =>
    Array.from({ length: outDim }, (_, o) => {
      let s = bias ? bias[o] : 0;
      for (let i = 0; i < row.length; i++) s += row[i] * kernel[i * outDim + o];
      return s;
    }),
  );
}

export function maxAbsDiff(a: number[], b: number[]): number {
  if (a.length !== b.length) return Infinity;
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

/** Tensor values as a flat JS array, disposing the tensor. */
export function flat(t: tf.Tensor | tf.Tensor[] | tf.SymbolicTensor | tf.SymbolicTensor[]): number[] {
  const tensor = t as tf.Tensor;
  const out = Array.from(tensor.dataSync());
  tensor.dispose();
  return out;
}

/**
 * Plain-JS multi-head attention: per batch and head, softmax(q k^T / sqrt(K) masked) v, heads concatenated,
 * then the output projection. `attend(b, t, s)` says whether query step t may attend to value step s.
 */
export function referenceAttention(args: {
  query: number[][][];
  value: number[][][];
  key?: number[][][];
  w: Map<string, number[]>;
  H: number;
  K: number;
  V: number;
  O: number;
  attend?: (b: number, t: number, s: number) => boolean;
}): number[] {
  const { query, value, w, H, K, V, O } = args;
  const key = args.key ?? value;
  const bias = (name: string) => w.get(`${name}/bias`) ?? null;
  const out: number[] = [];
  for (let b = 0; b < query.length; b++) {
    const q = dense(query[b], w.get('query/kernel')!, bias('query'), H * K);
    const k = dense(key[b], w.get('key/kernel')!, bias('key'), H * K);
    const v = dense(value[b], w.get('value/kernel')!, bias('value'), H * V);
    const merged = q.map(() => new Array<number>(H * V).fill(0));
    for (let h = 0; h < H; h++) {
      for (let t = 0; t < q.length; t++) {
        const scores = k.map((ks, s) => {
          if (args.attend && !args.attend(b, t, s)) return -Infinity;
          let dot = 0;
          for (let i = 0; i < K; i++) dot += q[t][h * K + i] * ks[h * K + i];
          return dot / Math.sqrt(K);
        });
        const max = Math.max(...scores);
        const exps = scores.map((s) => Math.exp(s - max));
        const sum = exps.reduce((a, e) => a + e, 0);
        for (let s = 0; s < v.length; s++) {
          const p = exps[s] / sum;
          for (let i = 0; i < V; i++) merged[t][h * V + i] += p * v[s][h * V + i];
        }
      }
    }
    for (const row of dense(merged, w.get('attention_output/kernel')!, bias('attention_output'), O)) out.push(...row);
  }
  return out;
}

/** Layer normalization over the last axis of each row: (x - mean) / sqrt(var + eps) * gamma + beta. */
export function layerNorm(x: number[][], gamma: number[], beta: number[], epsilon: number): number[][] {
  return x.map((row) => {
    const mean = row.reduce((a, v) => a + v, 0) / row.length;
    const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / row.length;
    return row.map((v, i) => ((v - mean) / Math.sqrt(variance + epsilon)) * gamma[i] + beta[i]);
  });
}

/**
 * Plain-JS attention probabilities `[B][H][Tq][Tv]`, flat: softmax(q k^T / sqrt(K)) per head, with the steps
 * `attend` refuses left out of the softmax (probability exactly 0).
 */
export function referenceScores(args: {
  query: number[][][];
  key: number[][][];
  w: Map<string, number[]>;
  H: number;
  K: number;
  attend?: (b: number, t: number, s: number) => boolean;
}): number[] {
  const { query, key, w, H, K } = args;
  const bias = (name: string) => w.get(`${name}/bias`) ?? null;
  const out: number[] = [];
  for (let b = 0; b < query.length; b++) {
    const q = dense(query[b], w.get('query/kernel')!, bias('query'), H * K);
    const k = dense(key[b], w.get('key/kernel')!, bias('key'), H * K);
    for (let h = 0; h < H; h++) {
      for (let t = 0; t < q.length; t++) {
        const scores = k.map((ks, s) => {
          if (args.attend && !args.attend(b, t, s)) return -Infinity;
          let dot = 0;
          for (let i = 0; i < K; i++) dot += q[t][h * K + i] * ks[h * K + i];
          return dot / Math.sqrt(K);
        });
        const max = Math.max(...scores);
        const exps = scores.map((s) => Math.exp(s - max));
        const sum = exps.reduce((a, e) => a + e, 0);
        out.push(...exps.map((e) => e / sum));
      }
    }
  }
  return out;
}
