import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { SIMD_KERNELS_WASM } from './module-bytes.js';

describe('the SIMD kernels module', () => {
  it('is the compilation of its AssemblyScript source (npm run build:simd rewrites it)', () => {
    const tool = fileURLToPath(new URL('../../tools/build-simd-kernels.mjs', import.meta.url));
    const compiled = execFileSync(process.execPath, [tool, '--print'], { encoding: 'utf8' }).trim();
    assert.equal(compiled, SIMD_KERNELS_WASM, 'module-bytes.ts is stale: run npm run build:simd in packages/backend-wasm');
  });
});
