/**
 * The fusions' own weightless layers: the attention fusion's PolymodalTokenMask, PolymodalMaskedPooling and
 * PolymodalAttentionReliance, and the gated fusion's PolymodalGatedCombine, written from their documented formulas.
 */
import { PolymodalError } from '@polymodal/core';
import { add, cast, concat, div, maximum, mul, reduce, reshape, slice, sub } from '../ir/ops.js';
import { configOf, type LayerLowering } from './context.js';

/** Added before a max so that a masked token never wins it (as the fusion's layer does). */
const LARGE_NEGATIVE = -1e9;

interface TokenSegment {
  steps: number;
  optional: boolean;
}

/**
 * `[tokens, ...present]` -> `[batch, T]`: 1 for the tokens that count. Without an optional modality every token
 * counts, and the mask is a `[1, T]` constant that broadcasts over the batch wherever it is used.
 */
export const lowerTokenMask: LayerLowering = (layer, [, ...present], { g }) => {
  const segments = configOf(layer)['segments'] as TokenSegment[];
  const n = layer.name;
  const total = segments.reduce((sum, s) => sum + s.steps, 0);
  if (present.length === 0) return [g.constant(`${n}/all_tokens`, new Float32Array(total).fill(1), [1, total])];
  // Presence masks are exactly 0 or 1, so 0 * present is a clean [batch, 1] zero to broadcast the other runs with.
  const zeros = mul(g, cast(g, present[0], 'float32', `${n}/present_0`), g.scalar(`${n}/zero`, 0), `${n}/batch_zeros`);
  let next = 0;
  const parts = segments.map((segment, i) => {
    const ones = g.constant(`${n}/ones_${i}`, new Float32Array(segment.steps).fill(1), [1, segment.steps]);
    if (!segment.optional) return add(g, zeros, ones, `${n}/segment_${i}`);
    const mask = reshape(g, cast(g, present[next++], 'float32', `${n}/present_${i}`), [-1, 1], `${n}/present_column_${i}`);
    return mul(g, mask, ones, `${n}/segment_${i}`);
  });
  return [concat(g, parts, 1, n)];
};

/** `[x, mask]` -> the mean or max of x over the tokens whose mask is 1. */
export const lowerMaskedPooling: LayerLowering = (layer, [x, mask], { g }) => {
  const n = layer.name;
  const steps = g.value(x).shape[1];
  const weights = reshape(g, cast(g, mask, 'float32', `${n}/mask`), [-1, steps, 1], `${n}/weights`);
  const weighted = mul(g, x, weights, `${n}/weighted`);
  if (configOf(layer)['pooling'] === 'max') {
    const penalty = mul(g, sub(g, g.scalar(`${n}/one`, 1), weights, `${n}/masked`), g.scalar(`${n}/large_negative`, LARGE_NEGATIVE), `${n}/penalty`);
    return [reduce(g, 'ReduceMax', add(g, weighted, penalty, `${n}/candidates`), [1], false, n)];
  }
  const count = maximum(g, reduce(g, 'ReduceSum', weights, [1], false, `${n}/count`), g.scalar(`${n}/at_least_one`, 1), `${n}/divisor`);
  return [div(g, reduce(g, 'ReduceSum', weighted, [1], false, `${n}/sum`), count, n)];
};

/** `[mask, ...scores]` -> `[batch, modalities]`: the attention each modality's tokens got from the pooled query. */
export const lowerAttentionReliance: LayerLowering = (layer, [mask, ...scores], { g }) => {
  const n = layer.name;
  const steps = configOf(layer)['steps'] as number[];
  const total = steps.reduce((a, b) => a + b, 0);
  const m = cast(g, mask, 'float32', `${n}/mask`);
  const norm = maximum(g, reduce(g, 'ReduceSum', m, [1], true, `${n}/mask_sum`), g.scalar(`${n}/tiny`, 1e-12), `${n}/mask_norm`);
  const queryWeights = reshape(g, div(g, m, norm, `${n}/query_weights_2d`), [-1, total, 1], `${n}/query_weights`);
  const perBlock = scores.map((s, i) => reduce(g, 'ReduceMean', s, [1], false, `${n}/heads_mean_${i}`));
  let attention = perBlock[0];
  for (let i = 1; i < perBlock.length; i++) attention = add(g, attention, perBlock[i], `${n}/blocks_sum_${i}`);
  if (perBlock.length > 1) attention = mul(g, attention, g.scalar(`${n}/inverse_blocks`, 1 / perBlock.length), `${n}/blocks_mean`);
  const received = reduce(g, 'ReduceSum', mul(g, attention, queryWeights, `${n}/weighted`), [1], false, `${n}/received`);
  let start = 0;
  const parts = steps.map((count, i) => {
    const part = slice(g, received, [0, start], [-1, count], `${n}/modality_${i}`);
    start += count;
    return reduce(g, 'ReduceSum', part, [1], true, `${n}/modality_${i}_sum`);
  });
  return [concat(g, parts, 1, n)];
};

/** `[gates, h_1, ..., h_n]` -> `sum_i gates[:, i] * h_i` (or the products side by side). */
export const lowerGatedCombine: LayerLowering = (layer, [gates, ...vectors], { g }) => {
  const n = layer.name;
  const gated = vectors.map((h, i) => mul(g, h, slice(g, gates, [0, i], [-1, 1], `${n}/gate_${i}`), `${n}/gated_${i}`));
  const combine = configOf(layer)['combine'] ?? 'sum';
  if (combine === 'concat') return [concat(g, gated, 1, n)];
  if (combine !== 'sum') throw new PolymodalError(`export: layer "${n}": unknown combine ${JSON.stringify(combine)}`, { exitCode: 2 });
  let sum = gated[0];
  for (let i = 1; i < gated.length; i++) sum = add(g, sum, gated[i], i === gated.length - 1 ? n : `${n}/sum_${i}`);
  return [sum];
};
