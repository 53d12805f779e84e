/**
 * `polymodal setup tensorflow`: builds tfjs-node's native binding against the TensorFlow C API inside a Python
 * installation's tensorflow wheel, in the Polymodal cache (see paths.ts), and verifies it loads.
 *
 * The build happens in a hidden staging folder beside its target and is renamed into place once verified, so a
 * killed build leaves no half-written build (the next run removes the staging folders of dead processes).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { patchBinding } from './binding-patch.js';
import { NativeBackendError } from './errors.js';
import { verifyBuild, type BackendFacts } from './facts.js';
import { BUILD_LAYOUT, BUILD_MARKER, buildFolderName, cacheRoot, readBuildRecord, NATIVE_PACKAGE, TFJS_NODE_VERSION, type BuildRecord, type NativeFlavour } from './paths.js';
import { checkArchitecture, choosePython, probePythonTensorflow, type PythonTensorflow } from './probe-python.js';
import { probeToolchain, type Toolchain } from './probe-toolchain.js';
import { buildQuietAddon } from './quiet-stderr.js';

export interface SetupOptions {
  /** A Python interpreter (default: the active virtual environment's, else python3 on PATH). */
  readonly python?: string;
  readonly gpu?: boolean;
  /** Rebuild even when the cache holds a working build. */
  readonly force?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  /** Show npm's, node-gyp's and TensorFlow's own output (on stderr) instead of only a summary of their errors. */
  readonly verbose?: boolean;
  /** Progress, one line at a time. */
  readonly log?: (line: string) => void;
}

export interface SetupResult {
  readonly folder: string;
  readonly record: BuildRecord;
  readonly facts: BackendFacts;
  /** True when a finished build was found and verified (nothing was built). */
  readonly reused: boolean;
  readonly tensorflow: PythonTensorflow;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, what: string, hint: string): void {
  const verbose = env['POLYMODAL_TF_LOGS'] !== undefined;
  const result = spawnSync(command, args, {
    cwd, env, encoding: 'utf8', timeout: 30 * 60_000, maxBuffer: 64 * 1024 * 1024, stdio: verbose ? ['ignore', 2, 2] : 'pipe',
  });
  if (result.status === 0) return;
  const tail = `${result.stdout ?? ''}\n${result.stderr ?? ''}`.trim().split('\n').filter((l) => /err|Error|fatal|not found/i.test(l)).slice(-6);
  throw new NativeBackendError(`${what} failed (${result.error?.message ?? `exit code ${result.status}`})${tail.length ? `:\n  ${tail.join('\n  ')}` : ''}`, hint);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes staging folders of `name` left by builds whose process is gone (killed); a running one is left alone. */
function removeAbandoned(root: string, name: string): void {
  const pattern = new RegExp(`^\\.${name.replace(/[.+]/g, '\\$&')}\\.(partial|old)-(\\d+)$`);
  for (const entry of readdirSync(root)) {
    const match = pattern.exec(entry);
    if (match && !isAlive(Number(match[2]))) rmSync(join(root, entry), { recursive: true, force: true });
  }
}

/** tfjs-node's expected TensorFlow layout: deps/lib links to the wheel's libraries, deps/include its headers. */
function linkTensorflow(pkgDir: string, tensorflow: PythonTensorflow): void {
  const lib = join(pkgDir, 'deps', 'lib');
  mkdirSync(lib, { recursive: true });
  for (const name of ['libtensorflow.so', 'libtensorflow.so.2', 'libtensorflow_cc.so.2']) symlinkSync(tensorflow.ccLibrary, join(lib, name));
  for (const name of ['libtensorflow_framework.so', 'libtensorflow_framework.so.2']) symlinkSync(tensorflow.frameworkLibrary, join(lib, name));
  // Needed only while compiling (287 MB for TF 2.21): linked, not copied, and removed after the build.
  symlinkSync(tensorflow.includeDir, join(pkgDir, 'deps', 'include'));
}

function compileBinding(pkgDir: string, toolchain: Toolchain, tensorflow: PythonTensorflow, env: NodeJS.ProcessEnv): void {
  const args = [toolchain.nodeGyp, 'rebuild', '--module_name=tfjs_binding', '--module_path=./lib/napi-v8', '--napi_build_version=8', `--python=${tensorflow.python}`];
  if (toolchain.nodeDir) args.push(`--nodedir=${toolchain.nodeDir}`);
  run(process.execPath, args, pkgDir, env, 'compiling the tfjs-node binding (node-gyp rebuild)',
    'Check that g++ and make work and that the headers under the tensorflow package\'s include/ are complete; run with --verbose for the full log.');
  mkdirSync(join(pkgDir, 'lib', 'napi-v8'), { recursive: true });
  copyFileSync(join(pkgDir, 'build', 'Release', 'tfjs_binding.node'), join(pkgDir, 'lib', 'napi-v8', 'tfjs_binding.node'));
  buildQuietAddon(toolchain.compiler, toolchain.nodeHeaders, join(pkgDir, 'lib', 'napi-v8'), join(pkgDir, 'build'));
  rmSync(join(pkgDir, 'build'), { recursive: true, force: true });
  rmSync(join(pkgDir, 'deps', 'include'), { force: true });
}

function build(staging: string, flavour: NativeFlavour, tensorflow: PythonTensorflow, toolchain: Toolchain, env: NodeJS.ProcessEnv, log: (line: string) => void): void {
  const pkg = NATIVE_PACKAGE[flavour];
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, 'package.json'), JSON.stringify({ name: 'polymodal-native-backend', private: true, description: `${pkg} built by polymodal setup tensorflow` }, null, 2));
  log(`installing ${pkg}@${TFJS_NODE_VERSION} (without its download script)`);
  run(toolchain.npm, ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', `${pkg}@${TFJS_NODE_VERSION}`], staging, env,
    `npm install ${pkg}@${TFJS_NODE_VERSION}`, 'npm must reach its registry or have the package in its cache (npm config get registry).');
  const pkgDir = join(staging, 'node_modules', ...pkg.split('/'));
  linkTensorflow(pkgDir, tensorflow);
  patchBinding(pkgDir);
  log(`compiling the binding against TensorFlow ${tensorflow.tensorflowVersion} (${tensorflow.tensorflowDir})`);
  compileBinding(pkgDir, toolchain, tensorflow, env);
}

