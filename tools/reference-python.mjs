// Where tests, fixture generators and benchmarks find the Python reference stack (Keras, TensorFlow, onnxruntime)
// that tools/reference-venv.sh installs. The product never needs it. Tests call `referencePython()` and skip with
// the reason it gives; CI sets POLYMODAL_REQUIRE_REFERENCE=1 so that a missing reference fails instead.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

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
