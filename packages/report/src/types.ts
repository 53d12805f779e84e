import type { ArtifactContents, EvaluationData } from '@polymodal/core';
import type { VegaLiteSpec } from './render-svg.js';

export interface ReportInput {
  artifacts: ArtifactContents;
  evaluation?: EvaluationData;
  /** Shown in the header, e.g. "polymodal train". */
  generatedBy?: string;
}

export interface Chart {
  /** File-name-safe id, unique in the report (e.g. "learning-curve-loss", "roc"). */
  id: string;
  title: string;
  spec: VegaLiteSpec;
}

export interface RenderedChart extends Chart {
  svg: string;
}

export interface Report {
  html: string;
  charts: RenderedChart[];
}
