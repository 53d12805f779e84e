import type { EpochLogs } from '@polymodal/core';

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  return magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e5) ? value.toExponential(3) : value.toFixed(4);
}

export function formatLogs(logs: EpochLogs): string {
  return Object.entries(logs).map(([key, value]) => `${key} ${formatNumber(value)}`).join('  ');
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
}

/** Time per training step as Keras prints it: 12ms/step, 450us/step, 1.3s/step. */
export function formatStepTime(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?/step';
  if (seconds >= 1) return `${seconds.toFixed(1)}s/step`;
  if (seconds >= 1e-3) return `${Math.round(seconds * 1e3)}ms/step`;
  return `${Math.round(seconds * 1e6)}us/step`;
}

/** Metrics of several splits as aligned columns: one row per metric. */
export function metricsTable(columns: Record<string, Record<string, number>>): string {
  const names = [...new Set(Object.values(columns).flatMap((m) => Object.keys(m)))];
  const headers = Object.keys(columns);
  const width = Math.max(6, ...names.map((n) => n.length));
  const lines = [''.padEnd(width) + headers.map((h) => h.padStart(12)).join('')];
  for (const name of names) {
    lines.push(name.padEnd(width) + headers.map((h) => (columns[h][name] === undefined ? '-' : formatNumber(columns[h][name])).padStart(12)).join(''));
  }
  return lines.join('\n');
}
