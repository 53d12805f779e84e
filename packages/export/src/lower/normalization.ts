/** BatchNormalization (folded into one scale and shift at export) and LayerNormalization (a composite IR op). */
import { PolymodalError } from '@polymodal/core';
import { add, mul } from '../ir/ops.js';
import { configOf, unsupported, weightData, weightsByName, type LayerLowering } from './context.js';

function lastAxisOnly(axis: unknown, rank: number): boolean {
  const axes = Array.isArray(axis) ? axis : [axis ?? -1];
  return axes.length === 1 && (axes[0] === -1 || axes[0] === rank - 1);
}

export const lowerBatchNormalization: LayerLowering = (layer, [x], { g }) => {
  const config = configOf(layer);
  const rank = g.value(x).shape.length;
  if (!lastAxisOnly(config['axis'], rank)) throw unsupported(layer, `normalisation over axis ${JSON.stringify(config['axis'])} (only the last)`);
  const weights = weightsByName(layer);
  const mean = weightData(weights.get('moving_mean')!);
  const variance = weightData(weights.get('moving_variance')!);
  const gamma = weights.has('gamma') ? weightData(weights.get('gamma')!) : null;
  const beta = weights.has('beta') ? weightData(weights.get('beta')!) : null;
  const epsilon = (config['epsilon'] as number | undefined) ?? 1e-3;
  // y = gamma (x - mean) / sqrt(var + eps) + beta = x * scale + shift, computed in float64 once.
  const scale = new Float32Array(mean.length);
  const shift = new Float32Array(mean.length);
  for (let i = 0; i < mean.length; i++) {
    const s = (gamma ? gamma[i] : 1) / Math.sqrt(variance[i] + epsilon);
    scale[i] = s;
    shift[i] = (beta ? beta[i] : 0) - mean[i] * s;
  }
  const scaled = mul(g, x, g.constant(`${layer.name}/scale`, scale, [mean.length]), `${layer.name}/scaled`);
  return [add(g, scaled, g.constant(`${layer.name}/shift`, shift, [mean.length]), layer.name)];
};

export const lowerLayerNormalization: LayerLowering = (layer, [x], { g }) => {
  const config = configOf(layer);
  const shape = g.value(x).shape;
  if (!lastAxisOnly(config['axis'], shape.length)) throw unsupported(layer, `normalisation over axis ${JSON.stringify(config['axis'])} (only the last)`);
  const weights = weightsByName(layer);
  const features = shape[shape.length - 1];
  if (features < 0) throw new PolymodalError(`export: layer "${layer.name}": the feature dimension must be known`, { exitCode: 70 });
  const gamma = g.constant(`${layer.name}/gamma`, weights.has('gamma') ? weightData(weights.get('gamma')!) : new Float32Array(features).fill(1), [features]);
  const beta = g.constant(`${layer.name}/beta`, weights.has('beta') ? weightData(weights.get('beta')!) : new Float32Array(features), [features]);
  const epsilon = (config['epsilon'] as number | undefined) ?? 1e-3;
  return [g.node('LayerNormalization', [x, gamma, beta], shape, layer.name, { epsilon })];
};
