import { spawn } from 'node:child_process';
import { crossval, PolymodalError, runFold, type FoldJob, type FoldResult, type TrainedFolder } from '@polymodal/core';
import { choiceFlag, integerFlag, parseCommandArgs, usageError } from '../args.js';
import { formatNumber } from '../render/format.js';
import { loadReportModule, REPORT_NOT_INSTALLED, writeTrainingReport } from '../report-writer.js';
import { requireTuneModule } from '../tune-loader.js';
import type { Output } from '../render/reporters.js';
import type { Command } from './command.js';
import { BACKENDS, reporterFor } from './reporter-for.js';
import { trainingStepCompiler } from '../graph-compilers.js';

const usage = 'polymodal crossval <manifest> --folds K [--stratify] [--repeats R] [--parallel N] [--out DIR] [--overwrite] [--backend B] [--epochs N] [--seed N] '
  + '[--queue redis://HOST:PORT [--queue-name NAME]] [--allow-local-plugins] [--json]';
const RESULT_TYPE = 'fold-result';

/** Each fold's model folder gets its own report.html (when @polymodal/report is installed), committed with it. */
const writeFoldReport = async (folder: TrainedFolder): Promise<void> => {
  await writeTrainingReport(folder, {});
};

/**
 * Runs one fold in a child process: this CLI again, with the hidden --run-fold flag (crossval --parallel, and
 * `polymodal worker` for crossval --queue folds). The child's stdin stays open: when this process dies (a worker
 * killed mid-fold), it closes and the child stops training, so a fold retried elsewhere is never trained twice.
 */
export function foldInChildProcess(job: FoldJob): Promise<FoldResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1], 'crossval', job.manifest, '--run-fold', JSON.stringify(job)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin.on('error', () => {});
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith(`{"type":"${RESULT_TYPE}"`));
      if (code === 0 && line) {
        const { type: _type, ...result } = JSON.parse(line) as FoldResult & { type: string };
        resolvePromise(result);
        return;
      }
      const message = stderr.trim().replace(/^polymodal crossval: /, '') || `exit code ${code}`;
      reject(new PolymodalError(`fold ${job.fold + 1} of repeat ${job.repeat + 1} failed: ${message}`, { exitCode: code === 1 || code === 2 ? code : 1 }));
    });
  });
}

/** A fold's child process: trains it, prints its result as one JSON line; stops when its parent goes (stdin closes). */
async function runFoldChild(jobText: string, output: Output): Promise<number> {
  const controller = new AbortController();
  const stop = () => controller.abort(new Error('the crossval coordinator or worker went away'));
  process.stdin.on('end', stop).on('close', stop).on('error', stop).resume();
  try {
    const result = await runFold(JSON.parse(jobText) as FoldJob, { beforeFoldCommit: writeFoldReport, signal: controller.signal, compileTrainingStep: await trainingStepCompiler() });
    output.out(JSON.stringify({ type: RESULT_TYPE, ...result }) + '\n');
    return 0;
  } finally {
    process.stdin.off('end', stop).off('close', stop).off('error', stop);
    process.stdin.destroy();
  }
}

export const crossvalCommand: Command = {
  name: 'crossval',
  summary: 'K-fold cross-validation: mean and standard deviation of every metric over held-out folds',
  usage,
  async run(argv, output) {
    const { positionals, values } = parseCommandArgs(argv, {
      folds: { type: 'string' },
      stratify: { type: 'boolean' },
      repeats: { type: 'string' },
      parallel: { type: 'string' },
      out: { type: 'string' },
      overwrite: { type: 'boolean' },
      backend: { type: 'string' },
      epochs: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean' },
      queue: { type: 'string' },
      'queue-name': { type: 'string' },
      'allow-local-plugins': { type: 'boolean' },
      'run-fold': { type: 'string' },
    }, ['manifest'], usage);
    if (values['run-fold'] !== undefined) return runFoldChild(String(values['run-fold']), output);
    const folds = integerFlag(values, 'folds', usage, 2);
    if (folds === undefined) throw usageError('missing --folds K (K >= 2)', usage);
    const repeats = integerFlag(values, 'repeats', usage);
    // On a queue every fold is queued at once unless --parallel says fewer; workers decide how many run.
    const parallel = integerFlag(values, 'parallel', usage) ?? (values.queue !== undefined ? folds * (repeats ?? 1) : 1);
    if (values['queue-name'] !== undefined && values.queue === undefined) throw usageError('--queue-name needs --queue redis://HOST:PORT', usage);
    const json = values.json === true;
    const report = await loadReportModule();
    const queue = values.queue !== undefined
      ? await (await requireTuneModule('crossval --queue')).queueFoldRunner({ url: String(values.queue), queueName: values['queue-name'] as string | undefined })
      : undefined;
    const result = await crossval({
      manifest: positionals[0],
      folds,
      stratify: values.stratify === true,
      repeats,
      parallel,
      allowLocalPlugins: values['allow-local-plugins'] === true,
      outDir: values.out as string | undefined,
      overwrite: values.overwrite === true,
      overrides: {
        backend: choiceFlag(values, 'backend', BACKENDS, usage),
        epochs: integerFlag(values, 'epochs', usage),
        seed: integerFlag(values, 'seed', usage, 0),
      },
      reporter: reporterFor(output, json),
      runFold: queue ? (job) => queue.runFold(job) : parallel > 1 ? foldInChildProcess : undefined,
      beforeFoldCommit: writeFoldReport,
      compileTrainingStep: await trainingStepCompiler(),
      beforeCommit: async (staging, crossvalResult, manifest) => {
        await report?.writeCrossvalReport(staging, crossvalResult, manifest);
      },
    }).finally(() => queue?.close());
    if (json) {
      output.out(JSON.stringify({ type: 'result', ...result }) + '\n');
      return 0;
    }
    const names = Object.keys(result.summary);
    const width = Math.max(6, ...names.map((n) => n.length));
    output.out(`\n${result.folds} folds${result.repeats > 1 ? ` x ${result.repeats} repeats` : ''}${result.stratify ? ', stratified' : ''}: metrics on the held-out folds\n`);
    output.out(`${''.padEnd(width)}${'mean'.padStart(12)}${'std'.padStart(12)}${'min'.padStart(12)}${'max'.padStart(12)}\n`);
    for (const name of names) {
      const s = result.summary[name];
      output.out(`${name.padEnd(width)}${[s.mean, s.std, s.min, s.max].map((v) => formatNumber(v).padStart(12)).join('')}\n`);
    }
    output.out(`\nWritten to ${result.outDir} (crossval.json, ${report ? 'report.html, ' : ''}folds/)\n`);
    if (!report) output.err(`note: ${REPORT_NOT_INSTALLED}\n`);
    return 0;
  },
};
