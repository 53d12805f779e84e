// Our TPE against Optuna 5.0's TPE (TPESampler() as shipped, and with group=True as ours) and random search,
// on Branin, Hartmann-6, a conditional space and one real example (the article's search on the quickstart data,
// from real trainings tabulated by make-real-table.ts): the best value found after N trials, over many seeds.
//
//   python3 -m venv /tmp/tune-task/venv && /tmp/tune-task/venv/bin/pip install --no-index --find-links DIR optuna
//   OPTUNA_PYTHON=/tmp/tune-task/venv/bin/python BENCH_SEEDS=30 BENCH_TRIALS=50 \
//     node --conditions=@polymodal/source --import tsx bench/tune/tpe.bench.ts
//
// BENCH_OBJECTIVES=branin,hartmann6,conditional,quickstart picks objectives. Without OPTUNA_PYTHON only ours and random
// run. Values are minimised; lower is better.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bestFound, randomSampler, SYNTHETIC_OBJECTIVES, tpeSampler, type SyntheticObjective } from '@polymodal/tune';
import { quickstartObjective } from './real-objective.js';

const seeds = Number(process.env.BENCH_SEEDS ?? 30);
const trials = Number(process.env.BENCH_TRIALS ?? 50);
const python = process.env.OPTUNA_PYTHON;
const only = process.env.BENCH_OBJECTIVES?.split(',');
const script = join(dirname(fileURLToPath(import.meta.url)), 'optuna_tpe.py');

/** One Optuna study over stdin/stdout (ask-and-tell): the objective is evaluated here, in TypeScript. */
function optunaBest(objective: SyntheticObjective, seed: number, variant: 'default' | 'group'): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(python!, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdin.write(JSON.stringify({ space: objective.space, trials, seed, variant }) + '\n');
    createInterface({ input: child.stdout }).on('line', (line) => {
      const message = JSON.parse(line) as { params?: Record<string, unknown>; best?: number };
      if (message.params) child.stdin.write(JSON.stringify({ value: objective.evaluate(message.params) }) + '\n');
      else if (message.best !== undefined) {
        child.stdin.end();
        resolve(message.best);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => { if (code !== 0) reject(new Error(`optuna_tpe.py exited with ${code}`)); });
  });
}

function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (position - low);
}

function describe(values: number[]): string {
  const s = [...values].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return `mean ${mean.toFixed(4)}  q10 ${quantile(s, 0.1).toFixed(4)}  q25 ${quantile(s, 0.25).toFixed(4)}  median ${quantile(s, 0.5).toFixed(4)}  q75 ${quantile(s, 0.75).toFixed(4)}  q90 ${quantile(s, 0.9).toFixed(4)}`;
}

/** Share of seed pairs where a beats b (ties count half): a rank-based "probability of doing better". */
function winRate(a: number[], b: number[]): number {
  let wins = 0;
  for (const x of a) for (const y of b) wins += x < y ? 1 : x === y ? 0.5 : 0;
  return wins / (a.length * b.length);
}

console.log(`best value found after ${trials} trials, ${seeds} seeds each (minimised)\n`);
const real = quickstartObjective();
if (!real) console.log('(no bench/tune/quickstart-table.json: run make-real-table.ts for the real example)\n');
for (const objective of [...SYNTHETIC_OBJECTIVES, ...(real ? [real] : [])].filter((o) => !only || only.includes(o.name))) {
  const results = new Map<string, number[]>();
  const seedList = Array.from({ length: seeds }, (_, i) => i);
  let started = Date.now();
  results.set('polymodal tpe', seedList.map((seed) => bestFound(tpeSampler(), objective, trials, seed)));
  const oursSeconds = (Date.now() - started) / 1000;
  results.set('random', seedList.map((seed) => bestFound(randomSampler, objective, trials, seed)));
  let optunaSeconds = 0;
  if (python) {
    started = Date.now();
    const limit = 2;
    for (const variant of ['default', 'group'] as const) {
      const values: number[] = new Array(seeds);
      for (let i = 0; i < seeds; i += limit) {
        await Promise.all(seedList.slice(i, i + limit).map(async (seed) => { values[seed] = await optunaBest(objective, seed, variant); }));
      }
      results.set(`optuna tpe (${variant})`, values);
    }
    optunaSeconds = (Date.now() - started) / 1000;
  }
  console.log(`${objective.name} (minimum ${objective.minimum})  [ours ${oursSeconds.toFixed(1)} s, optuna ${optunaSeconds.toFixed(1)} s for all seeds]`);
  const width = Math.max(...[...results.keys()].map((k) => k.length));
  for (const [name, values] of results) console.log(`  ${name.padEnd(width)}  ${describe(values)}`);
  const ours = results.get('polymodal tpe')!;
  for (const [name, values] of results) {
    if (name !== 'polymodal tpe') console.log(`  P(polymodal tpe better than ${name}) = ${winRate(ours, values).toFixed(2)}`);
  }
  console.log('');
}
