/**
 * For the fused-GRU tests: wraps the fused GRU routine registered for a backend so that its calls are counted,
 * to be sure the fused kernel (not a loop fallback) is what ran.
 */
import { acceleratedRoutines, registerAcceleratedRoutines } from '@polymodal/core';

export interface FusedGruCalls {
  /** How many times the routine's `gru` ran since the wrapping. */
  count(): number;
  /** Puts the backend's routines back. */
  restore(): void;
}

/** Counts `backend`'s fused GRU calls; null when it has no fused GRU routine registered. */
export function countFusedGruCalls(backend: string): FusedGruCalls | null {
  const routines = acceleratedRoutines(backend);
  if (!routines?.fusedGru) return null;
  let calls = 0;
  const restore = registerAcceleratedRoutines(backend, {
    ...routines,
    recurrentProduct: routines.recurrentProduct.bind(routines),
    fusedGru: () => {
      const routine = routines.fusedGru!();
      return routine && { gru: (...args: Parameters<typeof routine.gru>) => (calls++, routine.gru(...args)) };
    },
  });
  return { count: () => calls, restore };
}
