/**
 * What a Python installation offers for building tfjs-node: its tensorflow package, the TensorFlow C API inside it
 * (libtensorflow_cc.so.2 exporting the eager API tfjs-node calls, its framework library and the C headers), whether
 * it is a CUDA build, and the machine it is for. Read by running that Python once on a short script (tensorflow is
 * not imported: that takes seconds and prints logs; the library is opened with ctypes instead).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NativeBackendError } from './errors.js';
import { findOnPath } from './paths.js';

export interface PythonTensorflow {
  readonly python: string;
  readonly pythonVersion: string;
  /** platform.machine(): x86_64, aarch64, ... */
  readonly machine: string;
  readonly system: string;
  readonly tensorflowVersion: string;
  /** The tensorflow package folder (site-packages/tensorflow). */
  readonly tensorflowDir: string;
  readonly ccLibrary: string;
  readonly frameworkLibrary: string;
  readonly includeDir: string;
  readonly cudaBuild: boolean;
}

const PROBE = String.raw`
import json, os, sys, platform, importlib.util
out = {"python": sys.executable, "pythonVersion": platform.python_version(), "machine": platform.machine(), "system": platform.system()}
spec = importlib.util.find_spec("tensorflow")
if spec is None or not spec.origin:
    out["tensorflowDir"] = None
else:
    d = os.path.dirname(spec.origin)
    out["tensorflowDir"] = d
    version = None
    try:
        from importlib import metadata
        for dist in metadata.packages_distributions().get("tensorflow", []):
            try:
                version = metadata.version(dist); break
            except Exception:
                pass
    except Exception:
        pass
    out["tensorflowVersion"] = version
    cc = os.path.join(d, "libtensorflow_cc.so.2")
    out["ccExists"] = os.path.exists(cc)
    out["exportsEagerApi"] = False
    out["loadError"] = None
    if out["ccExists"]:
        try:
            import ctypes
            lib = ctypes.CDLL(cc)
            out["exportsEagerApi"] = all(hasattr(lib, s) for s in ("TFE_NewContext", "TFE_Execute", "TF_Version"))
            if version is None and hasattr(lib, "TF_Version"):
                lib.TF_Version.restype = ctypes.c_char_p
                version = lib.TF_Version().decode()
                out["tensorflowVersion"] = version
        except OSError as e:
            out["loadError"] = str(e).splitlines()[0]
    info = os.path.join(d, "python", "platform", "build_info.py")
    out["cudaBuild"] = os.path.exists(info) and "'is_cuda_build': True" in open(info).read()
print("POLYMODAL-PROBE " + json.dumps(out))
`;

/** The Python to use: `--python PATH`, else the active virtual environment's, else python3 (then python) on PATH. */
export function choosePython(requested: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (requested !== undefined) {
    const found = findOnPath(requested, env);
    if (!found) {
      throw new NativeBackendError(`--python ${requested}: no executable Python there`, 'Give the path of a Python interpreter that has the tensorflow package (e.g. --python ~/venv/bin/python).');
    }
    return found;
  }
  const venv = env['VIRTUAL_ENV'];
  if (venv && existsSync(join(venv, 'bin', 'python'))) return join(venv, 'bin', 'python');
  const found = findOnPath('python3', env) ?? findOnPath('python', env);
  if (!found) {
    throw new NativeBackendError(
      'no Python found: neither python3 nor python is on PATH and no virtual environment is active',
      'Install Python 3 with TensorFlow (pip install tensorflow-cpu, or tensorflow for CUDA 12 GPUs), then run `polymodal setup tensorflow --python PATH/TO/python`.',
    );
  }
  return found;
}

type ProbeOutput = {
  python: string; pythonVersion: string; machine: string; system: string; tensorflowDir: string | null; tensorflowVersion?: string | null;
  ccExists?: boolean; exportsEagerApi?: boolean; loadError?: string | null; cudaBuild?: boolean;
};

