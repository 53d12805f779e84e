import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonLinesReporter, plainReporter, progressBarReporter, type Output } from './reporters.js';

function sink(tty: boolean): Output & { stdout: string; stderr: string } {
  const s = { stdout: '', stderr: '', tty, columns: 120, out: (t: string) => void (s.stdout += t), err: (t: string) => void (s.stderr += t) };
  return s;
}

const batch = (n: number) => ({ type: 'batchEnd' as const, epoch: 1, epochs: 2, batch: n, batches: 4, loss: 0.5, logs: { loss: 0.5, accuracy: 0.75 } });
const epoch = { type: 'epochEnd' as const, epoch: 1, epochs: 2, logs: { loss: 0.5, val_loss: 0.6 }, learningRate: 0.001, seconds: 1.5 };

test('on a terminal the bar redraws in place with batch, metrics and ETA, then gives way to the epoch line', () => {
  const out = sink(true);
  const reporter = progressBarReporter(out);
  reporter.event(batch(1));
  reporter.event(batch(4));
  reporter.event(epoch);
  assert.match(out.stdout, /\r\x1b\[2KEpoch 1\/2 \[=+>?\.*\] 1\/4  loss 0\.5000  accuracy 0\.7500  ETA \?/);
  assert.match(out.stdout, /\r\x1b\[2KEpoch 1\/2 \[=+>\] 4\/4/);
  assert.match(out.stdout, /\r\x1b\[2KEpoch 1\/2  1\.5s  loss 0\.5000  val_loss 0\.6000  lr 0\.0010\n$/);
});

test('plain output has epoch lines only; warnings go to stderr', () => {
  const out = sink(false);
  const reporter = plainReporter(out);
  reporter.event(batch(1));
  reporter.event(epoch);
  reporter.event({ type: 'warning', message: 'careful' });
  assert.equal(out.stdout, 'Epoch 1/2  1.5s  loss 0.5000  val_loss 0.6000  lr 0.0010\n');
  assert.equal(out.stderr, 'warning: careful\n');
});

test('JSON lines: one parseable event per line', () => {
  const out = sink(false);
  const reporter = jsonLinesReporter(out);
  reporter.event(batch(2));
  reporter.event(epoch);
  const lines = out.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.type), ['batchEnd', 'epochEnd']);
});
