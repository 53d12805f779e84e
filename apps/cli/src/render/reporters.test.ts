import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonLinesReporter, plainReporter, progressBarReporter, progressLine, type Output } from './reporters.js';

function sink(tty: boolean): Output & { stdout: string; stderr: string } {
  const s = { stdout: '', stderr: '', tty, columns: 120, out: (t: string) => void (s.stdout += t), err: (t: string) => void (s.stderr += t) };
  return s;
}

const batch = (n: number) => ({ type: 'batchEnd' as const, epoch: 1, epochs: 2, batch: n, batches: 4, loss: 0.5, logs: { loss: 0.5, accuracy: 0.75 }, seconds: n * 0.25 });
const epoch = { type: 'epochEnd' as const, epoch: 1, epochs: 2, logs: { loss: 0.5, val_loss: 0.6 }, learningRate: 0.001, seconds: 1.5 };

test('on a terminal the bar redraws in place with batch, metrics and ETA, then gives way to the epoch line', () => {
  const out = sink(true);
  const reporter = progressBarReporter(out);
  reporter.event(batch(1));
  reporter.event(batch(4));
  reporter.event(epoch);
  assert.match(out.stdout, /\r\x1b\[2KEpoch 1\/2 \[=+>?\.*\] 1\/4  ETA 0\.8s  250ms\/step  loss 0\.5000  accuracy 0\.7500/);
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

test('a short epoch: the ETA comes from the epoch\'s real start and the last batch shows the epoch\'s figures', () => {
  // 37 batches in 0.4 s, as the trainer reports them: running means, seconds since the epoch began.
  const at = (n: number, seconds: number, loss: number) =>
    ({ type: 'batchEnd' as const, epoch: 1, epochs: 3, batch: n, batches: 37, loss, logs: { loss, accuracy: 0.79 }, seconds });
  assert.equal(progressLine(at(5, 0.055, 0.71)), 'Epoch 1/3 [==>.....................] 5/37  ETA 0.4s  11ms/step  loss 0.7100  accuracy 0.7900');
  assert.equal(progressLine(at(37, 0.407, 0.6234)), 'Epoch 1/3 [=======================>] 37/37  0.4s 11ms/step  loss 0.6234  accuracy 0.7900');
  const out = sink(true);
  const reporter = progressBarReporter(out);
  reporter.event(at(37, 0.407, 0.6234));
  reporter.event({ type: 'epochEnd', epoch: 1, epochs: 3, logs: { loss: 0.6234, accuracy: 0.79, val_loss: 0.7 }, learningRate: 0.001, seconds: 0.41 });
  const [bar, line] = out.stdout.split('\r\x1b[2K').filter(Boolean);
  assert.match(bar, /loss 0\.6234  accuracy 0\.7900$/);
  assert.match(line, /^Epoch 1\/3  0\.4s  loss 0\.6234  accuracy 0\.7900  val_loss 0\.7000/);
});

test('a fast step is shown in microseconds, and a resumed run says from where', () => {
  assert.match(progressLine({ type: 'batchEnd', epoch: 2, epochs: 2, batch: 100, batches: 400, loss: 1, logs: { loss: 1 }, seconds: 0.045 }), /ETA 0\.1s  450us\/step/);
  const out = sink(false);
  plainReporter(out).event({ type: 'resumed', epoch: 4, path: '/runs/churn.resume/trainer/epoch-000004' });
  assert.equal(out.stdout, 'Resumed after epoch 4 from /runs/churn.resume/trainer/epoch-000004\n');
});
