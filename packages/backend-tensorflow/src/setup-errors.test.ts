// The setup's error paths, on fake PATHs and fake Pythons in a temp folder: nothing is built.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { NativeBackendError } from './errors.js';
import { findOnPath } from './paths.js';
import { checkArchitecture, choosePython, probePythonTensorflow, type PythonTensorflow } from './probe-python.js';
import { probeToolchain } from './probe-toolchain.js';
import { setupTensorflow } from './build.js';

const root = mkdtempSync(join(tmpdir(), 'polymodal-setup-errors-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A folder holding executables `names` (shell scripts printing nothing), for a fake PATH. */
function binFolder(name: string, executables: Record<string, string>): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, script] of Object.entries(executables)) {
    writeFileSync(join(dir, file), `#!/bin/sh\n${script}\n`);
    chmodSync(join(dir, file), 0o755);
  }
  return dir;
}

// The real interpreter behind python3 (a pyenv shim needs bash and its own PATH, which the fake PATHs lack).
const systemPython = findOnPath('python3') ? spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim() || null : null;

function expectSetupError(run: () => unknown, message: RegExp, hint: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof NativeBackendError, `a NativeBackendError, got ${String(error)}`);
    assert.equal(error.exitCode, 2);
    assert.match(error.message, message);
    assert.match(error.hint, hint);
    return true;
  });
}

test('no Python on PATH and no virtual environment: says so and how to install one', () => {
  const env = { PATH: binFolder('empty', {}), POLYMODAL_CACHE: join(root, 'cache') };
  expectSetupError(() => setupTensorflow({ env }), /^no Python found: neither python3 nor python is on PATH/, /pip install tensorflow-cpu.*--python/);
  expectSetupError(() => choosePython(join(root, 'nowhere', 'python'), env), /--python .*nowhere\/python: no executable Python there/, /--python/);
});

test('a Python without the tensorflow package: names the interpreter and the pip line', { skip: systemPython ? false : 'no python3 on PATH' }, () => {
  // -S: without site-packages, so no tensorflow whatever this machine has installed.
  const bin = binFolder('no-tensorflow', { python3: `exec ${systemPython} -S "$@"` });
  const env = { PATH: bin, POLYMODAL_CACHE: join(root, 'cache') };
  expectSetupError(() => setupTensorflow({ env }), /python3 \(Python 3\.[0-9.]+\) has no tensorflow package$/, /-m pip install tensorflow-cpu/);
});

test('a tensorflow package without the C API (no libtensorflow_cc.so.2): says which file is missing', { skip: systemPython ? false : 'no python3 on PATH' }, () => {
  const site = join(root, 'fake-site');
  mkdirSync(join(site, 'tensorflow'), { recursive: true });
  writeFileSync(join(site, 'tensorflow', '__init__.py'), '');
  const bin = binFolder('fake-tensorflow', { python3: `PYTHONPATH=${site} exec ${systemPython} -S "$@"` });
  expectSetupError(() => probePythonTensorflow(join(bin, 'python3'), { PATH: bin }),
    /^the tensorflow package at .*fake-site\/tensorflow \(version unknown\) has no usable TensorFlow C API: .*libtensorflow_cc\.so\.2 is missing$/,
    /libtensorflow_cc\.so\.2, libtensorflow_framework\.so\.2, include\/.*pip install tensorflow-cpu/);
  // A library that is there but is not TensorFlow's.
  writeFileSync(join(site, 'tensorflow', 'libtensorflow_cc.so.2'), 'not an ELF file');
  expectSetupError(() => probePythonTensorflow(join(bin, 'python3'), { PATH: bin }), /libtensorflow_cc\.so\.2 does not load/, /tensorflow-cpu/);
});

test('something on --python that is not Python: says it could not be run as Python 3', () => {
  const bin = binFolder('not-python', { python3: 'echo "I am not python" >&2; exit 3' });
  expectSetupError(() => probePythonTensorflow(join(bin, 'python3'), { PATH: bin }), /could not be run as Python 3 \(I am not python\)/, /--python/);
});

test('no C++ compiler, no make, no npm: each named with its install line', () => {
  const noCompiler = binFolder('no-compiler', { make: '', npm: '' });
  expectSetupError(() => probeToolchain({ PATH: noCompiler }), /^no C\+\+ compiler: g\+\+ is not on PATH/, /apt-get install g\+\+ make/);
  expectSetupError(() => probeToolchain({ PATH: noCompiler, CXX: 'clang++-99' }), /^no C\+\+ compiler: clang\+\+-99 is not on PATH/, /set CXX/);
  expectSetupError(() => probeToolchain({ PATH: binFolder('no-make', { 'g++': '', npm: '' }) }), /^no make on PATH/, /apt-get install make/);
  expectSetupError(() => probeToolchain({ PATH: binFolder('no-npm', { 'g++': '', make: '' }) }), /^no npm on PATH/, /npm/);
});

test('the wrong architecture or system is refused before anything is built', () => {
  const tensorflow = { python: '/usr/bin/python3', machine: 'aarch64', system: 'Linux' } as PythonTensorflow;
  expectSetupError(() => checkArchitecture(tensorflow, 'x64', 'linux'), /^wrong architecture: Node is x64 but \/usr\/bin\/python3 is a aarch64 Python/, /x86_64 Python/);
  expectSetupError(() => checkArchitecture({ ...tensorflow, machine: 'x86_64' }, 'x64', 'darwin'), /builds on Linux only/, /npm install @tensorflow\/tfjs-node@4\.22\.0/);
  expectSetupError(() => checkArchitecture(tensorflow, 'ia32', 'linux'), /no build for the ia32 architecture/, /--backend wasm/);
  assert.doesNotThrow(() => checkArchitecture({ ...tensorflow, machine: 'x86_64' }, 'x64', 'linux'));
});

test('an active virtual environment is preferred over python3 on PATH', () => {
  const venv = join(root, 'venv');
  mkdirSync(join(venv, 'bin'), { recursive: true });
  symlinkSync(systemPython ?? '/bin/sh', join(venv, 'bin', 'python'));
  const path = binFolder('with-python', { python3: '' });
  assert.equal(choosePython(undefined, { PATH: path, VIRTUAL_ENV: venv }), join(venv, 'bin', 'python'));
  assert.equal(choosePython(undefined, { PATH: path }), join(path, 'python3'));
});
