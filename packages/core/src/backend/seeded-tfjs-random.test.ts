import { test } from 'node:test';
import assert from 'node:assert/strict';
import { restoreSeededTfjsRandom, seededTfjsRandomState, withSeededTfjsRandom } from './seeded-tfjs-random.js';

test('the seeded Math.random reports its state and continues from a restored one; outside the scope there is none', async () => {
  const { state, after } = await withSeededTfjsRandom(4, async () => {
    Math.random();
    const saved = seededTfjsRandomState()!;
    return { state: saved, after: [Math.random(), Math.random()] };
  });
  assert.equal(seededTfjsRandomState(), undefined);
  assert.throws(() => restoreSeededTfjsRandom(state), /outside withSeededTfjsRandom/);
  const resumed = await withSeededTfjsRandom(4, async () => {
    restoreSeededTfjsRandom(state);
    return [Math.random(), Math.random()];
  });
  assert.deepEqual(resumed, after);
  const unrestored = await withSeededTfjsRandom(4, async () => [Math.random(), Math.random()]);
  assert.notDeepEqual(unrestored, after);
});
