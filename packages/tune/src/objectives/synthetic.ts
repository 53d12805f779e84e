import type { SearchSection } from '../space/types.js';

/** Standard test functions for samplers (minimised): Branin, Hartmann-6 and a conditional space. */
export interface SyntheticObjective {
  readonly name: string;
  readonly space: SearchSection;
  /** The known global minimum, to report regret. */
  readonly minimum: number;
  evaluate(params: Record<string, unknown>): number;
}

export const branin: SyntheticObjective = {
  name: 'branin',
  space: { params: { x: { type: 'float', pointer: '/x', low: -5, high: 10 }, y: { type: 'float', pointer: '/y', low: 0, high: 15 } } },
  minimum: 0.397887,
  evaluate(p) {
    const x = p.x as number;
    const y = p.y as number;
    const b = 5.1 / (4 * Math.PI ** 2);
    const c = 5 / Math.PI;
    return (y - b * x * x + c * x - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x) + 10;
  },
};

const H6_ALPHA = [1.0, 1.2, 3.0, 3.2];
const H6_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]];
const H6_P = [
  [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
  [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.665], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
];

export const hartmann6: SyntheticObjective = {
  name: 'hartmann6',
  space: { params: Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`x${i}`, { type: 'float' as const, pointer: `/x${i}`, low: 0, high: 1 }])) },
  minimum: -3.32237,
  evaluate(p) {
    let total = 0;
    for (let i = 0; i < 4; i++) {
      let inner = 0;
      for (let j = 0; j < 6; j++) inner += H6_A[i][j] * ((p[`x${j}`] as number) - H6_P[i][j]) ** 2;
      total += H6_ALPHA[i] * Math.exp(-inner);
    }
    return -total;
  },
};

/**
 * A conditional space shaped like a model choice: `kind` picks a branch, each branch has its own parameters
 * (an int with a step, a log-scale float), and a shared log-scale float; branch "b" reaches a lower optimum.
 */
export const conditional: SyntheticObjective = {
  name: 'conditional',
  space: {
    params: {
      kind: { type: 'choice', pointer: '/kind', values: ['a', 'b', 'c'] },
      units: { type: 'int', pointer: '/units', low: 32, high: 512, step: 32, when: { kind: ['a', 'b'] } },
      depth: { type: 'int', pointer: '/depth', low: 1, high: 8, when: { kind: 'b' } },
      rate: { type: 'float', pointer: '/rate', low: 1e-5, high: 1e-1, log: true },
      shrink: { type: 'boolean', pointer: '/shrink', when: { kind: 'c' } },
    },
  },
  minimum: 0,
  evaluate(p) {
    const rate = (Math.log10(p.rate as number) + 3) ** 2;
    if (p.kind === 'a') return 1 + rate + (((p.units as number) - 256) / 128) ** 2;
    if (p.kind === 'b') return rate + (((p.units as number) - 384) / 128) ** 2 + ((p.depth as number) - 3) ** 2 / 4;
    return 2 + rate + (p.shrink ? 0 : 0.5);
  },
};

export const SYNTHETIC_OBJECTIVES = [branin, hartmann6, conditional];
