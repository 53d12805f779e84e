// A named backbone's input preprocessing as layers placed right after its input, so the model takes images as
// Polymodal's image encoders give them by default (rescale 1/255: values in [0, 1]) and nothing else has to know.
import type { TfjsLayerJson, TfjsModelJson } from '../read/keras-topology.js';
import type { LayerWeights } from '../read/read-weights.js';
import type { BackbonePreprocessing } from './registry.js';

export const PREPROCESS_LAYER = 'polymodal_preprocess';

/** The topology with the preprocessing layer after the (single) input, and that layer's fixed weights if any. */
export function withPreprocessing(topology: TfjsModelJson, preprocessing: BackbonePreprocessing): { topology: TfjsModelJson; weights: LayerWeights } {
  const [input] = topology.config.input_layers[0];
  const layer = preprocessingLayer(input, preprocessing);
  const rewired = topology.config.layers.map((entry): TfjsLayerJson => ({
    ...entry,
    inbound_nodes: entry.inbound_nodes.map((node) => node.map((ref) => (ref[0] === input ? [PREPROCESS_LAYER, ref[1], ref[2], ref[3]] : ref))),
  }));
  const at = rewired.findIndex((entry) => entry.name === input) + 1;
  rewired.splice(at, 0, layer.json);
  return { topology: { ...topology, config: { ...topology.config, layers: rewired } }, weights: layer.weights };
}

function preprocessingLayer(input: string, preprocessing: BackbonePreprocessing): { json: TfjsLayerJson; weights: LayerWeights } {
  const inbound: TfjsLayerJson['inbound_nodes'] = [[[input, 0, 0, {}]]];
  if (preprocessing.mode === 'tf') {
    // [0, 1] -> [-1, 1], as keras.applications' preprocess_input(mode="tf") maps 0..255.
    return { json: { class_name: 'Rescaling', name: PREPROCESS_LAYER, config: { name: PREPROCESS_LAYER, trainable: false, dtype: 'float32', scale: 2, offset: -1 }, inbound_nodes: inbound }, weights: new Map() };
  }
  // "caffe": a fixed 1x1 convolution that scales [0, 1] to 0..255, swaps RGB to BGR and subtracts the BGR means.
  const kernel = new Float32Array(9);
  for (let rgb = 0; rgb < 3; rgb++) kernel[rgb * 3 + (2 - rgb)] = 255;
  const bias = Float32Array.from(preprocessing.meanBgr, (mean) => -mean);
  return {
    json: {
      class_name: 'Conv2D', name: PREPROCESS_LAYER, inbound_nodes: inbound,
      config: { name: PREPROCESS_LAYER, trainable: false, dtype: 'float32', filters: 3, kernel_size: [1, 1], strides: [1, 1], padding: 'valid', data_format: 'channels_last', dilation_rate: [1, 1], activation: 'linear', use_bias: true },
    },
    weights: new Map([[PREPROCESS_LAYER, [{ shape: [1, 1, 3, 3], values: kernel }, { shape: [3], values: bias }]]]),
  };
}
