/** Test helpers: small WAV files written without node-wav (16-bit PCM or 32-bit float, any channels). */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A WAV file's bytes: `channels` of equal length, interleaved, 16-bit PCM (rounded, clipped) or 32-bit float. */
export function wavBytes(channels: ArrayLike<number>[], sampleRate: number, encoding: 'pcm16' | 'float32' = 'pcm16'): Buffer {
  const bytesPerSample = encoding === 'pcm16' ? 2 : 4;
  const frames = channels[0].length;
  const block = channels.length * bytesPerSample;
  const data = Buffer.alloc(frames * block);
  for (let i = 0; i < frames; i++) {
    channels.forEach((channel, c) => {
      const at = i * block + c * bytesPerSample;
      if (encoding === 'pcm16') data.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(channel[i] * 32768))), at);
      else data.writeFloatLE(channel[i], at);
    });
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(encoding === 'pcm16' ? 1 : 3, 20);
  header.writeUInt16LE(channels.length, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * block, 28);
  header.writeUInt16LE(block, 32);
  header.writeUInt16LE(bytesPerSample * 8, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** A tone at `hz` with a little deterministic noise. */
export function tone(hz: number, sampleRate: number, seconds: number, amplitude = 0.5, seed = 1): Float32Array {
  let state = seed;
  return Float32Array.from({ length: Math.round(sampleRate * seconds) }, (_, i) => {
    state = (state * 16807) % 2147483647;
    return amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate) + 0.02 * (state / 2147483647 - 0.5);
  });
}

export function writeWav(path: string, channels: ArrayLike<number>[], sampleRate: number, encoding: 'pcm16' | 'float32' = 'pcm16'): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, wavBytes(channels, sampleRate, encoding));
}
