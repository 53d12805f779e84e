// What the recurrent forward passes keep for their backward passes (time-major, batch inside).

export interface LstmTrace {
  readonly steps: number;
  readonly batch: number;
  readonly units: number;
  /** h_{t-1} as multiplied by the recurrent kernel (after recurrent dropout), [T, B, u]. */
  readonly hIn: Float32Array;
  readonly i: Float32Array;
  readonly f: Float32Array;
  readonly g: Float32Array;
  readonly o: Float32Array;
  readonly cPrev: Float32Array;
  readonly tanhC: Float32Array;
}

/** What both GRU variants keep. */
interface GruGatesTrace {
  readonly steps: number;
  readonly batch: number;
  readonly units: number;
  /** h_{t-1} before and after recurrent dropout, [T, B, u]. */
  readonly hPrev: Float32Array;
  readonly hIn: Float32Array;
  readonly z: Float32Array;
  readonly r: Float32Array;
  readonly hh: Float32Array;
}

export interface GruTrace extends GruGatesTrace {
  /** The candidate's recurrent term h_{t-1} U_h + b_h before the reset gate, [T, B, u]. */
  readonly rh: Float32Array;
}

/** What the reset-before GRU (Keras reset_after=False) keeps: as GruTrace, with the reset state instead of rh. */
export interface GruResetBeforeTrace extends GruGatesTrace {
  /** r * hIn, the state the candidate's recurrent kernel multiplies, [T, B, u]. */
  readonly rhIn: Float32Array;
}
