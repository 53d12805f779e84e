import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { PolymodalError } from '@polymodal/core';

/**
 * Reads pretrained word vectors in GloVe text format (`word v1 ... vD` per line, word2vec's header line
 * skipped) into a `[rows, dim]` embedding matrix for the words whose index is below `rows`; other rows stay 0.
 * Streams the file, so a large vector file is never held in memory whole.
 */
export async function readEmbeddingsFile(
  file: string, baseDir: string, wordIndex: ReadonlyMap<string, number>, rows: number, dim: number,
): Promise<{ matrix: Float32Array; found: number }> {
  const path = resolve(baseDir, file);
  const matrix = new Float32Array(rows * dim);
  let found = 0;
  let lineNumber = 0;
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      lineNumber++;
      const parts = line.trimEnd().split(' ');
      if (parts.length < 2) continue;
      if (lineNumber === 1 && parts.length === 2 && /^\d+$/.test(parts[0]) && /^\d+$/.test(parts[1])) continue;
      if (parts.length - 1 !== dim) {
        throw new PolymodalError(`${path}:${lineNumber}: a vector of ${parts.length - 1} numbers; embeddingDim is ${dim}`, {
          hint: 'Set the encoder option embeddingDim to the dimension of the vectors in embeddingsFile.', exitCode: 2,
        });
      }
      const index = wordIndex.get(parts[0]);
      if (index === undefined || index >= rows) continue;
      for (let k = 0; k < dim; k++) matrix[index * dim + k] = Number(parts[k + 1]);
      found++;
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new PolymodalError(`embeddingsFile ${path} does not exist`, { hint: 'Paths resolve from the data file\'s folder.', exitCode: 1 });
    }
    throw e;
  }
  return { matrix, found };
}
