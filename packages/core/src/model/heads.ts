import type { Task } from '../manifest/types.js';

export interface TaskHead {
  readonly activation: 'sigmoid' | 'softmax' | 'linear';
  readonly loss: string;
  /** Metrics tfjs tracks per batch and epoch during training (the rest are computed from predictions). */
  readonly trainingMetrics: readonly string[];
}

export const TASK_HEADS: Record<Task, TaskHead> = {
  binary: { activation: 'sigmoid', loss: 'binaryCrossentropy', trainingMetrics: ['accuracy'] },
  multiclass: { activation: 'softmax', loss: 'categoricalCrossentropy', trainingMetrics: ['accuracy'] },
  multilabel: { activation: 'sigmoid', loss: 'binaryCrossentropy', trainingMetrics: ['accuracy'] },
  regression: { activation: 'linear', loss: 'meanSquaredError', trainingMetrics: [] },
};
