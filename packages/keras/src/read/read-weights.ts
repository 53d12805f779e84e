// The variables of every layer, by layer name and in the layer's own order, from a Keras 3 model.weights.h5 or a
// legacy .h5 (layouts in ../format/keras-weights.ts).
import { datasetAt, groupAt, readFloatDataset, stringAttribute, stringListAttribute, type FloatArray, type H5Group } from '../format/h5.js';
import { keras3LayerGroups, KERAS3_LAYERS_GROUP, KERAS3_VARS_GROUP } from '../format/keras-weights.js';

export type LayerWeights = Map<string, FloatArray[]>;

/**
 * Keras 3: `layers/<group>/vars/<i>`. The layer's name is the `vars` group's `name` attribute; files without it
 * (older Keras 3) are matched by the group names Keras derives from the class names in `layerClasses` (model order).
 */
export function readKeras3Weights(root: H5Group, layerClasses: readonly { name: string; className: string }[]): LayerWeights {
  const weights: LayerWeights = new Map();
  const layers = groupAt(root, KERAS3_LAYERS_GROUP);
  if (!layers) return weights;
  const byGroup = new Map(keras3LayerGroups(layerClasses.map((l) => l.className)).map((group, i) => [group, layerClasses[i].name]));
  readLayerGroups(layers, byGroup, weights);
  return weights;
}

/** Every `<group>/vars` below `layers`, and those of nested models (`<group>/layers/...`), by layer name. */
function readLayerGroups(layers: H5Group, byGroup: ReadonlyMap<string, string>, weights: LayerWeights): void {
  for (const group of layers.keys()) {
    const nested = groupAt(layers, `${group}/${KERAS3_LAYERS_GROUP}`);
    if (nested) readLayerGroups(nested, new Map(), weights);
    const vars = groupAt(layers, `${group}/${KERAS3_VARS_GROUP}`);
    if (!vars) continue;
    const name = stringAttribute(vars, 'name') ?? byGroup.get(group) ?? group;
    // Recurrent layers (GRU, LSTM) keep their variables on their `cell` sublayer: `<group>/cell/vars/<i>`.
    const cellVars = groupAt(layers, `${group}/cell/${KERAS3_VARS_GROUP}`);
    const own = numberedVars(vars);
    const values = own.length === 0 && cellVars ? numberedVars(cellVars) : own;
    if (values.length > 0) weights.set(name, values);
  }
}

/** The datasets `0`, `1`, ... of a `vars` group, in order. */
function numberedVars(vars: H5Group): FloatArray[] {
  const indices = vars.keys().map(Number).filter(Number.isInteger).sort((a, b) => a - b);
  return indices.map((i) => readFloatDataset(datasetAt(vars, String(i))!));
}

/** Legacy: `layer_names` on the weights group, `weight_names` on each layer's group, datasets at `<layer>/<weight>`. */
export function readLegacyWeights(weightsGroup: H5Group): LayerWeights {
  const weights: LayerWeights = new Map();
  for (const layer of stringListAttribute(weightsGroup, 'layer_names')) {
    const group = groupAt(weightsGroup, layer);
    if (!group) continue;
    for (const name of stringListAttribute(group, 'weight_names')) {
      const dataset = datasetAt(group, name);
      if (!dataset) throw new Error(`weight ${layer}/${name} is listed in weight_names but missing`);
      const owner = weightOwner(layer, name);
      weights.set(owner, [...(weights.get(owner) ?? []), readFloatDataset(dataset)]);
    }
  }
  return weights;
}

/**
 * The layer a legacy weight belongs to. Weight names are variable paths: `conv/kernel:0` (Keras 2),
 * `lstm/lstm_cell/kernel:0`, `my_model/conv/kernel` (Keras 3 in a Sequential): the group's own layer whenever its
 * name is on the path. A nested model's group instead holds its inner layers' weights (`base_conv/kernel` in group
 * `base`): those belong to the layer named just before the variable.
 */
function weightOwner(layer: string, weightName: string): string {
  const path = weightName.split('/');
  if (path.length < 2 || path.slice(0, -1).includes(layer)) return layer;
  return path[path.length - 2];
}
