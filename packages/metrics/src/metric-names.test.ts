import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { computeMetrics, METRIC_ALIASES, METRIC_NAMES, metricAlias, suggestMetricName, type MetricTask } from './index.js';

describe('suggestMetricName', () => {
  it('suggests rocAuc for "auc" in every classification task (Keras AUC is ROC-AUC)', () => {
    for (const task of ['binary', 'multiclass', 'multilabel'] as const) {
      assert.equal(suggestMetricName('auc', task), 'rocAuc', task);
      assert.equal(suggestMetricName('AUC', task), 'rocAuc', task);
    }
    assert.equal(suggestMetricName('auc', 'regression'), undefined);
  });

  it('maps Keras and scikit-learn spellings, whatever their case and separators', () => {
    assert.equal(suggestMetricName('RootMeanSquaredError', 'regression'), 'rmse');
    assert.equal(suggestMetricName('mean_absolute_error', 'regression'), 'mae');
    assert.equal(suggestMetricName('binary_crossentropy', 'binary'), 'logLoss');
    assert.equal(suggestMetricName('average_precision', 'multiclass'), 'prAuc');
    assert.equal(suggestMetricName('brier_score_loss', 'multiclass'), undefined, 'brier is binary only');
  });

  it('falls back to the closest name for typos, and to nothing for unrelated words', () => {
    assert.equal(suggestMetricName('acuracy', 'binary'), 'accuracy');
    assert.equal(suggestMetricName('rocAcu', 'binary'), 'rocAuc');
    assert.equal(suggestMetricName('perplexity', 'binary'), undefined);
  });

  it('metricAlias resolves aliases only, never typos', () => {
    assert.equal(metricAlias('auc', 'multiclass'), 'rocAuc');
    assert.equal(metricAlias('Mean_Squared_Error', 'regression'), 'mse');
    assert.equal(metricAlias('rocAcu', 'binary'), undefined);
    assert.equal(metricAlias('rocAuc', 'binary'), undefined, 'a metric name is no alias');
    assert.equal(metricAlias('auc', 'regression'), undefined);
  });

  it('every alias names a metric of some task', () => {
    const all = new Set(Object.values(METRIC_NAMES).flat());
    for (const [alias, name] of METRIC_ALIASES) assert.ok(all.has(name), `${alias} -> ${name}`);
  });

  it('computeMetrics names the suggestion in its error', () => {
    const task: MetricTask = 'binary';
    assert.throws(
      () => computeMetrics({ task, yTrue: [0, 1], yScore: [0.2, 0.7], numClasses: 2 }, ['auc']),
      /unknown metric "auc" for task "binary"\. Did you mean "rocAuc"\?/,
    );
  });
});
