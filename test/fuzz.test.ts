// Seeded fuzzing of what users hand us: mutants of every example manifest, and corrupt data files. Whatever
// the input, the CLI answers 0, 1 or 2 with a message: never exit 70 ("internal error"), never a stack trace.
// Runs in-process through the CLI's own main() (the same error mapping as the binary) to stay quick in CI.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { main } from '@polymodal/cli';
import { makeWorkspace, REPO_ROOT, removeWorkspace } from './helpers.js';

const SEED = Number(process.env.POLYMODAL_FUZZ_SEED ?? 20261201);
const MANIFEST_MUTANTS = Number(process.env.POLYMODAL_FUZZ_MANIFESTS ?? 240);
const TRAINED_MUTANTS = Number(process.env.POLYMODAL_FUZZ_TRAINED ?? 24);
const EXAMPLES = ['quickstart', 'penguins', 'movies', 'seed', 'digits'];
const STACK_LINE = /^\s+at\s/m;

/** mulberry32: a tiny seeded generator, so a failing mutant can be replayed from its seed. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = any;
type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];

const NASTY_VALUES: readonly Json[] = [
  null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 31, 1e9, '', ' ', 'x', 'NaN', '0x1a', '../../../../etc/passwd', '/etc/passwd',
  'constructor', '__proto__', 'toString', 'node:fs', 'ajv', './evil.mjs', 'file:///tmp/x.mjs', 'x'.repeat(5000), [], [1, 2, 3], ['a', 'b'], {}, { a: 1 },
  { __proto__: 'x' }, [[[[[]]]]],
];
const NASTY_KEYS = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'bogus', ''];

function pointers(value: Json, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(path);
  if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) pointers(value[key], [...path, Array.isArray(value) ? Number(key) : key], out);
  }
  return out;
}

function parentOf(root: Json, path: (string | number)[]): Json {
  let node = root;
  for (const key of path.slice(0, -1)) node = node[key];
  return node;
}

function mutateValue(manifest: Json, random: Random): void {
  const paths = pointers(manifest).filter((p) => p.length > 0);
  const path = pick(random, paths);
  const parent = parentOf(manifest, path);
  const key = path[path.length - 1];
  const operation = random();
  if (operation < 0.25) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else if (operation < 0.8) {
    parent[key] = structuredClone(pick(random, NASTY_VALUES));
  } else if (!Array.isArray(parent)) {
    // Rename a key (input names, class names, options) to one that lives on Object.prototype.
    const value = parent[key];
    delete parent[key];
    Object.defineProperty(parent, pick(random, NASTY_KEYS), { value, enumerable: true, writable: true, configurable: true });
  }
}

/** Text-level damage that no object can express: duplicate keys, truncation, comments, deep nesting. */
function mutateText(text: string, random: Random): string {
  const operation = random();
  if (operation < 0.3) return text.replace(/"epochs":\s*\d+/, '"epochs": 1, "epochs": 100000');
  if (operation < 0.5) return text.slice(0, Math.floor(random() * text.length));
  if (operation < 0.6) return text.replace('{', '{ // a comment\n');
  if (operation < 0.7) return text.replace(/\}\s*$/, ',}');
  if (operation < 0.8) return '\uFEFF' + text;
  if (operation < 0.9) return text.replace('"options": {', `"options": { "deep": ${'['.repeat(10000)}${']'.repeat(10000)},`);
  return text.replace(/"name":\s*"[^"]*"/, '"name": "constructor"');
}

function mutant(original: Json, random: Random): string {
  const manifest = structuredClone(original);
  delete manifest.$schema;
  const edits = 1 + Math.floor(random() * 3);
  for (let i = 0; i < edits; i++) mutateValue(manifest, random);
  const text = JSON.stringify(manifest, null, 2);
  return random() < 0.2 ? mutateText(text, random) : text;
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function runInProcess(args: string[]): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { out: (t) => void (stdout += t), err: (t) => void (stderr += t), tty: false, columns: 100 });
  return { code, stdout, stderr };
}

function assertHandled(outcome: Outcome, what: string): void {
  const context = `${what}\nexit ${outcome.code}\n--- stderr ---\n${outcome.stderr.slice(0, 4000)}`;
  assert.notEqual(outcome.code, 70, `internal error (exit 70) for ${context}`);
  assert.ok([0, 1, 2].includes(outcome.code), `unexpected exit code for ${context}`);
  assert.doesNotMatch(outcome.stderr, STACK_LINE, `stack trace for ${context}`);
  if (outcome.code !== 0) assert.ok(outcome.stderr.trim().length > 0, `a failure must say why: ${context}`);
}

