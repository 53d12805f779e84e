/**
 * PolymodalMultiHeadAttention, PolymodalTransformerEncoderBlock and PolymodalPositionalEmbedding decomposed into
 * MatMul, Softmax, Reshape and Transpose, following core's implementations step by step.
 */
import type * as tf from '@tensorflow/tfjs';
import { add, cast, matMul, mul, reshape, softmax, sub, transpose } from '../ir/ops.js';
import { project } from './dense.js';
import { configOf, unsupported, weightData, weightsByName, type LayerLowering, type LoweringContext } from './context.js';

/** Added to masked scores before softmax, as core's layer (and Keras's masked softmax) does. */
const LARGE_NEGATIVE = -1e9;

interface Projection {
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
}

/** The attention layer's four projections (private fields of core's class, read, never changed). */
function projections(layer: tf.layers.Layer): Record<'query' | 'key' | 'value' | 'attentionOutput', Projection> {
  const fields = layer as unknown as Record<string, Projection | null>;
  const get = (field: string): Projection => {
    const p = fields[field];
    if (p == null) throw unsupported(layer, 'an attention layer that was never built');
    return p;
  };
  return { query: get('query'), key: get('key'), value: get('value'), attentionOutput: get('attentionOutput') };
}

function projectWith(ctx: LoweringContext, x: string, p: Projection, name: string): string {
  const kernel = ctx.weight(p.kernel, `${name}/kernel`, p.kernel.shape as number[]);
  const bias = p.bias ? ctx.weight(p.bias, `${name}/bias`, p.bias.shape as number[]) : undefined;
  return project(ctx, x, kernel, bias, name);
}

/** `[batch, T, heads * size]` -> `[batch, heads, T, size]`. */
function splitHeads(ctx: LoweringContext, x: string, heads: number, size: number, name: string): string {
  const steps = ctx.g.value(x).shape[1];
  return transpose(ctx.g, reshape(ctx.g, x, [-1, steps, heads, size], `${name}/heads`), [0, 2, 1, 3], `${name}/heads_first`);
}

/** 1 where `x` is not 0, as float32 (x*x > 0 is exactly x != 0). */
function notZero(ctx: LoweringContext, x: string, name: string): string {
  const { g } = ctx;
  const asFloat = cast(g, x, 'float32', `${name}/as_float`);
  const square = mul(g, asFloat, asFloat, `${name}/square`);
  const positive = g.node('Greater', [square, g.scalar(`${name}/zero`, 0)], g.value(square).shape, `${name}/nonzero`, {}, 'bool');
  return cast(g, positive, 'float32', name);
}

function attentionMask(ctx: LoweringContext, layer: tf.layers.Layer, padding: string | undefined, tq: number, tv: number): string | undefined {
  const { g } = ctx;
  let mask: string | undefined;
  if (padding !== undefined) mask = reshape(g, notZero(ctx, padding, `${layer.name}/padding_mask`), [-1, 1, 1, tv], `${layer.name}/padding_mask_4d`);
  if (configOf(layer)['useCausalMask'] === true) {
    const causal = new Float32Array(tq * tv);
    for (let i = 0; i < tq; i++) for (let j = 0; j <= i && j < tv; j++) causal[i * tv + j] = 1;
    const constant = g.constant(`${layer.name}/causal_mask`, causal, [1, 1, tq, tv]);
    mask = mask === undefined ? constant : mul(g, mask, constant, `${layer.name}/mask`);
  }
  return mask;
}

export const lowerMultiHeadAttention: LayerLowering = (layer, inputs, ctx) => {
  const { g } = ctx;
  const sequences = inputs.filter((x) => g.value(x).shape.length === 3);
  const padding = inputs.find((x) => g.value(x).shape.length === 2);
  const [queryIn, valueIn = queryIn, keyIn = valueIn] = sequences;
  const config = configOf(layer);
  const heads = config['numHeads'] as number;
  const keyDim = config['keyDim'] as number;
  const valueDim = (config['valueDim'] as number | null) ?? keyDim;
  const tq = g.value(queryIn).shape[1];
  const tv = g.value(valueIn).shape[1];
  const p = projections(layer);
  const n = layer.name;
  const q = mul(g, splitHeads(ctx, projectWith(ctx, queryIn, p.query, `${n}/query`), heads, keyDim, `${n}/query`), g.scalar(`${n}/scale`, 1 / Math.sqrt(keyDim)), `${n}/query_scaled`);
  const k = splitHeads(ctx, projectWith(ctx, keyIn, p.key, `${n}/key`), heads, keyDim, `${n}/key`);
  const v = splitHeads(ctx, projectWith(ctx, valueIn, p.value, `${n}/value`), heads, valueDim, `${n}/value`);
  let scores = matMul(g, q, transpose(g, k, [0, 1, 3, 2], `${n}/key_t`), `${n}/scores`);
  const mask = attentionMask(ctx, layer, padding, tq, tv);
  if (mask !== undefined) {
    const penalty = mul(g, sub(g, g.scalar(`${n}/one`, 1), mask, `${n}/masked`), g.scalar(`${n}/large_negative`, LARGE_NEGATIVE), `${n}/penalty`);
    scores = add(g, scores, penalty, `${n}/masked_scores`);
  }
  const probabilities = softmax(g, scores, `${n}/probabilities`);
  const context = matMul(g, probabilities, v, `${n}/context`);
  const merged = reshape(g, transpose(g, context, [0, 2, 1, 3], `${n}/steps_first`), [-1, tq, heads * valueDim], `${n}/merged`);
  const output = projectWith(ctx, merged, p.attentionOutput, n);
  // With returnAttentionScores the layer also gives the probabilities [batch, heads, Tq, Tv], as Keras's scores.
  return config['returnAttentionScores'] === true ? [output, probabilities] : [output];
};

export const lowerTransformerEncoderBlock: LayerLowering = (layer, inputs, ctx) => {
  const parts = layer as unknown as Record<string, tf.layers.Layer | null>;
  const [attention, attentionNorm, ffnIntermediate, ffnOutput, ffnNorm] = ['attention', 'attentionNorm', 'ffnIntermediate', 'ffnOutput', 'ffnNorm'].map((field) => {
    const sub = parts[field];
    if (sub == null) throw unsupported(layer, 'a transformer block that was never built');
    return sub;
  });
  const { g } = ctx;
  const x = inputs[0];
  const n = layer.name;
  const [attended, scores] = ctx.lowerLayer(attention, inputs);
  const [y] = ctx.lowerLayer(attentionNorm, [add(g, x, attended, `${n}/attention_residual`)]);
  const [hidden] = ctx.lowerLayer(ffnIntermediate, [y]);
  const [ff] = ctx.lowerLayer(ffnOutput, [hidden]);
  const [out] = ctx.lowerLayer(ffnNorm, [add(g, y, ff, `${n}/ffn_residual`)]);
  return scores === undefined ? [out] : [out, scores];
};

export const lowerPositionalEmbedding: LayerLowering = (layer, [x], ctx) => {
  const { g } = ctx;
  const [, steps, features] = g.value(x).shape;
  // The first `steps` rows of the table, cut here once (the rows are contiguous).
  const table = weightData(weightsByName(layer).get('embeddings')!);
  const positions = g.constant(`${layer.name}/embeddings`, table.slice(0, steps * features), [steps, features]);
  return [add(g, x, positions, layer.name)];
};
