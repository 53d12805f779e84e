// One Adam step over a variable: one of Polymodal's SIMD kernels, exported by simd-kernels.ts. Every pointer
// is a byte offset in the tfjs wasm backend's memory.
//
// The arithmetic is tfjs's AdamOptimizer.applyGradients op for op, each a correctly rounded float32 operation
// in the same order (the wasm backend's kernels are too), so the results are the same bits:
//   m' = m b1 + g (1 - b1)        v' = v b2 + (g g)(1 - b2)
//   w' = ((m' / (1 - b1^t)) / (sqrt(v' / (1 - b2^t)) + eps)) (-lr) + w
// The constants come as the float32 scalars tfjs would upload. Plain f32x4 mul and add: WebAssembly SIMD
// has no fused multiply-add outside relaxed SIMD, which this module does not use, so nothing is contracted.

// value, m, v and g are read at each element before value', m' and v' are written at it, so an output may be
// its own input; every array holds n floats.
export function adamUpdate(
  value: usize, m: usize, v: usize, g: usize, newValue: usize, newM: usize, newV: usize, n: i32,
  beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  oneMinusAccBeta1: f32, oneMinusAccBeta2: f32, epsilon: f32, negativeRate: f32,
): void {
  const b1 = f32x4.splat(beta1);
  const c1 = f32x4.splat(oneMinusBeta1);
  const b2 = f32x4.splat(beta2);
  const c2 = f32x4.splat(oneMinusBeta2);
  const a1 = f32x4.splat(oneMinusAccBeta1);
  const a2 = f32x4.splat(oneMinusAccBeta2);
  const e = f32x4.splat(epsilon);
  const r = f32x4.splat(negativeRate);
  const nv = n & ~3;
  let i = 0;
  for (; i < nv; i += 4) {
    const off = <usize>i << 2;
    const gi = v128.load(g + off);
    const mi = f32x4.add(f32x4.mul(v128.load(m + off), b1), f32x4.mul(gi, c1));
    const vi = f32x4.add(f32x4.mul(v128.load(v + off), b2), f32x4.mul(f32x4.mul(gi, gi), c2));
    const step = f32x4.div(f32x4.div(mi, a1), f32x4.add(f32x4.sqrt(f32x4.div(vi, a2)), e));
    v128.store(newValue + off, f32x4.add(f32x4.mul(step, r), v128.load(value + off)));
    v128.store(newM + off, mi);
    v128.store(newV + off, vi);
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const gi = load<f32>(g + off);
    const mi: f32 = load<f32>(m + off) * beta1 + gi * oneMinusBeta1;
    const vi: f32 = load<f32>(v + off) * beta2 + (gi * gi) * oneMinusBeta2;
    const step: f32 = (mi / oneMinusAccBeta1) / (Mathf.sqrt(vi / oneMinusAccBeta2) + epsilon);
    store<f32>(newValue + off, step * negativeRate + load<f32>(value + off));
    store<f32>(newM + off, mi);
    store<f32>(newV + off, vi);
  }
}
