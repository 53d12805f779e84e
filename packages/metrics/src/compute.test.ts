import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { computeMetrics, DEFAULT_METRICS, METRIC_NAMES, type MetricTask } from './index.js';
import { assertClose, fixtures, type Json } from './test-fixtures/load.js';

describe('computeMetrics vs scikit-learn', () => {
  for (const c of fixtures.dispatcher_cases as Json[]) {
    it(`${c.task}: ${c.name}`, () => {
      const task = c.task as MetricTask;
      const names = Object.keys(c.expected);
      assert.deepEqual([...names].sort(), [...METRIC_NAMES[task]].sort(), 'fixture covers every metric name');
      const { values, warnings } = computeMetrics(
        { task, yTrue: c.yTrue, yScore: c.yScore, numClasses: c.numClasses, threshold: c.threshold },
        names,
      );
      assert.deepEqual(Object.keys(values), names);
      for (const name of names) assertClose(values[name], c.expected[name].value, name);
      const warned = new Set(warnings.map((w) => w.slice(0, w.indexOf(':'))));
      const expectedWarned = new Set(names.filter((n) => c.expected[n].warned));
      assert.deepEqual([...warned].sort(), [...expectedWarned].sort(), `metrics that warned:\n${warnings.join('\n')}`);
    });
  }
});

describe('computeMetrics contract', () => {
  it('default metrics are valid names', () => {
    for (const task of Object.keys(METRIC_NAMES) as MetricTask[]) {
      for (const name of DEFAULT_METRICS[task]) assert.ok(METRIC_NAMES[task].includes(name), `${task}/${name}`);
    }
  });

  it('throws on an unknown metric, naming the valid ones', () => {
    assert.throws(
      () => computeMetrics({ task: 'regression', yTrue: [1, 2], yScore: [1, 2], numClasses: 1 }, ['maee']),
      (e: Error) => /unknown metric "maee"/.test(e.message) && /Did you mean "mae"/.test(e.message) && e.message.includes('mae, mse, rmse, r2, mape'),
    );
    assert.throws(
      () => computeMetrics({ task: 'multilabel', yTrue: [1, 0], yScore: [1, 0], numClasses: 2 }, ['accuracy']),
      /Valid metrics: subsetAccuracy/,
    );
  });

  it('binary decision is score >= threshold', () => {
    const input = { task: 'binary' as const, yTrue: [0, 1], yScore: [0.2, 0.5], numClasses: 2 };
    assert.equal(computeMetrics(input, ['accuracy']).values.accuracy, 1);
    assert.equal(computeMetrics({ ...input, threshold: 0.6 }, ['accuracy']).values.accuracy, 0.5);
  });

  it('multiclass predictions are the first arg-max', () => {
    const r = computeMetrics({ task: 'multiclass', yTrue: [0, 1], yScore: [0.5, 0.5, 0, 0.4, 0.4, 0.2], numClasses: 3 }, ['accuracy']);
    assert.equal(r.values.accuracy, 0.5);
  });

  it('validates shapes and labels', () => {
    assert.throws(() => computeMetrics({ task: 'multiclass', yTrue: [0, 1], yScore: [0.5, 0.5], numClasses: 2 }, ['accuracy']), /n\*k/);
    assert.throws(() => computeMetrics({ task: 'multiclass', yTrue: [0, 3], yScore: [1, 0, 0, 1], numClasses: 2 }, ['accuracy']), /class index/);
    assert.throws(() => computeMetrics({ task: 'binary', yTrue: [0, 2], yScore: [0.1, 0.9], numClasses: 2 }, ['f1']), /0 or 1/);
    assert.throws(() => computeMetrics({ task: 'binary', yTrue: [0, 1], yScore: [0.1, 0.9], numClasses: 3 }, ['f1']), /numClasses = 2/);
    assert.throws(() => computeMetrics({ task: 'regression', yTrue: [], yScore: [], numClasses: 1 }, ['mae']), /empty/);
    assert.throws(() => computeMetrics({ task: 'regression', yTrue: [1, 2], yScore: [1, NaN], numClasses: 1 }, ['mae']), /not finite/);
  });

  it('returns an empty result for no names and accepts Float32Array input', () => {
    assert.deepEqual(computeMetrics({ task: 'binary', yTrue: [0, 1], yScore: [0.1, 0.9], numClasses: 2 }, []), { values: {}, warnings: [] });
    const r = computeMetrics(
      { task: 'binary', yTrue: new Float32Array([0, 1, 1]), yScore: new Float32Array([0.1, 0.9, 0.3]), numClasses: 2 },
      DEFAULT_METRICS.binary,
    );
    assert.equal(r.values.accuracy, 2 / 3);
    assert.deepEqual(r.warnings, []);
  });
});
