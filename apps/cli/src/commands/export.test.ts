import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../main.js';
import type { Output } from '../render/reporters.js';
import { defaultExportPath } from './export.js';
import { importOptionalPackage } from '../optional-package.js';

function capture(): Output & { stdout: string; stderr: string } {
  const sink = { stdout: '', stderr: '', tty: false, columns: 80, out: (t: string) => void (sink.stdout += t), err: (t: string) => void (sink.stderr += t) };
  return sink;
}

test('the default output sits beside the model folder, named after it', () => {
  assert.equal(defaultExportPath('runs/churn', 'keras'), resolve('runs/churn.keras'));
  assert.equal(defaultExportPath('runs/churn/', 'onnx'), resolve('runs/churn.onnx'));
  assert.equal(defaultExportPath('/m/churn', 'tfjs-graph'), '/m/churn-tfjs-graph');
});

test('an unknown format is a usage error with a suggestion; a missing one names the choices', async () => {
  const unknown = capture();
  assert.equal(await main(['export', 'runs/churn', '--format', 'onxx'], unknown), 2);
  assert.match(unknown.stderr, /--format must be one of keras, onnx, tfjs-graph, saved-model, got "onxx". Did you mean onnx\?/);
  const missing = capture();
  assert.equal(await main(['export', 'runs/churn'], missing), 2);
  assert.match(missing.stderr, /missing --format \(one of keras, onnx, tfjs-graph, saved-model\)/);
  const flag = capture();
  assert.equal(await main(['export', 'runs/churn', '--format', 'keras', '--overwite'], flag), 2);
  assert.match(flag.stderr, /Did you mean --overwrite\?/);
  const opset = capture();
  assert.equal(await main(['export', 'runs/churn', '--format', 'keras', '--opset', '17'], opset), 2);
  assert.match(opset.stderr, /--opset applies to --format onnx only, not keras/);
  const badOpset = capture();
  assert.equal(await main(['export', 'runs/churn', '--format', 'onnx', '--opset', 'x'], badOpset), 2);
  assert.match(badOpset.stderr, /--opset must be an integer/);
});

test('a folder that is not a model is refused and nothing is written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-export-cli-'));
  try {
    const out = capture();
    assert.equal(await main(['export', dir, '--format', 'keras', '--out', join(dir, 'm.keras')], out), 2);
    assert.match(out.stderr, /not a Polymodal model folder/);
    assert.doesNotMatch(out.stderr, /\n\s+at /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing exporter package is named with its install line', async () => {
  await assert.rejects(importOptionalPackage('@polymodal/not-installed-exporter', '`polymodal export --format x`'), (error: Error & { exitCode?: number }) => {
    assert.match(error.message, /`polymodal export --format x` needs the package @polymodal\/not-installed-exporter, which is not installed/);
    assert.equal(error.exitCode, 2);
    return true;
  });
});
