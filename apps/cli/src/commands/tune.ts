import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadManifest, METRIC_NAMES, PolymodalError, type LoadedManifest, type ManifestOverrides } from '@polymodal/core';
import { choiceFlag, integerFlag, parseCommandArgs, usageError, type ParsedArgs } from '../args.js';
import type { Output } from '../render/reporters.js';
import { loadReportModule, writeTrainingReport } from '../report-writer.js';
import { parseSetFlags, SET_OPTION } from '../set-flag.js';
import { requireTuneModule, type TuneModule } from '../tune-loader.js';
import type { SearchSection, StudyView, TrialCrossval, TrialView } from '@polymodal/tune';
import type { Command } from './command.js';
import { BACKENDS } from './reporter-for.js';
import { trainingStepCompiler } from '../graph-compilers.js';

const usage = 'polymodal tune <manifest> --trials N [--algorithm tpe|random|grid] [--parallel P] [--timeout SECONDS] [--out DIR] ' +
  '[--objective val_loss|val_<metric>|cv_<metric>] [--cv-folds K] [--direction min|max] [--space FILE] [--pruner none|median|halving] [--seed N] ' +
  '[--backend B] [--epochs N] [--batch-size N] [--set /pointer=value]... [--queue redis://HOST:PORT [--queue-name NAME]] [--allow-local-plugins]';

const DIRECTIONS = ['min', 'max'] as const;

function overridesOf(values: ParsedArgs['values']): ManifestOverrides {
  return {
    backend: choiceFlag(values, 'backend', BACKENDS, usage),
    epochs: integerFlag(values, 'epochs', usage),
    batchSize: integerFlag(values, 'batch-size', usage),
    set: parseSetFlags(values.set, usage),
  };
}

/**
 * The objective must be something each trial reports: val_loss, val_accuracy or val_<an evaluation metric>, or
 * cv_<the same, but loss> (held-out folds are scored with the evaluation metrics only).
 */
function checkObjective(objective: string, loaded: LoadedManifest): void {
  const { manifest } = loaded.resolved;
  const metric = objective.replace(/^(val|cv)_/, '');
  const metrics = manifest.evaluation.metrics ?? [];
  const known = [...new Set(['loss', ...(manifest.output.task === 'regression' ? [] : ['accuracy']), ...metrics])];
  const knownCv = known.filter((m) => m !== 'loss');
  if (objective.startsWith('val_') && known.includes(metric)) return;
  if (objective.startsWith('cv_') && knownCv.includes(metric)) return;
  const taskMetrics = METRIC_NAMES[manifest.output.task];
  throw usageError(`--objective ${objective}: use ${known.map((m) => `val_${m}`).join(', ')}, or cv_<metric> (${knownCv.map((m) => `cv_${m}`).join(', ')})` +
    (taskMetrics.includes(metric) ? `, or add "${metric}" to evaluation.metrics in the manifest` : ''), usage);
}

/** The folds of a cv_<metric> objective: --cv-folds, else the search section's, else 5; stratified for classification unless the section says not. */
function crossvalOf(objective: string, section: SearchSection, cvFolds: number | undefined, loaded: LoadedManifest): TrialCrossval | undefined {
  if (!objective.startsWith('cv_')) {
    if (cvFolds !== undefined) throw usageError(`--cv-folds needs a cv_<metric> objective (--objective cv_accuracy, say); ${objective} is measured on the validation split`, usage);
    return undefined;
  }
  const task = loaded.resolved.manifest.output.task;
  const classification = task === 'binary' || task === 'multiclass';
  const stratify = section.crossval?.stratify ?? classification;
  if (stratify && !classification) throw usageError(`search.crossval.stratify needs a binary or multiclass task; this manifest's task is ${task}`, usage);
  return { folds: cvFolds ?? section.crossval?.folds ?? 5, stratify };
}

function defaultOutDir(loaded: LoadedManifest): string {
  return join(loaded.resolved.dir, 'runs', `${loaded.resolved.manifest.name}-tune`);
}

function checkStudyFolder(dir: string, tune: TuneModule): void {
  if (!existsSync(dir) || existsSync(join(dir, tune.JOURNAL_FILE))) return;
  if (readdirSync(dir).length > 0) {
    throw new PolymodalError(`${dir} exists and holds no study (no ${tune.JOURNAL_FILE}); polymodal tune never writes into other folders`, {
      hint: 'Give an --out that does not exist yet, or the folder of a study to resume.',
      exitCode: 2,
    });
  }
}

function shown(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere.startsWith('..') ? path : fromHere || '.';
}

/** Redraws the table in place on a terminal; plain lines otherwise. */
function liveView(output: Output, tune: TuneModule, total: number) {
  let drawnLines = 0;
  return (view: StudyView, trial: TrialView, what: 'start' | 'epoch' | 'end') => {
    if (!output.tty) {
      const line = tune.trialEventLine(view, trial, what);
      if (line) output.out(line + '\n');
      return;
    }
    const table = tune.studyTable(view, total);
    output.out((drawnLines > 0 ? `\x1b[${drawnLines}F\x1b[J` : '') + table + '\n');
    drawnLines = table.split('\n').length;
  };
}

