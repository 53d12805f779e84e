import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '@polymodal/core';
import { PolymodalLSTM } from '@polymodal/encoder-text';
import { lstmForward, lstmBackward } from '../packages/encoder-text/src/kernels/lstm-loop.js';
await tf.setBackend(process.env.B ?? 'wasm'); registerWasmTrainingKernels();
const xp = new Float32Array(100*32*128).map(() => Math.random()-0.5); const U = new Float32Array(32*128).map(() => Math.random()*0.2-0.1);
for (let k = 0; k < 3; k++) { let s = performance.now(); const { trace } = lstmForward(xp, U, null, 100, 32, 32); const f = performance.now() - s; s = performance.now(); lstmBackward(trace, new Float32Array(32*32).fill(1), false, U, null); console.log('js fwd', f.toFixed(1), 'bwd', (performance.now() - s).toFixed(1)); }
const layer = new PolymodalLSTM({ units: 32 });
const x = tf.randomNormal([32, 100, 64]);
layer.apply(x);
const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
for (let k = 0; k < 3; k++) {
  let s = performance.now(); for (let i = 0; i < 3; i++) tf.dispose(layer.apply(x)); console.log('fwd', (performance.now() - s) / 3);
  s = performance.now(); for (let i = 0; i < 3; i++) { const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply(x) as tf.Tensor) as tf.Scalar, vars); tf.dispose([value, grads]); } console.log('fwd+bwd', (performance.now() - s) / 3);
}
