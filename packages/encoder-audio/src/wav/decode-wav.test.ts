import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as nodeWav from 'node-wav';
import { decodeWav } from './decode-wav.js';
import { readWavLayout, WavFormatError } from './wav-layout.js';

const dir = new URL('../test-fixtures/wav/', import.meta.url);
/** What libsndfile (soundfile) read from each fixture: tools/audio-fixtures/make-wav-fixtures.py. */
const expected = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as Record<string, { sampleRate: number; frames: number; channels: number[][] }>;
const bytesOf = (name: string) => readFileSync(new URL(name, dir));

for (const [name, reference] of Object.entries(expected)) {
  test(`${name} decodes to the samples libsndfile reads`, () => {
    const decoded = decodeWav(bytesOf(name));
    assert.equal(decoded.sampleRate, reference.sampleRate);
    assert.equal(decoded.channels.length, reference.channels.length);
    decoded.channels.forEach((channel, c) => {
      assert.equal(channel.length, reference.frames);
      channel.forEach((v, i) => {
        // float32 output: within half a float32 ulp of the exact value (|x| <= 1).
        assert.ok(Math.abs(v - reference.channels[c][i]) <= 6e-8, `${name} channel ${c} sample ${i}: ${v} vs ${reference.channels[c][i]}`);
      });
    });
  });
}

test('24-bit -2^23 decodes as -1 (node-wav alone reads it as +1.0000001)', () => {
  const bytes = bytesOf('pcm24-mono.wav');
  assert.equal(decodeWav(bytes).channels[0][0], -1);
  const raw = nodeWav.decode(new Uint8Array(bytes).slice().buffer);
  assert.ok(raw && raw.channelData[0][0] > 1, 'node-wav 0.0.2 no longer has the sign bug: the correction can go');
});

test('the cases node-wav 0.0.2 gets wrong on its own are the ones corrected here', () => {
  const plain = (name: string) => new Uint8Array(bytesOf(name)).slice().buffer;
  // extensible float: node-wav refuses the 0xFFFE tag
  assert.throws(() => nodeWav.decode(plain('extensible-float32-3ch.wav')));
  // float samples at offset 54: no Float32Array view
  assert.throws(() => nodeWav.decode(plain('unaligned-float32.wav')));
  // the pad byte after an odd-sized chunk is not skipped: node-wav finds no data chunk
  assert.equal(nodeWav.decode(plain('odd-chunk-pcm16.wav')), undefined);
  assert.equal(readWavLayout(bytesOf('extensible-float32-3ch.wav')).encoding, 'float32');
});

test('a WAV inside a pooled Buffer (non-zero byteOffset) decodes the same', () => {
  const bytes = bytesOf('pcm16-stereo.wav');
  const pooled = Buffer.concat([Buffer.alloc(7), bytes]).subarray(7);
  assert.deepEqual(decodeWav(pooled).channels, decodeWav(bytes).channels);
});

const bad: Array<[string, RegExp]> = [
  ['empty.wav', /the file is empty/],
  ['not-a-wav.wav', /not a WAV file/],
  ['truncated-pcm16.wav', /truncated \(its "data" chunk declares 192 bytes, the file holds 152\)/],
  ['alaw.wav', /A-law encoding is not supported/],
];
for (const [name, message] of bad) {
  test(`${name} is refused with a message saying why`, () => {
    assert.throws(() => decodeWav(bytesOf(name)), (error: unknown) => error instanceof WavFormatError && message.test(error.message));
  });
}

test('a data size of 0xFFFFFFFF (streamed WAV) means "to the end of the file"', () => {
  const bytes = new Uint8Array(bytesOf('pcm16-stereo.wav'));
  const layout = readWavLayout(bytes);
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(layout.dataOffset - 4, 0xffffffff, true);
  assert.deepEqual(decodeWav(bytes).channels, decodeWav(bytesOf('pcm16-stereo.wav')).channels);
});

test('every truncation and single-byte corruption of a WAV decodes or is refused as a WavFormatError, never another error', () => {
  for (const name of ['extensible-float32-3ch.wav', 'odd-chunk-pcm16.wav', 'pcm24-mono.wav']) {
    const bytes = new Uint8Array(bytesOf(name));
    const attempt = (candidate: Uint8Array, what: string) => {
      try {
        decodeWav(candidate);
      } catch (error) {
        assert.ok(error instanceof WavFormatError, `${name} ${what}: ${(error as Error).stack}`);
      }
    };
    for (let length = 0; length < bytes.length; length++) attempt(bytes.subarray(0, length), `cut at ${length}`);
    for (let at = 0; at < Math.min(bytes.length, 80); at++) {
      for (const value of [0x00, 0xff, 0x7f]) {
        const corrupted = bytes.slice();
        corrupted[at] = value;
        attempt(corrupted, `byte ${at} = ${value}`);
      }
    }
  }
});
