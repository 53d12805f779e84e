import type { SearchSpace } from '../space/search-space.js';

/**
 * A quick parameter importance: for numbers, |Spearman rank correlation| with the objective; for choices and
 * booleans, the correlation ratio (eta: the share of the objective's spread explained by the value's groups).
 * Both are in [0, 1] and use only the trials where the parameter was active.
 */

function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) out[order[k][1]] = (i + j) / 2;
    i = j + 1;
  }
  return out;
}

function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy);
}

function correlationRatio(groups: readonly string[], y: readonly number[]): number {
  const mean = y.reduce((s, v) => s + v, 0) / y.length;
  const total = y.reduce((s, v) => s + (v - mean) ** 2, 0);
  if (total === 0) return 0;
  const byGroup = new Map<string, number[]>();
  groups.forEach((g, i) => byGroup.set(g, [...(byGroup.get(g) ?? []), y[i]]));
  let between = 0;
  for (const values of byGroup.values()) {
    const m = values.reduce((s, v) => s + v, 0) / values.length;
    between += values.length * (m - mean) ** 2;
  }
  return Math.sqrt(between / total);
}

export function parameterImportance(space: SearchSpace, trials: readonly { params: Record<string, unknown>; value: number }[]): { param: string; importance: number; trials: number }[] {
  return space.params.map((param) => {
    const used = trials.filter((t) => Object.prototype.hasOwnProperty.call(t.params, param.name));
    if (used.length < 3) return { param: param.name, importance: 0, trials: used.length };
    const y = used.map((t) => t.value);
    const numeric = param.spec.type === 'int' || param.spec.type === 'float';
    const importance = numeric
      ? Math.abs(pearson(ranks(used.map((t) => t.params[param.name] as number)), ranks(y)))
      : correlationRatio(used.map((t) => JSON.stringify(t.params[param.name])), y);
    return { param: param.name, importance, trials: used.length };
  });
}
