import { evaluate } from '@polymodal/core';
import { choiceFlag, parseCommandArgs } from '../args.js';
import { metricsTable } from '../render/format.js';
import type { Command } from './command.js';
import { BACKENDS, ROW_POLICIES, reporterFor } from './reporter-for.js';

const usage = 'polymodal evaluate <model-dir> [--data FILE] [--backend B] [--on-invalid-row fail|skip] [--json]';

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'metrics of a trained model on labelled data (default: its test split)',
  usage,
  async run(argv, output) {
    const { positionals, values } = parseCommandArgs(argv, {
      data: { type: 'string' },
      backend: { type: 'string' },
      'on-invalid-row': { type: 'string' },
      json: { type: 'boolean' },
    }, ['model-dir'], usage);
    const json = values.json === true;
    const result = await evaluate(positionals[0], {
      data: values.data as string | undefined,
      backend: choiceFlag(values, 'backend', BACKENDS, usage),
      onInvalidRow: choiceFlag(values, 'on-invalid-row', ROW_POLICIES, usage),
      reporter: reporterFor(output, json),
    });
    if (json) {
      output.out(JSON.stringify({ type: 'result', ...result }) + '\n');
      return 0;
    }
    output.out(`${result.dataSource} (${result.rowsUsed}, ${result.rows} rows${result.skippedRows.count ? `, ${result.skippedRows.count} skipped` : ''})\n`);
    if (result.report) output.out('\n' + result.report + '\n');
    output.out(metricsTable({ value: result.metrics }) + '\n');
    for (const warning of result.warnings) output.err(`warning: ${warning}\n`);
    return 0;
  },
};
