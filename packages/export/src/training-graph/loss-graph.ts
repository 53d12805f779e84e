/**
 * The loss, its gradient with respect to the model's output, and the training metrics, written as tfjs-layers
 * computes them (losses.ts, metrics.ts of tfjs-layers 4.22): the same clipping at epsilon 1e-7, the same mean over
 * the last axis and then the batch, and `accuracy` picked as tfjs picks it (binary when the output has one column
 * or the loss is binary cross-entropy, else categorical). The output gradient is written in closed form: the clip's
 * gradient (1 inside the range, 0 outside) times the derivative of what follows it.
 */
import { TrainingGraphRefusal } from './refusal.js';
import type { TfOps } from './tf-ops.js';

export type TrainingGraphLoss = 'binaryCrossentropy' | 'categoricalCrossentropy' | 'meanSquaredError';

/** tfjs-layers' epsilon(). */
const EPSILON = 1e-7;

export interface LossParts {
  /** The batch's mean loss (a scalar). */
  readonly loss: string;
  /** d loss / d prediction, in the prediction's shape. */
  readonly outputGrad: string;
  /** One scalar per metric asked for, in that order. */
  readonly metrics: readonly string[];
}

interface LossInputs {
  readonly ops: TfOps;
  readonly prediction: string;
  readonly target: string;
  /** The prediction's rank and static last axis. */
  readonly rank: number;
  readonly columns: number;
  /** A [batch] weight per row (tfjs's classWeight, as fit turns it into sample weights), when given. */
  readonly sampleWeight?: string;
}

/** A loss before the mean over rows: each row's loss, and the gradient of their unweighted mean. */
interface RowLoss {
  readonly perRow: string;
  readonly outputGrad: string;
}

const allAxes = (rank: number) => Array.from({ length: rank }, (_, i) => i);

/** 1 where the prediction lies inside [lo, hi] (where tfjs's clipByValue passes the gradient), else 0. */
function insideClip(ops: TfOps, x: string, lo: string, hi: string, base: string): string {
  return ops.mul(ops.compare('GreaterEqual', x, lo, `${base}/above`), ops.compare('LessEqual', x, hi, `${base}/below`), base);
}

function clip(ops: TfOps, x: string, base: string): { clipped: string; inside: string } {
  const lo = ops.scalar(`${base}/epsilon`, EPSILON);
  const hi = ops.scalar(`${base}/one_minus_epsilon`, 1 - EPSILON);
  return { clipped: ops.minimum(ops.maximum(x, lo, `${base}/max`), hi, base), inside: insideClip(ops, x, lo, hi, `${base}/inside`) };
}

/** tfjs's binaryCrossentropy: logits = log(y / (1 - y)) of the clipped y, then sigmoid cross-entropy with logits. */
function binaryCrossentropy({ ops, prediction: p, target: t, rank }: LossInputs): RowLoss {
  const { clipped: y, inside } = clip(ops, p, 'loss/clip');
  const one = ops.scalar('loss/one', 1);
  const complement = ops.sub(one, y, 'loss/one_minus_y');
  const logits = ops.unary('Log', ops.div(y, complement, 'loss/odds'), 'loss/logits');
  const softplus = ops.unary('Log1p', ops.unary('Exp', ops.unary('Neg', ops.unary('Abs', logits, 'loss/abs'), 'loss/neg_abs'), 'loss/exp'), 'loss/log1p');
  const perValue = ops.add(ops.sub(ops.unary('Relu', logits, 'loss/relu'), ops.mul(logits, t, 'loss/logits_t'), 'loss/relu_minus'), softplus, 'loss/per_value');
  const perRow = ops.reduce('Mean', perValue, [rank - 1], false, 'loss/per_row');
  // d/dlogits = sigmoid(logits) - t = y - t; dlogits/dy = 1 / (y (1 - y)); then the clip and the mean.
  const dLogits = ops.div(ops.sub(y, t, 'loss/grad_y_minus_t'), ops.mul(y, complement, 'loss/grad_y_1my'), 'loss/grad_dy');
  const outputGrad = ops.div(ops.mul(dLogits, inside, 'loss/grad_clipped'), ops.count(p, 'loss/grad_count'), 'loss/grad');
  return { perRow, outputGrad };
}

