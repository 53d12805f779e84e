import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from './main.js';
import type { Output } from './render/reporters.js';

function capture(): Output & { stdout: string; stderr: string } {
  const sink = { stdout: '', stderr: '', tty: false, columns: 80, out: (t: string) => void (sink.stdout += t), err: (t: string) => void (sink.stderr += t) };
  return sink;
}

test('no command prints help and exits 2; --help exits 0', async () => {
  const none = capture();
  assert.equal(await main([], none), 2);
  assert.match(none.stdout, /Commands:[\s\S]*train/);
  const help = capture();
  assert.equal(await main(['--help'], help), 0);
});

test('an unknown command suggests the closest', async () => {
  const out = capture();
  assert.equal(await main(['trian'], out), 2);
  assert.match(out.stderr, /unknown command "trian". Did you mean "train"\?/);
});

test('user errors print the message and hint without a stack trace', async () => {
  const out = capture();
  assert.equal(await main(['validate', '/nonexistent/polymodal.json'], out), 2);
  assert.match(out.stderr, /polymodal validate: \/nonexistent\/polymodal\.json: no such manifest file/);
  assert.doesNotMatch(out.stderr, /\n\s+at /);
});

test('each command answers --help', async () => {
  for (const command of ['validate', 'inspect', 'train', 'evaluate', 'predict', 'plugins', 'schema']) {
    const out = capture();
    assert.equal(await main([command, '--help'], out), 0);
    assert.match(out.stdout, new RegExp(`^Usage: polymodal ${command}`));
  }
});
