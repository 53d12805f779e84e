export { BACKBONES, BACKBONE_NAMES, DEFAULT_BACKBONE_BASE_URL, type BackboneEntry, type BackboneFile, type BackbonePreprocessing } from './registry.js';
export { loadNamedBackbone, backboneWeights, backboneEntry, isBackboneName, type NamedBackboneOptions } from './named-backbone.js';
export { downloadFile, type DownloadOptions } from './download.js';
export { polymodalCacheDir } from './cache-dir.js';
export type { Checksum } from './checksum.js';
export { PREPROCESS_LAYER } from './preprocessing.js';
