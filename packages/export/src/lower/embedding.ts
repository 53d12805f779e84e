/** Embedding: the ids (cast to int32) pick rows of the table (Gather). */
import { cast, gather } from '../ir/ops.js';
import { configOf, unsupported, weightConstant, type LayerLowering } from './context.js';

export const lowerEmbedding: LayerLowering = (layer, [ids], ctx) => {
  if (configOf(layer)['maskZero'] === true) throw unsupported(layer, 'maskZero (a Keras mask)');
  const table = weightConstant(ctx, layer, 'embeddings');
  return [gather(ctx.g, table, cast(ctx.g, ids, 'int32', `${layer.name}/ids`), layer.name)];
};
