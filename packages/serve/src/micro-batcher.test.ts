import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MicroBatcher, QueueFull } from './micro-batcher.js';

/** A model that doubles its rows and records each call's rows. */
function recordingModel(delayMs = 0) {
  const calls: number[][] = [];
  const run = async (items: number[]) => {
    calls.push([...items]);
    if (delayMs) await new Promise((done) => setTimeout(done, delayMs));
    return items.map((x) => x * 2);
  };
  return { calls, run };
}

test('concurrent requests share one call and each gets its own rows back', async () => {
  const model = recordingModel();
  const batcher = new MicroBatcher(model.run, { maxBatch: 64, maxLatencyMs: 5, maxQueue: 1000 });
  const requests = Array.from({ length: 20 }, (_, i) => [i * 10, i * 10 + 1]);
  const answers = await Promise.all(requests.map((rows) => batcher.submit(rows)));
  assert.deepEqual(answers, requests.map((rows) => rows.map((x) => x * 2)));
  assert.equal(model.calls.length, 1, `calls: ${JSON.stringify(model.calls)}`);
  assert.equal(model.calls[0].length, 40);
});

test('a call holds at most maxBatch rows; a big request is split and reassembled in order', async () => {
  const model = recordingModel(2);
  const sizes: number[] = [];
  const batcher = new MicroBatcher(model.run, { maxBatch: 8, maxLatencyMs: 0, maxQueue: 100, onBatch: (n) => sizes.push(n) });
  const big = Array.from({ length: 19 }, (_, i) => i);
  const [a, b] = await Promise.all([batcher.submit(big), batcher.submit([100, 101])]);
  assert.deepEqual(a, big.map((x) => x * 2));
  assert.deepEqual(b, [200, 202]);
  assert.ok(sizes.every((n) => n <= 8), JSON.stringify(sizes));
  assert.equal(sizes.reduce((s, n) => s + n, 0), 21);
});

test('maxBatch 1 runs every row alone; a lone request does not wait for maxLatencyMs', async () => {
  const model = recordingModel();
  const batcher = new MicroBatcher(model.run, { maxBatch: 1, maxLatencyMs: 1000, maxQueue: 10 });
  const started = Date.now();
  await Promise.all([batcher.submit([1]), batcher.submit([2]), batcher.submit([3])]);
  assert.deepEqual(model.calls, [[1], [2], [3]]);
  const lone = new MicroBatcher(recordingModel().run, { maxBatch: 64, maxLatencyMs: 1000, maxQueue: 10, arriving: () => 0 });
  await lone.submit([1]);
  assert.ok(Date.now() - started < 500, 'waited for the latency bound with nothing arriving');
});

test('rows wait for requests still arriving, at most maxLatencyMs', async () => {
  const model = recordingModel();
  let arriving = 1;
  const batcher = new MicroBatcher(model.run, { maxBatch: 64, maxLatencyMs: 200, maxQueue: 10, arriving: () => arriving });
  const first = batcher.submit([1]);
  await new Promise((done) => setTimeout(done, 20));
  arriving = 0;
  const second = batcher.submit([2]);
  await Promise.all([first, second]);
  assert.deepEqual(model.calls, [[1, 2]]);
  // Nobody comes: the row goes after the bound.
  arriving = 1;
  const started = Date.now();
  await batcher.submit([3]);
  const waited = Date.now() - started;
  assert.ok(waited >= 190 && waited < 1000, `waited ${waited} ms`);
});

test('a full queue refuses with QueueFull; a failed call fails only its requests', async () => {
  let fail = false;
  let release: () => void = () => {};
  const gate = new Promise<void>((done) => (release = done));
  const batcher = new MicroBatcher(async (items: number[]) => {
    await gate;
    if (fail) throw new Error('model broke');
    return items;
  }, { maxBatch: 2, maxLatencyMs: 0, maxQueue: 3 });
  const running = batcher.submit([1, 2]);
  await new Promise((done) => setImmediate(done));
  const queued = batcher.submit([3, 4, 5]);
  assert.equal(batcher.queued, 3);
  await assert.rejects(batcher.submit([6]), (error: QueueFull) => error instanceof QueueFull && error.limit === 3);
  fail = true;
  release();
  await assert.rejects(running, /model broke/);
  await assert.rejects(queued, /model broke/);
  assert.equal(batcher.queued, 0);
  fail = false;
  assert.deepEqual(await batcher.submit([7]), [7]);
});
