export { exportKerasLayersModel, exportKerasModel, kerasArchiveBytes, preprocessingPathFor, type ExportKerasOptions, type ExportKerasResult } from './export-keras-model.js';
export { KERAS_MAPPERS, toKerasGraph } from './to-keras-graph.js';
export { kerasLayerOrder, type KerasGraph, type KerasLayer, type TensorRef, type WeightGroup, type WeightValue } from './keras-graph.js';
export { PREPROCESSING_FORMAT, PREPROCESSING_VERSION, exportedPreprocessing, type ExportedPreprocessing, type ExportedModelInput } from './preprocessing-export.js';