let workspace: string;
const codes = new Map<number, number>();
before(() => {
  workspace = makeWorkspace();
  for (const example of EXAMPLES) {
    const dir = join(workspace, example);
    mkdirSync(dir, { recursive: true });
    symlinkSync(join(REPO_ROOT, 'examples', example, 'data'), join(dir, 'data'));
  }
});
after(() => {
  removeWorkspace(workspace);
  console.log(`fuzz exit codes: ${[...codes].map(([code, n]) => `${code}: ${n}`).join(', ')}`);
});

function count(code: number): void {
  codes.set(code, (codes.get(code) ?? 0) + 1);
}

describe(`fuzzing (seed ${SEED})`, () => {
  test(`${MANIFEST_MUTANTS} manifest mutants: validate answers every one with a message`, async () => {
    const random = generator(SEED);
    for (let i = 0; i < MANIFEST_MUTANTS; i++) {
      const example = EXAMPLES[i % EXAMPLES.length];
      const original = JSON.parse(readFileSync(join(REPO_ROOT, 'examples', example, 'polymodal.json'), 'utf8'));
      const text = mutant(original, random);
      const path = join(workspace, example, `mutant-${i}.json`);
      writeFileSync(path, text);
      const outcome = await runInProcess(['validate', path]);
      count(outcome.code);
      assertHandled(outcome, `validate mutant ${i} of ${example} (seed ${SEED}):\n${text.slice(0, 3000)}`);
      rmSync(path);
    }
  });

  test(`${TRAINED_MUTANTS} quickstart mutants that validate are trained for one epoch without an internal error`, async () => {
    const random = generator(SEED + 1);
    const original = JSON.parse(readFileSync(join(REPO_ROOT, 'examples/quickstart/polymodal.json'), 'utf8'));
    const small = join(workspace, 'quickstart', 'small.csv');
    writeFileSync(small, readFileSync(join(REPO_ROOT, 'examples/quickstart/data/customers.csv'), 'utf8').split('\n').slice(0, 161).join('\n') + '\n');
    let trained = 0;
    for (let i = 0; trained < TRAINED_MUTANTS && i < TRAINED_MUTANTS * 20; i++) {
      const manifest = JSON.parse(JSON.stringify(original));
      manifest.data.source = 'small.csv';
      const text = mutant(manifest, random);
      const path = join(workspace, 'quickstart', `trained-${i}.json`);
      writeFileSync(path, text);
      if ((await runInProcess(['validate', path])).code !== 0) continue;
      trained++;
      const out = join(workspace, 'quickstart', `model-${i}`);
      const outcome = await runInProcess(['train', path, '--epochs', '1', '--out', out]);
      count(outcome.code);
      assertHandled(outcome, `train mutant ${i} (seed ${SEED + 1}):\n${text.slice(0, 3000)}`);
      rmSync(out, { recursive: true, force: true });
    }
    assert.ok(trained > 0, 'some mutants validate, so training is exercised');
  });
});

/** Damaged copies of the quickstart CSV, each named for what it breaks. */
function corruptCsvs(csv: string, random: Random): Record<string, string | Buffer> {
  const lines = csv.split('\n').slice(0, 121);
  const at = (i: number, edit: (line: string) => string) => lines.map((line, j) => (j === i ? edit(line) : line)).join('\n');
  const row = () => 1 + Math.floor(random() * 119);
  return {
    empty: '',
    'header only': lines[0] + '\n',
    'stray quote': at(row(), (l) => l.replace(',', ',"')),
    'two stray quotes': at(5, (l) => l.replace(',', ',"')).split('\n').map((l, j) => (j === 90 ? l.replace(',', ',"') : l)).join('\n'),
    'extra field': at(row(), (l) => l + ',extra'),
    'missing field': at(row(), (l) => l.split(',').slice(0, -1).join(',')),
    'truncated mid-row': lines.join('\n').slice(0, Math.floor(lines.join('\n').length * 0.6)),
    'binary garbage': Buffer.from(Array.from({ length: 4096 }, () => Math.floor(random() * 256))),
    'NUL bytes': at(row(), (l) => l.replace(',', ',\u0000')),
    'hex number': at(row(), (l) => l.replace(/,(\d+),/, ',0x1a,')),
    'duplicate header': lines[0] + ',' + lines[0].split(',')[0] + '\n' + lines.slice(1).map((l) => l + ',1').join('\n'),
    'prototype header': lines[0].replace(/^[^,]+/, '__proto__') + '\n' + lines.slice(1).join('\n'),
    'label constructor': lines.map((l, j) => (j > 0 && j % 3 === 0 ? l.replace(/,(yes|no)(\r?)$/, ',constructor$2') : l)).join('\n'),
    'CRLF and BOM': '\uFEFF' + lines.join('\r\n'),
    'huge cell': at(row(), (l) => l.replace(',', `,${'9'.repeat(200000)}`)),
    'only delimiters': lines.map((l) => l.replace(/[^,]/g, '')).join('\n'),
  };
}

