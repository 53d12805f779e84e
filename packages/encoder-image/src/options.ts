import { activationSchema, denseOptionsNeedUnits, dropoutSchema, l2Schema, unitsSchema, type Activation, type JsonSchema } from '@polymodal/core';

export type Fit = 'cover' | 'contain' | 'fill';
export type Interpolation = 'nearest' | 'bilinear' | 'bicubic' | 'lanczos3';
export type FillMode = 'reflect' | 'nearest' | 'constant';
export type { Activation };
export type Head = 'flatten' | 'globalAvgPool' | 'globalMaxPool';

/** Training-time augmentation, Keras preprocessing-layer semantics (RandomFlip, RandomRotation, ...). */
export interface AugmentOptions {
  flipHorizontal?: boolean;
  flipVertical?: boolean;
  /** Largest rotation either way, in degrees. */
  rotation?: number;
  /** Largest zoom either way as a fraction: 0.1 scales by a factor in [0.9, 1.1] (> 1 zooms in, i.e. crops). */
  zoom?: number;
  /** Largest shift either way, as a fraction of the width and height. */
  translation?: number;
  /** Largest brightness change either way, as a fraction of the full range (Keras RandomBrightness factor). */
  brightness?: number;
  /** Largest contrast change either way: each image is scaled about its mean by a factor in [1-c, 1+c]. */
  contrast?: number;
  /** How pixels moved in from outside the image are filled. */
  fillMode?: FillMode;
}

export interface NormalizeStats {
  mean: number[];
  std: number[];
}

/** How an image cell becomes a `[h, w, channels]` float tensor. */
export interface ImagePreprocessingOptions {
  size: [number, number];
  fit: Fit;
  channels: 1 | 3;
  interpolation: Interpolation;
  /** Multiplies each pixel value (0..255) first. */
  rescale: number;
  /** Then `(value - mean) / std` per channel; `imagenet` is torchvision's preset (for rescale 1/255). */
  normalize: 'none' | 'imagenet' | NormalizeStats;
  /** Folder (relative to the data file's folder) that relative image paths resolve from. */
  root?: string;
  /** Images decoded at once. */
  concurrency?: number;
  cache: boolean;
  /** `absent`: for an optional input, a file that does not exist counts as missing (default `error`). */
  missing?: 'error' | 'absent';
  /** Where cached pixels go (relative to the data file's folder); default `.polymodal-cache/images`. */
  cacheDir?: string;
  augment?: AugmentOptions;
}

export interface ConvBlock {
  filters: number;
  kernelSize: number | [number, number];
  strides: number | [number, number];
  padding: 'valid' | 'same';
  activation: Activation;
  pooling: 'max' | 'avg' | 'none';
  poolSize: number;
  batchNorm: boolean;
  dropout: number;
}

export interface CnnOptions extends ImagePreprocessingOptions {
  blocks: Partial<ConvBlock>[];
  head: Head;
  units: number[];
  activation: Activation;
  dropout: number;
  l2: number;
}

export interface PretrainedOptions extends ImagePreprocessingOptions {
  /** A Keras 3 .keras or legacy .h5 file, a tfjs LayersModel (model.json or its folder), relative to the manifest, or a named backbone (mobilenet_v2, vgg16, resnet50). */
  model: string;
  /** Cut the backbone after this layer (default: its last layer with a 4-D output, i.e. before the classifier). */
  layer?: string;
  /** Layers from this one on are trained (fine-tuning); default: the whole backbone is frozen. */
  trainableFrom?: string;
  head: Head;
  units: number[];
  activation: Activation;
  dropout: number;
  l2: number;
}

const pair = { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 2, maxItems: 2 };
const fraction = (description: string) => ({ type: 'number', minimum: 0, maximum: 1, description });

export const augmentSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'Random changes to training images only, drawn from the run\'s seed; validation and test images are never augmented.',
  properties: {
    flipHorizontal: { type: 'boolean', default: false },
    flipVertical: { type: 'boolean', default: false },
    rotation: { type: 'number', minimum: 0, maximum: 180, default: 0, description: 'Largest rotation either way, in degrees.' },
    zoom: { ...fraction('Largest zoom either way: 0.1 scales by 0.9..1.1 (above 1 crops in).'), default: 0 },
    translation: { ...fraction('Largest shift either way, as a fraction of the width and height.'), default: 0 },
    brightness: { ...fraction('Largest brightness change either way, as a fraction of the pixel range.'), default: 0 },
    contrast: { ...fraction('Largest contrast change either way: a factor in [1-c, 1+c] about the image mean.'), default: 0 },
    fillMode: { enum: ['reflect', 'nearest', 'constant'], default: 'reflect', description: 'Pixels moved in from outside the image (constant: black).' },
  },
};