/** tfjs's categoricalCrossentropy on probabilities: normalised to sum 1, clipped, -sum(t log q). */
function categoricalCrossentropy({ ops, prediction: p, target: t, rank }: LossInputs): RowLoss {
  const last = rank - 1;
  const total = ops.reduce('Sum', p, [last], true, 'loss/total');
  const q = ops.div(p, total, 'loss/normalised');
  const { clipped: c, inside } = clip(ops, q, 'loss/clip');
  const perRow = ops.unary('Neg', ops.reduce('Sum', ops.mul(t, ops.unary('Log', c, 'loss/log'), 'loss/t_log'), [last], false, 'loss/sum'), 'loss/per_row');
  // g = dL/dq = -t / c inside the clip, over the rows; dL/dp_j = (g_j - sum_i g_i q_i) / total.
  const g = ops.div(ops.mul(ops.div(ops.unary('Neg', t, 'loss/grad_neg_t'), c, 'loss/grad_t_over_c'), inside, 'loss/grad_clipped'), ops.count(perRow, 'loss/grad_rows'), 'loss/grad_q');
  const dot = ops.reduce('Sum', ops.mul(g, q, 'loss/grad_gq'), [last], true, 'loss/grad_dot');
  return { perRow, outputGrad: ops.div(ops.sub(g, dot, 'loss/grad_centered'), total, 'loss/grad') };
}

function meanSquaredError({ ops, prediction: p, target: t, rank }: LossInputs): RowLoss {
  const difference = ops.sub(p, t, 'loss/difference');
  const perRow = ops.reduce('Mean', ops.unary('Square', difference, 'loss/square'), [rank - 1], false, 'loss/per_row');
  const twice = ops.mul(difference, ops.scalar('loss/two', 2), 'loss/grad_twice');
  return { perRow, outputGrad: ops.div(twice, ops.count(p, 'loss/grad_count'), 'loss/grad') };
}

function accuracy({ ops, prediction: p, target: t, rank, columns }: LossInputs, loss: TrainingGraphLoss): string {
  if (columns === 1 || loss === 'binaryCrossentropy') {
    const predicted = ops.compare('Greater', p, ops.scalar('metric/threshold', 0.5), 'metric/predicted');
    return ops.reduce('Mean', ops.compare('Equal', t, predicted, 'metric/hits'), allAxes(rank), false, 'metric/accuracy');
  }
  const hits = ops.compare('Equal', ops.argMaxLast(t, rank, 'metric/true_class'), ops.argMaxLast(p, rank, 'metric/predicted_class'), 'metric/hits');
  return ops.reduce('Mean', hits, allAxes(rank - 1), false, 'metric/accuracy');
}

const LOSSES: Readonly<Record<TrainingGraphLoss, (inputs: LossInputs) => RowLoss>> = {
  binaryCrossentropy, categoricalCrossentropy, meanSquaredError,
};

export function isTrainingGraphLoss(loss: string): loss is TrainingGraphLoss {
  return Object.hasOwn(LOSSES, loss);
}

/**
 * The batch's loss and its output gradient: the mean of the rows' losses, each times its sample weight when
 * there are weights (tfjs's computeWeightedLoss, then the mean), and the metrics, unweighted as tfjs logs them.
 */
export function emitLoss(inputs: LossInputs, loss: TrainingGraphLoss, metrics: readonly string[]): LossParts {
  const { ops, rank, sampleWeight } = inputs;
  const rows = LOSSES[loss](inputs);
  let parts: { loss: string; outputGrad: string };
  if (sampleWeight === undefined) {
    parts = { loss: ops.reduce('Mean', rows.perRow, allAxes(rank - 1), false, 'loss'), outputGrad: rows.outputGrad };
  } else {
    if (rank !== 2) throw new TrainingGraphRefusal(`class weights on a rank-${rank} output`);
    const weighted = ops.mul(rows.perRow, sampleWeight, 'loss/weighted');
    const column = ops.reshape(sampleWeight, [-1, 1], 'loss/weight_column');
    parts = { loss: ops.reduce('Mean', weighted, [0], false, 'loss'), outputGrad: ops.mul(rows.outputGrad, column, 'loss/weighted_grad') };
  }
  const values = metrics.map((metric) => {
    if (metric === 'accuracy' || metric === 'acc') return accuracy(inputs, loss);
    throw new TrainingGraphRefusal(`the training metric "${metric}" (the graph computes accuracy only)`);
  });
  return { ...parts, metrics: values };
}
