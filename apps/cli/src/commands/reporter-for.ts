import type { Reporter } from '@polymodal/core';
import { jsonLinesReporter, plainReporter, progressBarReporter, type Output } from '../render/reporters.js';

export function reporterFor(output: Output, json: boolean): Reporter {
  if (json) return jsonLinesReporter(output);
  return output.tty ? progressBarReporter(output) : plainReporter(output);
}

export const BACKENDS = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export const ROW_POLICIES = ['fail', 'skip'] as const;
