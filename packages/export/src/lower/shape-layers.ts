/** Layers that move values around: Flatten, Reshape, Concatenate, ZeroPadding2D, and the inference no-ops. */
import { concat, reshape } from '../ir/ops.js';
import { configOf, unsupported, type LayerLowering } from './context.js';

/** The noise layers do nothing at inference. */
export const lowerIdentity: LayerLowering = (_layer, inputs) => [inputs[0]];

/** Dropout: nothing at inference; the context decides (a training graph applies a mask). */
export const lowerDropout: LayerLowering = (layer, [x], ctx) => [ctx.dropout(layer, x)];

export const lowerFlatten: LayerLowering = (layer, [x], { g }) => {
  const shape = g.value(x).shape;
  if (shape.length === 2) return [x];
  return [reshape(g, x, [-1, shape.slice(1).reduce((a, b) => a * b, 1)], layer.name)];
};

export const lowerReshape: LayerLowering = (layer, [x], { g }) => {
  const target = configOf(layer)['targetShape'] as number[];
  if (target.some((d) => d < 0)) throw unsupported(layer, 'a target shape with -1');
  return [reshape(g, x, [-1, ...target], layer.name)];
};

export const lowerConcatenate: LayerLowering = (layer, inputs, { g }) => {
  const rank = g.value(inputs[0]).shape.length;
  const asked = (configOf(layer)['axis'] as number | undefined) ?? -1;
  const axis = asked < 0 ? rank + asked : asked;
  if (axis === 0) throw unsupported(layer, 'concatenation over the batch axis');
  return [concat(g, inputs, axis, layer.name)];
};

export const lowerZeroPadding2D: LayerLowering = (layer, [x], { g }) => {
  const config = configOf(layer);
  if (config['dataFormat'] === 'channelsFirst') throw unsupported(layer, 'channelsFirst data');
  const padding = config['padding'] as [[number, number], [number, number]];
  const [[top, bottom], [left, right]] = padding;
  const [batch, height, width, channels] = g.value(x).shape;
  const pads = [0, 0, top, bottom, left, right, 0, 0];
  return [g.node('Pad', [x], [batch, height + top + bottom, width + left + right, channels], layer.name, { pads })];
};
