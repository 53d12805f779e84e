// The speech examples' data (examples/speech/data: espeak-ng WAVs, about 32 MB, generated rather than committed).
// `npm test` runs this file first: it generates the data when it is missing and espeak-ng is installed. Tests
// that train on it call `speechExampleData()` and skip with its reason when it is absent; CI sets
// POLYMODAL_REQUIRE_REFERENCE=1, where absence is an error instead.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FILES = ['examples/speech/data/speech.csv', 'examples/speech/data/commands.csv'];

function present() {
  return FILES.every((file) => existsSync(new URL(`../${file}`, import.meta.url)));
}

/** `{}` when the data is there, else `{ skip: reason }` for `t.skip(reason)`; throws under POLYMODAL_REQUIRE_REFERENCE=1. */
export function speechExampleData() {
  if (present()) return {};
  const reason = 'no speech example data (examples/speech/data): install espeak-ng and run `node --import tsx tools/make-speech-data.ts`';
  if (process.env.POLYMODAL_REQUIRE_REFERENCE === '1') throw new Error(`POLYMODAL_REQUIRE_REFERENCE=1 but ${reason}`);
  return { skip: reason };
}

function espeakInstalled() {
  try {
    execFileSync('espeak-ng', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url) && !present()) {
  if (!espeakInstalled()) {
    console.error('speech example data: espeak-ng is not installed, so the tests that train on spoken words will skip (apt-get install espeak-ng).');
    process.exit(process.env.POLYMODAL_REQUIRE_REFERENCE === '1' ? 1 : 0);
  }
  console.error('speech example data: generating examples/speech/data with espeak-ng (tools/make-speech-data.ts)...');
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'tools/make-speech-data.ts'], { cwd: ROOT, stdio: 'inherit' });
  process.exit(run.status ?? 1);
}
