import { basename, dirname, join, resolve } from 'node:path';
import { evaluate, PLOT_FORMATS } from '@polymodal/core';
import { choiceFlag, parseCommandArgs } from '../args.js';
import { metricsTable } from '../render/format.js';
import type { Command } from './command.js';
import { BACKENDS, ROW_POLICIES, reporterFor } from './reporter-for.js';

/** `runs/churn` -> `runs/churn-evaluation.html`. */
export function evaluationReportPath(modelDir: string): string {
  const absolute = resolve(modelDir);
  return join(dirname(absolute), `${basename(absolute)}-evaluation.html`);
}

const usage = 'polymodal evaluate <model-dir> [--data FILE] [--backend B] [--on-invalid-row fail|skip] [--report FILE] [--plots png|svg] [--json]';

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'every metric of a trained model on labelled data (default: its test split), as a report and JSON',
  usage,
  async run(argv, output) {
    const { positionals, values } = parseCommandArgs(argv, {
      data: { type: 'string' },
      backend: { type: 'string' },
      'on-invalid-row': { type: 'string' },
      report: { type: 'string' },
      plots: { type: 'string' },
      json: { type: 'boolean' },
    }, ['model-dir'], usage);
    const json = values.json === true;
    const reportPath = (values.report as string | undefined) ?? evaluationReportPath(positionals[0]);
    const result = await evaluate(positionals[0], {
      data: values.data as string | undefined,
      backend: choiceFlag(values, 'backend', BACKENDS, usage),
      onInvalidRow: choiceFlag(values, 'on-invalid-row', ROW_POLICIES, usage),
      reporter: reporterFor(output, json),
      // Default: beside the model folder, so the folder written by train stays as it was.
      report: reportPath,
      metricsFile: reportPath.replace(/\.html?$/i, '') + '.json',
      plots: choiceFlag(values, 'plots', PLOT_FORMATS, usage),
    });
    if (json) {
      output.out(JSON.stringify({ type: 'result', ...result }) + '\n');
      return 0;
    }
    output.out(`${result.dataSource} (${result.rowsUsed}, ${result.rows} rows${result.skippedRows.count ? `, ${result.skippedRows.count} skipped` : ''})\n`);
    if (result.report) output.out('\n' + result.report + '\n');
    output.out(metricsTable({ value: result.metrics }) + '\n');
    for (const warning of result.warnings) output.err(`warning: ${warning}\n`);
    if (result.written) output.out(`\nReport: ${result.written.html}${result.written.plotsDir ? ` (plots in ${result.written.plotsDir})` : ''}\n`);
    output.out(`Metrics: ${reportPath.replace(/\.html?$/i, '')}.json\n`);
    return 0;
  },
};
