/**
 * Writes examples/speech/data: ten spoken command words ("yes" ... "go", as in Speech Commands) by 48 synthetic
 * speakers, each an espeak-ng accent with a voice variant and its own speed and pitch, twice per word with a
 * small jitter: 960 WAV files at 22.05 kHz (espeak-ng's rate), 16-bit mono, and speech.csv with
 * `path,word,speaker,split`. The split is by speaker: 34 speakers train, 6 validate, 8 test, so no voice is
 * heard in two splits (a speaker-independent evaluation). Also commands.csv for examples/speech-context (audio +
 * tabular): the clips of "on", "off", "up" and "down" with a `device` column (lights, music or heating, seeded)
 * and the `command` label `<device>_<word>` (12 classes), which needs both inputs. Deterministic for one
 * espeak-ng version.
 *   apt-get install -y espeak-ng && node --import tsx tools/make-speech-data.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import seedrandom from 'seedrandom';

const WORDS = ['yes', 'no', 'up', 'down', 'left', 'right', 'on', 'off', 'stop', 'go'];
const ACCENTS = ['en-gb', 'en-us', 'en-gb-scotland', 'en-gb-x-gbclan', 'en-gb-x-rp', 'en-gb-x-gbcwmd', 'en-029', 'en-us-nyc'];
const VARIANTS = ['m1', 'm3', 'm5', 'f1', 'f2', 'f4'];
const TAKES = 2;
const SPLIT: ReadonlyArray<[string, number]> = [['test', 8], ['validation', 6]];

const root = fileURLToPath(new URL('../examples/speech/data/', import.meta.url));
const random = seedrandom.alea('polymodal-speech-example');

function espeakAvailable(): boolean {
  try {
    execFileSync('espeak-ng', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

if (!espeakAvailable()) {
  console.error('espeak-ng is not installed: apt-get install -y espeak-ng');
  process.exit(1);
}

const speakers = ACCENTS.flatMap((accent) => VARIANTS.map((variant) => ({
  name: `${accent}+${variant}`,
  accent,
  variant,
  speed: Math.round(120 + random() * 80),
  pitch: Math.round(25 + random() * 50),
})));
// Shuffle (Fisher-Yates on the seeded source), then deal speakers out to test, validation, train.
for (let i = speakers.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [speakers[i], speakers[j]] = [speakers[j], speakers[i]];
}
const splitOf = new Map<string, string>();
let dealt = 0;
for (const [split, count] of SPLIT) for (let i = 0; i < count; i++) splitOf.set(speakers[dealt++].name, split);

rmSync(join(root, 'clips'), { recursive: true, force: true });
const lines = ['path,word,speaker,split'];
for (const speaker of speakers) {
  const folder = speaker.name.replace('+', '_');
  mkdirSync(join(root, 'clips', folder), { recursive: true });
  for (const word of WORDS) {
    for (let take = 0; take < TAKES; take++) {
      const speed = Math.round(speaker.speed * (0.9 + 0.2 * random()));
      const pitch = Math.max(0, Math.min(99, Math.round(speaker.pitch + (random() - 0.5) * 10)));
      const path = `clips/${folder}/${word}-${take}.wav`;
      execFileSync('espeak-ng', ['-v', `${speaker.accent}+${speaker.variant}`, '-s', String(speed), '-p', String(pitch), '-w', join(root, path), word]);
      lines.push(`${path},${word},${speaker.name},${splitOf.get(speaker.name) ?? 'train'}`);
    }
  }
}
writeFileSync(join(root, 'speech.csv'), `${lines.join('\n')}\n`);
console.log(`${lines.length - 1} clips by ${speakers.length} speakers in ${root}`);

const DEVICES = ['lights', 'music', 'heating'];
const CONTEXT_WORDS = new Set(['on', 'off', 'up', 'down']);
const commands = ['path,device,speaker,split,command'];
for (const line of lines.slice(1)) {
  const [path, word, speaker, split] = line.split(',');
  if (!CONTEXT_WORDS.has(word)) continue;
  const device = DEVICES[Math.floor(random() * DEVICES.length)];
  commands.push(`${path},${device},${speaker},${split},${device}_${word}`);
}
writeFileSync(join(root, 'commands.csv'), `${commands.join('\n')}\n`);
console.log(`${commands.length - 1} commands (audio + device) in ${join(root, 'commands.csv')}`);
