import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LabelCodec } from './labels.js';
import type { Manifest } from '../manifest/types.js';

const output = (o: Partial<Manifest['output']>): Manifest['output'] => ({ column: 'y', task: 'binary', hiddenUnits: [], ...o });

test('binary classes sort, and positiveClass moves to index 1', () => {
  const rows = [{ y: 'yes' }, { y: 'no' }, { y: 'yes' }];
  assert.deepEqual(LabelCodec.fromRows(output({}), rows).classes, ['no', 'yes']);
  const flipped = LabelCodec.fromRows(output({ positiveClass: 'no' }), rows);
  assert.deepEqual(flipped.classes, ['yes', 'no']);
  assert.deepEqual([...flipped.targets(rows)], [0, 1, 0]);
});

test('numeric classes sort numerically and print as numbers', () => {
  const codec = LabelCodec.fromRows(output({ task: 'multiclass' }), [{ y: '10' }, { y: '9' }, { y: '2' }]);
  assert.deepEqual(codec.classes, ['2', '9', '10']);
  assert.equal(codec.className(2), 10);
  assert.deepEqual([...codec.trainingTargets(codec.targets([{ y: '9' }]))], [0, 1, 0]);
});

test('a binary task with three classes says to use multiclass', () => {
  assert.throws(() => LabelCodec.fromRows(output({}), [{ y: 'a' }, { y: 'b' }, { y: 'c' }]), /exactly 2 classes, found 3[\s\S]*/);
});

test('check names the label column for missing, unknown and non-numeric labels', () => {
  const codec = LabelCodec.fromRows(output({ classes: ['a', 'b'] }), []);
  assert.deepEqual(codec.check({ y: null }), { column: 'y', problem: 'the label is missing' });
  assert.match(codec.check({ y: 'c' })!.problem, /"c" is not one of the classes/);
  const regression = LabelCodec.fromRows(output({ task: 'regression' }), []);
  assert.match(regression.check({ y: 'abc' })!.problem, /not a number/);
});

test('regression targets are standardised on the training rows and mapped back', () => {
  const codec = LabelCodec.fromRows(output({ task: 'regression' }), []);
  const rows = [{ y: '1' }, { y: '3' }];
  codec.fit(rows);
  const scaled = codec.trainingTargets(codec.targets(rows));
  assert.deepEqual([...scaled], [-1, 1]);
  assert.deepEqual([...codec.fromModelOutput(scaled)], [1, 3]);
});

test('multilabel from 0/1 columns and from a separated column', () => {
  const fromColumns = LabelCodec.fromRows(output({ task: 'multilabel', column: ['cat', 'dog'] }), []);
  assert.deepEqual([...fromColumns.targets([{ cat: '1', dog: 'false' }])], [1, 0]);
  assert.match(fromColumns.check({ cat: 'maybe', dog: '1' })!.problem, /not 0\/1/);
  const separated = LabelCodec.fromRows(output({ task: 'multilabel', separator: '|' }), [{ y: 'dog|cat' }, { y: 'bird' }]);
  assert.deepEqual(separated.classes, ['bird', 'cat', 'dog']);
  assert.deepEqual([...separated.targets([{ y: 'cat | dog' }])], [0, 1, 1]);
});

test('class names that exist on Object.prototype are classes like any other', () => {
  const names = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__'];
  const rows = names.map((y) => ({ y }));
  const codec = LabelCodec.fromRows(output({ task: 'multiclass' }), rows);
  assert.deepEqual(codec.classes, [...names].sort());
  assert.deepEqual([...codec.targets(rows)], names.map((name) => [...names].sort().indexOf(name)));
  for (const row of rows) assert.equal(codec.check(row), undefined);
  assert.match(codec.check({ y: 'isPrototypeOf' })!.problem, /label "isPrototypeOf" is not one of the classes/);
  const multilabel = LabelCodec.fromRows(output({ task: 'multilabel', separator: '|' }), [{ y: 'constructor|__proto__' }, { y: 'toString' }]);
  assert.deepEqual([...multilabel.targets([{ y: '__proto__|toString' }])], [1, 0, 1]);
});