export const tuneCommand: Command = {
  name: 'tune',
  summary: 'hyperparameter search (TPE, random, grid; pruning), resumable: the best manifest, model and a report',
  usage,
  interrupts: 'graceful',
  async run(argv, output, context) {
    const { positionals, values } = parseCommandArgs(argv, {
      trials: { type: 'string' }, algorithm: { type: 'string' }, parallel: { type: 'string' }, timeout: { type: 'string' },
      out: { type: 'string' }, objective: { type: 'string' }, direction: { type: 'string' }, space: { type: 'string' },
      pruner: { type: 'string' }, seed: { type: 'string' }, backend: { type: 'string' }, epochs: { type: 'string' },
      'batch-size': { type: 'string' }, ...SET_OPTION, 'allow-local-plugins': { type: 'boolean' }, 'run-trial': { type: 'boolean' },
      queue: { type: 'string' }, 'queue-name': { type: 'string' }, 'cv-folds': { type: 'string' },
    }, ['manifest'], usage);
    const tune = await requireTuneModule();
    if (values['run-trial'] === true) {
      // A trial process of a study: the request comes on stdin (see @polymodal/tune's trial protocol).
      await tune.runTrialChild(process.stdin, (line) => output.out(line), {
        signal: context.signal,
        beforeCommit: async (folder) => { await writeTrainingReport(folder, {}); },
        compileTrainingStep: await trainingStepCompiler(),
      });
      return 0;
    }
    const trials = integerFlag(values, 'trials', usage);
    if (trials === undefined) throw usageError('missing --trials N', usage);
    const algorithm = choiceFlag(values, 'algorithm', tune.ALGORITHMS, usage) ?? 'tpe';
    const parallel = integerFlag(values, 'parallel', usage) ?? 1;
    const timeout = integerFlag(values, 'timeout', usage);
    const seed = integerFlag(values, 'seed', usage, 0) ?? 0;
    const prunerType = choiceFlag(values, 'pruner', tune.PRUNER_TYPES, usage);
    const overrides = overridesOf(values);
    const allowLocalPlugins = values['allow-local-plugins'] === true;
    const manifestPath = resolve(positionals[0]);

    // The manifest with the command's overrides must be valid before any trial runs.
    const loaded = await loadManifest(positionals[0], { overrides, allowLocalPlugins });
    const raw = await tune.readRawManifest(manifestPath);
    const { section, space } = await tune.loadSearchSpace(positionals[0], raw, values.space as string | undefined);
    const objective = (values.objective as string | undefined) ?? section.objective ?? 'val_loss';
    checkObjective(objective, loaded);
    const cv = crossvalOf(objective, section, integerFlag(values, 'cv-folds', usage, 2), loaded);
    const direction = choiceFlag(values, 'direction', DIRECTIONS, usage) ?? section.direction ?? tune.defaultDirection(objective);
    const pruner = tune.prunerFor(prunerType ? { ...section.pruner, type: prunerType } : section.pruner);
    const dir = resolve((values.out as string | undefined) ?? defaultOutDir(loaded));
    checkStudyFolder(dir, tune);

    // With --queue, `polymodal worker` processes run the trials; without it, child processes of this one.
    const queue = values.queue !== undefined
      ? await tune.queueExecutor({ url: String(values.queue), queueName: values['queue-name'] as string | undefined, manifest: manifestPath, overrides, objective, allowLocalPlugins, crossval: cv })
      : undefined;
    const executor = queue ?? tune.childProcessExecutor({
      command: [process.execPath, ...process.execArgv, process.argv[1], 'tune', manifestPath, '--run-trial'],
      manifest: manifestPath, overrides, objective, allowLocalPlugins, crossval: cv,
    });
    output.out(`Study ${shown(dir)}: ${algorithm} search of ${space.params.length} parameter${space.params.length === 1 ? '' : 's'}, ${trials} trials` +
      `${parallel > 1 ? `, ${parallel} at a time` : ''}, ${objective} (${direction}${cv ? `, mean over ${cv.folds}${cv.stratify ? ' stratified' : ''} folds; steps are folds` : ''}), pruning: ${pruner.name}\n`);
    const view = await tune.runStudy({
      executor,
      dir, manifest: manifestPath, trials, parallel, timeoutSeconds: timeout, space,
      // What makes two studies the same: resuming with other folds is refused like another space.
      section: { params: section.params, pruner: section.pruner, ...(cv ? { crossval: cv } : {}) },
      sampler: tune.samplerFor(algorithm), pruner, objective, direction, seed,
      signal: context.signal,
      onChange: liveView(output, tune, trials),
      checkTrial: async (job) => {
        await loadManifest(manifestPath, { overrides: tune.trialOverrides({ overrides, settings: job.settings, seed: job.seed }), allowLocalPlugins });
      },
    }).finally(() => queue?.close());
    const report = await loadReportModule();
    const summary = await tune.writeStudyOutputs(dir, view, { raw, manifestPath, space, report, build: (r) => tune.buildStudyReport(r, view, space) });
    if (context.signal.aborted) {
      output.err(`polymodal tune: the study was stopped; run the same command again to resume it\n`);
      return 130;
    }
    const counts = ['complete', 'pruned', 'failed'].map((s) => `${view.trials.filter((t) => t.state === s).length} ${s}`).join(', ');
    output.out(`\n${counts}\n`);
    if (!summary.best) {
      const failure = view.trials.find((t) => t.state === 'failed');
      throw new PolymodalError(`no trial completed${failure ? `; trial ${failure.number} failed with: ${failure.error}` : ''}`, { exitCode: 1, hint: `The journal is ${shown(join(dir, tune.JOURNAL_FILE))}.` });
    }
    output.out(`Best: trial ${summary.best.trial}, ${objective} ${summary.best.value}, ${tune.formatParams(summary.best.params)}\n`);
    output.out(`Written to ${shown(dir)}: ${tune.BEST_MANIFEST_FILE}, ${tune.BEST_MODEL_DIR}/, ${tune.STUDY_FILE}${report ? `, ${tune.STUDY_REPORT_FILE}` : ''}, ${tune.JOURNAL_FILE}\n`);
    return 0;
  },
};
