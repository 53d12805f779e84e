/**
 * The layers for missing modalities and gated fusion, written as the plain Keras layers that compute the same:
 *
 * PolymodalNullEmbedding `[x, present]` -> `present * x + (1 - present) * v`:
 *   Multiply([x, present]) + Dense(units)(present) with kernel -v and bias v (= (1 - present) * v).
 * PolymodalGatedCombine `[gates, h_1..h_n]` -> `sum_i gates[:, i] * h_i` (or side by side):
 *   column i of the gates is a fixed Dense(1) with a one-hot kernel, then Multiply, then Add or Concatenate.
 *
 * Keras's merge layers broadcast `[batch, width]` against `[batch, 1]`, so no reshaping is needed for vectors.
 */
import { emptyGroup, type CallArgument, type KerasLayer, type TensorRef, type WeightGroup, type WeightValue } from './keras-graph.js';
import { noKerasTwin, reshaped, type LayerMapper, type SourceLayer } from './tfjs-source.js';

/** Appends Keras layers named `<source>_<part>` and returns each one's output. */
function layerWriter(s: SourceLayer, layers: KerasLayer[]) {
  return (part: string, className: string, config: Record<string, unknown>, args: CallArgument[], shape: readonly (number | null)[], vars: WeightValue[] = [], trainable = s.layer.trainable): TensorRef => {
    const name = part === '' ? s.name : `${s.name}_${part}`;
    const weights: WeightGroup = vars.length ? { vars, name, children: [] } : emptyGroup(name);
    layers.push({ name, className, config, trainable, calls: [{ args }], weights });
    return { layer: name, node: 0, tensor: 0, shape, dtype: 'float32' };
  };
}

const nullEmbedding: LayerMapper = (s) => {
  if (s.calls.length !== 1) throw noKerasTwin(s, 'a null embedding shared between several inputs');
  const [x, present] = s.calls[0].inputs;
  const units = Number(x.shape.at(-1));
  const vector = s.weight('vector');
  const negated = { shape: [1, units], values: vector.values.map((v) => -v) };
  const layers: KerasLayer[] = [];
  const add = layerWriter(s, layers);
  const rowShape = [x.shape[0], units];
  const fill = add('vector', 'Dense', { units, activation: 'linear', use_bias: true }, [present], rowShape, [negated, reshaped(vector, [units])]);
  if (x.shape.length === 3) {
    // One factor per row, broadcast over the steps: [batch, 1, 1] and [batch, 1, units].
    const presentSteps = add('present_steps', 'Reshape', { target_shape: [1, 1] }, [present], [x.shape[0], 1, 1]);
    const kept = add('kept', 'Multiply', {}, [[x, presentSteps]], x.shape);
    const fillSteps = add('vector_steps', 'Reshape', { target_shape: [1, units] }, [fill], [x.shape[0], 1, units]);
    return { layers, outputs: [[add('', 'Add', {}, [[kept, fillSteps]], x.shape)]] };
  }
  const kept = add('kept', 'Multiply', {}, [[x, present]], x.shape);
  return { layers, outputs: [[add('', 'Add', {}, [[kept, fill]], x.shape)]] };
};

const gatedCombine: LayerMapper = (s) => {
  if (s.calls.length !== 1) throw noKerasTwin(s, 'a gated combination shared between several inputs');
  const [gates, ...vectors] = s.calls[0].inputs;
  const n = vectors.length;
  const layers: KerasLayer[] = [];
  const add = layerWriter(s, layers);
  const gated = vectors.map((h, i) => {
    const column = new Float32Array(n);
    column[i] = 1;
    const gate = add(`gate_${i + 1}`, 'Dense', { units: 1, activation: 'linear', use_bias: false }, [gates], [gates.shape[0], 1], [{ shape: [n, 1], values: column }], false);
    return add(`gated_${i + 1}`, 'Multiply', {}, [[h, gate]], h.shape);
  });
  if (n === 1) return { layers, outputs: [[gated[0]]] };
  const width = Number(vectors[0].shape[1]);
  const combined = s.config.combine === 'concat'
    ? add('', 'Concatenate', { axis: -1 }, [gated], [gates.shape[0], n * width])
    : add('', 'Add', {}, [gated], [gates.shape[0], width]);
  return { layers, outputs: [[combined]] };
};

export const MISSING_INPUT_MAPPERS: ReadonlyMap<string, LayerMapper> = new Map<string, LayerMapper>([
  ['PolymodalNullEmbedding', nullEmbedding],
  ['PolymodalGatedCombine', gatedCombine],
]);
