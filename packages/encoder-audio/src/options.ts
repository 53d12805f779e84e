import { activationSchema, denseOptionsNeedUnits, dropoutSchema, l2Schema, unitsSchema, type Activation, type JsonSchema } from '@polymodal/core';
import { FEATURE_DEFAULTS, type FeatureKind, type LogScale } from './features/feature-options.js';
import type { MelScale } from './features/mel.js';
import type { WindowName } from './features/window.js';

export type { Activation };
export type Normalization = 'dataset' | 'file' | 'none';
export type Head = 'flatten' | 'globalAvgPool' | 'globalMaxPool';
export type EncoderOutputKind = 'vector' | 'sequence';

/** Training-only random changes, drawn from the run's seed. */
export interface AudioAugmentOptions {
  /** Largest gain change either way, in dB. */
  gainDb?: number;
  /** Largest shift either way, as a fraction of the clip (zeros shifted in). */
  timeShift?: number;
  /** White noise at an SNR drawn from [low, high] dB; absent: no noise. */
  noiseSnrDb?: [number, number];
  /** SpecAugment: number of time masks and the widest, in frames. */
  timeMasks?: number;
  timeMaskWidth?: number;
  /** SpecAugment: number of frequency masks and the widest, in bins. */
  freqMasks?: number;
  freqMaskWidth?: number;
}

/** How an audio cell becomes a feature matrix. */
export interface AudioPreprocessingOptions {
  sampleRate: number;
  channels: number;
  durationSeconds: number | 'auto';
  maxDurationSeconds: number;
  crop: 'center' | 'random';
  features: FeatureKind;
  nFft: number;
  hopLength: number;
  winLength: number;
  window: WindowName;
  center: boolean;
  padMode: 'constant' | 'reflect';
  power: number;
  nMels: number;
  fMin: number;
  fMax?: number;
  melScale: MelScale;
  melNorm: 'slaney' | 'none';
  log: LogScale;
  logOffset: number;
  topDb: number | null;
  amin: number;
  ref: number;
  nMfcc: number;
  lifter: number;
  normalize: Normalization;
  root?: string;
  cache: boolean;
  cacheDir?: string;
  augment?: AudioAugmentOptions;
  /** `absent`: for an optional input, a file that does not exist counts as missing (default `error`). */
  missing?: 'error' | 'absent';
}

export interface ConvBlock {
  filters: number;
  kernelSize: number | [number, number];
  strides: number | [number, number];
  padding: 'valid' | 'same';
  activation: Activation;
  pooling: 'max' | 'avg' | 'none';
  poolSize: number | [number, number];
  batchNorm: boolean;
  dropout: number;
}

interface HeadOptions {
  blocks: Partial<ConvBlock>[];
  head: Head;
  output: EncoderOutputKind;
  units: number[];
  activation: Activation;
  dropout: number;
  l2: number;
}

export type AudioCnnOptions = AudioPreprocessingOptions & HeadOptions;
export type AudioConv1dOptions = AudioPreprocessingOptions & HeadOptions;

const positiveInteger = (value: number, description: string) => ({ type: 'integer', minimum: 1, default: value, description });
const pair = { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 2, maxItems: 2 };
const D = FEATURE_DEFAULTS;

export const augmentSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Random changes to training clips only, drawn from the run\'s seed; validation and test clips are never augmented.',
  properties: {
    gainDb: { type: 'number', minimum: 0, default: 0, description: 'Largest gain change either way, in dB.' },
    timeShift: { type: 'number', minimum: 0, maximum: 1, default: 0, description: 'Largest shift either way as a fraction of the clip (zeros shifted in).' },
    noiseSnrDb: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2, description: 'White noise at an SNR drawn uniformly from [low, high] dB.' },
    timeMasks: { type: 'integer', minimum: 0, default: 0, description: 'SpecAugment time masks per clip.' },
    timeMaskWidth: positiveInteger(10, 'Widest time mask, in frames.'),
    freqMasks: { type: 'integer', minimum: 0, default: 0, description: 'SpecAugment frequency masks per clip.' },
    freqMaskWidth: positiveInteger(8, 'Widest frequency mask, in bins (mel bands, STFT bins or coefficients).'),
  },
};

