import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { RELAXED_SIMD_KERNELS_WASM, SIMD_KERNELS_WASM } from './module-bytes.js';

describe('the SIMD kernels module', () => {
  it('is the compilation of its AssemblyScript source, in both builds (npm run build:simd rewrites them)', () => {
    const tool = fileURLToPath(new URL('../../tools/build-simd-kernels.mjs', import.meta.url));
    const [simd, relaxedSimd] = execFileSync(process.execPath, [tool, '--print'], { encoding: 'utf8' }).trim().split('\n');
    assert.equal(simd, SIMD_KERNELS_WASM, 'module-bytes.ts is stale: run npm run build:simd in packages/backend-wasm');
    assert.equal(relaxedSimd, RELAXED_SIMD_KERNELS_WASM, 'module-bytes.ts is stale: run npm run build:simd in packages/backend-wasm');
    assert.notEqual(relaxedSimd, simd, 'the relaxed build uses other instructions');
  });
});
