/** Add, Subtract, Multiply, Maximum, Minimum and Average: element-wise over their inputs (broadcast as Keras does). */
import type { BinaryOp } from '../ir/graph.js';
import { binary, mul } from '../ir/ops.js';
import type { LayerLowering } from './context.js';

function fold(op: BinaryOp): LayerLowering {
  return (layer, inputs, { g }) => {
    let x = inputs[0];
    for (let i = 1; i < inputs.length; i++) x = binary(g, op, x, inputs[i], i === inputs.length - 1 ? layer.name : `${layer.name}/${i}`);
    return [x];
  };
}

export const lowerAdd = fold('Add');
export const lowerSubtract = fold('Sub');
export const lowerMultiply = fold('Mul');
export const lowerMaximum = fold('Maximum');
export const lowerMinimum = fold('Minimum');

export const lowerAverage: LayerLowering = (layer, inputs, ctx) => {
  const [sum] = fold('Add')(layer, inputs, ctx);
  return [mul(ctx.g, sum, ctx.g.scalar(`${layer.name}/inverse_count`, 1 / inputs.length), `${layer.name}/mean`)];
};
