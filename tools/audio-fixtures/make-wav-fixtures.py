"""Writes the WAV fixtures of @polymodal/encoder-audio's decoder tests with writers independent of node-wav
(Python's `wave` module, sox, and hand-built RIFF chunks) and records what libsndfile (soundfile) reads from
each, so the tests compare Polymodal's decoder with another implementation.

    python3 -m venv /tmp/audio-task/venv && /tmp/audio-task/venv/bin/pip install --no-index --find-links DIR numpy soundfile
    apt-get install -y sox
    /tmp/audio-task/venv/bin/python tools/audio-fixtures/make-wav-fixtures.py

Output: packages/encoder-audio/src/test-fixtures/wav/*.wav and expected.json (a few KB in all).
"""
import json
import pathlib
import struct
import subprocess
import tempfile
import wave

import numpy as np
import soundfile

OUT = pathlib.Path(__file__).resolve().parents[2] / 'packages/encoder-audio/src/test-fixtures/wav'
FRAMES = 48
RNG = np.random.default_rng(12)


def integer_samples(bits, channels):
    """Signed integers with the extremes (-2^(n-1), 2^(n-1)-1, 0, +-1) first, then random values."""
    lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    data = RNG.integers(lo, hi, size=(FRAMES, channels), endpoint=True, dtype=np.int64)
    data[:5, :] = np.array([lo, hi, 0, -1, 1])[:, None]
    return data


def int_bytes(data, bits):
    if bits == 8:
        return (data + 128).astype(np.uint8).tobytes()
    if bits == 24:
        raw = data.astype('<i4').tobytes()
        return b''.join(raw[i:i + 3] for i in range(0, len(raw), 4))
    return data.astype({16: '<i2', 32: '<i4'}[bits]).tobytes()


