/**
 * The fused recurrent kernels a backend package registers with core (on tensorflow, @polymodal/backend-tensorflow's
 * BlockLSTMV2 and GRUBlockCell with their fused gradients), and the one-time notes for the cases they cannot cover.
 */
import * as tf from '@tensorflow/tfjs';
import { acceleratedRoutines, type FusedGruRoutine, type FusedLstmRoutine } from '@polymodal/core';

const noted = new Set<string>();

/** Prints `message` once per process (a layer is called once per batch). */
export function noteOnce(key: string, message: string): void {
  if (noted.has(key)) return;
  noted.add(key);
  console.warn(`note: ${message}`);
}

/** The active backend's fused LSTM, or null. */
export function fusedLstmRoutine(): FusedLstmRoutine | null {
  return acceleratedRoutines(tf.getBackend())?.fusedLstm?.() ?? null;
}

/** The active backend's fused reset-before GRU (Keras reset_after=False), or null. */
export function fusedGruRoutine(): FusedGruRoutine | null {
  return acceleratedRoutines(tf.getBackend())?.fusedGru?.() ?? null;
}
