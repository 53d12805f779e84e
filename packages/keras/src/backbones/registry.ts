// Named backbones: keras.applications models without their classifier. keras.applications publishes their weights
// as weights-only legacy .h5 files at storage.googleapis.com; the architectures (Keras 3 configs for any image size)
// ship with this package in ../../architectures (made by tools/keras-fixtures/make_architectures.py).
//
// NOT TESTED HERE: the addresses and checksums below were taken from Keras 3.15's keras.applications sources
// (which download the same files); the machines this package is developed on cannot reach them. The download,
// checksum and cache code is tested against a local server.
import type { Checksum } from './checksum.js';

/** What a backbone expects of its input, built into the imported model as its first layer (see preprocessing.ts). */
export type BackbonePreprocessing =
  /** Keras's "tf" mode: pixels scaled to [-1, 1]. */
  | { mode: 'tf' }
  /** Keras's "caffe" mode: RGB to BGR, then the ImageNet channel means (BGR, on 0..255) subtracted. */
  | { mode: 'caffe'; meanBgr: [number, number, number] };

export interface BackboneFile {
  /** Its name in the cache folder. */
  name: string;
  /** Its path below the registry's base URL. */
  path: string;
  checksum: Checksum;
}

export interface BackboneEntry {
  name: string;
  description: string;
  /** The bundled architecture, ../../architectures/<architecture>.json.gz. */
  architecture: string;
  weights: BackboneFile;
  /** How the file's weights meet the architecture's layers: by layer name, or by order (files older than the names). */
  match: 'name' | 'order';
  /** The image size the weights were trained at ([height, width, channels]); other sizes work, less well. */
  trainedSize: [number, number, number];
  preprocessing: BackbonePreprocessing;
  /** The layer to cut after by default (the last feature map). */
  defaultLayer: string;
}

/** Where keras.applications' weights live; POLYMODAL_BACKBONE_BASE_URL or the `baseUrl` option replaces it. */
export const DEFAULT_BACKBONE_BASE_URL = 'https://storage.googleapis.com/tensorflow/keras-applications/';

const CAFFE_MEAN_BGR: [number, number, number] = [103.939, 116.779, 123.68];

export const BACKBONES: ReadonlyMap<string, BackboneEntry> = new Map(([
  {
    name: 'mobilenet_v2',
    description: 'MobileNetV2 (alpha 1.0), ImageNet weights, 2.3 M parameters, 1280 features',
    architecture: 'mobilenet_v2',
    // keras.applications downloads this file without a hash: none is published.
    weights: { name: 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5', path: 'mobilenet_v2/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5', checksum: 'unverified' },
    match: 'name',
    trainedSize: [224, 224, 3],
    preprocessing: { mode: 'tf' },
    defaultLayer: 'out_relu',
  },
  {
    name: 'vgg16',
    description: 'VGG16, ImageNet weights, 14.7 M parameters, 512 features',
    architecture: 'vgg16',
    weights: { name: 'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5', path: 'vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5', checksum: { md5: '6d6bbae143d832006294945121d1f1fc' } },
    match: 'name',
    trainedSize: [224, 224, 3],
    preprocessing: { mode: 'caffe', meanBgr: CAFFE_MEAN_BGR },
    defaultLayer: 'block5_pool',
  },
  {
    name: 'resnet50',
    description: 'ResNet50, ImageNet weights, 23.6 M parameters, 2048 features',
    architecture: 'resnet50',
    weights: { name: 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5', path: 'resnet/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5', checksum: { md5: '4d473c1dd8becc155b73f8504c6f6626' } },
    // The file predates Keras's current layer names; Keras itself loads it by order.
    match: 'order',
    trainedSize: [224, 224, 3],
    preprocessing: { mode: 'caffe', meanBgr: CAFFE_MEAN_BGR },
    defaultLayer: 'conv5_block3_out',
  },
] satisfies BackboneEntry[]).map((entry) => [entry.name, entry]));

/** The registered backbone names. */
export const BACKBONE_NAMES: readonly string[] = [...BACKBONES.keys()];
