import type { NamedParam } from '../space/search-space.js';
import type { Assignment } from '../space/types.js';
import { logNormalPdf, logSumExp, massBetween, sampleTruncated } from './normal.js';
import type { RandomSource } from './random-source.js';

/**
 * Optuna 5's multivariate Parzen estimator: one mixture component per observation (plus a prior component),
 * each a product over the group's parameters of a truncated normal (numbers, on a log scale where asked) or
 * a categorical distribution peaked at the observed value. A kernel's width is the larger gap to its
 * neighbouring observations (the outermost ones use their inner gap), clipped to [range / min(100, n + 2), range].
 */

interface NumericDomain {
  kind: 'numeric';
  /** Internal (possibly log-transformed) bounds, widened by half a step for ints. */
  low: number;
  high: number;
  /** Ints: the internal interval a value stands for, so densities become masses (Optuna's discrete distributions). */
  interval: ((x: number) => [number, number]) | undefined;
  toInternal(value: unknown): number;
  fromInternal(x: number): unknown;
}

interface CategoricalDomain {
  kind: 'categorical';
  values: readonly unknown[];
}

export type Domain = NumericDomain | CategoricalDomain;

export function domainOf(param: NamedParam): Domain {
  const spec = param.spec;
  switch (spec.type) {
    case 'boolean':
      return { kind: 'categorical', values: [false, true] };
    case 'choice':
      return { kind: 'categorical', values: spec.values };
    case 'float':
      return spec.log
        ? { kind: 'numeric', low: Math.log(spec.low), high: Math.log(spec.high), interval: undefined, toInternal: (v) => Math.log(v as number), fromInternal: (x) => Math.min(spec.high, Math.max(spec.low, Math.exp(x))) }
        : { kind: 'numeric', low: spec.low, high: spec.high, interval: undefined, toInternal: (v) => v as number, fromInternal: (x) => Math.min(spec.high, Math.max(spec.low, x)) };
    case 'int': {
      const clampInt = (v: number) => Math.min(spec.high, Math.max(spec.low, v));
      if (spec.log) {
        return {
          kind: 'numeric', low: Math.log(spec.low - 0.5), high: Math.log(spec.high + 0.5),
          interval: (x) => [Math.log(Math.exp(x) - 0.5), Math.log(Math.exp(x) + 0.5)],
          toInternal: (v) => Math.log(v as number), fromInternal: (x) => clampInt(Math.round(Math.exp(x))),
        };
      }
      const step = spec.step ?? 1;
      return {
        kind: 'numeric', low: spec.low - step / 2, high: spec.high + step / 2, interval: (x) => [x - step / 2, x + step / 2],
        toInternal: (v) => v as number,
        fromInternal: (x) => clampInt(spec.low + step * Math.round((x - spec.low) / step)),
      };
    }
  }
}

const sameValue = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

/** Optuna's default weights: flat for the newest 25 observations, ramping down for older ones (oldest first in `count`). */
export function observationWeights(count: number): number[] {
  if (count < 25) return new Array<number>(count).fill(1);
  const ramp = Array.from({ length: count - 25 }, (_, i) => (count - 25 === 1 ? 1 / count : 1 / count + ((1 - 1 / count) * i) / (count - 26)));
  return [...ramp, ...new Array<number>(25).fill(1)];
}

const PRIOR_WEIGHT = 1;

/** Each kernel's width: the larger gap to its neighbours among the sorted observations and the bounds (Optuna 5). */
export function neighbourBandwidths(mus: readonly number[], low: number, high: number): number[] {
  const order = mus.map((_, i) => i).sort((a, b) => mus[a] - mus[b]);
  const sorted = [low, ...order.map((i) => mus[i]), high];
  const widths = order.map((_, k) => Math.max(sorted[k + 1] - sorted[k], sorted[k + 2] - sorted[k + 1]));
  // The bounds are not observations: the outermost kernels take their inner gap (consider_endpoints=False).
  if (sorted.length >= 4) {
    widths[0] = sorted[2] - sorted[1];
    widths[widths.length - 1] = sorted[sorted.length - 2] - sorted[sorted.length - 3];
  }
  const range = high - low;
  const minWidth = range / Math.min(100, 1 + mus.length + 1);
  const out = new Array<number>(mus.length);
  order.forEach((index, k) => (out[index] = Math.min(range, Math.max(minWidth, widths[k]))));
  return out;
}

