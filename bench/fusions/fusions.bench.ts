/**
 * The fusions compared on examples/digit-genre (a digit image and a film's text; the label needs both): concat,
 * gated and attention, each trained without and with modality dropout, scored on the validation and test splits
 * with every modality and with each one dropped for every row (`polymodal evaluate --drop INPUT`), plus the
 * training rate (train rows / the median epoch time over epochs 2..N, as bench/seed does).
 *   TSX_TSCONFIG_PATH=tsconfig.base.json node --conditions=@polymodal/source --import tsx bench/fusions/fusions.bench.ts
 * Every step is a `polymodal` command (the CLI's `main`, from the sources, in this process), in a temporary folder
 * (removed at the end unless BENCH_KEEP=1).
 * Options (env): BENCH_FUSIONS (concat,gated,attention), BENCH_MODALITY_DROPOUT (0.3: the rate of the "with" runs),
 * BENCH_EPOCHS (the manifest's), BENCH_BACKEND (the manifest's), BENCH_SEEDS (1: training seeds per run, from 42),
 * BENCH_SCORE (1; 0 trains only and prints the training rates). Runs go seed by seed, the fusions interleaved, so a
 * change in the machine's load falls on all of them alike.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../apps/cli/src/main.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/digit-genre/', import.meta.url));
const FUSIONS = (process.env.BENCH_FUSIONS ?? 'concat,gated,attention').split(',');
const DROPOUT = Number(process.env.BENCH_MODALITY_DROPOUT ?? 0.3);
const EPOCHS = process.env.BENCH_EPOCHS === undefined ? undefined : Number(process.env.BENCH_EPOCHS);
const BACKEND = process.env.BENCH_BACKEND;
const SEEDS = Number(process.env.BENCH_SEEDS ?? 1);
const SCORE = process.env.BENCH_SCORE !== '0';
const SPLITS = ['validation', 'test'] as const;

// The label is "<digit>-<tone>": the digit comes from the image (input "digit"), the tone from the text ("film").
const LABEL_PART_OF_INPUT = new Map([['digit', 0], ['film', 1]]);

type Manifest = Record<string, any>;
interface Score {
  accuracy: number;
  f1Macro: number;
  /** Per input: the share of rows whose predicted label has that input's part right (the digit, the tone). */
  partAccuracy: Record<string, number>;
}
type Scores = Record<string, Score>;

interface Run {
  fusion: string;
  dropout: number;
  seed: number;
  samplesPerSecond: number;
  epochs: number;
  seconds: number;
  /** `<split>/<dropped input or "all">` -> metrics. */
  scores: Scores;
}

/** `polymodal <args>` in this process (the CLI's own entry, from the sources), its stdout returned. */
async function polymodal(args: string[]): Promise<string> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { out: (text) => void (stdout += text), err: (text) => void (stderr += text), tty: false, columns: 120 });
  if (code !== 0) throw new Error(`polymodal ${args.join(' ')} exited ${code}:\n${stderr.slice(-2000)}${stdout.slice(-2000)}`);
  return stdout;
}

