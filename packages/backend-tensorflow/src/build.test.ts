// The real build, against the reference venv's tensorflow_cpu wheel (tools/reference-venv.sh), into the Polymodal
// cache: the first run on a machine builds (about 25 s here), every later one finds the build and only verifies it.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { setupTensorflow } from './build.js';
import { NativeBackendError } from './errors.js';
import { loadTfjsNode } from './load.js';
import { BUILD_MARKER, cacheRoot } from './paths.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
let python: string | undefined;
let skip: string | undefined;
const scratch = mkdtempSync(join(tmpdir(), 'polymodal-build-test-'));

before(async () => {
  const module = (await import(join(REPO_ROOT, 'tools', 'reference-python.mjs'))) as { referencePython(): { python?: string; skip?: string } };
  ({ python, skip } = module.referencePython());
});
after(() => rmSync(scratch, { recursive: true, force: true }));

test('setup builds tfjs-node against the wheel (or finds its build), verifies it in a child, and a second run builds nothing', async (t) => {
  if (skip) return t.skip(skip);
  const lines: string[] = [];
  const first = setupTensorflow({ python, log: (line) => lines.push(line) });
  t.diagnostic(first.reused ? `cached build from ${first.record.builtAt} (built in ${first.record.buildSeconds} s)` : `built in ${first.record.buildSeconds} s`);
  assert.equal(first.facts.backend, 'tensorflow');
  assert.equal(first.facts.tensorflowVersion, first.tensorflow.tensorflowVersion);
  assert.equal(first.facts.tfjsNodeVersion, '4.22.0');
  assert.equal(first.facts.gpu, false);
  assert.ok(first.facts.matMulGflops > 1, `matMul ${first.facts.matMulGflops} GFLOP/s`);
  assert.equal(first.folder, join(cacheRoot(), `tfjs-node-4.22.0-tf${first.tensorflow.tensorflowVersion}`));
  assert.ok(existsSync(join(first.folder, BUILD_MARKER)));
  assert.ok(existsSync(join(first.folder, 'node_modules', '@tensorflow', 'tfjs-node', 'lib', 'napi-v8', 'tfjs_binding.node')));
  // Build leftovers are gone: objects, the header link, staging folders.
  assert.ok(!existsSync(join(first.folder, 'node_modules', '@tensorflow', 'tfjs-node', 'build')));
  assert.ok(!existsSync(join(first.folder, 'node_modules', '@tensorflow', 'tfjs-node', 'deps', 'include')));
  assert.deepEqual(readdirSync(cacheRoot()).filter((name) => name.includes('.partial-') || name.includes('.old-')), []);

  const started = Date.now();
  const second = setupTensorflow({ python });
  assert.equal(second.reused, true);
  assert.equal(second.record.builtAt, (first.reused ? first.record : second.record).builtAt);
  t.diagnostic(`second run: ${Date.now() - started} ms`);
});

test('--gpu with a CPU-only wheel is refused before anything is built', (t) => {
  if (skip) return t.skip(skip);
  const cache = join(scratch, 'gpu-cache');
  assert.throws(() => setupTensorflow({ python, gpu: true, env: { ...process.env, POLYMODAL_CACHE: cache } }), (error: unknown) => {
    assert.ok(error instanceof NativeBackendError);
    assert.match(error.message, /^--gpu: the tensorflow package at .* is a CPU-only build$/);
    assert.match(error.hint, /tensorflow\[and-cuda\]/);
    return true;
  });
  assert.ok(!existsSync(join(cache, 'tfjs-node-gpu-4.22.0-tf2.21.0')));
});

test('without a compiler a build that is not cached yet fails naming g++, and leaves nothing in the cache', (t) => {
  if (skip) return t.skip(skip);
  const cache = join(scratch, 'no-compiler-cache');
  const env = { ...process.env, POLYMODAL_CACHE: cache, CXX: 'no-such-compiler++' };
  assert.throws(() => setupTensorflow({ python, env }), /no C\+\+ compiler: no-such-compiler\+\+ is not on PATH/);
  assert.deepEqual(readdirSync(cache), []);
});

test('core loads the cached build with the project\'s own @tensorflow/tfjs (one engine, one Tensor class)', async (t) => {
  if (skip) return t.skip(skip);
  const loaded = loadTfjsNode('tensorflow');
  assert.ok(loaded && !(loaded instanceof Error), String(loaded));
  assert.ok(loaded.from.startsWith(cacheRoot()), loaded.from);
  const module = loaded.module as typeof tf;
  assert.equal(module.tensor, tf.tensor, 'tfjs-node re-exports the project\'s tfjs, not its own copy');
  assert.equal(await tf.setBackend('tensorflow'), true);
  const product = tf.tidy(() => Array.from(tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync()));
  assert.deepEqual(product, [11]);
  assert.ok(tf.tensor([1]) instanceof module.Tensor);
  await tf.setBackend('cpu');
});
