import { createRequire } from 'node:module';
import { definePlugin, type PolymodalPlugin } from '@polymodal/core';
import { audioCnnEncoder, audioConv1dEncoder } from './encoders.js';

const { name, version } = createRequire(import.meta.url)('../package.json') as { name: string; version: string };

/** The audio encoder plugin. List "@polymodal/encoder-audio" in a manifest's plugins to use `audio/cnn` and `audio/conv1d`. */
export default function audioEncoders(): PolymodalPlugin {
  return definePlugin({ name, version, encoders: [audioCnnEncoder, audioConv1dEncoder] });
}

export { audioCnnEncoder, audioConv1dEncoder } from './encoders.js';
export { AudioPreprocessor, DEFAULT_CACHE_DIR, type AudioState, type FeatureLayout } from './audio-preprocessor.js';
export { AudioCache, AUDIO_CACHE_FORMAT } from './audio-cache.js';
export { decodeWav, type DecodedAudio } from './wav/decode-wav.js';
export { readWavLayout, WavFormatError, type WavLayout, type SampleEncoding } from './wav/wav-layout.js';
export { inspectWavFile } from './wav/wav-file.js';
export { Resampler } from './signal/resample.js';
export { selectChannels } from './signal/channels.js';
export { fixLength } from './signal/fix-length.js';
export { FeatureExtractor, type FeatureMatrix } from './features/extract-features.js';
export { featureOptions, FEATURE_DEFAULTS, type FeatureOptions, type FeatureKind, type LogScale } from './features/feature-options.js';
export { MelFilterbank, hzToMel, melToHz, type MelScale } from './features/mel.js';
export { RealFft } from './features/real-fft.js';
export { Stft } from './features/stft.js';
export { analysisWindow, type WindowName } from './features/window.js';
export { powerToDb } from './features/log-scale.js';
export { Dct2 } from './features/dct.js';
export { augmentWaveform, drawAudioAugmentation, maskFeatures, type AudioAugmentParams } from './augment.js';
export * from './options.js';
