// Where Keras 3 keeps variables in model.weights.h5, and where legacy .h5 files keep them. Shared by reader and writer.
//
// Keras 3 (`.keras` archives): `layers/<group>/vars/<i>` holds a layer's i-th variable, in the order the layer
// created them (Conv2D: kernel, bias; BatchNormalization: gamma, beta, moving_mean, moving_variance). `<group>` is
// the layer's class name in snake case, numbered by how many layers of that class came before it in the model's
// layer list (`conv2d`, `conv2d_1`, ...); the `vars` group carries the layer's own name in its `name` attribute
// (Keras 3.15). The model's own variables, if any, are in `vars/`; optimizer state in `optimizer/`.
//
// Legacy `.h5` (Keras 2, tf.keras, and Keras 3's `model.save('x.h5')`): root attribute `model_config` (JSON),
// group `model_weights` with attribute `layer_names`; each layer's group has attribute `weight_names` (`conv/kernel:0`
// in Keras 2, `conv/kernel` in Keras 3) and the datasets at `model_weights/<layer>/<weight name>`. A weights-only
// file (`save_weights('x.h5')`, keras.applications' downloads) has the same layout at its root.

export const KERAS3_LAYERS_GROUP = 'layers';
export const KERAS3_VARS_GROUP = 'vars';
export const LEGACY_MODEL_CONFIG_ATTRIBUTE = 'model_config';
export const LEGACY_WEIGHTS_GROUP = 'model_weights';

/** Keras's `naming.to_snake_case`: `Conv2D` -> `conv2d`, `ReLU` -> `re_lu`, `InputLayer` -> `input_layer`. */
export function toSnakeCase(className: string): string {
  return className
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** The `layers/<group>` names Keras 3 gives layers of these classes, in model order. */
export function keras3LayerGroups(classNames: readonly string[]): string[] {
  const used = new Map<string, number>();
  return classNames.map((className) => {
    const base = toSnakeCase(className);
    const count = used.get(base);
    used.set(base, (count ?? -1) + 1);
    return count === undefined ? base : `${base}_${count + 1}`;
  });
}
