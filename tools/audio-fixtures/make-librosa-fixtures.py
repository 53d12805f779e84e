"""Reference features for @polymodal/encoder-audio's tests, computed by librosa 0.11 (and soxr/scipy for
resampling) from two fixed clips, with the options each test case names.

    python3 -m venv /tmp/audio-task/venv && /tmp/audio-task/venv/bin/pip install --no-index --find-links DIR librosa
    apt-get install -y espeak-ng    # only to re-record word.wav; the committed one is reused when present
    /tmp/audio-task/venv/bin/python tools/audio-fixtures/make-librosa-fixtures.py

Writes packages/encoder-audio/src/test-fixtures/librosa/{chirp.wav, word.wav, features.json}. Features are
stored time-major (frames x bins, librosa's output transposed) rounded to 8 significant digits.
"""
import json
import pathlib
import subprocess

import librosa
import numpy as np
import scipy.signal
import soundfile
import soxr

OUT = pathlib.Path(__file__).resolve().parents[2] / 'packages/encoder-audio/src/test-fixtures/librosa'


def make_clips():
    OUT.mkdir(parents=True, exist_ok=True)
    rate = 16000
    t = np.arange(int(0.1 * rate)) / rate
    rng = np.random.default_rng(3)
    chirp = 0.5 * scipy.signal.chirp(t, 200, t[-1], 6000) + 0.05 * rng.standard_normal(t.size)
    soundfile.write(OUT / 'chirp.wav', chirp.astype(np.float32), rate, subtype='FLOAT')
    word = OUT / 'word.wav'
    if not word.exists():
        raw = OUT / 'word-full.wav'
        subprocess.run(['espeak-ng', '-v', 'en', '-s', '160', '-w', str(raw), 'seven'], check=True)
        samples, sr = soundfile.read(raw, dtype='int16')
        raw.unlink()
        soundfile.write(word, samples[: int(0.5 * sr)], sr, subtype='PCM_16')


def rounded(matrix):
    return [float(f'{v:.8g}') for v in np.asarray(matrix, dtype=np.float64).T.reshape(-1)]


def case(name, clip, options, values, frames_bins):
    frames, bins = frames_bins
    return {'name': name, 'clip': clip, 'options': options, 'frames': frames, 'bins': bins, 'values': rounded(values)}


def main():
    make_clips()
    chirp, chirp_sr = soundfile.read(OUT / 'chirp.wav', dtype='float64')
    word, word_sr = soundfile.read(OUT / 'word.wav', dtype='float64')
    cases = []

    s = np.abs(librosa.stft(chirp, n_fft=512, hop_length=160, win_length=400, window='hann', center=True, pad_mode='constant')) ** 2
    cases.append(case('stft power, 512/160/400 hann', 'chirp.wav', {'features': 'stft', 'nFft': 512, 'hopLength': 160, 'winLength': 400, 'window': 'hann', 'power': 2, 'log': 'none'}, s, s.T.shape))

    s = np.abs(librosa.stft(chirp, n_fft=400, hop_length=100, win_length=400, window='hamming', center=True, pad_mode='reflect'))
    cases.append(case('stft magnitude, n_fft 400 (not a power of two), hamming, reflect', 'chirp.wav', {'features': 'stft', 'nFft': 400, 'hopLength': 100, 'winLength': 400, 'window': 'hamming', 'padMode': 'reflect', 'power': 1, 'log': 'none'}, s, s.T.shape))

    m = librosa.power_to_db(librosa.feature.melspectrogram(y=chirp, sr=chirp_sr, n_fft=512, hop_length=160, win_length=400, n_mels=64, dtype=np.float64), ref=1.0, amin=1e-10, top_db=80.0)
    cases.append(case('log-mel, Polymodal defaults (512/160/400, 64 Slaney mels, power_to_db top_db 80)', 'chirp.wav', {'features': 'mel', 'nFft': 512, 'hopLength': 160, 'winLength': 400, 'nMels': 64}, m, m.T.shape))

    m = np.log(librosa.feature.melspectrogram(y=chirp, sr=chirp_sr, n_fft=512, hop_length=128, win_length=512, window='blackman', n_mels=40, fmin=20, fmax=7600, htk=True, norm=None, power=1.0, dtype=np.float64) + 1e-6)
    cases.append(case('log(mel + 1e-6), HTK, no norm, magnitude, blackman, 20-7600 Hz', 'chirp.wav', {'features': 'mel', 'nFft': 512, 'hopLength': 128, 'winLength': 512, 'window': 'blackman', 'nMels': 40, 'fMin': 20, 'fMax': 7600, 'melScale': 'htk', 'melNorm': 'none', 'power': 1, 'log': 'log', 'logOffset': 1e-6}, m, m.T.shape))

    m = librosa.power_to_db(librosa.feature.melspectrogram(y=word, sr=word_sr, dtype=np.float64), ref=1.0, amin=1e-10, top_db=80.0)
    cases.append(case('log-mel of a spoken word, librosa defaults (2048/512, 128 mels)', 'word.wav', {'features': 'mel', 'sampleRate': word_sr, 'nFft': 2048, 'hopLength': 512, 'winLength': 2048, 'nMels': 128}, m, m.T.shape))

    c = librosa.feature.mfcc(y=word, sr=word_sr, n_mfcc=13, n_fft=1024, hop_length=256, n_mels=40, lifter=22, dtype=np.float64)
    cases.append(case('MFCC of a spoken word (13 of 40 mels, lifter 22)', 'word.wav', {'features': 'mfcc', 'sampleRate': word_sr, 'nFft': 1024, 'hopLength': 256, 'winLength': 1024, 'nMels': 40, 'nMfcc': 13, 'lifter': 22}, c, c.T.shape))

    mel_db = librosa.power_to_db(librosa.feature.melspectrogram(y=chirp, sr=chirp_sr, n_fft=512, hop_length=160, win_length=400, n_mels=64, dtype=np.float64), top_db=None)
    c = librosa.feature.mfcc(S=mel_db, n_mfcc=20)
    cases.append(case('MFCC, 20 of 64 mels, no top_db', 'chirp.wav', {'features': 'mfcc', 'nFft': 512, 'hopLength': 160, 'winLength': 400, 'nMels': 64, 'nMfcc': 20, 'topDb': None}, c, c.T.shape))

    # Samples 2000..3999 of the word resampled to 16 kHz (the middle of the vowel), to keep the file small.
    window = slice(2000, 4000)
    resampled = {
        'from': 2000,
        'soxr_vhq_16000': [float(f'{v:.7g}') for v in soxr.resample(word, word_sr, 16000, quality='VHQ')[window]],
        'scipy_poly_16000': [float(f'{v:.7g}') for v in scipy.signal.resample_poly(word, 320, 441)[window]],
    }
    (OUT / 'features.json').write_text(json.dumps({'librosa': librosa.__version__, 'cases': cases, 'resampled': resampled}, separators=(',', ':')) + '\n')
    for c in cases:
        print(c['name'], c['frames'], 'x', c['bins'])


if __name__ == '__main__':
    main()
