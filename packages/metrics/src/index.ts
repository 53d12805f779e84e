/**
 * Polymodal metrics: pure TypeScript functions over labels and scores (no tfjs) that follow
 * scikit-learn's definitions. See the package's README.md for conventions and deviations.
 */
export type { Numeric, Scored } from './types.js';
export {
  accuracyScore,
  balancedAccuracyScore,
  confusionMatrix,
  precisionRecallFscoreSupport,
  precisionScore,
  recallScore,
  f1Score,
  fbetaScore,
  labelCounts,
  prfFromCounts,
  averagePrf,
  type Average,
  type AveragedPrfOptions,
  type LabelCounts,
  type PrfAverage,
  type PrfMetric,
  type PrfOptions,
  type PrfPerLabel,
} from './classification.js';
export { logLoss, brierScoreLoss, FLOAT64_EPS } from './probabilistic.js';
export {
  binaryClfCurve,
  rocCurve,
  precisionRecallCurve,
  auc,
  rocAucScore,
  averagePrecisionScore,
  rocAucOneVsRest,
  rocAucMultilabel,
  averagePrecisionOneVsRest,
  averagePrecisionMultilabel,
  type BinaryClfCurve,
  type RocCurve,
  type PrecisionRecallCurve,
  type ScoreAverage,
} from './ranking.js';
export { bestF1Threshold, type BestThreshold } from './threshold.js';
export {
  meanAbsoluteError,
  meanSquaredError,
  rootMeanSquaredError,
  r2Score,
  meanAbsolutePercentageError,
} from './regression.js';
export {
  subsetAccuracy,
  hammingLoss,
  multilabelCounts,
  multilabelPrecisionRecallFscoreSupport,
  multilabelPrfAverage,
  multilabelF1PerLabel,
  multilabelF1,
} from './multilabel.js';
export { calibrationCurve, type CalibrationBin, type CalibrationCurve } from './calibration.js';
export {
  classificationReport,
  classificationReportData,
  formatClassificationReport,
  type ClassificationReportData,
  type ClassificationReportOptions,
  type ReportClassRow,
  type ReportRow,
} from './report.js';
export { computeMetrics, type MetricInput, type MetricResult } from './compute.js';
export { METRIC_NAMES, DEFAULT_METRICS, METRIC_ALIASES, metricAlias, suggestMetricName, type MetricTask } from './metric-names.js';
export { closestName } from './closest-name.js';
