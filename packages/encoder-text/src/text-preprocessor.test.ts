import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InputSpec } from '@polymodal/core';
import { tokenizerDefaults } from './encoders/test-fixtures/defaults.js';
import { TextPreprocessor } from './text-preprocessor.js';

const spec = (options: Record<string, unknown>, dataDir = '.'): InputSpec<any> =>
  ({ name: 'text', encoder: 'text/lstm', columns: ['t'], options: { ...tokenizerDefaults, ...options }, dataDir, manifestDir: dataDir });

describe('TextPreprocessor', () => {
  it('tokenizes like Keras (fitted on the rows given to fit only) and pre-pads to maxLength', async () => {
    const p = new TextPreprocessor(spec({ maxLength: 4 }));
    await p.fit([{ t: 'the cat sat' }, { t: 'the dog' }]); // the1 cat2 sat3 dog4
    assert.deepEqual(p.features(), [{ key: 'tokens', shape: [4], dtype: 'int32' }]);
    const { tokens } = p.transform([{ t: 'The dog sat on the mat!' }, { t: null }, { t: '   ' }]);
    // the dog sat the (on, mat unknown, dropped) -> [1, 4, 3, 1]; missing and blank texts are empty rows.
    assert.deepEqual(Array.from(tokens), [1, 4, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("missingText 'invalid' rejects missing texts in check()", () => {
    const p = new TextPreprocessor(spec({ missingText: 'invalid' }));
    assert.match(p.check({ t: '' })!.problem, /missing or empty/);
    assert.equal(p.check({ t: 'x' }), undefined);
    assert.equal(new TextPreprocessor(spec({})).check({ t: null }), undefined);
  });

  it("bag mode 'tfidf' follows Keras sequences_to_matrix", async () => {
    const p = new TextPreprocessor(spec({ numWords: 4, mode: 'tfidf' }));
    await p.fit([{ t: 'a a b' }, { t: 'a c' }]); // a1 (2 docs) b2 (1 doc) c3 (1 doc)
    const { bag } = p.transform([{ t: 'a a c zzz' }]);
    const idf = (df: number) => Math.log(1 + 2 / (1 + df));
    const want = [0, (1 + Math.log(2)) * idf(2), 0, idf(1)];
    Array.from(bag).forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-6, `column ${i}: ${v} vs ${want[i]}`));
  });

  it('reads GloVe-format vectors for the vocabulary, and checks their dimension', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glove-'));
    try {
      writeFileSync(join(dir, 'vectors.txt'), 'cat 0.5 -1\nzebra 9 9\nthe 1 2\n');
      const p = new TextPreprocessor(spec({ numWords: 3, embeddingDim: 2, embeddingsFile: 'vectors.txt' }, dir));
      await p.fit([{ t: 'the the cat dog' }]); // the1 cat2 dog3 (cut by numWords 3)
      assert.deepEqual(Array.from(p.pretrained!.matrix), [0, 0, 1, 2, 0.5, -1]);
      assert.equal(p.pretrained!.found, 2);
      const bad = new TextPreprocessor(spec({ numWords: 3, embeddingDim: 3, embeddingsFile: 'vectors.txt' }, dir));
      await assert.rejects(bad.fit([{ t: 'cat' }]), /embeddingDim is 3/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('state is JSON and restores the same tokenizer', async () => {
    const p = new TextPreprocessor(spec({ maxLength: 3, oovToken: '<unk>' }));
    await p.fit([{ t: 'x y z' }]);
    const restored = new TextPreprocessor(spec({ maxLength: 3, oovToken: '<unk>' }), JSON.parse(JSON.stringify(p.state())));
    assert.deepEqual(restored.transform([{ t: 'z q' }]), p.transform([{ t: 'z q' }]));
  });
});
