import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRandom, isRandomState } from './random.js';

test('a restored stream repeats the draws that followed its saved state, in a fresh instance too', () => {
  const random = createRandom(11).fork('shuffle');
  for (let i = 0; i < 5; i++) random.next();
  const state = JSON.parse(JSON.stringify(random.state()));
  const expected = [random.next(), random.int(1000), random.shuffle([1, 2, 3, 4, 5, 6])];
  const fresh = createRandom(11).fork('shuffle');
  assert.notEqual(fresh.next(), expected[0], 'a fresh stream starts elsewhere');
  fresh.restore(state);
  assert.deepEqual([fresh.next(), fresh.int(1000), fresh.shuffle([1, 2, 3, 4, 5, 6])], expected);
});

test('a state that is not one is refused', () => {
  assert.equal(isRandomState({ c: 1, s0: 0.1, s1: 0.2 }), false);
  assert.equal(isRandomState({ c: 1, s0: 0.1, s1: 0.2, s2: Number.NaN }), false);
  assert.throws(() => createRandom(1).restore({ c: 1 } as never), /not a random state/);
});
