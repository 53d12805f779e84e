// @polymodal/tune: hyperparameter search for Polymodal manifests. Search spaces by JSON pointer, random / grid /
// TPE samplers, median and successive-halving pruning, and a study journal that survives kill -9.
export type { Assignment, BooleanParam, ChoiceParam, Direction, FloatParam, IntParam, ParamSpec, PrunerSpec, SearchSection } from './space/types.js';
export { SearchSpace, inDomain, type NamedParam } from './space/search-space.js';
export { searchSectionProblems, validateSearchSection, PRUNER_TYPES } from './space/validate-space.js';
export { loadSearchSpace, readRawManifest, defaultDirection, type LoadedSpace } from './space/load-space.js';
export * from './samplers/index.js';
export * from './pruners/index.js';
export { prunerFor, samplerFor, ALGORITHMS, type Algorithm } from './study/choose.js';
export { Journal, readJournal, JOURNAL_FILE, type JournalRecord, type TrialState } from './study/journal.js';
export { replayTrials, bestTrial, type StudyView, type TrialView } from './study/trials.js';
export { runStudy, trialDir, TRIALS_DIR, type StudyOptions, type TrialExecutor, type TrialJob, type TrialOutcome } from './study/run-study.js';
export { writeStudyOutputs, bestManifest, STUDY_FILE, BEST_MANIFEST_FILE, BEST_MODEL_DIR, STUDY_REPORT_FILE, type StudySummary } from './study/outputs.js';
export { studyTable, trialEventLine, bestLine, formatParams } from './study/table.js';
export { runTrial, objectiveOf, trialOverrides, type TrialRequest } from './trial/run-trial.js';
export { runTrialChild } from './trial/trial-child.js';
export { childProcessExecutor, type ChildExecutorOptions } from './trial/child-executor.js';
export { buildStudyReport } from './report/study-report.js';
export { parameterImportance } from './report/importance.js';
export { SYNTHETIC_OBJECTIVES, branin, hartmann6, conditional, type SyntheticObjective } from './objectives/synthetic.js';
export { bestFound } from './objectives/run-synthetic.js';
export { parseRedisUrl, DEFAULT_QUEUE_NAME, type RedisConnection } from './queue/connection.js';
export { queueExecutor, type QueueExecutor, type QueueExecutorOptions } from './queue/queue-executor.js';
export { runQueueWorker, type QueueWorkerOptions } from './queue/queue-worker.js';
export { queueFoldRunner, foldJobId, type QueueFoldRunner } from './queue/queue-folds.js';
export { crossvalTrial, crossvalMetric, type TrialCrossval, type CrossvalTrialRequest } from './trial/crossval-trial.js';
