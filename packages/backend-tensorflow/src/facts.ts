/**
 * Verifies a tfjs-node build in a child process (a broken binding can crash or hang the process that loads it)
 * and reads the backend's facts there: TensorFlow's version, whether it uses a GPU, a 1024x1024 matMul's rate.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { NativeBackendError } from './errors.js';
import { QUIET_ADDON } from './quiet-stderr.js';

export interface BackendFacts {
  readonly backend: string;
  readonly tensorflowVersion: string;
  readonly tfjsNodeVersion: string;
  readonly gpu: boolean;
  /** Best of several 1024x1024 float32 products (result read back included). */
  readonly matMulGflops: number;
  /** TensorFlow sizes its intra-op thread pool to the logical CPUs it may use. */
  readonly threads: number;
}

// Plain CommonJS so that the child needs nothing but Node and the build folder.
const VERIFY = String.raw`
const { createRequire } = require('node:module');
const os = require('node:os');
const quiet = !process.env.POLYMODAL_TF_LOGS;
if (quiet) process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
const [folder, pkg, addon] = process.argv.slice(-3);
let stderr = null;
if (quiet) { try { const m = { exports: {} }; process.dlopen(m, addon); stderr = m.exports; stderr.silence(); } catch {} }
let tf;
try { tf = createRequire(folder + '/package.json')(pkg); } finally { if (stderr) stderr.restore(); }
const backend = tf.backend();
const a = tf.randomNormal([1024, 1024]);
const b = tf.randomNormal([1024, 1024]);
let best = Infinity;
for (let run = 0; run < 6; run++) {
  const start = process.hrtime.bigint();
  const product = tf.matMul(a, b);
  product.dataSync();
  best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  product.dispose();
}
const threads = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
console.log('POLYMODAL-FACTS ' + JSON.stringify({
  backend: tf.getBackend(), tensorflowVersion: backend.binding.TF_Version, tfjsNodeVersion: tf.version['tfjs-node'],
  gpu: backend.isUsingGpuDevice === true, matMulGflops: Math.round((2 * 1024 ** 3) / best / 1e8) / 10, threads,
}));
`;

/** Loads `pkg` from build folder `folder` in a child Node and returns its facts; throws when it does not load. */
export function verifyBuild(folder: string, pkg: string, env: NodeJS.ProcessEnv = process.env): BackendFacts {
  const verbose = env['POLYMODAL_TF_LOGS'] !== undefined;
  const addon = join(folder, 'node_modules', ...pkg.split('/'), 'lib', 'napi-v8', QUIET_ADDON);
  const run = spawnSync(process.execPath, ['-e', VERIFY, '--', folder, pkg, addon], { env, encoding: 'utf8', timeout: 180_000, stdio: ['ignore', 'pipe', verbose ? 2 : 'pipe'] });
  const line = (run.stdout ?? '').split('\n').find((l) => l.startsWith('POLYMODAL-FACTS '));
  if (!line) {
    const why = run.error?.message ?? ((run.stderr ?? '').trim().split('\n').filter(Boolean).slice(-3).join(' | ') || `exit code ${run.status}, signal ${run.signal}`);
    throw new NativeBackendError(
      `the ${pkg} binding built in ${join(folder, 'node_modules', pkg)} does not load: ${why}`,
      'Run `polymodal setup tensorflow --force --verbose` to rebuild it and see TensorFlow\'s own messages.',
    );
  }
  return JSON.parse(line.slice('POLYMODAL-FACTS '.length)) as BackendFacts;
}
