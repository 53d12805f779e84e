/**
 * For the tests of PolymodalLSTM's and PolymodalGRU's fused time loops (lstm-fused.test.ts, gru-fused.test.ts,
 * lstm-fused-wasm.test.ts): on tensorflow, activates the backend and counts the fused routine's calls for the
 * file's tests (or says why it cannot); and the checks the layers go through on any backend.
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { acceleratedRoutines, selectBackend } from '@polymodal/core';
import type { PolymodalRecurrentArgs } from '../recurrent-base.js';
import { compareWithTfjs, type CompareSpec } from './compare.js';
import { countFusedCalls, type FusedCalls, type FusedCell } from './fused-calls.js';

export interface FusedTensorflow {
  /** Why the tensorflow backend or its fused routine is unavailable; null when the tests can run. */
  readonly unavailable: string | null;
  /** The fused routine's calls (only when available). */
  readonly calls: FusedCalls;
  /** Skips `t` with the reason it cannot run, or fails under POLYMODAL_REQUIRE_REFERENCE=1. */
  skipOrFail(t: { skip(message: string): void }): void;
}

/** Registers the file's before / after hooks: tensorflow active with `cell`'s fused routine counted, then cpu again. */
export function useFusedTensorflow(cell: FusedCell): FusedTensorflow {
  let unavailable: string | null = null;
  let calls: FusedCalls | null = null;
  before(async () => {
    try {
      await selectBackend('tensorflow');
    } catch (error) {
      unavailable = `the tensorflow backend is unavailable (${(error as Error).message}); run \`polymodal setup tensorflow\``;
      return;
    }
    if (!acceleratedRoutines('tensorflow')?.[cell === 'lstm' ? 'fusedLstm' : 'fusedGru']) {
      unavailable = `tensorflow is active but no fused ${cell.toUpperCase()} routine is registered (is @polymodal/backend-tensorflow installed?)`;
      return;
    }
    calls = countFusedCalls('tensorflow', cell);
  });
  after(async () => {
    calls?.restore();
    await tf.setBackend('cpu');
  });
  return {
    get unavailable() {
      return unavailable;
    },
    get calls() {
      return calls!;
    },
    skipOrFail(t) {
      if (process.env['POLYMODAL_REQUIRE_REFERENCE'] === '1') throw new Error(`POLYMODAL_REQUIRE_REFERENCE=1: ${unavailable}`);
      t.skip(unavailable!);
    },
  };
}

/** The layouts the fused loops are compared in: [label, layer options]. */
export const FUSED_LAYOUTS = [
  ['last output', {}],
  ['sequences', { returnSequences: true }],
  ['backwards sequences', { returnSequences: true, goBackwards: true }],
  ['backwards last output', { goBackwards: true }],
] as const;

/** Runs compareWithTfjs and asserts that the fused kernel ran and that outputs and gradients agree within 1e-5. */
export function assertMatchesFused(calls: FusedCalls, spec: CompareSpec): void {
  const before = calls.count();
  const diff = compareWithTfjs(spec);
  assert.ok(calls.count() > before, 'the fused kernel ran');
  assert.ok(diff.output < 1e-5, `output ${diff.output}`);
  assert.ok(diff.gradients < 1e-5, `weight gradients ${diff.gradients}`);
  assert.ok(diff.inputGradient < 1e-5, `input gradient ${diff.inputGradient}`);
}

/** Runs `work` with console.warn collected; returns the notes. */
export function notesOf(work: () => void): string[] {
  const notes: string[] = [];
  const warn = console.warn;
  console.warn = (message: string) => void notes.push(message);
  try {
    work();
  } finally {
    console.warn = warn;
  }
  return notes;
}

/**
 * 'ops' and 'loops' never call the fused kernel; training with recurrentDropout runs the loop and inference the
 * fused kernel, and `make`'s layer says so in one note matching `note`.
 */
export function assertDropoutFallback(calls: FusedCalls, make: (args: PolymodalRecurrentArgs) => tf.layers.Layer, note: RegExp): void {
  const before = calls.count();
  const x = tf.randomNormal([2, 4, 3]);
  for (const implementation of ['ops', 'loops'] as const) {
    const layer = make({ units: 2, implementation });
    tf.dispose(layer.apply(x) as tf.Tensor);
    layer.dispose();
  }
  assert.equal(calls.count(), before);
  const notes = notesOf(() => {
    const layer = make({ units: 2, recurrentDropout: 0.3 });
    for (let i = 0; i < 3; i++) tf.dispose(layer.apply(x, { training: true }) as tf.Tensor);
    assert.equal(calls.count(), before, 'no fused call in training with recurrent dropout');
    tf.dispose(layer.apply(x) as tf.Tensor);
    assert.equal(calls.count(), before + 1, 'inference uses the fused kernel');
    layer.dispose();
  });
  assert.equal(notes.length, 1, notes.join('\n'));
  assert.match(notes[0]!, note);
  x.dispose();
}

/**
 * Trains `layer` (8 units on [6, 3] inputs) and a Dense(1) on a toy task: the loss falls, no tensors leak per step,
 * and, given `calls`, the fused kernel trained.
 */
export async function assertTrains(layer: tf.layers.Layer, calls?: FusedCalls): Promise<void> {
  const before = calls?.count() ?? 0;
  const xs = tf.randomNormal([64, 6, 3], 0, 1, 'float32', 5);
  const ys = tf.tidy(() => tf.cast(tf.greater(tf.sum(xs, [1, 2]), 0), 'float32').reshape([64, 1]));
  const model = tf.sequential({ layers: [layer, tf.layers.dense({ units: 1, activation: 'sigmoid' })] });
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy' });
  const first = await model.fit(xs, ys, { epochs: 1, batchSize: 16, verbose: 0 });
  const tensors = tf.memory().numTensors;
  const later = await model.fit(xs, ys, { epochs: 8, batchSize: 16, verbose: 0 });
  assert.equal(tf.memory().numTensors, tensors);
  if (calls) assert.ok(calls.count() > before, 'the fused kernel trained');
  assert.ok((later.history['loss']!.at(-1) as number) < (first.history['loss']![0] as number) * 0.8, JSON.stringify(later.history['loss']));
  model.dispose();
  tf.dispose([xs, ys]);
}
