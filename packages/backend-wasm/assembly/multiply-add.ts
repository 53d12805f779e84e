// c + a * b on four float32 lanes: one fused multiply-add where the module is compiled with relaxed SIMD
// (f32x4.relaxed_madd: vfmadd on x86 with FMA3, one rounding), else a multiply and an add (two roundings).
// ASC_FEATURE_RELAXED_SIMD is a compile-time constant, so each build keeps one branch.
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}
