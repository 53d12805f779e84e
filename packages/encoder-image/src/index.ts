import { createRequire } from 'node:module';
import { definePlugin, type PolymodalPlugin } from '@polymodal/core';
import { PolymodalBatchNormalization } from '@polymodal/keras';
import { imageCnnEncoder } from './cnn-encoder.js';
import { imagePretrainedEncoder } from './pretrained-encoder.js';

const { name, version } = createRequire(import.meta.url)('../package.json') as { name: string; version: string };

/** The image encoder plugin. List "@polymodal/encoder-image" in a manifest's plugins to use `image/cnn` and `image/pretrained`. */
export default function imageEncoders(): PolymodalPlugin {
  // Imported Keras backbones use PolymodalBatchNormalization (frozen layers stay in inference mode, as in Keras).
  return definePlugin({ name, version, encoders: [imageCnnEncoder, imagePretrainedEncoder], layers: [PolymodalBatchNormalization] });
}

export { imageCnnEncoder, convBlock } from './cnn-encoder.js';
export { imagePretrainedEncoder, BackbonePreprocessor } from './pretrained-encoder.js';
export { cutBackbone, cutLayer, loadBackbone, type LoadedBackbone } from './backbone.js';
export { featureHead, type HeadOptions } from './head.js';
export { ImagePreprocessor, DEFAULT_CACHE_DIR, type ImageState } from './image-preprocessor.js';
export { decodeImage, convertChannels, type DecodeOptions } from './decode.js';
export { PixelCache, decodeKey, CACHE_FORMAT } from './pixel-cache.js';
export { applyAugmentation, drawAugmentation, augments, type AugmentParams } from './augment.js';
export { channelAffine, IMAGENET, type ChannelAffine } from './normalize.js';
export { sniffFormat, fileProblem, bytesProblem, type ImageFormat } from './image-format.js';
export { imageSource, parseDataUri, type ImageSource } from './image-source.js';
export { boundedMap } from './bounded-map.js';
export * from './options.js';
