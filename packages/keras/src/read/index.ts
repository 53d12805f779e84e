export { loadKerasModel, readLegacyWeightsFile, buildModel, type BuildModelOptions, type LoadKerasModelOptions } from './load-keras-model.js';
export type { LayerWeights } from './read-weights.js';
export { kerasToTfjsTopology, type TfjsModelJson, type TfjsLayerJson, type TopologyOptions } from './keras-topology.js';
export { SUPPORTED_LAYER_CLASSES } from './layer-translators.js';
export { PolymodalBatchNormalization, POLYMODAL_BATCH_NORMALIZATION } from './batch-normalization.js';
