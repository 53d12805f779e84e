// Where tests, fixture generators and benchmarks find the Python reference stack (Keras, TensorFlow, onnxruntime)
// that tools/reference-venv.sh installs. The product never needs it. Tests call `referencePython()` and skip with
// the reason it gives; CI sets POLYMODAL_REQUIRE_REFERENCE=1 so that a missing reference fails instead.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The venv folder tools/reference-venv.sh creates (same rule as the script). */
export function referenceVenv() {
  if (process.env.POLYMODAL_REFERENCE_VENV) return process.env.POLYMODAL_REFERENCE_VENV;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'polymodal', 'reference-venv');
}

/**
 * `{ python }` when the reference interpreter exists, else `{ skip: reason }` for `t.skip(reason)`.
 * Throws when POLYMODAL_REQUIRE_REFERENCE=1, so CI cannot skip silently.
 */
export function referencePython() {
  const python = process.env.POLYMODAL_REFERENCE_PYTHON || join(referenceVenv(), 'bin', 'python');
  if (existsSync(python)) return { python };
  const reason = `no reference Python at ${python}: run \`bash tools/reference-venv.sh\` (Keras, TensorFlow, onnxruntime from the local wheels)`;
  if (process.env.POLYMODAL_REQUIRE_REFERENCE === '1') throw new Error(`POLYMODAL_REQUIRE_REFERENCE=1 but ${reason}`);
  return { skip: reason };
}

/**
 * The benchmarks' PyTorch peers: `BENCH_TORCH_PYTHON` (comma-separated interpreters) when set; else PyTorch 2.13 from
 * the local wheels (`tools/reference-venv.sh torch`, created on first use, about a minute) and Debian's python3-torch
 * (1.13) when /usr/bin/python3 has it. `{ pythons, skipped }`: the interpreters to run, and why any default was left out.
 */
export function torchPythons() {
  if (process.env.BENCH_TORCH_PYTHON) return { pythons: process.env.BENCH_TORCH_PYTHON.split(','), skipped: [] };
  const pythons = [];
  const skipped = [];
  const script = join(dirname(fileURLToPath(import.meta.url)), 'reference-venv.sh');
  try {
    pythons.push(execFileSync('bash', [script, 'torch'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n').at(-1));
  } catch (error) {
    skipped.push(`PyTorch 2.13 (tools/reference-venv.sh torch failed: ${String(error.stderr ?? error.message).trim().split('\n').at(-1)})`);
  }
  if (spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) pythons.push('/usr/bin/python3');
  else skipped.push("Debian's PyTorch (/usr/bin/python3 has no torch module: apt-get install python3-torch)");
  return { pythons, skipped };
}
