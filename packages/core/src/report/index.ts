export type {
  ArtifactContents, Chart, ContributionEstimate, EvaluationData, Explanation, HistoryFile, MetricsFile, RenderedChart, Report, ReportInput,
} from './types.js';
export { buildReport, explanationCharts, explanationTable } from './build-report.js';
export { evaluationCharts, type EvaluationCharts } from './evaluation-charts.js';
export { readArtifacts, EXPLANATION_FILE, REPORT_FILE, PLOTS_DIR } from './read-artifacts.js';
export { renderSvg, prefixIds, type VegaLiteSpec } from './render-svg.js';
export { loadSharp, svgToPng, type SharpFactory } from './png.js';
export { writeReport, PLOT_FORMATS, type PlotFormat, type WrittenReport } from './write-report.js';
export { escapeHtml, page, renderCharts, figure, table, type Section } from './page.js';
export {
  learningCurveCharts, confusionMatrixChart, rocChart, precisionRecallChart, calibrationChart, predictedActualChart,
  contributionChart, foldMetricChart, thin, type CurveSeries,
} from './charts.js';
