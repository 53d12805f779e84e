/**
 * model.weights.h5 in Keras 3's layout (see ../format/keras-weights.ts): `layers/<group>/vars/<i>`, sublayers
 * nested by attribute (`layers/lstm/cell/vars/0`), the groups numbered in Keras's layer order.
 */
import { KERAS3_LAYERS_GROUP, KERAS3_VARS_GROUP, keras3LayerGroups, writeFloatDataset, writeH5Bytes, type H5Group } from '../format/index.js';
import type { KerasLayer, WeightGroup } from './keras-graph.js';

function writeGroup(parent: H5Group, path: string, group: WeightGroup): void {
  const own = parent.create_group(path);
  const vars = own.create_group(KERAS3_VARS_GROUP);
  vars.create_attribute('name', group.name);
  group.vars.forEach((weight, index) => writeFloatDataset(vars, String(index), { shape: [...weight.shape], values: weight.values }));
  for (const [name, child] of group.children) writeGroup(own, name, child);
}

/** The weight file's bytes for `orderedLayers` (in Keras's order, see kerasLayerOrder). */
export function kerasWeightsFile(modelName: string, orderedLayers: readonly KerasLayer[]): Promise<Uint8Array> {
  return writeH5Bytes((file) => {
    const layers = file.create_group(KERAS3_LAYERS_GROUP);
    const names = keras3LayerGroups(orderedLayers.map((layer) => layer.className));
    orderedLayers.forEach((layer, index) => writeGroup(layers, names[index], layer.weights));
    file.create_group(KERAS3_VARS_GROUP).create_attribute('name', modelName);
  });
}
