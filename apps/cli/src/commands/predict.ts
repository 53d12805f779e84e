import { predict } from '@polymodal/core';
import { choiceFlag, parseCommandArgs, usageError } from '../args.js';
import type { Command } from './command.js';
import { BACKENDS, ROW_POLICIES, reporterFor } from './reporter-for.js';

const usage = 'polymodal predict <model-dir> --input FILE [--output FILE] [--overwrite] [--explain] [--allow-local-plugins] [--backend B] [--on-invalid-row fail|skip] [--id-column COL]';

export const predictCommand: Command = {
  name: 'predict',
  summary: 'predict each row of a CSV or JSONL file; JSONL out (--explain: what each prediction relied on)',
  usage,
  async run(argv, output) {
    const { positionals, values } = parseCommandArgs(argv, {
      input: { type: 'string' },
      output: { type: 'string' },
      overwrite: { type: 'boolean' },
      'allow-local-plugins': { type: 'boolean' },
      backend: { type: 'string' },
      'on-invalid-row': { type: 'string' },
      'id-column': { type: 'string' },
      explain: { type: 'boolean' },
    }, ['model-dir'], usage);
    if (values.input === undefined) throw usageError('missing --input FILE', usage);
    const result = await predict(positionals[0], {
      input: values.input as string,
      output: values.output as string | undefined,
      overwrite: values.overwrite === true,
      allowLocalPlugins: values['allow-local-plugins'] === true,
      backend: choiceFlag(values, 'backend', BACKENDS, usage),
      onInvalidRow: choiceFlag(values, 'on-invalid-row', ROW_POLICIES, usage),
      idColumn: values['id-column'] as string | undefined,
      explain: values.explain === true,
      // Predictions go to stdout when no --output is given, so notices must stay off it.
      reporter: reporterFor({ ...output, out: output.err, tty: false }, false),
    });
    if (result.output) {
      output.err(`${result.predictions.length} predictions written to ${result.output}${result.skippedRows.count ? ` (${result.skippedRows.count} rows skipped)` : ''}\n`);
    } else {
      for (const prediction of result.predictions) output.out(JSON.stringify(prediction) + '\n');
    }
    return 0;
  },
};
