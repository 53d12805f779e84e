import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { acceleratedRoutines, registerAcceleratedRoutines, type AcceleratedRoutines } from './accelerated-routines.js';

const routines = (provider: string): AcceleratedRoutines => ({ provider, recurrentProduct: () => null });

describe('accelerated routines', () => {
  it('are registered per backend, and unregistering puts back the previous ones', () => {
    assert.equal(acceleratedRoutines('test-backend'), undefined);
    const first = routines('first');
    const undoFirst = registerAcceleratedRoutines('test-backend', first);
    const undoSecond = registerAcceleratedRoutines('test-backend', routines('second'));
    assert.equal(acceleratedRoutines('test-backend')?.provider, 'second');
    assert.equal(acceleratedRoutines('other-backend'), undefined);
    undoSecond();
    assert.equal(acceleratedRoutines('test-backend'), first);
    undoFirst();
    assert.equal(acceleratedRoutines('test-backend'), undefined);
  });
});
