import * as nodeWav from 'node-wav';
import { readWavLayout, WAVE_FORMAT_IEEE_FLOAT, WAVE_FORMAT_PCM, type WavLayout } from './wav-layout.js';

export interface DecodedAudio {
  readonly sampleRate: number;
  /** One array per channel, samples in [-1, 1]. */
  readonly channels: Float32Array[];
}

/**
 * Where the samples start in the canonical file handed to node-wav: RIFF header (12) + plain "fmt " chunk (24) +
 * a JUNK chunk (8 + 12) + the "data" header (8) = 64, a multiple of 8, so node-wav's Int16Array, Int32Array,
 * Float32Array and Float64Array views of the samples are all aligned.
 */
const CANONICAL_DATA_OFFSET = 64;

/**
 * Rewrites the samples behind a minimal, aligned header node-wav reads correctly: the format tag resolved from
 * WAVE_FORMAT_EXTENSIBLE, no odd-sized chunks, samples at an offset of 64. Given an ArrayBuffer (not a pooled
 * Buffer, whose byteOffset node-wav 0.0.2 mixes up with its length), node-wav then decodes every format.
 */
export function canonicalWav(bytes: Uint8Array, layout: WavLayout): ArrayBuffer {
  const out = new ArrayBuffer(CANONICAL_DATA_OFFSET + layout.dataBytes);
  const view = new DataView(out);
  const ascii = (at: number, text: string) => { for (let i = 0; i < 4; i++) view.setUint8(at + i, text.charCodeAt(i)); };
  ascii(0, 'RIFF');
  view.setUint32(4, out.byteLength - 8, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, layout.formatTag === WAVE_FORMAT_IEEE_FLOAT ? WAVE_FORMAT_IEEE_FLOAT : WAVE_FORMAT_PCM, true);
  view.setUint16(22, layout.channels, true);
  view.setUint32(24, layout.sampleRate, true);
  view.setUint32(28, layout.sampleRate * layout.blockAlign, true);
  view.setUint16(32, layout.blockAlign, true);
  view.setUint16(34, layout.bitsPerSample, true);
  ascii(36, 'JUNK');
  view.setUint32(40, 12, true);
  ascii(56, 'data');
  view.setUint32(60, layout.dataBytes, true);
  new Uint8Array(out, CANONICAL_DATA_OFFSET).set(bytes.subarray(layout.dataOffset, layout.dataOffset + layout.dataBytes));
  return out;
}

/**
 * node-wav scales integers asymmetrically (negatives by 1/2^(n-1), positives by 1/(2^(n-1) - 1)) and its 24-bit
 * sign test (`> 0x800000`) reads -2^23 as +2^23, i.e. 1.0000001. Rescale positives to x / 2^(n-1), the convention
 * of libsndfile (soundfile, librosa, scipy), and map the mis-signed minimum back to -1.
 */
export function correctIntegerScale(channel: Float32Array, bitsPerSample: number): void {
  const full = 2 ** (bitsPerSample - 1);
  const positive = (full - 1) / full;
  for (let i = 0; i < channel.length; i++) {
    const v = channel[i];
    if (v > 1) channel[i] = -1;
    else if (v > 0) channel[i] = v * positive;
  }
}

/** Decodes a WAV file's bytes (PCM 8/16/24/32, float 32/64, plain or extensible, any channels and rate). Throws WavFormatError. */
export function decodeWav(bytes: Uint8Array): DecodedAudio {
  const layout = readWavLayout(bytes);
  const decoded = nodeWav.decode(canonicalWav(bytes, layout));
  if (!decoded || decoded.channelData.length !== layout.channels) {
    throw new Error(`node-wav returned ${decoded ? decoded.channelData.length : 'no'} channels for a ${layout.channels}-channel ${layout.encoding} WAV`);
  }
  // pcm8 is unsigned (offset 128) and scaled like the others.
  if (!layout.encoding.startsWith('float')) for (const channel of decoded.channelData) correctIntegerScale(channel, layout.bitsPerSample);
  return { sampleRate: layout.sampleRate, channels: decoded.channelData };
}
