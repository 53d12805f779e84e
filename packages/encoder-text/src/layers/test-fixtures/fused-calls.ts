/**
 * For the fused-kernel tests: wraps the fused LSTM or GRU routine registered for a backend so that its calls are
 * counted, to be sure the fused kernel (not a loop fallback) is what ran.
 */
import { acceleratedRoutines, registerAcceleratedRoutines, type AcceleratedRoutines } from '@polymodal/core';

export type FusedCell = 'lstm' | 'gru';

export interface FusedCalls {
  /** How many times the routine's `lstm` (or `gru`) ran since the wrapping. */
  count(): number;
  /** Puts the backend's routines back. */
  restore(): void;
}

/** The routine factory of each cell in AcceleratedRoutines; its routine's method is named after the cell. */
const FACTORY = { lstm: 'fusedLstm', gru: 'fusedGru' } as const;

type Routine = Record<string, (...args: unknown[]) => unknown>;

/** Counts `backend`'s fused `cell` calls; null when it has no such fused routine registered. */
export function countFusedCalls(backend: string, cell: FusedCell): FusedCalls | null {
  const routines = acceleratedRoutines(backend);
  const factory = routines?.[FACTORY[cell]] as (() => Routine | null) | undefined;
  if (!routines || !factory) return null;
  let calls = 0;
  const counting = () => {
    const routine = factory.call(routines);
    return routine && { [cell]: (...args: unknown[]) => (calls++, routine[cell]!(...args)) };
  };
  const restore = registerAcceleratedRoutines(backend, {
    ...routines,
    recurrentProduct: routines.recurrentProduct.bind(routines),
    [FACTORY[cell]]: counting,
  } as AcceleratedRoutines);
  return { count: () => calls, restore };
}
