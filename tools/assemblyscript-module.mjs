// Compiles one AssemblyScript file into a SIMD wasm module that imports its memory and owns nothing in it (no
// data segments, no globals, no other imports: checked here), so the TypeScript that instantiates it can lay out
// that memory from offset 0. Shared by the packages' kernel build tools (backend-wasm, encoder-audio); returns
// the module's base64, which those tools write into a generated TypeScript file and their tests compare.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import v8 from 'node:v8';

// `features`: wasm features beyond SIMD to enable (e.g. ['relaxed-simd']); the source sees them as ASC_FEATURE_* constants.
export function compileAssemblyScriptModule(source, { features = [] } = {}) {
  const asc = join(dirname(createRequire(import.meta.url).resolve('assemblyscript/package.json')), 'bin/asc.js');
  const dir = mkdtempSync(join(tmpdir(), 'polymodal-asc-'));
  try {
    const out = join(dir, 'module.wasm');
    execFileSync(process.execPath, [asc, source, '--outFile', out, '-O3', '--runtime', 'stub', '--importMemory',
      '--noAssert', '--use', 'abort=', ...['simd', ...features].flatMap((feature) => ['--enable', feature])], { stdio: ['ignore', 'inherit', 'inherit'] });
    const bytes = readFileSync(out);
    // Node 20's V8 implements relaxed SIMD behind a flag (shipped from V8 11.4, Node 22).
    if (features.includes('relaxed-simd') && !WebAssembly.validate(bytes)) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    const module = new WebAssembly.Module(bytes);
    const imports = WebAssembly.Module.imports(module);
    if (imports.length !== 1 || imports[0].kind !== 'memory') throw new Error(`${source}: unexpected imports: ${JSON.stringify(imports)}`);
    if (WebAssembly.Module.exports(module).some((e) => e.kind === 'global')) throw new Error(`${source}: the module must export no globals`);
    if (hasSection(bytes, 11)) throw new Error(`${source}: the module must have no data segments`);
    return bytes.toString('base64');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether the wasm binary has a section of this id (11: data). */
function hasSection(bytes, id) {
  let p = 8;
  while (p < bytes.length) {
    const sectionId = bytes[p++];
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[p++];
      size |= (b & 0x7f) << shift;
      if (!(b & 0x80)) break;
    }
    if (sectionId === id) return true;
    p += size;
  }
  return false;
}
