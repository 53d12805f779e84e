import { PolymodalError } from '@polymodal/core';
import { AudioCache } from './audio-cache.js';
import { readAudioFile } from './audio-source.js';
import { selectChannels } from './signal/channels.js';
import { Resampler } from './signal/resample.js';
import { decodeWav } from './wav/decode-wav.js';
import { WavFormatError } from './wav/wav-layout.js';

/** Decoded clips an augmenting preprocessor keeps in memory (256 MB: about 4,000 clips of 1 s at 16 kHz). */
export const MEMORY_BUDGET = 256 * 1024 * 1024;

/** A clip ready for cropping: `channels` arrays at the target sample rate. */
export type Clip = Float32Array[];

/**
 * Reads, decodes, selects channels and resamples audio files, with an optional disk cache (keyed by the file's
 * bytes, the sample rate and the channel count) and, for augmenting preprocessors, an in-memory copy of each
 * clip so that every epoch re-augments without re-decoding. Resamplers are kept per source rate.
 */
export class ClipLoader {
  private readonly resamplers = new Map<number, Resampler>();
  private readonly memory = new Map<string, Promise<Clip>>();
  private memoryBytes = 0;

  constructor(
    readonly sampleRate: number,
    readonly channels: number,
    readonly cache: AudioCache | undefined,
    private readonly remember: boolean,
  ) {}

  load(path: string): Promise<Clip> {
    if (!this.remember) return this.read(path);
    const remembered = this.memory.get(path);
    if (remembered) return remembered;
    const loading = this.read(path);
    this.memory.set(path, loading);
    loading.then((clip) => {
      this.memoryBytes += clip.length * clip[0].byteLength;
      // Over budget: forget it again (later clips are decoded each epoch, or read from the disk cache).
      if (this.memoryBytes > MEMORY_BUDGET) {
        this.memory.delete(path);
        this.memoryBytes -= clip.length * clip[0].byteLength;
      }
    }, () => this.memory.delete(path));
    return loading;
  }

  private async read(path: string): Promise<Clip> {
    const bytes = readAudioFile(path);
    const key = this.cache?.keyOf(bytes, JSON.stringify({ clip: true, sampleRate: this.sampleRate, channels: this.channels }));
    if (this.cache && key) {
      const cached = await this.cache.get(key);
      if (cached && cached.length % this.channels === 0) {
        const n = cached.length / this.channels;
        return Array.from({ length: this.channels }, (_, c) => cached.subarray(c * n, (c + 1) * n));
      }
    }
    const clip = this.decode(bytes, path);
    if (this.cache && key) {
      const joined = new Float32Array(clip.length * clip[0].length);
      clip.forEach((channel, c) => joined.set(channel, c * channel.length));
      await this.cache.set(key, joined);
    }
    return clip;
  }

  decode(bytes: Uint8Array, path: string): Clip {
    let decoded;
    try {
      decoded = decodeWav(bytes);
    } catch (error) {
      if (error instanceof WavFormatError) throw new PolymodalError(`${path}: ${error.message}`, { exitCode: 1 });
      throw error;
    }
    const selected = selectChannels(decoded.channels, this.channels);
    if (!selected) throw new PolymodalError(`${path}: has ${decoded.channels.length} channels, the input asks for ${this.channels}`, { exitCode: 1 });
    if (decoded.sampleRate === this.sampleRate) return selected;
    let resampler = this.resamplers.get(decoded.sampleRate);
    if (!resampler) {
      resampler = new Resampler(decoded.sampleRate, this.sampleRate);
      this.resamplers.set(decoded.sampleRate, resampler);
    }
    const r = resampler;
    return selected.map((channel) => r.resample(channel));
  }
}
