/**
 * TensorFlow 2.x prints INFO lines while its libraries load (oneDNN's "custom operations are on", through absl,
 * before absl::InitializeLog, so TF_CPP_MIN_LOG_LEVEL cannot stop them; measured with the 2.21 wheel). Turning
 * oneDNN off silences them but makes the seed model's training step 2.5x slower. Instead the build adds a tiny
 * addon that points file descriptor 2 at /dev/null while the binding loads, and back afterwards.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NativeBackendError } from './errors.js';

/** The addon's file name, beside tfjs_binding.node. */
export const QUIET_ADDON = 'polymodal_quiet_stderr.node';

const SOURCE = String.raw`// Built by polymodal setup tensorflow: silence() points stderr at /dev/null, restore() puts it back.
#include <node_api.h>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

static int saved = -1;

static napi_value Silence(napi_env env, napi_callback_info info) {
  if (saved >= 0) return nullptr;
  fflush(stderr);
  saved = dup(2);
  int null_fd = open("/dev/null", O_WRONLY);
  if (null_fd >= 0) {
    dup2(null_fd, 2);
    close(null_fd);
  }
  return nullptr;
}

static napi_value Restore(napi_env env, napi_callback_info info) {
  if (saved < 0) return nullptr;
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  saved = -1;
  return nullptr;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "silence", NAPI_AUTO_LENGTH, Silence, nullptr, &fn);
  napi_set_named_property(env, exports, "silence", fn);
  napi_create_function(env, "restore", NAPI_AUTO_LENGTH, Restore, nullptr, &fn);
  napi_set_named_property(env, exports, "restore", fn);
  return exports;
}
`;

/** Compiles the addon into `outDir` with `compiler`, against Node's headers in `nodeHeaders` (…/include/node). */
export function buildQuietAddon(compiler: string, nodeHeaders: string, outDir: string, workDir: string): void {
  const source = join(workDir, 'polymodal_quiet_stderr.cc');
  writeFileSync(source, SOURCE);
  const result = spawnSync(compiler, ['-std=c++17', '-O2', '-shared', '-fPIC', `-I${nodeHeaders}`, source, '-o', join(outDir, QUIET_ADDON)], { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new NativeBackendError(`compiling the stderr helper failed: ${(result.stderr || result.error?.message || '').trim().split('\n').slice(0, 3).join(' | ')}`,
      'Check that the C++ compiler works (g++ --version) and that Node\'s headers are complete.');
  }
}

interface QuietAddon {
  silence(): void;
  restore(): void;
}

/** Runs `load` with stderr silenced by the addon at `addonPath` (when it loads; else as it is). */
export function withQuietStderr<T>(addonPath: string, load: () => T): T {
  let addon: QuietAddon | null = null;
  try {
    const module = { exports: {} as QuietAddon };
    process.dlopen(module, addonPath);
    addon = module.exports;
  } catch {
    addon = null;
  }
  addon?.silence();
  try {
    return load();
  } finally {
    addon?.restore();
  }
}
