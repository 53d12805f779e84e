export type { MetricsReport, HistoryFile } from '../../artifacts/run-records.js';
