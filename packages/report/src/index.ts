// @polymodal/report: a model folder's contents and core's evaluation data as one self-contained HTML page
// (Vega-Lite charts rendered to inline SVG in Node), plus optional PNG/SVG chart files.
export type { Chart, RenderedChart, Report, ReportInput } from './types.js';
export {
  writeTrainingReport, writeEvaluationReport, writeCrossvalReport, type ModelReportInput, type ReportFileOptions,
} from './write-model-report.js';
export { buildReport, explanationCharts, explanationTable } from './build-report.js';
export { buildCrossvalReport } from './crossval-report.js';
export { evaluationCharts, type EvaluationCharts } from './evaluation-charts.js';
export { REPORT_FILE, PLOTS_DIR } from './report-files.js';
export { renderSvg, prefixIds, type VegaLiteSpec } from './render-svg.js';
export { loadSharp, svgToPng, type SharpFactory } from './png.js';
export { writeReport, PLOT_FORMATS, type PlotFormat, type WrittenReport } from './write-report.js';
export { escapeHtml, page, renderCharts, figure, table, type Section } from './page.js';
export {
  learningCurveCharts, confusionMatrixChart, rocChart, precisionRecallChart, calibrationChart, predictedActualChart,
  contributionChart, foldMetricChart, thin, type CurveSeries,
} from './charts.js';
