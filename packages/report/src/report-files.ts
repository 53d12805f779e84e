/** report.html: written into the model folder after training (and again by explain, with the explanation). */
export const REPORT_FILE = 'report.html';
/** PNG/SVG files of the report's charts, beside report.html. */
export const PLOTS_DIR = 'plots';
