// The tfjs-layers model JSON (Keras 2's form, snake_case keys) that the reader produces for tf.models.modelFromJSON.
import type { Config } from './layer-options.js';

/** An inbound tensor: `[layer, node index, tensor index, call kwargs]`. */
export type NodeRef = [string, number, number, Config];

export interface TfjsLayerJson {
  class_name: string;
  name: string;
  config: Config;
  inbound_nodes: NodeRef[][];
}

export interface TfjsModelJson {
  class_name: 'Model';
  config: { name: string; layers: TfjsLayerJson[]; input_layers: [string, number, number][]; output_layers: [string, number, number][] };
}

