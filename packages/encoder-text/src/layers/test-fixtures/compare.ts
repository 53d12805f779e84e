import * as tf from '@tensorflow/tfjs';

export interface CompareSpec {
  ours: tf.layers.Layer;
  theirs: tf.layers.Layer;
  batch: number;
  steps: number;
  features: number;
  /** Reverse the reference's output sequence along time before comparing. */
  reverseTheirs?: boolean;
  seed?: number;
}

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

/**
 * Builds both layers on the same input shape, copies the reference's weights (random, biases included)
 * into ours, and returns the largest differences of the outputs, the weight gradients and the input
 * gradient of sum(output * r) for a fixed random r.
 */
export function compareWithTfjs(spec: CompareSpec): { output: number; gradients: number; inputGradient: number } {
  const seed = spec.seed ?? 7;
  const shape = [spec.batch, spec.steps, spec.features];
  const input = tf.input({ shape: shape.slice(1) });
  spec.theirs.apply(input);
  spec.ours.apply(input);
  const weights = spec.theirs.getWeights().map((w, i) => tf.randomUniform(w.shape, -0.6, 0.6, 'float32', seed + i));
  spec.theirs.setWeights(weights);
  spec.ours.setWeights(weights);
  const x = tf.randomNormal(shape, 0, 1, 'float32', seed + 100);
  const run = (layer: tf.layers.Layer, reverse: boolean) => (t: tf.Tensor) => {
    const out = layer.apply(t) as tf.Tensor;
    return reverse ? tf.reverse(out, 1) : out;
  };
  const oursOut = run(spec.ours, false);
  const theirsOut = run(spec.theirs, spec.reverseTheirs ?? false);
  const a = oursOut(x);
  const b = theirsOut(x);
  const r = tf.randomNormal(a.shape, 0, 1, 'float32', seed + 200);
  const loss = (f: (t: tf.Tensor) => tf.Tensor) => () => tf.sum(tf.mul(f(x), r)) as tf.Scalar;
  const gradsOf = (layer: tf.layers.Layer, f: (t: tf.Tensor) => tf.Tensor) => {
    const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(loss(f), vars);
    value.dispose();
    return vars.map((v) => grads[v.name]);
  };
  const gOurs = gradsOf(spec.ours, oursOut);
  const gTheirs = gradsOf(spec.theirs, theirsOut);
  const dxOurs = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(oursOut(t), r)))(x);
  const dxTheirs = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(theirsOut(t), r)))(x);
  const result = {
    output: maxAbsDiff(a, b),
    gradients: Math.max(...gOurs.map((g, i) => maxAbsDiff(g, gTheirs[i]))),
    inputGradient: maxAbsDiff(dxOurs, dxTheirs),
  };
  tf.dispose([weights, x, a, b, r, gOurs, gTheirs, dxOurs, dxTheirs]);
  spec.ours.dispose();
  spec.theirs.dispose();
  return result;
}
