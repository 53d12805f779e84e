/** Why a model's training step cannot be one TensorFlow graph: the trainer then keeps tfjs's own step. */
export class TrainingGraphRefusal extends Error {
  override readonly name = 'TrainingGraphRefusal';
}
