import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bestFound } from '../objectives/run-synthetic.js';
import { branin, conditional, hartmann6 } from '../objectives/synthetic.js';
import { inDomain, SearchSpace } from '../space/search-space.js';
import { enumerateGrid, gridSampler } from './grid-sampler.js';
import { RandomSource } from './random-source.js';
import { randomSampler } from './random-sampler.js';
import type { Observation } from './sampler.js';
import { tpeSampler } from './tpe-sampler.js';

const space = new SearchSpace(conditional.space.params);

test('random and TPE draws are in their domains and respect conditions', () => {
  for (const sampler of [randomSampler, tpeSampler({ startupTrials: 3 })]) {
    const random = new RandomSource(1);
    const observations: Observation[] = [];
    for (let number = 0; number < 30; number++) {
      const assignment = sampler.next({ space, observations, running: [], issued: [], random })!;
      assert.ok(space.contains(assignment), `${sampler.name}: ${JSON.stringify(assignment)}`);
      observations.push({ number, assignment, state: 'complete', loss: conditional.evaluate(assignment), steps: 1 });
    }
    const units = observations.filter((o) => 'units' in o.assignment).map((o) => o.assignment.units as number);
    assert.ok(units.every((u) => (u - 32) % 32 === 0 && inDomain(space.get('units')!.spec, u)));
  }
});

test('the same seed gives the same draws', () => {
  const draw = () => Array.from({ length: 5 }, (_, i) => randomSampler.next({ space, observations: [], running: [], issued: [], random: new RandomSource(`s/${i}`) }));
  assert.deepEqual(draw(), draw());
});

test('the grid leaves out inactive parameters instead of multiplying them in, and is handed out once', () => {
  const small = new SearchSpace({
    kind: { type: 'choice', pointer: '/k', values: ['a', 'b'] },
    depth: { type: 'int', pointer: '/d', low: 1, high: 3, when: { kind: 'b' } },
    rate: { type: 'float', pointer: '/r', low: 0.001, high: 0.1, log: true, gridPoints: 3 },
  });
  const grid = enumerateGrid(small);
  assert.equal(grid.length, 3 + 3 * 3);
  assert.ok(Math.abs((grid[1].rate as number) - 0.01) < 1e-12);
  const sampler = gridSampler();
  const issued = [];
  for (;;) {
    const next = sampler.next({ space: small, observations: [], running: [], issued, random: new RandomSource(0) });
    if (!next) break;
    issued.push(next);
  }
  assert.equal(new Set(issued.map((a) => JSON.stringify(a))).size, 12);
});

test('TPE finds better values than random search on Branin and Hartmann-6 (median over seeds, 40 trials)', () => {
  for (const objective of [branin, hartmann6]) {
    const median = (sampler: typeof randomSampler) => {
      const values = Array.from({ length: 9 }, (_, seed) => bestFound(sampler, objective, 40, seed)).sort((a, b) => a - b);
      return values[4];
    };
    const tpe = median(tpeSampler());
    const random = median(randomSampler);
    assert.ok(tpe < random, `${objective.name}: TPE ${tpe} vs random ${random}`);
  }
});

test("the constant liar spreads parallel trials: running trials' regions are avoided", () => {
  const one = new SearchSpace({ x: { type: 'float', pointer: '/x', low: 0, high: 1 } });
  const observations: Observation[] = Array.from({ length: 20 }, (_, i) => ({ number: i, assignment: { x: i / 19 }, state: 'complete' as const, loss: Math.abs(i / 19 - 0.5), steps: 1 }));
  const sampler = tpeSampler();
  const alone = sampler.next({ space: one, observations, running: [], issued: [], random: new RandomSource(3) })!.x as number;
  const running = Array.from({ length: 8 }, () => ({ x: alone }));
  const withLiars = sampler.next({ space: one, observations, running, issued: [], random: new RandomSource(3) })!.x as number;
  assert.ok(Math.abs(alone - 0.5) < 0.15, `alone ${alone}`);
  assert.ok(Math.abs(withLiars - alone) > 1e-6, `with liars ${withLiars}, alone ${alone}`);
});
