import { join } from 'node:path';
import { PLOT_FORMATS, PLOTS_DIR, REPORT_FILE, train } from '@polymodal/core';
import { choiceFlag, integerFlag, parseCommandArgs } from '../args.js';
import { metricsTable } from '../render/format.js';
import type { Command } from './command.js';
import { BACKENDS, reporterFor } from './reporter-for.js';

const usage = 'polymodal train <manifest> [--out DIR] [--backend B] [--epochs N] [--batch-size N] [--seed N] [--plots png|svg] [--json]';

export const trainCommand: Command = {
  name: 'train',
  summary: 'train the model a manifest describes and write its folder',
  usage,
  async run(argv, output) {
    const { positionals, values } = parseCommandArgs(argv, {
      out: { type: 'string' },
      backend: { type: 'string' },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      seed: { type: 'string' },
      plots: { type: 'string' },
      json: { type: 'boolean' },
    }, ['manifest'], usage);
    const overrides = {
      backend: choiceFlag(values, 'backend', BACKENDS, usage),
      epochs: integerFlag(values, 'epochs', usage),
      batchSize: integerFlag(values, 'batch-size', usage),
      seed: integerFlag(values, 'seed', usage, 0),
    };
    const json = values.json === true;
    const plots = choiceFlag(values, 'plots', PLOT_FORMATS, usage);
    const result = await train({ manifest: positionals[0], outDir: values.out as string | undefined, overrides, reporter: reporterFor(output, json), report: true, plots });
    if (json) {
      output.out(JSON.stringify({ type: 'result', outDir: result.outDir, backend: result.backend.name, metrics: result.metrics, epochsRun: result.training.epochsRun }) + '\n');
      return 0;
    }
    const { metrics } = result;
    output.out(`\nRows: ${metrics.rows.train} train, ${metrics.rows.validation} validation, ${metrics.rows.test} test` +
      (metrics.skippedRows.count ? ` (${metrics.skippedRows.count} skipped)` : '') + '\n');
    output.out(metricsTable({ train: metrics.train, validation: metrics.validation, test: metrics.test }) + '\n');
    output.out(`\nModel written to ${result.outDir}\n`);
    output.out(`Report: ${join(result.outDir, REPORT_FILE)}${plots ? ` (plots in ${join(result.outDir, PLOTS_DIR)})` : ''}\n`);
    return 0;
  },
};