describe('corrupt data files', () => {
  test('validate, train (fail and skip) and predict answer every damaged CSV with a message', async () => {
    const random = generator(SEED + 2);
    const dir = join(workspace, 'corrupt');
    mkdirSync(dir, { recursive: true });
    const csv = readFileSync(join(REPO_ROOT, 'examples/quickstart/data/customers.csv'), 'utf8');
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'examples/quickstart/polymodal.json'), 'utf8'));
    delete manifest.$schema;
    manifest.data.source = 'data.csv';
    writeFileSync(join(dir, 'data.csv'), csv.split('\n').slice(0, 161).join('\n') + '\n');
    writeFileSync(join(dir, 'polymodal.json'), JSON.stringify(manifest));
    const model = join(dir, 'model');
    assert.equal((await runInProcess(['train', join(dir, 'polymodal.json'), '--epochs', '1', '--out', model])).code, 0);
    for (const [name, content] of Object.entries(corruptCsvs(csv, random))) {
      for (const policy of ['fail', 'skip'] as const) {
        const case_ = join(workspace, 'corrupt', `${name.replace(/\W+/g, '-')}-${policy}`);
        mkdirSync(case_, { recursive: true });
        writeFileSync(join(case_, 'data.csv'), content);
        writeFileSync(join(case_, 'polymodal.json'), JSON.stringify({ ...manifest, data: { ...manifest.data, onInvalidRow: policy } }));
        for (const args of [
          ['validate', join(case_, 'polymodal.json')],
          ['train', join(case_, 'polymodal.json'), '--epochs', '1', '--out', join(case_, 'model')],
          ['predict', model, '--input', join(case_, 'data.csv'), '--on-invalid-row', policy],
          ['evaluate', model, '--data', join(case_, 'data.csv'), '--on-invalid-row', policy, '--report', join(case_, 'evaluation.html')],
        ]) {
          const outcome = await runInProcess(args);
          count(outcome.code);
          assertHandled(outcome, `${args[0]} on CSV "${name}" (${policy})`);
        }
      }
    }
  });

  test('damaged model folders are refused with a message', async () => {
    const dir = join(workspace, 'damaged-model');
    mkdirSync(dir, { recursive: true });
    const source = join(workspace, 'corrupt', 'model');
    const damages: Record<string, (d: string) => void> = {
      'no polymodal.json': (d) => rmSync(join(d, 'polymodal.json')),
      'truncated model.json': (d) => writeFileSync(join(d, 'model/model.json'), readFileSync(join(d, 'model/model.json'), 'utf8').slice(0, 100)),
      'weights cut short': (d) => writeFileSync(join(d, 'model/weights.bin'), readFileSync(join(d, 'model/weights.bin')).subarray(0, 64)),
      'preprocessing garbage': (d) => writeFileSync(join(d, 'preprocessing.json'), '{"inputs": 7}'),
      'manifest garbage': (d) => writeFileSync(join(d, 'manifest.json'), '[]'),
      'weights path escapes': (d) => {
        const json = JSON.parse(readFileSync(join(d, 'model/model.json'), 'utf8'));
        json.weightsManifest[0].paths = ['../../../../etc/passwd'];
        writeFileSync(join(d, 'model/model.json'), JSON.stringify(json));
      },
    };
    for (const [name, damage] of Object.entries(damages)) {
      const copy = join(dir, name.replace(/\W+/g, '-'));
      cpSync(source, copy, { recursive: true });
      damage(copy);
      const outcome = await runInProcess(['predict', copy, '--input', join(workspace, 'corrupt', 'data.csv')]);
      count(outcome.code);
      assertHandled(outcome, `predict with a model folder whose ${name}`);
      assert.notEqual(outcome.code, 0, `a model folder whose ${name} must be refused`);
    }
  });
});
