import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PolymodalError } from '@polymodal/core';
import { parseRedisUrl } from './connection.js';

test('redis URLs become connection options; anything else is a usage error', () => {
  assert.deepEqual(parseRedisUrl('redis://127.0.0.1:6380'), { host: '127.0.0.1', port: 6380, maxRetriesPerRequest: null });
  assert.deepEqual(parseRedisUrl('redis://me:p%40ss@queue.local/2'), { host: 'queue.local', port: 6379, db: 2, username: 'me', password: 'p@ss', maxRetriesPerRequest: null });
  for (const bad of ['http://localhost:6379', 'localhost:6379', 'redis://host/x']) {
    assert.throws(() => parseRedisUrl(bad), (e: unknown) => e instanceof PolymodalError && e.exitCode === 2 && /expected redis:\/\/HOST:PORT/.test(e.message), bad);
  }
});