/** The example's data in `work`, with one file per scored split, and its manifest with every input optional. */
function prepare(work: string): { manifest: Manifest; inputs: string[] } {
  cpSync(join(EXAMPLE, 'data'), work, { recursive: true });
  const lines = readFileSync(join(work, 'pairs.jsonl'), 'utf8').trim().split('\n');
  for (const split of SPLITS) {
    writeFileSync(join(work, `${split}.jsonl`), lines.filter((line) => JSON.parse(line).split === split).join('\n') + '\n');
  }
  const manifest = JSON.parse(readFileSync(join(EXAMPLE, 'polymodal.json'), 'utf8')) as Manifest;
  delete manifest.$schema;
  manifest.data.source = 'pairs.jsonl';
  for (const input of Object.values(manifest.inputs) as Manifest[]) input.required = false;
  if (EPOCHS !== undefined) manifest.training.epochs = EPOCHS;
  if (BACKEND !== undefined) manifest.training.backend = BACKEND;
  return { manifest, inputs: Object.keys(manifest.inputs) };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** From the confusion matrix: the share of rows whose true and predicted labels agree on one part of the label. */
function partAccuracy(classes: string[], matrix: number[][], part: number): number {
  let agree = 0;
  let total = 0;
  matrix.forEach((row, truth) => row.forEach((count, predicted) => {
    total += count;
    if (classes[truth].split('-')[part] === classes[predicted].split('-')[part]) agree += count;
  }));
  return agree / total;
}

async function evaluate(model: string, work: string, split: string, drop: string | undefined): Promise<Score> {
  const out = await polymodal(['evaluate', model, '--data', join(work, `${split}.jsonl`), ...(drop ? ['--drop', drop] : []), '--json']);
  const result = out.trim().split('\n').map((line) => JSON.parse(line)).find((message) => message.type === 'result');
  if (!result) throw new Error(`polymodal evaluate ${model} printed no result:\n${out.slice(-2000)}`);
  const parts = [...LABEL_PART_OF_INPUT].map(([input, part]) => [input, partAccuracy(result.classes, result.confusionMatrix, part)]);
  return { accuracy: result.metrics.accuracy, f1Macro: result.metrics.f1Macro, partAccuracy: Object.fromEntries(parts) };
}

async function trainAndScore(work: string, base: Manifest, inputs: string[], fusion: string, dropout: number, seed: number): Promise<Run> {
  const name = `${fusion}-md${dropout}-s${seed}`;
  const manifest = structuredClone(base);
  manifest.name = name;
  manifest.fusion = JSON.parse(readFileSync(join(EXAMPLE, 'fusions', `${fusion}.json`), 'utf8'));
  manifest.training.seed = seed;
  if (dropout > 0) manifest.training.modalityDropout = dropout;
  else delete manifest.training.modalityDropout;
  const manifestPath = join(work, `${name}.json`);
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  const model = join(work, 'runs', name);
  const started = performance.now();
  await polymodal(['train', manifestPath, '--out', model]);
  const seconds = (performance.now() - started) / 1000;
  const history = JSON.parse(readFileSync(join(model, 'history.json'), 'utf8')) as { epochs: { seconds: number }[] };
  const trainRows = JSON.parse(readFileSync(join(model, 'metrics.json'), 'utf8')).rows.train as number;
  const epochSeconds = history.epochs.map((epoch) => epoch.seconds);
  const scores: Scores = {};
  for (const split of SCORE ? SPLITS : []) {
    for (const drop of [undefined, ...inputs]) scores[`${split}/${drop ?? 'all'}`] = await evaluate(model, work, split, drop);
  }
  return {
    fusion, dropout, seed, seconds, scores,
    epochs: epochSeconds.length,
    samplesPerSecond: trainRows / median(epochSeconds.length > 1 ? epochSeconds.slice(1) : epochSeconds),
  };
}

/** `mean` over the seeds, with the range when there are several. */
function summary(values: number[], digits: number): string {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length === 1) return mean.toFixed(digits);
  return `${mean.toFixed(digits)} (${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)})`;
}

