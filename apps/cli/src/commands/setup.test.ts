import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../main.js';
import type { Output } from '../render/reporters.js';

function capture(): Output & { stdout: string; stderr: string } {
  const sink = { stdout: '', stderr: '', tty: false, columns: 80, out: (t: string) => void (sink.stdout += t), err: (t: string) => void (sink.stderr += t) };
  return sink;
}

test('setup needs the target "tensorflow": anything else is a usage error (exit 2)', async () => {
  for (const argv of [['setup'], ['setup', 'pytorch']]) {
    const out = capture();
    assert.equal(await main(argv, out), 2);
    assert.match(out.stderr, argv.length === 1 ? /missing <target>/ : /unknown setup target "pytorch"; the one there is: tensorflow/);
    assert.match(out.stderr, /Usage: polymodal setup tensorflow \[--python PATH\] \[--gpu\]/);
  }
});

test('a setup failure is a user error with its hint, exit 2, no stack trace (here: --python names nothing)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-setup-cli-'));
  try {
    const out = capture();
    assert.equal(await main(['setup', 'tensorflow', '--python', join(dir, 'no-python')], out), 2);
    assert.match(out.stderr, /^polymodal setup: --python .*no-python: no executable Python there\nGive the path of a Python interpreter/);
    assert.doesNotMatch(out.stderr, /\n\s+at /);
    assert.equal(out.stdout, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
