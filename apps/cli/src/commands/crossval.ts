import { spawn } from 'node:child_process';
import { crossval, PolymodalError, runFold, type FoldJob, type FoldResult, type TrainedFolder } from '@polymodal/core';
import { choiceFlag, integerFlag, parseCommandArgs, usageError } from '../args.js';
import { formatNumber } from '../render/format.js';
import { loadReportModule, REPORT_NOT_INSTALLED, writeTrainingReport } from '../report-writer.js';
import type { Command } from './command.js';
import { BACKENDS, reporterFor } from './reporter-for.js';

const usage = 'polymodal crossval <manifest> --folds K [--stratify] [--repeats R] [--parallel N] [--out DIR] [--overwrite] [--backend B] [--epochs N] [--seed N] [--json]';
const RESULT_TYPE = 'fold-result';

/** Each fold's model folder gets its own report.html (when @polymodal/report is installed), committed with it. */
const writeFoldReport = async (folder: TrainedFolder): Promise<void> => {
  await writeTrainingReport(folder, {});
};

/** Runs one fold in a child process: this CLI again, with the hidden --run-fold flag. */
function foldInChildProcess(job: FoldJob): Promise<FoldResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1], 'crossval', job.manifest, '--run-fold', JSON.stringify(job)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
      'run-fold': { type: 'string' },
    }, ['manifest'], usage);
    if (values['run-fold'] !== undefined) {
      // A child process of `crossval --parallel N`: train one fold and print its result as one JSON line.
      const result = await runFold(JSON.parse(String(values['run-fold'])) as FoldJob, { beforeFoldCommit: writeFoldReport });
      output.out(JSON.stringify({ type: RESULT_TYPE, ...result }) + '\n');
      return 0;
    }
    const folds = integerFlag(values, 'folds', usage, 2);
    if (folds === undefined) throw usageError('missing --folds K (K >= 2)', usage);
    const parallel = integerFlag(values, 'parallel', usage) ?? 1;
    const json = values.json === true;
    const report = await loadReportModule();
    const result = await crossval({
      manifest: positionals[0],
      folds,
      stratify: values.stratify === true,
      repeats: integerFlag(values, 'repeats', usage),
      parallel,
      outDir: values.out as string | undefined,
      overwrite: values.overwrite === true,
      overrides: {
        backend: choiceFlag(values, 'backend', BACKENDS, usage),
        epochs: integerFlag(values, 'epochs', usage),
        seed: integerFlag(values, 'seed', usage, 0),
      },
      reporter: reporterFor(output, json),
      runFold: parallel > 1 ? foldInChildProcess : undefined,
      beforeFoldCommit: writeFoldReport,
      beforeCommit: async (staging, crossvalResult, manifest) => {
        await report?.writeCrossvalReport(staging, crossvalResult, manifest);
      },
    });
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