export class ParzenEstimator {
  private readonly weights: number[];
  private readonly logWeights: number[];
  /** Per dimension: numeric (mus, sigmas) or categorical (probabilities per component). */
  private readonly dims: ({ mus: number[]; sigmas: number[] } | { probs: number[][] })[];

  constructor(private readonly params: readonly NamedParam[], private readonly domains: readonly Domain[], observations: readonly Assignment[]) {
    const n = observations.length;
    const weights = [...observationWeights(n), PRIOR_WEIGHT];
    const total = weights.reduce((s, w) => s + w, 0);
    this.weights = weights.map((w) => w / total);
    this.logWeights = this.weights.map(Math.log);
    this.dims = params.map((param, d) => {
      const domain = domains[d];
      if (domain.kind === 'categorical') {
        const choices = domain.values.length;
        const probs = observations.map((o) => {
          const row = new Array<number>(choices).fill(PRIOR_WEIGHT / (n + 1));
          const index = domain.values.findIndex((v) => sameValue(v, o[param.name]));
          if (index >= 0) row[index] += 1;
          const sum = row.reduce((s, p) => s + p, 0);
          return row.map((p) => p / sum);
        });
        probs.push(new Array<number>(choices).fill(1 / choices));
        return { probs };
      }
      const range = domain.high - domain.low;
      const mus = observations.map((o) => domain.toInternal(o[param.name]));
      const sigmas = neighbourBandwidths(mus, domain.low, domain.high);
      mus.push((domain.low + domain.high) / 2);
      sigmas.push(range);
      return { mus, sigmas };
    });
  }

  /** Internal values (numbers; category indices for categorical dimensions), one per parameter. */
  sample(random: RandomSource): number[] {
    const k = random.weighted(this.weights);
    return this.dims.map((dim, d) => {
      const domain = this.domains[d];
      if ('probs' in dim) return random.weighted(dim.probs[k]);
      const numeric = domain as NumericDomain;
      return sampleTruncated(dim.mus[k], dim.sigmas[k], numeric.low, numeric.high, () => random.normal(), () => random.uniform());
    });
  }

  /** Log density (log mass for stepped ints and categories) of internal values under the mixture. */
  logPdf(x: readonly number[]): number {
    const perComponent = this.logWeights.map((logWeight, k) => {
      let sum = logWeight;
      for (let d = 0; d < this.dims.length; d++) {
        const dim = this.dims[d];
        if ('probs' in dim) {
          sum += Math.log(dim.probs[k][x[d]]);
          continue;
        }
        const domain = this.domains[d] as NumericDomain;
        const mu = dim.mus[k];
        const sigma = dim.sigmas[k];
        const inside = massBetween(domain.low, domain.high, mu, sigma);
        if (domain.interval !== undefined) {
          const [from, to] = domain.interval(x[d]);
          sum += Math.log(massBetween(from, to, mu, sigma)) - Math.log(inside);
        } else {
          sum += logNormalPdf(x[d], mu, sigma) - Math.log(inside);
        }
      }
      return sum;
    });
    return logSumExp(perComponent);
  }

  /** Internal values to parameter values (ints rounded to their step, categories looked up). */
  decode(x: readonly number[]): Assignment {
    const out: Assignment = Object.create(null);
    this.params.forEach((param, d) => {
      const domain = this.domains[d];
      out[param.name] = domain.kind === 'categorical' ? domain.values[x[d]] : domain.fromInternal(x[d]);
    });
    return out;
  }

  /** A decoded value back to internal form (so a stepped int's density is evaluated at its grid point). */
  encode(assignment: Assignment): number[] {
    return this.params.map((param, d) => {
      const domain = this.domains[d];
      return domain.kind === 'categorical' ? domain.values.findIndex((v) => sameValue(v, assignment[param.name])) : domain.toInternal(assignment[param.name]);
    });
  }
}