function runProbe(python: string, env: NodeJS.ProcessEnv): ProbeOutput {
  const run = spawnSync(python, ['-c', PROBE], { env: { ...env, TF_CPP_MIN_LOG_LEVEL: '3' }, encoding: 'utf8', timeout: 120_000 });
  const line = (run.stdout ?? '').split('\n').find((l) => l.startsWith('POLYMODAL-PROBE '));
  if (run.error || !line) {
    const why = run.error ? run.error.message : (run.stderr || '').trim().split('\n').slice(-1)[0] || `exit code ${run.status}`;
    throw new NativeBackendError(`${python} could not be run as Python 3 (${why})`, 'Give a working Python 3 interpreter with --python PATH.');
  }
  return JSON.parse(line.slice('POLYMODAL-PROBE '.length)) as ProbeOutput;
}

/** Checks that `python` has TensorFlow with its C API; throws a NativeBackendError naming what is missing. */
export function probePythonTensorflow(python: string, env: NodeJS.ProcessEnv = process.env): PythonTensorflow {
  const out = runProbe(python, env);
  const install = `${python} -m pip install tensorflow-cpu   (or tensorflow, for a CUDA 12 GPU build)`;
  if (!out.tensorflowDir) {
    throw new NativeBackendError(`${out.python} (Python ${out.pythonVersion}) has no tensorflow package`, `Install it: ${install}; or point --python at a Python that has it.`);
  }
  const dir = out.tensorflowDir;
  const ccLibrary = join(dir, 'libtensorflow_cc.so.2');
  const frameworkLibrary = join(dir, 'libtensorflow_framework.so.2');
  const includeDir = join(dir, 'include');
  const noApi = (what: string) => new NativeBackendError(
    `the tensorflow package at ${dir} (version ${out.tensorflowVersion ?? 'unknown'}) has no usable TensorFlow C API: ${what}`,
    `tfjs-node needs the C API that the official TensorFlow 2.x wheels for Linux ship (libtensorflow_cc.so.2, libtensorflow_framework.so.2, include/). Install one: ${install}.`,
  );
  if (!out.ccExists) throw noApi(`${ccLibrary} is missing`);
  if (out.loadError) throw noApi(`${ccLibrary} does not load (${out.loadError})`);
  if (!out.exportsEagerApi) throw noApi(`${ccLibrary} does not export TFE_NewContext / TFE_Execute / TF_Version`);
  if (!existsSync(frameworkLibrary)) throw noApi(`${frameworkLibrary} is missing`);
  for (const header of ['tensorflow/c/c_api.h', 'tensorflow/c/eager/c_api.h', 'xla/tsl/c/tsl_status.h']) {
    if (!existsSync(join(includeDir, header))) throw noApi(`the header ${join(includeDir, header)} is missing`);
  }
  return {
    python: out.python, pythonVersion: out.pythonVersion, machine: out.machine, system: out.system,
    tensorflowVersion: out.tensorflowVersion ?? 'unknown', tensorflowDir: dir, ccLibrary, frameworkLibrary, includeDir,
    cudaBuild: out.cudaBuild === true,
  };
}

const NODE_ARCH_MACHINES: Readonly<Record<string, readonly string[]>> = { x64: ['x86_64', 'amd64'], arm64: ['aarch64', 'arm64'] };

/** TensorFlow's libraries must be for the machine Node runs on (a Rosetta/emulated Python gives the wrong ones). */
export function checkArchitecture(tensorflow: PythonTensorflow, nodeArch: string = process.arch, nodePlatform: string = process.platform): void {
  if (nodePlatform !== 'linux' || tensorflow.system !== 'Linux') {
    throw new NativeBackendError(
      `polymodal setup tensorflow builds on Linux only (Node runs on ${nodePlatform}, Python on ${tensorflow.system})`,
      'On other systems install the prebuilt package: npm install @tensorflow/tfjs-node@4.22.0 (it downloads libtensorflow 2.9.1).',
    );
  }
  const machines = NODE_ARCH_MACHINES[nodeArch];
  if (!machines) throw new NativeBackendError(`tfjs-node has no build for the ${nodeArch} architecture`, 'Use --backend wasm on this machine.');
  if (!machines.includes(tensorflow.machine.toLowerCase())) {
    throw new NativeBackendError(
      `wrong architecture: Node is ${nodeArch} but ${tensorflow.python} is a ${tensorflow.machine} Python, so its TensorFlow cannot load into Node`,
      `Use a ${machines[0]} Python with TensorFlow (--python PATH).`,
    );
  }
}
