/**
 * A part of a split product (layer-graph.ts) that a relu Conv2D makes from a model input through a Flatten, with
 * nothing else reading either: the article's image branch (Conv2D(32, relu) -> Flatten -> concatenate -> Dense(1)).
 * Where the backend has a Conv2dReluProductRoutine, that part's product runs as one op with the convolution, which
 * takes the gradients without writing the product's input gradient out (the article's model: 15.7 MB per 32 rows,
 * then read back by relu's gradient and by the filter gradient). Elsewhere the two layers run as tfjs applies them.
 * The input must be a model input because the routine treats x as a constant: a training step needs no gradient
 * of the data.
 */
import * as tf from '@tensorflow/tfjs';
import { acceleratedRoutines } from '../backend/accelerated-routines.js';

type Layer = tf.layers.Layer;
type Symbolic = tf.SymbolicTensor;

/** What tfjs's Conv2D keeps (its fields are private in tfjs's types). */
interface ConvInternals {
  readonly kernel: { read(): tf.Tensor };
  readonly bias: { read(): tf.Tensor } | null;
}

/** The fields of tfjs's Conv2D getConfig() read here. */
interface ConvConfig {
  activation?: string;
  useBias?: boolean;
  dataFormat?: string;
  dilationRate?: number | number[];
  padding?: string;
  strides?: number | number[];
  activityRegularizer?: unknown;
}

export class ConvolvedPart {
  private constructor(
    readonly conv: Layer,
    readonly flatten: Layer,
    /** The model input the convolution reads. */
    readonly input: Symbolic,
    private readonly attrs: { strides: [number, number]; pad: 'valid' | 'same' },
  ) {}

  /**
   * The relu Conv2D and Flatten behind `part`, where the convolution reads a model input (one of `inputs`) and
   * neither layer's output is read by anything else or is a model output (`outputs`, by tensor id); else null.
   */
  static of(part: Symbolic, inputs: ReadonlySet<string>, outputs: ReadonlySet<number>): ConvolvedPart | null {
    const flatten = part.sourceLayer;
    if (flatten.getClassName() !== 'Flatten' || (flatten.getConfig() as { dataFormat?: string }).dataFormat === 'channelsFirst') return null;
    const features = flatten.inboundNodes[0].inputTensors[0];
    const conv = features.sourceLayer;
    if (conv.getClassName() !== 'Conv2D' || conv.outboundNodes.length !== 1 || flatten.outboundNodes.length !== 1) return null;
    if (outputs.has(features.id) || outputs.has(part.id)) return null;
    const input = conv.inboundNodes[0].inputTensors[0];
    if (!inputs.has(input.name) || input.shape.length !== 4 || input.dtype !== 'float32') return null;
    const attrs = reluConvAttrs(conv.getConfig() as ConvConfig);
    return attrs ? new ConvolvedPart(conv, flatten, input, attrs) : null;
  }

  /** `flatten(conv(x)) . weights`: by the backend's routine where it has one, else by the two layers and a matMul. */
  product(x: tf.Tensor, weights: tf.Tensor): tf.Tensor {
    const routine = x.dtype === 'float32' ? acceleratedRoutines(tf.getBackend())?.conv2dReluProduct?.() : null;
    if (routine == null) return tf.matMul(this.flatten.apply(this.conv.apply(x)) as tf.Tensor2D, weights as tf.Tensor2D);
    const { kernel, bias } = this.conv as unknown as ConvInternals;
    return routine.conv2dReluProduct(x as tf.Tensor4D, kernel.read() as tf.Tensor4D, bias!.read() as tf.Tensor1D, weights as tf.Tensor2D, this.attrs);
  }

  /** For logs, where the backend has the routine. */
  get description(): string | null {
    return acceleratedRoutines(tf.getBackend())?.conv2dReluProduct?.() ? `${this.conv.name}'s relu convolution in its part's product` : null;
  }
}

/** The routine's attributes for a Conv2D config that it computes (relu, a bias, channels last, dilation 1, no activity regularizer), else null. */
function reluConvAttrs(config: ConvConfig): { strides: [number, number]; pad: 'valid' | 'same' } | null {
  const pair = (value: number | number[] | undefined) => (Array.isArray(value) ? value : [value ?? 1, value ?? 1]);
  const dilations = pair(config.dilationRate);
  const strides = pair(config.strides);
  const fits = config.activation === 'relu' && config.useBias === true && config.dataFormat === 'channelsLast' &&
    (config.padding === 'valid' || config.padding === 'same') && dilations.every((d) => d === 1) && config.activityRegularizer == null;
  return fits ? { strides: [strides[0]!, strides[1]!], pad: config.padding as 'valid' | 'same' } : null;
}
