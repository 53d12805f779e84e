import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PolymodalError } from '@polymodal/core';
import { parseSetFlags } from './set-flag.js';

test('--set values are JSON when they parse, else text; the pointer ends at the first =', () => {
  assert.deepEqual(parseSetFlags(['/a/b=3', '/c=sgd', '/d=[64,32]', '/e="7"', '/f=x=y', '/g='], 'u'), [
    { pointer: '/a/b', value: 3 }, { pointer: '/c', value: 'sgd' }, { pointer: '/d', value: [64, 32] },
    { pointer: '/e', value: '7' }, { pointer: '/f', value: 'x=y' }, { pointer: '/g', value: '' },
  ]);
  assert.equal(parseSetFlags(undefined, 'u'), undefined);
});

test('a --set without a pointer or an = is a usage error', () => {
  for (const bad of ['training/epochs=3', '/training/epochs']) {
    assert.throws(() => parseSetFlags([bad], 'usage line'), (e: unknown) => e instanceof PolymodalError && e.exitCode === 2 && /expected \/json\/pointer=value/.test(e.message));
  }
});
