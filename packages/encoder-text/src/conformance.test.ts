import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encoderConformanceChecks, runEncoderConformance } from '@polymodal/core/testing';
import textEncoders from './index.js';

const words = ['red', 'green', 'blue', 'cat', 'dog', 'runs', 'sleeps', 'fast', 'slowly', 'the'];
const rows = Array.from({ length: 16 }, (_, i) => ({
  review: Array.from({ length: 3 + (i % 5) }, (_, j) => words[(i * 3 + j * 7) % words.length]).join(' '),
}));
const common = { numWords: 20, maxLength: 6, missingText: 'invalid', embeddingDim: 4 };
const moduleUrl = new URL('./index.ts', import.meta.url).href;
const invalidRows = [{ review: null }, { review: '   ' }];

// Parameter counts follow Keras's: Embedding(20, 4) = 80, then the layers named in each case.
const cases: [string, Record<string, unknown>, number][] = [
  ['text/lstm', { units: 3 }, 80 + 4 * (3 * (4 + 3) + 3)],
  ['text/gru', { units: 3, output: 'sequence' }, 80 + 3 * (3 * (4 + 3)) + 2 * 3 * 3],
  ['text/cnn', { convFilters: 2, kernelSizes: [2, 3] }, 80 + (2 * 4 * 2 + 2) + (3 * 4 * 2 + 2)],
  ['text/transformer', { heads: 2, ffDim: 8, blocks: 1, dropout: 0 }, -1],
  // elu: over non-negative counts a small ReLU layer can be dead for every row
  ['text/bag', { mode: 'count', units: [5], activation: 'elu', dropout: 0.2 }, 20 * 5 + 5],
];

const { embeddingDim: _bagHasNoEmbedding, ...bagCommon } = common;
for (const [type, options, expectedParams] of cases) {
  runEncoderConformance({
    plugin: textEncoders(),
    type,
    options: { ...(type === 'text/bag' ? bagCommon : common), ...options },
    columns: ['review'],
    rows,
    invalidRows,
    moduleUrl,
    expectedParams: expectedParams < 0 ? undefined : expectedParams,
  });
}

test('text/bag: dropout without dense layers is an options error at /options/dropout (it would have no effect)', async () => {
  const [check] = encoderConformanceChecks({ plugin: textEncoders(), type: 'text/bag', options: { units: [], dropout: 0.2 }, columns: ['review'], rows, invalidRows });
  await assert.rejects(check.run(), /\/options\/dropout: has no effect without dense layers/);
});
