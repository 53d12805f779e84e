/**
 * For the fused-LSTM tests: wraps the fused LSTM routine registered for a backend so that its calls are counted,
 * to be sure the fused kernel (not a loop fallback) is what ran.
 */
import { acceleratedRoutines, registerAcceleratedRoutines } from '@polymodal/core';

export interface FusedLstmCalls {
  /** How many times the routine's `lstm` ran since the wrapping. */
  count(): number;
  /** Puts the backend's routines back. */
  restore(): void;
}

/** Counts `backend`'s fused LSTM calls; null when it has no fused LSTM routine registered. */
export function countFusedLstmCalls(backend: string): FusedLstmCalls | null {
  const routines = acceleratedRoutines(backend);
  if (!routines?.fusedLstm) return null;
  let calls = 0;
  const restore = registerAcceleratedRoutines(backend, {
    ...routines,
    recurrentProduct: routines.recurrentProduct.bind(routines),
    fusedLstm: () => {
      const routine = routines.fusedLstm!();
      return routine && { lstm: (...args: Parameters<typeof routine.lstm>) => (calls++, routine.lstm(...args)) };
    },
  });
  return { count: () => calls, restore };
}
