/**
 * Reads a WAV file's RIFF structure without trusting node-wav with it: node-wav 0.0.2 does not skip the pad
 * byte after an odd-sized chunk, throws on WAVE_FORMAT_EXTENSIBLE instead of reading its sub-format, and cannot
 * view samples that start at an offset their element size does not divide. This walk handles all three and
 * says precisely what is wrong with a file that is not a usable WAV.
 */

export const WAVE_FORMAT_PCM = 0x0001;
export const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
export const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** The sample encodings node-wav can decode once the layout is normalized. */
export type SampleEncoding = 'pcm8' | 'pcm16' | 'pcm24' | 'pcm32' | 'float32' | 'float64';

export interface WavLayout {
  readonly encoding: SampleEncoding;
  /** The format tag after resolving WAVE_FORMAT_EXTENSIBLE to its sub-format: PCM (1) or IEEE float (3). */
  readonly formatTag: number;
  /** Whether the fmt chunk was WAVE_FORMAT_EXTENSIBLE. */
  readonly extensible: boolean;
  readonly channels: number;
  readonly sampleRate: number;
  readonly bitsPerSample: number;
  /** Bytes per frame (all channels of one sample instant). */
  readonly blockAlign: number;
  /** Where the sample bytes start in the file and how many there are (whole frames only). */
  readonly dataOffset: number;
  readonly dataBytes: number;
  readonly frames: number;
}

/** A WAV that cannot be decoded: the message says why, in words for the user. */
export class WavFormatError extends Error {}

const KNOWN_TAGS: Readonly<Record<number, string>> = { 0x0002: 'ADPCM', 0x0006: 'A-law', 0x0007: 'mu-law', 0x0011: 'IMA ADPCM', 0x0055: 'MP3' };

function fourCC(view: DataView, at: number): string {
  return String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));
}

interface FmtChunk {
  formatTag: number;
  extensible: boolean;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bitsPerSample: number;
}

function readFmt(view: DataView, at: number, size: number): FmtChunk {
  if (size < 16) throw new WavFormatError(`its "fmt " chunk is ${size} bytes, shorter than the 16 a WAV needs`);
  let formatTag = view.getUint16(at, true);
  const extensible = formatTag === WAVE_FORMAT_EXTENSIBLE;
  if (extensible) {
    // WAVEFORMATEXTENSIBLE: cbSize(2) validBits(2) channelMask(4), then the sub-format GUID whose first two bytes are the tag.
    if (size < 40) throw new WavFormatError(`its WAVE_FORMAT_EXTENSIBLE "fmt " chunk is ${size} bytes, shorter than 40`);
    formatTag = view.getUint16(at + 24, true);
  }
  return {
    formatTag,
    extensible,
    channels: view.getUint16(at + 2, true),
    sampleRate: view.getUint32(at + 4, true),
    blockAlign: view.getUint16(at + 12, true),
    bitsPerSample: view.getUint16(at + 14, true),
  };
}

function encodingOf(fmt: FmtChunk): SampleEncoding {
  if (fmt.formatTag === WAVE_FORMAT_IEEE_FLOAT) {
    if (fmt.bitsPerSample === 32) return 'float32';
    if (fmt.bitsPerSample === 64) return 'float64';
    throw new WavFormatError(`${fmt.bitsPerSample}-bit floating-point samples are not supported (32 or 64 are)`);
  }
  if (fmt.formatTag === WAVE_FORMAT_PCM) {
    if (fmt.bitsPerSample === 8 || fmt.bitsPerSample === 16 || fmt.bitsPerSample === 24 || fmt.bitsPerSample === 32) {
      return `pcm${fmt.bitsPerSample}` as SampleEncoding;
    }
    throw new WavFormatError(`${fmt.bitsPerSample}-bit PCM is not supported (8, 16, 24 or 32 are)`);
  }
  const name = KNOWN_TAGS[fmt.formatTag] ?? `format tag 0x${fmt.formatTag.toString(16).padStart(4, '0')}`;
  throw new WavFormatError(`${name} encoding is not supported (convert it to PCM or float WAV, e.g. "sox in.wav -e signed-integer out.wav")`);
}

/** Thrown by readWavLayout when `bytes` is only the head of a longer file and the chunks it needs lie beyond it. */
export class NeedMoreBytes extends Error {}

/**
 * The layout of a WAV file; throws WavFormatError naming the problem (not RIFF/WAVE, truncated, unsupported).
 * `bytes` may be the file's first bytes only, with `fileSize` its full size (a cheap check of a large file):
 * NeedMoreBytes then says the head was too short to find the "data" chunk.
 */
export function readWavLayout(bytes: Uint8Array, fileSize = bytes.length): WavLayout {
  if (fileSize === 0) throw new WavFormatError('the file is empty');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12 || fourCC(view, 0) !== 'RIFF' || fourCC(view, 8) !== 'WAVE') {
    if (bytes.length >= 4 && fourCC(view, 0) === 'RIFX') throw new WavFormatError('big-endian WAV (RIFX) is not supported');
    throw new WavFormatError('not a WAV file (it does not start with a RIFF/WAVE header)');
  }
  let fmt: FmtChunk | undefined;
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = fourCC(view, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (body + size > fileSize) throw new WavFormatError('truncated (the file ends inside its "fmt " chunk)');
      if (body + size > bytes.length) throw new NeedMoreBytes();
      fmt = readFmt(view, body, size);
    } else if (id === 'data') {
      if (!fmt) throw new WavFormatError('its "data" chunk comes before any "fmt " chunk');
      return layoutOf(fmt, body, size, fileSize);
    }
    // Chunks are padded to an even size (the pad byte is not counted in `size`).
    at = body + size + (size & 1);
  }
  if (bytes.length < fileSize) throw new NeedMoreBytes();
  throw new WavFormatError(fmt ? 'truncated or incomplete (no "data" chunk)' : 'truncated or incomplete (no "fmt " chunk)');
}

const STREAMED_SIZE = 0xffffffff;

function layoutOf(fmt: FmtChunk, dataOffset: number, declared: number, fileBytes: number): WavLayout {
  const encoding = encodingOf(fmt);
  if (fmt.channels === 0) throw new WavFormatError('its header declares 0 channels');
  if (fmt.sampleRate === 0) throw new WavFormatError('its header declares a sample rate of 0');
  const bytesPerSample = fmt.bitsPerSample / 8;
  const blockAlign = fmt.channels * bytesPerSample;
  if (fmt.blockAlign !== blockAlign) {
    throw new WavFormatError(`its header's block size (${fmt.blockAlign}) does not match ${fmt.channels} channels of ${fmt.bitsPerSample} bits`);
  }
  const available = fileBytes - dataOffset;
  // Writers that stream to a pipe leave the size at 0xFFFFFFFF ("unknown"): the samples run to the end of the file.
  if (declared === STREAMED_SIZE) declared = available;
  if (declared > available) {
    throw new WavFormatError(`truncated (its "data" chunk declares ${declared} bytes, the file holds ${available})`);
  }
  const frames = Math.floor(declared / blockAlign);
  return {
    encoding, formatTag: fmt.formatTag, extensible: fmt.extensible, channels: fmt.channels, sampleRate: fmt.sampleRate,
    bitsPerSample: fmt.bitsPerSample, blockAlign, dataOffset, dataBytes: frames * blockAlign, frames,
  };
}
