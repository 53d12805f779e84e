/**
 * Weight regularisers in the training graph, as tfjs-layers adds them: each L1L2 regulariser's penalty
 * l1 * sum|w| + l2 * sum(w^2) is added to the batch's loss (tfjs's totalLoss, which fit logs), and its gradient
 * l1 * (w > 0 ? 1 : -1) + 2 * l2 * w (tfjs's Abs gradient is -1 at 0) to the weight's. Regularisers of other
 * classes, and losses a layer adds otherwise, are refused (tfjs itself refuses activity regularisers).
 */
import type * as tf from '@tensorflow/tfjs';
import { configOf, weightsByName } from '../lower/context.js';
import type { WeightInput } from '../lower/lower-model.js';
import { TrainingGraphRefusal } from './refusal.js';
import type { TfOps } from './tf-ops.js';

/** A layer option that regularises a weight, and that weight's short name. */
const REGULARISED_WEIGHT: Readonly<Record<string, string>> = {
  kernelRegularizer: 'kernel', biasRegularizer: 'bias', recurrentRegularizer: 'recurrent_kernel', embeddingsRegularizer: 'embeddings',
  depthwiseRegularizer: 'depthwise_kernel', pointwiseRegularizer: 'pointwise_kernel',
};

export interface Penalty {
  /** The weight's graph input. */
  readonly input: string;
  /** The weight's rank: the penalty sums over every axis. */
  readonly rank: number;
  readonly l1: number;
  readonly l2: number;
}

function layerPenalties(layer: tf.layers.Layer, weightInputs: readonly WeightInput[]): Penalty[] {
  const who = `layer "${layer.name}" (${layer.getClassName()})`;
  const config = configOf(layer);
  const weights = weightsByName(layer);
  const penalties: Penalty[] = [];
  for (const [option, short] of Object.entries(REGULARISED_WEIGHT)) {
    const regulariser = config[option] as { className: string; config: { l1?: number; l2?: number } } | null | undefined;
    if (regulariser == null) continue;
    if (regulariser.className !== 'L1L2') throw new TrainingGraphRefusal(`${who}'s ${option} is a ${regulariser.className}, not L1L2`);
    const weight = weightInputs.find((w) => w.variable === weights.get(short));
    if (weight === undefined) throw new TrainingGraphRefusal(`${who} regularises ${short}, which is not trained`);
    penalties.push({ input: weight.input, rank: weight.variable.shape.length, l1: regulariser.config.l1 ?? 0, l2: regulariser.config.l2 ?? 0 });
  }
  if (penalties.length !== layer.losses.length) throw new TrainingGraphRefusal(`${who} adds ${layer.losses.length} loss(es) to the model, ${penalties.length} of them known regularisers`);
  return penalties;
}

export function penaltiesOf(layers: readonly tf.layers.Layer[], weightInputs: readonly WeightInput[]): Penalty[] {
  return layers.filter((layer) => layer.losses.length > 0).flatMap((layer) => layerPenalties(layer, weightInputs)).filter((p) => p.l1 !== 0 || p.l2 !== 0);
}

/** Each penalty's value (to add to the loss) and gradient (to add to its weight's). */
export function emitPenalty(ops: TfOps, { input, rank, l1, l2 }: Penalty, index: number): { value: string; grad: string } {
  const base = `regularisation_${index}`;
  const axes = Array.from({ length: rank }, (_, i) => i);
  const values: string[] = [];
  const grads: string[] = [];
  if (l1 !== 0) {
    const scale = ops.scalar(`${base}/l1`, l1);
    values.push(ops.mul(scale, ops.reduce('Sum', ops.unary('Abs', input, `${base}/abs`), axes, false, `${base}/l1_sum`), `${base}/l1_value`));
    const sign = ops.sub(ops.mul(ops.compare('Greater', input, ops.scalar(`${base}/zero`, 0), `${base}/positive`), ops.scalar(`${base}/two`, 2), `${base}/twice`), ops.scalar(`${base}/one`, 1), `${base}/sign`);
    grads.push(ops.mul(sign, scale, `${base}/l1_grad`));
  }
  if (l2 !== 0) {
    const scale = ops.scalar(`${base}/l2`, l2);
    values.push(ops.mul(scale, ops.reduce('Sum', ops.unary('Square', input, `${base}/square`), axes, false, `${base}/l2_sum`), `${base}/l2_value`));
    grads.push(ops.mul(input, ops.scalar(`${base}/two_l2`, 2 * l2), `${base}/l2_grad`));
  }
  return { value: ops.addN(values, `${base}/value`), grad: ops.addN(grads, `${base}/grad`) };
}
