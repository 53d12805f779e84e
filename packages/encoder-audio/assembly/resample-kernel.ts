// Polymodal's polyphase resampling kernel, compiled with AssemblyScript (tools/build-wasm-kernels.mjs) into a
// module that imports its memory from src/signal/resample.ts, which lays out the filter bank and buffers there:
// every pointer is a byte offset in that memory.

// out[i] (float32) = sum over j < length of taps[p][j] * input[base + first[p] + j], where output i lies at input
// time i * down / up = base + p / up. `input` (float64) points at sample 0 of a signal with enough zeros on both
// sides that every tap reads inside the buffer; taps: float64 [up][length], length a multiple of 4 (zero taps at
// the end); first: i32 [up]. Two float64x2 partial sums per output keep the multiply-adds independent.
export function resample(input: usize, outputs: i32, up: i32, down: i32, taps: usize, length: i32, first: usize, out: usize): void {
  const whole = down / up;
  const rest = down % up;
  const rowBytes = <usize>length << 3;
  let base = 0;
  let phase = 0;
  for (let i = 0; i < outputs; i++) {
    const x = input + (<usize>(base + load<i32>(first + (<usize>phase << 2))) << 3);
    const w = taps + <usize>phase * rowBytes;
    let s0 = f64x2.splat(0);
    let s1 = f64x2.splat(0);
    for (let j: usize = 0; j < rowBytes; j += 32) {
      s0 = f64x2.add(s0, f64x2.mul(v128.load(w + j), v128.load(x + j)));
      s1 = f64x2.add(s1, f64x2.mul(v128.load(w + j, 16), v128.load(x + j, 16)));
    }
    const s = f64x2.add(s0, s1);
    store<f32>(out + (<usize>i << 2), <f32>(f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1)));
    base += whole;
    phase += rest;
    if (phase >= up) {
      phase -= up;
      base++;
    }
  }
}
