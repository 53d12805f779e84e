/**
 * The CNN encoder's Conv2D: tfjs's own layer, whose relu convolution runs through the active backend's
 * Conv2dReluRoutine where there is one (core's accelerated routines; today @polymodal/backend-wasm's). tfjs fuses
 * bias and relu into the convolution only outside training, so a relu Conv2D's training step is three full-size
 * kernels (Conv2D, Add, Relu) and the seed model's [32, 62, 62, 32] output is written three times (~8.3 ms); the
 * routine's one kernel takes ~6.1 (wasm, same bits). Everything else (other activations, no bias, dilation, other
 * backends) is tfjs's Conv2D as it is.
 *
 * It keeps tfjs's class name and is not registered under a name of its own: a saved model holds a plain Conv2D,
 * which tfjs, Keras and every exporter read as such; a model loaded back trains through tfjs's path (same values).
 */
import * as tf from '@tensorflow/tfjs';
import { acceleratedRoutines } from '@polymodal/core';

type ConvLayerArgs = Parameters<typeof tf.layers.conv2d>[0];
type TfjsConv2D = ReturnType<typeof tf.layers.conv2d>;

/** tfjs's Conv2D class (the layers API exports only its factory), from the same tfjs copy's class registry. */
const Conv2D = tf.serialization.SerializationMap.getMap().classNameMap.Conv2D![0] as unknown as new (args: ConvLayerArgs) => TfjsConv2D;

export class PolymodalConv2D extends Conv2D {
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const routine = this.fusesRelu() ? acceleratedRoutines(tf.getBackend())?.conv2dRelu?.() : null;
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (routine == null || x.rank !== 4 || x.dtype !== 'float32') return super.call(inputs, kwargs);
    return tf.tidy(() => routine.conv2dRelu(x as tf.Tensor4D, this.kernel.read() as tf.Tensor4D, this.bias.read() as tf.Tensor1D, {
      strides: [this.strides[0]!, this.strides[1]!],
      pad: this.padding === 'same' ? 'same' : 'valid',
    }));
  }

  /** Whether this layer is what the routine computes: relu, a bias, channels last, dilation 1. */
  private fusesRelu(): boolean {
    const dilations = typeof this.dilationRate === 'number' ? [this.dilationRate] : this.dilationRate;
    return this.activation.getClassName() === 'relu' && this.bias != null && this.dataFormat === 'channelsLast' &&
      (this.padding === 'same' || this.padding === 'valid') && dilations.every((d) => d === 1);
  }
}

/** A Conv2D layer (tf.layers.conv2d's arguments) that trains through the backend's fused relu convolution where it can. */
export function polymodalConv2d(args: ConvLayerArgs): TfjsConv2D {
  return new PolymodalConv2D(args);
}
