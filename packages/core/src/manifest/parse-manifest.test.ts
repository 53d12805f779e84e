import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PolymodalError } from '../errors.js';
import { findDuplicateKeys, MAX_MANIFEST_DEPTH, parseManifestText, pointerBeyondDepth } from './parse-manifest.js';

function nested(depth: number): string {
  return '{"inputs": {"x": {"encoder": "a", "column": "b", "options": {"deep": ' + '['.repeat(depth) + ']'.repeat(depth) + '}}}}';
}

test('a key given twice in one object is a problem with its line:column and pointer', () => {
  const text = '{\n  "training": {\n    "epochs": 1,\n    "epochs": 100000\n  }\n}\n';
  assert.deepEqual(findDuplicateKeys(text), [
    '/training/epochs: duplicate key "epochs" at line:column 4:5 (first at 3:5); JSON would keep only the last value, so remove one',
  ]);
});

test('duplicate keys are found at every depth, in document order, and the same key in sibling objects is fine', () => {
  const text = '{"a": 1, "list": [{"k": 1, "k": 2}, {"k": 3}], "a": 2, "o": {"k": 1}, "p": {"k": 1}}';
  const problems = findDuplicateKeys(text);
  assert.equal(problems.length, 2, problems.join('\n'));
  assert.match(problems[0], /^\/list\/0\/k: duplicate key "k" at line:column 1:28/);
  assert.match(problems[1], /^\/a: duplicate key "a" at line:column 1:48 \(first at 1:2\)/);
  assert.deepEqual(findDuplicateKeys('\uFEFF{"a": {"b": 1}, "c": {"b": 2}}'), []);
});

test('a pointer escapes "/" and "~" in keys', () => {
  assert.match(findDuplicateKeys('{"a/b~c": 1, "a/b~c": 2}')[0], /^\/a~1b~0c: /);
});

test('the BOM is ignored and invalid JSON keeps its line:column message', () => {
  assert.deepEqual(parseManifestText('\uFEFF{"a": 1}', 'm.json'), { a: 1 });
  assert.throws(() => parseManifestText('{\n  "version": 1,\n  "name": "x",\n}\n', 'm.json'), (error: PolymodalError) =>
    error.message.startsWith('m.json:4:1: not valid JSON') && error.exitCode === 2);
});

test('a manifest nested 10,000 deep is refused with a pointer, without overflowing the stack', () => {
  assert.throws(() => parseManifestText(nested(10_000), 'm.json'), (error: PolymodalError) => {
    assert.equal(error.exitCode, 2);
    assert.match(error.details.problems![0], new RegExp(`^/inputs/x/options/deep/0/0/0/0/\\.\\.\\.: nested more than ${MAX_MANIFEST_DEPTH} levels deep$`));
    return true;
  });
  assert.doesNotThrow(() => parseManifestText(nested(MAX_MANIFEST_DEPTH - 5), 'm.json'));
});

test('pointerBeyondDepth finds the first too-deep value and treats a cycle as too deep', () => {
  assert.equal(pointerBeyondDepth({ a: [1, { b: 2 }] }, 3), undefined);
  assert.equal(pointerBeyondDepth({ a: [1, { b: {} }] }, 3), '/a/1/b');
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.ok(pointerBeyondDepth(cyclic, 64)?.startsWith('/self/self'));
});