/** One row per fusion and modality dropout; with several seeds each cell is their mean (min-max). */
function table(runs: Run[], inputs: string[], metric: 'accuracy' | 'f1Macro'): string {
  const columns = SPLITS.flatMap((split) => [`${split}/all`, ...inputs.map((input) => `${split}/${input}`)]);
  const heading = SPLITS.flatMap((split) => [`${split}: all`, ...inputs.map((input) => `${split}: no ${input}`)]);
  const groups = new Map<string, Run[]>();
  for (const run of runs) groups.set(`${run.fusion}/${run.dropout}`, [...(groups.get(`${run.fusion}/${run.dropout}`) ?? []), run]);
  const rows = [...groups.values()].map((group) => [
    group[0].fusion, group[0].dropout > 0 ? String(group[0].dropout) : 'none',
    ...columns.map((column) => summary(group.map((run) => run.scores[column][metric]), 3)),
    summary(group.map((run) => run.samplesPerSecond), 0), summary(group.map((run) => run.epochs), 0),
  ]);
  const header = ['fusion', 'modality dropout', ...heading, 'train samples/s', 'epochs'];
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/**
 * What the remaining modality still gives when the other is dropped: the accuracy of its own part of the label (the
 * digit with the text dropped, the tone with the image dropped); with both, each part's accuracy beside it.
 */
function partTable(runs: Run[], inputs: string[]): string {
  const cells = SPLITS.flatMap((split) => inputs.flatMap((kept) => inputs.filter((input) => input !== kept).map((dropped) => ({ split, kept, dropped }))));
  const heading = cells.flatMap(({ split, kept, dropped }) => [`${split}: ${kept} part, all`, `${split}: ${kept} part, no ${dropped}`]);
  const groups = new Map<string, Run[]>();
  for (const run of runs) groups.set(`${run.fusion}/${run.dropout}`, [...(groups.get(`${run.fusion}/${run.dropout}`) ?? []), run]);
  const rows = [...groups.values()].map((group) => [
    group[0].fusion, group[0].dropout > 0 ? String(group[0].dropout) : 'none',
    ...cells.flatMap(({ split, kept, dropped }) => [
      summary(group.map((run) => run.scores[`${split}/all`].partAccuracy[kept]), 3),
      summary(group.map((run) => run.scores[`${split}/${dropped}`].partAccuracy[kept]), 3),
    ]),
  ]);
  const header = ['fusion', 'modality dropout', ...heading];
  return [header, header.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
}

/** Train samples/s per fusion and modality dropout, over the seeds. */
function rateTable(runs: Run[]): string {
  const groups = new Map<string, Run[]>();
  for (const run of runs) groups.set(`${run.fusion}/${run.dropout}`, [...(groups.get(`${run.fusion}/${run.dropout}`) ?? []), run]);
  const rows = [...groups.values()].map((group) => [
    group[0].fusion, group[0].dropout > 0 ? String(group[0].dropout) : 'none',
    median(group.map((run) => run.samplesPerSecond)).toFixed(0), summary(group.map((run) => run.samplesPerSecond), 0),
  ]);
  const header = ['fusion', 'modality dropout', 'train samples/s (median)', 'mean (min-max)'];
  return [header, header.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
}

const work = mkdtempSync(join(tmpdir(), 'polymodal-fusions-'));
try {
  const { manifest, inputs } = prepare(work);
  console.log(`examples/digit-genre, fusions ${FUSIONS.join(', ')}, modality dropout none and ${DROPOUT}, ${SEEDS} seed(s); ` +
    `${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} at the start; work folder ${work}`);
  const runs: Run[] = [];
  for (let seed = 42; seed < 42 + SEEDS; seed++) {
    for (const fusion of FUSIONS) {
      for (const dropout of [0, DROPOUT]) {
        const run = await trainAndScore(work, manifest, inputs, fusion, dropout, seed);
        const accuracy = SCORE
          ? `; test accuracy ${inputs.map((input) => `no ${input} ${run.scores[`test/${input}`].accuracy.toFixed(3)}`).join(', ')}, all ${run.scores['test/all'].accuracy.toFixed(3)}`
          : '';
        console.log(`${fusion}, modality dropout ${dropout}, seed ${seed}: ${run.epochs} epochs, ${run.samplesPerSecond.toFixed(0)} samples/s, ` +
          `train command ${run.seconds.toFixed(0)} s${accuracy}`);
        runs.push(run);
      }
    }
  }
  if (!SCORE) {
    console.log(`\nTraining rates, load average ${loadavg()[0].toFixed(1)} at the end:\n`);
    console.log(rateTable(runs));
  } else {
    console.log(`\nAccuracy (columns "no X": input X dropped for every row)${SEEDS > 1 ? `, mean (min-max) over ${SEEDS} seeds` : ''}; ` +
      `load average ${loadavg()[0].toFixed(1)} at the end:\n`);
    console.log(table(runs, inputs, 'accuracy'));
    console.log('\nMacro F1:\n');
    console.log(table(runs, inputs, 'f1Macro'));
    console.log('\nAccuracy of the kept modality\'s part of the label (the digit from the image, the tone from the text), with every input and with the other one dropped:\n');
    console.log(partTable(runs, inputs));
  }
} finally {
  if (process.env.BENCH_KEEP === '1') console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
