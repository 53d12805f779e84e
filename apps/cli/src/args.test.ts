import { test } from 'node:test';
import assert from 'node:assert/strict';
import { choiceFlag, integerFlag, parseCommandArgs } from './args.js';

const usage = 'polymodal train <manifest> [--epochs N]';
const options = { epochs: { type: 'string' as const }, json: { type: 'boolean' as const } };

test('unknown flags suggest the closest known one and exit 2', () => {
  assert.throws(() => parseCommandArgs(['m.json', '--epoch', '3'], options, ['manifest'], usage), (e: any) =>
    e.message === 'unknown option --epoch. Did you mean --epochs?' && e.exitCode === 2 && e.details.hint === `Usage: ${usage}`);
});

test('missing and extra positionals', () => {
  assert.throws(() => parseCommandArgs([], options, ['manifest'], usage), /missing <manifest>/);
  assert.throws(() => parseCommandArgs(['a', 'b'], options, ['manifest'], usage), /unexpected argument "b"/);
});

test('a flag without its value', () => {
  assert.throws(() => parseCommandArgs(['m.json', '--epochs'], options, ['manifest'], usage), /--epochs/);
});

test('integer and choice flags are checked', () => {
  assert.equal(integerFlag({ epochs: '4' }, 'epochs', usage), 4);
  assert.throws(() => integerFlag({ epochs: 'ten' }, 'epochs', usage), /--epochs must be an integer >= 1, got "ten"/);
  assert.throws(() => integerFlag({ epochs: '0' }, 'epochs', usage), /--epochs must be an integer >= 1/);
  assert.equal(choiceFlag({ backend: 'wasm' }, 'backend', ['wasm', 'cpu'], usage), 'wasm');
  assert.throws(() => choiceFlag({ backend: 'wsam' }, 'backend', ['wasm', 'cpu'], usage), /must be one of wasm, cpu, got "wsam". Did you mean wasm\?/);
});
