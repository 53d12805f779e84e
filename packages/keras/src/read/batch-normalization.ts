// Keras runs a BatchNormalization layer whose `trainable` is false in inference mode, even while the model trains
// (its moving statistics stay as loaded and it normalises with them). tfjs's layer uses batch statistics whenever the
// model trains, and updates the moving ones, so a "frozen" imported backbone would drift. This subclass follows
// Keras: trainable layers behave as tfjs's (batch statistics while training), frozen ones always as in inference.
import * as tf from '@tensorflow/tfjs';

export const POLYMODAL_BATCH_NORMALIZATION = 'PolymodalBatchNormalization';

type BatchNormalizationLayer = tf.layers.Layer;
const TfjsBatchNormalization = Object.getPrototypeOf(tf.layers.batchNormalization({})).constructor as new (args: object) => BatchNormalizationLayer;

export class PolymodalBatchNormalization extends TfjsBatchNormalization {
  static readonly className = POLYMODAL_BATCH_NORMALIZATION;

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    return super.call(inputs, this.trainable ? kwargs : { ...kwargs, training: false });
  }
}

tf.serialization.registerClass(PolymodalBatchNormalization as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>);
