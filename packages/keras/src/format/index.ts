// Shared Keras file-format helpers (HDF5, the .keras zip, serialized objects, weight layout, class names), used by
// both the reader (../read) and the writer (../write). Stable: add to it, do not change what is here.
export * from './h5.js';
export * from './keras-archive.js';
export * from './keras-objects.js';
export * from './keras-weights.js';
export * from './layer-classes.js';
