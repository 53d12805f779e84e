/** PolymodalNullEmbedding: `present * x + (1 - present) * vector`, with x of a missing row zeroed first (it may be NaN). */
import { add, mul, reshape, sub } from '../ir/ops.js';
import { weightConstant, type LayerLowering } from './context.js';

export const lowerNullEmbedding: LayerLowering = (layer, [x, presentRows], ctx) => {
  const { g } = ctx;
  const n = layer.name;
  const rank = g.value(x).shape.length;
  const present = rank === 3 ? reshape(g, presentRows, [-1, 1, 1], `${n}/present_steps`) : presentRows;
  const isPresent = g.node('Greater', [present, g.scalar(`${n}/zero`, 0)], g.value(present).shape, `${n}/is_present`, {}, 'bool');
  const zeros = g.scalar(`${n}/zeros`, 0);
  const kept = g.node('Where', [isPresent, x, zeros], g.value(x).shape, `${n}/kept`);
  const absent = sub(g, g.scalar(`${n}/one`, 1), present, `${n}/absent`);
  const vector = weightConstant(ctx, layer, 'vector');
  return [add(g, mul(g, present, kept, `${n}/present_part`), mul(g, absent, vector, `${n}/absent_part`), n)];
};
