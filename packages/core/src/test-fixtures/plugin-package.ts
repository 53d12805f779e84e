import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Installs the fixture plugin as `node_modules/polymodal-test-plugin` under `dir`, as npm would. */
export function installFixturePlugin(dir: string): void {
  const packageDir = join(dir, 'node_modules', 'polymodal-test-plugin');
  mkdirSync(packageDir, { recursive: true });
  writeFileSync(join(packageDir, 'package.json'), JSON.stringify({ name: 'polymodal-test-plugin', version: '1.0.0', type: 'module', main: 'index.mjs' }));
  const source = new URL('./numeric-plugin.ts', import.meta.url).href;
  writeFileSync(join(packageDir, 'index.mjs'), `export { default } from ${JSON.stringify(source)};\n`);
}