/** Builds (or finds) tfjs-node for `options.gpu ? tensorflow-gpu : tensorflow`, verified; see the module comment. */
export function setupTensorflow(options: SetupOptions = {}): SetupResult {
  const env = options.verbose ? { ...(options.env ?? process.env), POLYMODAL_TF_LOGS: '1' } : options.env ?? process.env;
  const log = options.log ?? (() => {});
  const flavour: NativeFlavour = options.gpu ? 'tensorflow-gpu' : 'tensorflow';
  const pkg = NATIVE_PACKAGE[flavour];
  const python = choosePython(options.python, env);
  log(`python: ${python}`);
  const tensorflow = probePythonTensorflow(python, env);
  checkArchitecture(tensorflow);
  if (options.gpu && !tensorflow.cudaBuild) {
    throw new NativeBackendError(
      `--gpu: the tensorflow package at ${tensorflow.tensorflowDir} (${tensorflow.tensorflowVersion}) is a CPU-only build`,
      `Install a CUDA build into that Python (${tensorflow.python} -m pip install 'tensorflow[and-cuda]'), or run setup without --gpu.`,
    );
  }
  log(`tensorflow ${tensorflow.tensorflowVersion}: ${tensorflow.tensorflowDir}`);
  const root = cacheRoot(env);
  const name = buildFolderName(flavour, tensorflow.tensorflowVersion);
  const folder = join(root, name);
  mkdirSync(root, { recursive: true });
  removeAbandoned(root, name);
  if (!options.force && readBuildRecord(folder)) {
    try {
      const facts = verifyBuild(folder, pkg, env);
      const record = readBuildRecord(folder);
      if (record) return { folder, record, facts, reused: true, tensorflow };
    } catch (error) {
      log(`the cached build in ${folder} does not load (${(error as Error).message.split('\n')[0]}); rebuilding`);
    }
  }
  const toolchain = probeToolchain(env);
  const started = Date.now();
  const staging = join(root, `.${name}.partial-${process.pid}`);
  try {
    build(staging, flavour, tensorflow, toolchain, env, log);
    log('verifying that the binding loads');
    const facts = verifyBuild(staging, pkg, env);
    const record: BuildRecord = {
      layout: BUILD_LAYOUT, package: pkg, tfjsNodeVersion: TFJS_NODE_VERSION, tensorflowVersion: tensorflow.tensorflowVersion, tensorflowDir: tensorflow.tensorflowDir,
      python: tensorflow.python, builtAt: new Date().toISOString(), buildSeconds: Math.round((Date.now() - started) / 100) / 10,
    };
    writeFileSync(join(staging, BUILD_MARKER), JSON.stringify(record, null, 2) + '\n');
    commit(staging, folder, join(root, `.${name}.old-${process.pid}`));
    return { folder, record, facts, reused: false, tensorflow };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Puts `staging` at `folder`, moving a previous build aside first and removing it after. */
function commit(staging: string, folder: string, aside: string): void {
  const replacing = existsSync(folder);
  if (replacing) renameSync(folder, aside);
  renameSync(staging, folder);
  if (replacing) rmSync(aside, { recursive: true, force: true });
}
