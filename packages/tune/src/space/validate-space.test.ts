import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PolymodalError } from '@polymodal/core';
import { SearchSpace } from './search-space.js';
import { searchSectionProblems, validateSearchSection } from './validate-space.js';

const manifest = { inputs: { text: { encoder: 'text/lstm', options: { units: 32 } } }, training: { optimizer: { type: 'adam' } } };

test('a valid space with a condition passes, ordered so conditions come first', () => {
  const section = validateSearchSection({
    params: {
      units: { type: 'int', pointer: '/inputs/text/options/units', low: 16, high: 64, step: 16, when: { encoder: 'text/lstm' } },
      encoder: { type: 'choice', pointer: '/inputs/text/encoder', values: ['text/lstm', 'text/gru'] },
      lr: { type: 'float', pointer: '/training/optimizer/learningRate', low: 1e-4, high: 1e-1, log: true },
    },
    pruner: { type: 'median', warmupEpochs: 1 },
  }, '/search', 'm.json', manifest);
  assert.deepEqual(new SearchSpace(section.params).params.map((p) => p.name), ['encoder', 'units', 'lr']);
});

test('every problem has its pointer and says what to write', () => {
  const problems = searchSectionProblems({
    params: {
      a: { type: 'int', pointer: '/inputs/text/options/units', low: 10, high: 5 },
      b: { type: 'float', pointer: '/training/optimizer/learningRate', low: 0, high: 1, log: true },
      c: { type: 'int', pointer: '/inputs/nothing/options/x', low: 1, high: 10, step: 4 },
      d: { type: 'choice', pointer: '/inputs/text/encoder', values: [] },
      e: { type: 'boolean', pointer: '/training/shuffle', when: { f: 1 } },
      g: { type: 'float', pointer: 'training/x', low: 1, high: 2, colour: 'red' },
      h: { type: 'range', pointer: '/training/y' },
    },
    direction: 'up',
  }, '/search', manifest);
  const expected = [
    /^\/search\/params\/a\/high: must be >= low \(10\)/,
    /^\/search\/params\/b\/low: a log scale needs low > 0/,
    /^\/search\/params\/c\/pointer: \/inputs\/nothing\/options\/x: \/inputs\/nothing does not exist in the manifest/,
    /^\/search\/params\/c\/high: 10 is not low \+ a multiple of step \(1 \+ k\*4\); use 9/,
    /^\/search\/params\/d\/values: must be a non-empty list/,
    /^\/search\/params\/g\/colour: unknown key; allowed here: type, pointer, when, low, high, log, gridPoints/,
    /^\/search\/params\/g\/pointer: must be a JSON pointer into the manifest/,
    /^\/search\/params\/h\/type: must be one of int, float, choice, boolean, got "range"/,
    /^\/search\/direction: must be "min" or "max"/,
  ];
  for (const pattern of expected) assert.ok(problems.some((p) => pattern.test(p)), `${pattern}\n${problems.join('\n')}`);
  assert.equal(problems.length, expected.length, problems.join('\n'));
});

test('conditions must name a choice or boolean parameter and one of its values, without cycles', () => {
  const base = { type: 'int', low: 1, high: 4 };
  const problems = searchSectionProblems({
    params: {
      kind: { type: 'choice', pointer: '/a', values: ['x', 'y'] },
      n: { ...base, pointer: '/b', when: { kind: 'z' } },
      m: { ...base, pointer: '/c', when: { n: 2 } },
      o: { ...base, pointer: '/d', when: { ghost: true } },
      p: { type: 'boolean', pointer: '/e', when: { q: true } },
      q: { type: 'boolean', pointer: '/f', when: { p: true } },
    },
  }, '', undefined);
  assert.match(problems.join('\n'), /\/params\/n\/when\/kind: "z" is not a value of "kind"; its values are "x", "y"/);
  assert.match(problems.join('\n'), /\/params\/m\/when\/n: a condition needs a choice or boolean parameter; "n" is int/);
  assert.match(problems.join('\n'), /\/params\/o\/when\/ghost: "ghost" is not a parameter/);
  assert.match(problems.join('\n'), /\/params\/p\/when: the conditions form a cycle/);
});

test('validateSearchSection throws one exit-2 error listing the problems', () => {
  assert.throws(() => validateSearchSection({ params: {} }, '/search', 'm.json', manifest), (e: unknown) =>
    e instanceof PolymodalError && e.exitCode === 2 && /m\.json: the search space has a problem/.test(e.message) && /\/search\/params: must name at least one parameter/.test(e.describe()));
});

test('a cv_<metric> objective and its crossval section are checked with pointers', () => {
  const params = { lr: { type: 'float', pointer: '/training/optimizer/learningRate', low: 1e-4, high: 1e-1, log: true } };
  assert.deepEqual(searchSectionProblems({ params, objective: 'cv_accuracy', crossval: { folds: 3, stratify: false } }, '/search', manifest), []);
  assert.deepEqual(searchSectionProblems({ params, objective: 'test_accuracy', crossval: { folds: 1, stratify: 'yes', repeats: 2 } }, '/search', manifest), [
    '/search/objective: must be val_loss, val_<metric> or cv_<metric>, e.g. "val_accuracy"',
    '/search/crossval/repeats: unknown key; allowed here: folds, stratify',
    '/search/crossval/folds: must be an integer >= 2',
    '/search/crossval/stratify: must be true or false',
  ]);
  assert.deepEqual(searchSectionProblems({ params, crossval: 5 }, '', manifest), ['/crossval: must be an object, e.g. { "folds": 5, "stratify": true }']);
});
