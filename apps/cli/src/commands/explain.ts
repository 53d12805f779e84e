import { explain } from '@polymodal/core';
import { choiceFlag, integerFlag, parseCommandArgs } from '../args.js';
import { formatNumber } from '../render/format.js';
import { loadReportModule, PLOT_FORMATS, REPORT_NOT_INSTALLED, requireReportModule } from '../report-writer.js';
import type { Command } from './command.js';
import { BACKENDS, ROW_POLICIES, reporterFor } from './reporter-for.js';

const usage = 'polymodal explain <model-dir> [--data FILE] [--repeats N] [--seed N] [--plots png|svg] [--backend B] [--on-invalid-row fail|skip] [--allow-local-plugins] [--json]';

export const explainCommand: Command = {
  name: 'explain',
  summary: 'per-input contribution: the drop in each metric when one input is permuted across rows (and, if optional, removed)',
  usage,
  async run(argv, output) {
    const { positionals, values } = parseCommandArgs(argv, {
      data: { type: 'string' },
      'allow-local-plugins': { type: 'boolean' },
      repeats: { type: 'string' },
      seed: { type: 'string' },
      plots: { type: 'string' },
      backend: { type: 'string' },
      'on-invalid-row': { type: 'string' },
      json: { type: 'boolean' },
    }, ['model-dir'], usage);
    const json = values.json === true;
    const plots = choiceFlag(values, 'plots', PLOT_FORMATS, usage);
    // Asked for plots, the report must be possible: fail before the permutations, not after.
    const report = plots ? await requireReportModule(`--plots ${plots}`) : await loadReportModule();
    const sharp = report && plots === 'png' ? await report.loadSharp() : undefined;
    const explained = await explain(positionals[0], {
      data: values.data as string | undefined,
      allowLocalPlugins: values['allow-local-plugins'] === true,
      repeats: integerFlag(values, 'repeats', usage),
      seed: integerFlag(values, 'seed', usage, 0),
      backend: choiceFlag(values, 'backend', BACKENDS, usage),
      onInvalidRow: choiceFlag(values, 'on-invalid-row', ROW_POLICIES, usage),
      reporter: reporterFor(output, json),
    });
    // The model folder's report is rewritten with the explanation (read back from explanation.json) added.
    const written = report
      ? await report.writeTrainingReport(positionals[0], { evaluation: explained.evaluation, generatedBy: 'polymodal explain' }, { plots, sharp })
      : undefined;
    const { evaluation: _predictions, ...explanation } = explained;
    const result = { ...explanation, files: [...explained.files, ...(written ? [written.html, ...written.plots] : [])] };
    if (json) {
      output.out(JSON.stringify({ type: 'result', ...result }) + '\n');
      return 0;
    }
    output.out(`${result.dataSource} (${result.rowsUsed}, ${result.rows} rows), ${result.repeats} permutation${result.repeats === 1 ? '' : 's'} per input, seed ${result.seed}\n`);
    output.out('Drop in each metric when the input is permuted (positive: the model relies on it; 95% CI of the mean):\n\n');
    const metrics = Object.keys(result.baseline);
    // Optional inputs also get the drop with the input removed from every row (the model was trained without it too).
    const anyMasked = result.inputs.some((input) => input.masked !== undefined);
    const header = ['input', 'metric', 'baseline', 'drop', '95% CI', ...(anyMasked ? ['masked drop'] : [])];
    const rows = result.inputs.flatMap((input) => metrics.map((metric) => {
      const e = input.metrics[metric];
      const masked = anyMasked ? [input.masked ? formatNumber(input.masked[metric]) : '-'] : [];
      return [input.name, metric, formatNumber(result.baseline[metric]), formatNumber(e.drop), e.ci95 ? `[${formatNumber(e.ci95[0])}, ${formatNumber(e.ci95[1])}]` : '-', ...masked];
    }));
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    for (const row of [header, ...rows]) output.out(row.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ') + '\n');
    if (result.files.length > 0) output.out(`\nWritten: ${result.files.join(', ')}\n`);
    if (!written) output.err(`note: ${REPORT_NOT_INSTALLED}\n`);
    return 0;
  },
};