def write_with_wave(name, bits, channels, rate):
    with wave.open(str(OUT / name), 'wb') as w:
        w.setnchannels(channels)
        w.setsampwidth(bits // 8)
        w.setframerate(rate)
        w.writeframes(int_bytes(integer_samples(bits, channels), bits))


def float_samples(channels):
    data = RNG.uniform(-1, 1, size=(FRAMES, channels))
    data[:3, :] = np.array([-1.0, 1.0, 0.0])[:, None]
    return data


def write_with_sox(name, data, rate, sox_args, raw_type):
    """sox converts raw samples to WAV: `-t wavpcm` writes a plain fmt chunk, `-t wav` extensible where sox wants it."""
    with tempfile.NamedTemporaryFile(suffix='.raw') as raw:
        raw.write(data.astype(raw_type).tobytes())
        raw.flush()
        channels = data.shape[1]
        encoding = ['-e', 'floating-point'] if raw_type.startswith('<f') else ['-e', 'signed-integer']
        bits = ['-b', str(np.dtype(raw_type).itemsize * 8)]
        subprocess.run(['sox', '-t', 'raw', '-r', str(rate), '-c', str(channels), *encoding, *bits, raw.name, *sox_args, str(OUT / name)], check=True)


def chunk(kind, body):
    pad = b'\0' if len(body) % 2 else b''
    return kind + struct.pack('<I', len(body)) + body + pad


def write_riff(name, fmt_tag, bits, channels, rate, samples, extra_chunks):
    block = channels * bits // 8
    fmt = struct.pack('<HHIIHH', fmt_tag, channels, rate, rate * block, block, bits)
    body = b'WAVE' + chunk(b'fmt ', fmt) + b''.join(extra_chunks) + chunk(b'data', samples)
    (OUT / name).write_bytes(b'RIFF' + struct.pack('<I', len(body)) + body)


KSDATAFORMAT_SUBTYPE_IEEE_FLOAT = bytes.fromhex('0300000000001000800000aa00389b71')


def write_extensible_float(name, data, rate):
    channels = data.shape[1]
    block = channels * 4
    fmt = struct.pack('<HHIIHHHHI', 0xFFFE, channels, rate, rate * block, block, 32, 22, 32, (1 << channels) - 1)
    fmt += KSDATAFORMAT_SUBTYPE_IEEE_FLOAT
    body = b'WAVE' + chunk(b'fmt ', fmt) + chunk(b'fact', struct.pack('<I', data.shape[0])) + chunk(b'data', data.astype('<f4').tobytes())
    (OUT / name).write_bytes(b'RIFF' + struct.pack('<I', len(body)) + body)


def fmt_tag_of(path):
    data = path.read_bytes()
    at = 12
    while at + 8 <= len(data):
        kind, size = data[at:at + 4], struct.unpack('<I', data[at + 4:at + 8])[0]
        if kind == b'fmt ':
            tag = struct.unpack('<H', data[at + 8:at + 10])[0]
            return tag, (struct.unpack('<H', data[at + 32:at + 34])[0] if tag == 0xFFFE else tag)
        at += 8 + size + (size & 1)
    raise ValueError(path)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    write_with_wave('pcm8-mono.wav', 8, 1, 8000)
    write_with_wave('pcm16-stereo.wav', 16, 2, 16000)
    write_with_wave('pcm24-mono.wav', 24, 1, 44100)
    write_with_wave('pcm32-stereo.wav', 32, 2, 22050)
    write_with_sox('float32-mono.wav', float_samples(1), 16000, ['-t', 'wavpcm'], '<f4')
    write_with_sox('float64-stereo.wav', float_samples(2), 48000, ['-t', 'wavpcm'], '<f8')
    # sox writes 3-channel float with a plain fmt chunk, so this one is built from the WAVEFORMATEXTENSIBLE spec.
    write_extensible_float('extensible-float32-3ch.wav', float_samples(3), 16000)
    write_with_sox('extensible-pcm24-stereo.wav', integer_samples(24, 2), 96000, ['-t', 'wav'], '<i4')
    # Odd-sized LIST chunk (5 bytes + a pad byte) before the samples: readers must skip the pad byte.
    write_riff('odd-chunk-pcm16.wav', 1, 16, 1, 16000, int_bytes(integer_samples(16, 1), 16), [chunk(b'LIST', b'INFOx')])
    # A 2-byte chunk puts float samples at offset 54, which no Float32Array view can start at.
    write_riff('unaligned-float32.wav', 3, 32, 1, 16000, float_samples(1).astype('<f4').tobytes(), [chunk(b'pad ', b'\0\0')])
    full = (OUT / 'pcm16-stereo.wav').read_bytes()
    (OUT / 'truncated-pcm16.wav').write_bytes(full[:len(full) - 40])
    (OUT / 'not-a-wav.wav').write_text('this is a text file, not audio\n')
    (OUT / 'empty.wav').write_bytes(b'')
    subprocess.run(['sox', '-r', '8000', '-n', '-e', 'a-law', str(OUT / 'alaw.wav'), 'synth', '0.005', 'sine', '440'], check=True)

    expected = {}
    for path in sorted(OUT.glob('*.wav')):
        if path.name in ('truncated-pcm16.wav', 'not-a-wav.wav', 'empty.wav', 'alaw.wav'):
            continue
        samples, rate = soundfile.read(str(path), dtype='float64', always_2d=True)
        tag, sub = fmt_tag_of(path)
        expected[path.name] = {
            'sampleRate': rate, 'formatTag': tag, 'subFormat': sub, 'frames': samples.shape[0],
            'channels': [samples[:, c].tolist() for c in range(samples.shape[1])],
        }
    (OUT / 'expected.json').write_text(json.dumps(expected, indent=None, separators=(',', ':')) + '\n')
    for name, e in expected.items():
        print(f"{name}: tag 0x{e['formatTag']:04x} sub {e['subFormat']} {len(e['channels'])} ch x {e['frames']} @ {e['sampleRate']}")


if __name__ == '__main__':
    main()
