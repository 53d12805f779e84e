// @polymodal/keras: Keras 3 .keras and legacy .h5 models in (pretrained backbones) and out (export).
export * from './format/index.js';
export * from './read/index.js';
export * from './backbones/index.js';
export * from './write/index.js';
