/**
 * scipy's `dct(x, type=2, norm='ortho')` truncated to the first `outputs` coefficients, as a precomputed
 * `outputs x inputs` matrix (librosa's MFCC: DCT of each log-mel frame), with librosa's optional cepstral lifter.
 */
export class Dct2 {
  private readonly matrix: Float64Array;

  constructor(readonly inputs: number, readonly outputs: number, lifter = 0) {
    if (outputs > inputs) throw new RangeError(`${outputs} DCT coefficients need at least as many inputs, got ${inputs}`);
    this.matrix = new Float64Array(outputs * inputs);
    for (let k = 0; k < outputs; k++) {
      const scale = Math.sqrt((k === 0 ? 1 : 2) / inputs) * (lifter > 0 ? 1 + (lifter / 2) * Math.sin((Math.PI * (k + 1)) / lifter) : 1);
      for (let n = 0; n < inputs; n++) this.matrix[k * inputs + n] = scale * Math.cos((Math.PI * k * (2 * n + 1)) / (2 * inputs));
    }
  }

  /** One frame `x[offset .. offset + inputs)` to `out[outOffset .. outOffset + outputs)`. */
  apply(x: Float64Array, offset: number, out: Float64Array, outOffset: number): void {
    const { inputs, outputs, matrix } = this;
    for (let k = 0; k < outputs; k++) {
      let sum = 0;
      const row = k * inputs;
      for (let n = 0; n < inputs; n++) sum += matrix[row + n] * x[offset + n];
      out[outOffset + k] = sum;
    }
  }
}
