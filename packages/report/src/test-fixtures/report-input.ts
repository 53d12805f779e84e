import type { ArtifactContents, EvaluationData, Task } from '@polymodal/core';

/** A deterministic model-folder content and evaluation for report tests (no training involved). */
export function fixtureArtifacts(task: Task, classes: string[]): ArtifactContents {
  const epochs = Array.from({ length: 4 }, (_, i) => ({
    epoch: i + 1,
    logs: (task === 'regression'
      ? { loss: 1 / (i + 1), val_loss: 1.2 / (i + 1) }
      : { loss: 0.7 - i * 0.1, accuracy: 0.6 + i * 0.05, val_loss: 0.72 - i * 0.08, val_accuracy: 0.58 + i * 0.05, val_f1: 0.5 + i * 0.04 }) as Record<string, number>,
    learningRate: 0.001,
    seconds: 0.1,
  }));
  return {
    dir: '/models/<fixture>',
    meta: {
      format: 'polymodal-model', formatVersion: 1, name: 'fixture <&>', createdAt: '2026-01-01T00:00:00.000Z', coreVersion: '0.1.0',
      backend: { name: 'wasm', tfjsBackend: 'wasm', gpu: false }, plugins: [{ name: 'p', version: '1.0.0', apiVersion: 1 }],
      task, classes, threshold: 0.5, inputs: [{ name: 'numbers', encoder: 'test/numeric', columns: ['a', 'b'] }], modelInputs: ['numbers__x'], seed: 5,
      trainingData: '/data/data.csv',
    },
    manifest: { version: 1, name: 'fixture', note: '</pre><script>alert(1)</script>' } as unknown as ArtifactContents['manifest'],
    history: { epochs, epochsRun: 4, stopReason: 'early stopping on val_loss', restoredEpoch: 3, checkpointEpoch: null },
    metrics: {
      task, threshold: 0.5, rows: { train: 60, validation: 20, test: 20 },
      train: { accuracy: 0.9 }, validation: { accuracy: 0.85 }, test: { accuracy: 0.8 }, warnings: [],
      skippedRows: { count: 2, byColumn: { a: 2 }, examples: [{ line: 3, column: 'a', problem: 'not a number' }, { line: 9, column: 'a', problem: 'not a number' }] },
    },
    summary: 'Layer (type)   Output shape   Param #\n<dense>        [null,8]       24',
  };
}

/** Scores that track the targets with deterministic noise. */
export function fixtureEvaluation(task: Task, classes: string[], rows = 50): EvaluationData {
  let state = 7;
  const next = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const k = classes.length;
  let targets: number[] = [];
  let scores: number[] = [];
  if (task === 'binary') {
    targets = Array.from({ length: rows }, (_, i) => i % 2);
    scores = targets.map((t) => Math.min(1, Math.max(0, t * 0.6 + next() * 0.4)));
  } else if (task === 'multiclass') {
    targets = Array.from({ length: rows }, (_, i) => i % k);
    scores = targets.flatMap((t) => {
      const raw = classes.map((_, c) => (c === t ? 1 : 0) + next());
      const sum = raw.reduce((a, b) => a + b, 0);
      return raw.map((v) => v / sum);
    });
  } else if (task === 'multilabel') {
    targets = Array.from({ length: rows * k }, (_, i) => ((i * 7) % 3 === 0 ? 1 : 0));
    scores = targets.map((t) => Math.min(1, t * 0.5 + next() * 0.5));
  } else {
    targets = Array.from({ length: rows }, (_, i) => i / 5);
    scores = targets.map((t) => t + next() - 0.5);
  }
  return { title: 'test split of data.csv', task, classes, threshold: 0.5, rows, targets, scores, metrics: { accuracy: 0.8 }, warnings: ['x: ill-defined'] };
}
