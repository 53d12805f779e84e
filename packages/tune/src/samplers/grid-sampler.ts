import { PolymodalError } from '@polymodal/core';
import type { SearchSpace } from '../space/search-space.js';
import type { Assignment, ParamSpec } from '../space/types.js';
import type { Sampler } from './sampler.js';

export const MAX_GRID_POINTS = 100_000;

/** The values grid search tries for one parameter. */
export function gridValues(spec: ParamSpec): unknown[] {
  switch (spec.type) {
    case 'boolean':
      return [false, true];
    case 'choice':
      return spec.values;
    case 'int': {
      const step = spec.step ?? 1;
      return Array.from({ length: Math.floor((spec.high - spec.low) / step) + 1 }, (_, k) => spec.low + k * step);
    }
    case 'float': {
      const n = spec.gridPoints ?? 5;
      const [a, b] = spec.log ? [Math.log(spec.low), Math.log(spec.high)] : [spec.low, spec.high];
      return Array.from({ length: n }, (_, k) => {
        const x = a + ((b - a) * k) / (n - 1);
        return spec.log ? Math.exp(x) : x;
      });
    }
  }
}

/** Every assignment of the space: a parameter whose condition fails is left out, not multiplied in. */
export function enumerateGrid(space: SearchSpace): Assignment[] {
  let partial: Assignment[] = [Object.create(null) as Assignment];
  for (const param of space.params) {
    const values = gridValues(param.spec);
    partial = partial.flatMap((chosen) => (space.isActive(param, chosen) ? values.map((v) => ({ ...chosen, [param.name]: v })) : [chosen]));
    if (partial.length > MAX_GRID_POINTS) {
      throw new PolymodalError(`the grid has more than ${MAX_GRID_POINTS} points`, {
        hint: 'Use --algorithm random or tpe, give int parameters a larger step, or float parameters fewer gridPoints.',
        exitCode: 2,
      });
    }
  }
  return partial;
}

/** Grid search: each point once, in order; done when every point was handed out. */
export function gridSampler(): Sampler & { size(space: SearchSpace): number } {
  let grid: Assignment[] | undefined;
  return {
    name: 'grid',
    size: (space) => (grid ??= enumerateGrid(space)).length,
    next({ space, issued }) {
      grid ??= enumerateGrid(space);
      const taken = new Set(issued.map((a) => canonical(a)));
      return grid.find((point) => !taken.has(canonical(point)));
    },
  };
}

function canonical(assignment: Assignment): string {
  return JSON.stringify(Object.keys(assignment).sort().map((k) => [k, assignment[k]]));
}
