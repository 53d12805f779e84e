/**
 * TensorFlow's fused ops (`_FusedConv2D`, `_FusedMatMul`): one op computes a product, adds the bias and applies
 * the activation, where tfjs-node runs three. They need the binding built by `polymodal setup tensorflow`, which
 * takes string and type list attributes (binding-patch.ts); with any other binding, or a TensorFlow without the
 * op, tfjs-node's own kernels serve (FusedOpAvailability finds out which, once).
 */
import * as tf from '@tensorflow/tfjs';
import { float32TypeAttr, floatAttr, type NodeBackend, type OpAttr } from './native-ops.js';

/** tfjs's fused activations and the TensorFlow ops that follow BiasAdd for them; the others are not fused. */
const FUSED_ACTIVATIONS: Readonly<Record<string, readonly string[]>> = {
  linear: ['BiasAdd'],
  relu: ['BiasAdd', 'Relu'],
  relu6: ['BiasAdd', 'Relu6'],
  elu: ['BiasAdd', 'Elu'],
  leakyrelu: ['BiasAdd', 'LeakyRelu'],
};

/** What `fused_ops` lists for tfjs's `activation` (undefined: linear), or null where TensorFlow fuses no such op. */
export function fusedOpsFor(activation: string | undefined): readonly string[] | null {
  return FUSED_ACTIVATIONS[activation ?? 'linear'] ?? null;
}

/**
 * The attributes every fused op takes besides its product's own: one extra argument (the bias) and the fused ops;
 * `_FusedConv2D` also types its extra arguments (`TArgs`), `_FusedMatMul` has no such attribute.
 */
export function fusedAttrs(backend: NodeBackend, fusedOps: readonly string[], leakyreluAlpha: number | undefined, typedArgs: boolean): OpAttr[] {
  const { binding } = backend;
  return [
    float32TypeAttr(backend),
    { name: 'num_args', type: binding.TF_ATTR_INT, value: 1 },
    ...(typedArgs ? [{ name: 'TArgs', type: binding.TF_ATTR_TYPE, value: [binding.TF_FLOAT] }] : []),
    { name: 'fused_ops', type: binding.TF_ATTR_STRING, value: fusedOps },
    floatAttr(backend, 'epsilon', 1e-4),
    floatAttr(backend, 'leakyrelu_alpha', leakyreluAlpha ?? 0.2),
  ];
}

/**
 * Whether the binding and TensorFlow run one fused op: found out once per process by running it on tiny inputs
 * (`probe`), so that an error from a real call is reported as it is, not taken for a missing op.
 */
export class FusedOpAvailability {
  private known: boolean | null = null;

  constructor(private readonly probe: (backend: NodeBackend) => tf.Tensor) {}

  available(backend: NodeBackend): boolean {
    if (this.known === null) {
      try {
        tf.dispose(tf.tidy(() => this.probe(backend)));
        this.known = true;
      } catch {
        this.known = false;
      }
    }
    return this.known;
  }
}