export const preprocessingProperties: Record<string, JsonSchema> = {
  sampleRate: positiveInteger(D.sampleRate, 'Every clip is resampled to this rate (Hz) with a windowed-sinc filter.'),
  channels: positiveInteger(1, '1 mixes every file down to mono (mean); N keeps the first N channels (a mono file is repeated).'),
  durationSeconds: {
    oneOf: [{ type: 'number', exclusiveMinimum: 0 }, { const: 'auto' }],
    default: 'auto',
    description: 'Clip length the model sees: longer clips are cropped, shorter ones zero-padded at the end. "auto": the longest training clip, at most maxDurationSeconds.',
  },
  maxDurationSeconds: { type: 'number', exclusiveMinimum: 0, default: 10, description: 'Cap on the "auto" duration.' },
  crop: { enum: ['center', 'random'], default: 'center', description: 'How long clips are cut: "random" picks a random window in training (centre otherwise).' },
  features: { enum: ['raw', 'stft', 'mel', 'mfcc'], default: D.features, description: 'raw waveform, |STFT|^power, mel spectrogram or MFCC.' },
  nFft: positiveInteger(D.nFft, 'FFT size (any size; powers of two are fastest).'),
  hopLength: positiveInteger(D.hopLength, 'Samples between frames.'),
  winLength: positiveInteger(D.winLength, 'Window length in samples (zero-padded to nFft, centred).'),
  window: { enum: ['hann', 'hamming', 'blackman', 'rectangular'], default: D.window, description: 'Periodic analysis window (scipy get_window, fftbins=True).' },
  center: { type: 'boolean', default: D.center, description: 'Pad nFft/2 on both sides so frames are centred on t * hopLength.' },
  padMode: { enum: ['constant', 'reflect'], default: D.padMode, description: 'Padding used by center: zeros or reflection.' },
  power: { type: 'number', exclusiveMinimum: 0, default: D.power, description: 'Exponent of the magnitude: 1 magnitude, 2 power.' },
  nMels: positiveInteger(D.nMels, 'Mel bands.'),
  fMin: { type: 'number', minimum: 0, default: D.fMin, description: 'Lowest mel frequency (Hz).' },
  fMax: { type: 'number', exclusiveMinimum: 0, description: 'Highest mel frequency (Hz); default sampleRate / 2.' },
  melScale: { enum: ['slaney', 'htk'], default: D.melScale, description: 'Mel scale (librosa htk=False / True).' },
  melNorm: { enum: ['slaney', 'none'], default: D.melNorm, description: '"slaney" scales each band to constant energy (librosa norm="slaney").' },
  log: { enum: ['db', 'log', 'none'], default: D.log, description: 'db: power_to_db(S, ref, amin, topDb); log: ln(S + logOffset); none. Applies to stft and mel; MFCC uses it before the DCT.' },
  logOffset: { type: 'number', exclusiveMinimum: 0, default: D.logOffset, description: 'Offset added before ln with log "log".' },
  topDb: { oneOf: [{ type: 'number', exclusiveMinimum: 0 }, { type: 'null' }], default: D.topDb, description: 'power_to_db floors each clip at its maximum minus topDb; null: no floor.' },
  amin: { type: 'number', exclusiveMinimum: 0, default: D.amin, description: 'power_to_db\'s smallest value.' },
  ref: { type: 'number', exclusiveMinimum: 0, default: D.ref, description: 'power_to_db\'s reference (0 dB).' },
  nMfcc: positiveInteger(D.nMfcc, 'MFCCs kept (DCT-II, orthonormal).'),
  lifter: { type: 'number', minimum: 0, default: D.lifter, description: 'Cepstral liftering of the MFCCs (0: none).' },
  normalize: { enum: ['dataset', 'file', 'none'], default: 'dataset', description: 'Per-bin standardisation: dataset (means and deviations of the training split, saved with the model), per file, or none.' },
  root: { type: 'string', description: 'Folder (relative to the data file\'s folder) that relative audio paths resolve from.' },
  cache: { type: 'boolean', default: false, description: 'Keep decoded and resampled audio (and features when not augmenting) on disk, keyed by file content and options.' },
  cacheDir: { type: 'string', description: 'Cache folder, relative to the data file\'s folder (default .polymodal-cache/audio).' },
  augment: augmentSchema,
  missing: { enum: ['error', 'absent'], description: '"absent" (optional inputs only): a file that does not exist counts as a missing clip, like an empty cell; a corrupt file stays an error. Default "error".' },
};

export const BLOCK_DEFAULTS: Omit<ConvBlock, 'filters' | 'kernelSize'> = {
  strides: 1, padding: 'same', activation: 'relu', pooling: 'max', poolSize: 2, batchNorm: false, dropout: 0,
};

function blockSchema(defaults: { kernelSize: number; poolSize: number }): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['filters'],
    properties: {
      filters: { type: 'integer', minimum: 1 },
      kernelSize: { oneOf: [{ type: 'integer', minimum: 1 }, pair], default: defaults.kernelSize },
      strides: { oneOf: [{ type: 'integer', minimum: 1 }, pair], default: 1 },
      padding: { enum: ['valid', 'same'], default: 'same' },
      activation: activationSchema('relu', 'Activation of the convolution.'),
      pooling: { enum: ['max', 'avg', 'none'], default: 'max' },
      poolSize: { oneOf: [{ type: 'integer', minimum: 1 }, pair], default: defaults.poolSize },
      batchNorm: { type: 'boolean', default: false, description: 'Batch normalization before the activation (slow to train on the wasm backend).' },
      dropout: dropoutSchema(0, 'Dropout rate after the block.'),
    },
  };
}

function headProperties(filters: number[], kernelSize: number): Record<string, JsonSchema> {
  return {
    blocks: {
      type: 'array',
      minItems: 1,
      items: blockSchema({ kernelSize, poolSize: 2 }),
      // Written out in full: the schema fills each item's defaults, and a default must be what validation leaves.
      default: filters.map((f) => ({ filters: f, kernelSize, ...BLOCK_DEFAULTS })),
      description: 'Convolution blocks: conv [+ BatchNorm] + activation [+ pooling] [+ dropout].',
    },
    head: { enum: ['flatten', 'globalAvgPool', 'globalMaxPool'], default: 'globalMaxPool', description: 'How the feature map becomes a vector (output "vector").' },
    output: { enum: ['vector', 'sequence'], default: 'vector', description: '"sequence": one token per (pooled) time frame, for the attention fusion.' },
    units: unitsSchema([], 'Dense layers after the head (applied to every token with output "sequence").'),
    activation: activationSchema(),
    dropout: dropoutSchema(0, 'Dropout after each dense layer.'),
    l2: l2Schema(0, 'L2 penalty on convolution and dense kernels.'),
  };
}

export const cnnOptionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { ...preprocessingProperties, ...headProperties([16, 32, 64], 3) },
  allOf: [denseOptionsNeedUnits(['dropout'], [])],
};

export const conv1dOptionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { ...preprocessingProperties, ...headProperties([64, 64, 64], 5) },
  allOf: [denseOptionsNeedUnits(['dropout'], [])],
};
