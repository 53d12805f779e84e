import { join, relative } from 'node:path';
import { PolymodalError, train, type TrainedFolder, type TrainResult } from '@polymodal/core';
import { choiceFlag, integerFlag, parseCommandArgs } from '../args.js';
import { metricsTable } from '../render/format.js';
import type { Output } from '../render/reporters.js';
import type { Command } from './command.js';
import { trainingStepCompiler } from '../graph-compilers.js';
import { parseSetFlags, SET_OPTION } from '../set-flag.js';
import { BACKENDS, reporterFor } from './reporter-for.js';
import { PLOT_FORMATS, PLOTS_DIR, REPORT_FILE, REPORT_NOT_INSTALLED, requireReportModule, writeTrainingReport, type PlotFormat } from '../report-writer.js';

const usage = 'polymodal train <manifest> [--out DIR] [--overwrite] [--resume] [--allow-local-plugins] [--backend B] [--run-eagerly] [--epochs N] [--batch-size N] [--seed N] [--set /pointer=value]... [--plots png|svg] [--json]';

/** A path as the user would type it from the current folder. */
function shown(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere === '' ? '.' : fromHere.startsWith('..') ? path : fromHere;
}

function quoted(path: string): string {
  return /^[\w./@:-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

function printSummary(output: Output, result: TrainResult, plots: PlotFormat | undefined, reported: boolean): void {
  const { metrics } = result;
  output.out(`\nRows: ${metrics.rows.train} train, ${metrics.rows.validation} validation, ${metrics.rows.test} test` +
    (metrics.skippedRows.count ? ` (${metrics.skippedRows.count} skipped)` : '') + '\n');
  output.out(metricsTable({ train: metrics.train, validation: metrics.validation, test: metrics.test }) + '\n');
  output.out(`\nModel written to ${shown(result.outDir)}\n`);
  if (reported) output.out(`Report: ${shown(join(result.outDir, REPORT_FILE))}${plots ? ` (plots in ${shown(join(result.outDir, PLOTS_DIR))})` : ''}\n`);
  else output.err(`note: ${REPORT_NOT_INSTALLED}\n`);
  const model = quoted(shown(result.outDir));
  output.out('\nNext:\n');
  output.out(`  polymodal evaluate ${model}\n`);
  output.out(`  polymodal predict ${model} --input <file.csv|file.jsonl>\n`);
  output.out(`  polymodal explain ${model}\n`);
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train the model a manifest describes and write its folder',
  usage,
  interrupts: 'graceful',
  async run(argv, output, context) {
    const { positionals, values } = parseCommandArgs(argv, {
      out: { type: 'string' },
      overwrite: { type: 'boolean' },
      resume: { type: 'boolean' },
      'allow-local-plugins': { type: 'boolean' },
      backend: { type: 'string' },
      'run-eagerly': { type: 'boolean' },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      seed: { type: 'string' },
      ...SET_OPTION,
      plots: { type: 'string' },
      json: { type: 'boolean' },
    }, ['manifest'], usage);
    const overrides = {
      backend: choiceFlag(values, 'backend', BACKENDS, usage),
      epochs: integerFlag(values, 'epochs', usage),
      batchSize: integerFlag(values, 'batch-size', usage),
      seed: integerFlag(values, 'seed', usage, 0),
      set: parseSetFlags(values.set, usage),
    };
    const runEagerly = values['run-eagerly'] === true;
    if (runEagerly && (overrides.backend === 'wasm' || overrides.backend === 'cpu')) {
      throw new PolymodalError(`--run-eagerly has no effect with --backend ${overrides.backend}: only the tensorflow backend runs a training step as one graph`, {
        hint: 'Leave out --run-eagerly, or train with --backend tensorflow.',
        exitCode: 2,
      });
    }
    const json = values.json === true;
    const plots = choiceFlag(values, 'plots', PLOT_FORMATS, usage);
    const manifestPath = positionals[0];
    // Fail before training, not after, when the plots cannot be made.
    if (plots) {
      const report = await requireReportModule(`--plots ${plots}`);
      if (plots === 'png') await report.loadSharp();
    }
    let reported = false;
    try {
      const result = await train({
        manifest: manifestPath,
        allowLocalPlugins: values['allow-local-plugins'] === true,
        outDir: values.out as string | undefined,
        overwrite: values.overwrite === true,
        resume: values.resume === true,
        signal: context.signal,
        overrides,
        reporter: reporterFor(output, json),
        compileTrainingStep: runEagerly ? undefined : await trainingStepCompiler(),
        beforeCommit: async (folder: TrainedFolder) => {
          reported = await writeTrainingReport(folder, { plots });
        },
      });
      if (json) {
        output.out(JSON.stringify({ type: 'result', outDir: result.outDir, backend: result.backend.name, metrics: result.metrics, epochsRun: result.training.epochsRun }) + '\n');
        return 0;
      }
      printSummary(output, result, plots, reported);
      return 0;
    } catch (error) {
      if (context.signal.aborted) {
        output.err(`polymodal train: the model folder was not written; continue the run with:\n  polymodal train ${quoted(manifestPath)}${values.out !== undefined ? ` --out ${quoted(String(values.out))}` : ''} --resume\n`);
      }
      throw error;
    }
  },
};
