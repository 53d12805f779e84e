import { PolymodalError, type EncoderDefinition, type InputSpec } from '@polymodal/core';
import { AudioPreprocessor, type AudioState } from './audio-preprocessor.js';
import { convBlock } from './conv-blocks.js';
import { featureHead } from './head.js';
import { cnnOptionsSchema, conv1dOptionsSchema, type AudioCnnOptions, type AudioConv1dOptions } from './options.js';

export const audioCnnEncoder: EncoderDefinition<AudioCnnOptions, AudioState, AudioPreprocessor> = {
  type: 'audio/cnn',
  description: 'WAV files (node-wav): resampled, log-mel / STFT / MFCC features, Conv2D blocks over time x frequency, pooling',
  optionsSchema: cnnOptionsSchema,
  columns: { min: 1, max: 1 },
  produces: ['vector', 'sequence'],
  preprocessing: 'heavy',
  createPreprocessor(input: InputSpec<AudioCnnOptions>, state?: AudioState) {
    if (input.options.features === 'raw') {
      throw new PolymodalError(`/inputs/${input.name}/options/features: "raw" waveforms have no frequency axis for audio/cnn`, {
        exitCode: 2,
        hint: 'use "encoder": "audio/conv1d" for raw waveforms, or features "mel", "mfcc" or "stft"',
      });
    }
    return new AudioPreprocessor(input, '2d', state);
  },
  build(inputs, input, _preprocessor, ctx) {
    let x = inputs.audio;
    input.options.blocks.forEach((block, i) => {
      x = convBlock(x, block, i, input.options.l2, 2, 3, ctx);
    });
    return featureHead(x, input.options, ctx);
  },
};

export const audioConv1dEncoder: EncoderDefinition<AudioConv1dOptions, AudioState, AudioPreprocessor> = {
  type: 'audio/conv1d',
  description: 'WAV files (node-wav): Conv1D blocks over feature frames (log-mel, MFCC, STFT) or the raw waveform',
  optionsSchema: conv1dOptionsSchema,
  columns: { min: 1, max: 1 },
  produces: ['vector', 'sequence'],
  preprocessing: 'heavy',
  createPreprocessor: (input: InputSpec<AudioConv1dOptions>, state?: AudioState) => new AudioPreprocessor(input, '1d', state),
  build(inputs, input, _preprocessor, ctx) {
    let x = inputs.audio;
    input.options.blocks.forEach((block, i) => {
      x = convBlock(x, block, i, input.options.l2, 1, 5, ctx);
    });
    return featureHead(x, input.options, ctx);
  },
};
