import { basename, dirname, join, resolve } from 'node:path';
import { evaluate, checkOutputFile } from '@polymodal/core';
import { choiceFlag, parseCommandArgs } from '../args.js';
import { metricsTable } from '../render/format.js';
import { loadReportModule, PLOT_FORMATS, REPORT_NOT_INSTALLED, requireReportModule } from '../report-writer.js';
import type { Command } from './command.js';
import { BACKENDS, ROW_POLICIES, reporterFor } from './reporter-for.js';

/** `runs/churn` -> `runs/churn-evaluation.html`. */
export function evaluationReportPath(modelDir: string): string {
  const absolute = resolve(modelDir);
  return join(dirname(absolute), `${basename(absolute)}-evaluation.html`);
}

const usage = 'polymodal evaluate <model-dir> [--data FILE] [--drop INPUT]... [--backend B] [--on-invalid-row fail|skip] [--report FILE] [--overwrite] [--plots png|svg] [--allow-local-plugins] [--json]';

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'every metric of a trained model on labelled data (default: its test split), as a report and JSON',
  usage,
  async run(argv, output) {
    const { positionals, values } = parseCommandArgs(argv, {
      data: { type: 'string' },
      drop: { type: 'string', multiple: true },
      backend: { type: 'string' },
      'on-invalid-row': { type: 'string' },
      report: { type: 'string' },
      overwrite: { type: 'boolean' },
      'allow-local-plugins': { type: 'boolean' },
      plots: { type: 'string' },
      json: { type: 'boolean' },
    }, ['model-dir'], usage);
    const json = values.json === true;
    const explicitReport = values.report as string | undefined;
    // Default: beside the model folder, so the folder written by train stays as it was.
    // The default files beside the model folder are Polymodal's own and are rewritten; a file the user named
    // is replaced only with --overwrite.
    const reportPath = explicitReport === undefined
      ? evaluationReportPath(positionals[0])
      : await checkOutputFile(explicitReport, { overwrite: values.overwrite === true, flag: '--report' });
    const plots = choiceFlag(values, 'plots', PLOT_FORMATS, usage);
    // Asked for explicitly, the report must be possible: fail before evaluating, not after.
    const why = plots ? `--plots ${plots}` : explicitReport !== undefined ? '--report' : undefined;
    const report = why ? await requireReportModule(why) : await loadReportModule();
    const sharp = report && plots === 'png' ? await report.loadSharp() : undefined;
    const result = await evaluate(positionals[0], {
      data: values.data as string | undefined,
      backend: choiceFlag(values, 'backend', BACKENDS, usage),
      onInvalidRow: choiceFlag(values, 'on-invalid-row', ROW_POLICIES, usage),
      reporter: reporterFor(output, json),
      allowLocalPlugins: values['allow-local-plugins'] === true,
      metricsFile: reportPath.replace(/\.html?$/i, '') + '.json',
      drop: (values.drop as unknown as string[] | undefined) ?? [],
    });
    const written = report
      ? await report.writeEvaluationReport(positionals[0], { evaluation: result.evaluation, generatedBy: 'polymodal evaluate' }, reportPath, { plots, sharp })
      : undefined;
    const { evaluation: _predictions, ...printable } = result;
    if (json) {
      output.out(JSON.stringify({ type: 'result', ...printable, written }) + '\n');
      return 0;
    }
    const without = result.dropped.length > 0 ? `, without ${result.dropped.join(', ')}` : '';
    output.out(`${result.dataSource} (${result.rowsUsed}, ${result.rows} rows${result.skippedRows.count ? `, ${result.skippedRows.count} skipped` : ''}${without})\n`);
    if (result.report) output.out('\n' + result.report + '\n');
    output.out(metricsTable({ value: result.metrics }) + '\n');
    for (const warning of result.warnings) output.err(`warning: ${warning}\n`);
    if (written) output.out(`\nReport: ${written.html}${written.plotsDir ? ` (plots in ${written.plotsDir})` : ''}\n`);
    else output.err(`note: ${REPORT_NOT_INSTALLED}\n`);
    output.out(`Metrics: ${reportPath.replace(/\.html?$/i, '')}.json\n`);
    return 0;
  },
};
