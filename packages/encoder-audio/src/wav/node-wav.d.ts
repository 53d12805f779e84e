// node-wav 0.0.2 ships no types; this is the part of its API the decoder uses.
declare module 'node-wav' {
  export interface DecodedWav {
    sampleRate: number;
    channelData: Float32Array[];
  }
  export function decode(buffer: ArrayBuffer | Uint8Array): DecodedWav | undefined;
}