export const preprocessingProperties: Record<string, JsonSchema> = {
  size: { ...pair, default: [64, 64], description: 'Target [height, width].' },
  fit: { enum: ['cover', 'contain', 'fill'], default: 'cover', description: 'cover: crop to fill; contain: letterbox (black); fill: stretch.' },
  channels: { enum: [1, 3], default: 3, description: '1 = greyscale, 3 = RGB; alpha is dropped.' },
  interpolation: { enum: ['nearest', 'bilinear', 'bicubic', 'lanczos3'], default: 'bilinear', description: 'Resampling filter.' },
  rescale: { type: 'number', default: 1 / 255, description: 'Each 0..255 pixel value is multiplied by this first.' },
  normalize: {
    description: 'Then (value - mean) / std per channel: "imagenet" (torchvision\'s, with rescale 1/255) or explicit statistics.',
    default: 'none',
    oneOf: [
      { enum: ['none', 'imagenet'] },
      {
        type: 'object',
        additionalProperties: false,
        required: ['mean', 'std'],
        properties: {
          mean: { type: 'array', items: { type: 'number' }, minItems: 1, maxItems: 3 },
          std: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, minItems: 1, maxItems: 3 },
        },
      },
    ],
  },
  root: { type: 'string', description: 'Folder (relative to the data file\'s folder) that relative image paths resolve from.' },
  concurrency: { type: 'integer', minimum: 1, maximum: 64, description: 'Images decoded at once (default: the number of cores).' },
  cache: { type: 'boolean', default: false, description: 'Keep decoded pixels on disk, keyed by file content and decoding options.' },
  missing: { enum: ['error', 'absent'], description: '"absent" (optional inputs only): a file that does not exist counts as a missing image, like an empty cell; a corrupt file stays an error. Default "error".' },
  cacheDir: { type: 'string', description: 'Cache folder, relative to the data file\'s folder (default .polymodal-cache/images).' },
  augment: augmentSchema,
};

const headProperties: Record<string, JsonSchema> = {
  head: { enum: ['flatten', 'globalAvgPool', 'globalMaxPool'], default: 'globalAvgPool', description: 'How the feature map becomes a vector.' },
  units: unitsSchema([], 'Dense layers after the head.'),
  activation: activationSchema(),
  dropout: dropoutSchema(0, 'Dropout after each dense layer.'),
  l2: l2Schema(0, 'L2 penalty on convolution and dense kernels.'),
};

export const blockSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['filters'],
  properties: {
    filters: { type: 'integer', minimum: 1 },
    kernelSize: { oneOf: [{ type: 'integer', minimum: 1 }, pair], default: 3 },
    strides: { oneOf: [{ type: 'integer', minimum: 1 }, pair], default: 1 },
    padding: { enum: ['valid', 'same'], default: 'valid' },
    activation: activationSchema('relu', 'Activation of the convolution.'),
    pooling: { enum: ['max', 'avg', 'none'], default: 'max' },
    poolSize: { type: 'integer', minimum: 1, default: 2 },
    batchNorm: { type: 'boolean', default: false, description: 'Batch normalization before the activation.' },
    dropout: dropoutSchema(0, 'Dropout rate after the block.'),
  },
};

export const cnnOptionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...preprocessingProperties,
    blocks: {
      type: 'array',
      minItems: 1,
      items: blockSchema,
      default: [{ filters: 32 }, { filters: 64 }],
      description: 'Convolution blocks: Conv2D [+ BatchNorm] + activation [+ pooling] [+ dropout].',
    },
    ...headProperties,
  },
  // l2 also reaches the convolutions here, so only dropout needs dense layers.
  allOf: [denseOptionsNeedUnits(['dropout'], [])],
};

export const pretrainedOptionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['model'],
  properties: {
    ...preprocessingProperties,
    model: { type: 'string', minLength: 1, description: 'A Keras .keras or .h5 file, a tfjs LayersModel (model.json or its folder), relative to the manifest, or a named backbone: mobilenet_v2, vgg16, resnet50 (downloaded once into POLYMODAL_CACHE).' },
    layer: { type: 'string', description: 'Cut after this layer (default: the last layer with a 4-D output).' },
    trainableFrom: { type: 'string', description: 'Fine-tune from this backbone layer on (default: frozen backbone).' },
    ...headProperties,
    l2: l2Schema(0, 'L2 penalty on the dense kernels after the head.'),
  },
  allOf: [denseOptionsNeedUnits(['dropout', 'l2'], [])],
};

export const BLOCK_DEFAULTS: Omit<ConvBlock, 'filters'> = {
  kernelSize: 3, strides: 1, padding: 'valid', activation: 'relu', pooling: 'max', poolSize: 2, batchNorm: false, dropout: 0,
};

export const PREPROCESSING_DEFAULTS: ImagePreprocessingOptions = {
  size: [64, 64], fit: 'cover', channels: 3, interpolation: 'bilinear', rescale: 1 / 255, normalize: 'none', cache: false,
};
