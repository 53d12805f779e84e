// The real example of the TPE benchmark: the article's search (examples/tune-article: Dense units 32..512 step 32,
// log-uniform learning rate) on the quickstart data, trained for real on a grid (every units value x 6
// learning rates, 3 epochs, wasm) and written as bench/tune/quickstart-table.json. tpe.bench.ts then runs the
// samplers on it (learning rates between grid points interpolated in log space), so many seeds of 50 trials
// cost no training. Regenerate (about 10 minutes):
//   TSX_TSCONFIG_PATH=tsconfig.base.json node --conditions=@polymodal/source --import tsx bench/tune/make-real-table.ts
import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadManifest, train } from '@polymodal/core';
import tabularEncoders from '@polymodal/encoder-tabular';
import concatFusionPlugin from '@polymodal/fusion-concat';

const HERE = dirname(fileURLToPath(import.meta.url));
const EXAMPLE = join(HERE, '../../examples/tune-article/polymodal.json');
const UNITS = Array.from({ length: 16 }, (_, i) => 32 + 32 * i);
const LEARNING_RATES = [1e-4, 4e-4, 1.6e-3, 6.3e-3, 2.5e-2, 1e-1];
const EPOCHS = 3;

const manifest = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
delete manifest.$schema;
delete manifest.search;
manifest.data.source = join(dirname(EXAMPLE), manifest.data.source);
manifest.training = { ...manifest.training, backend: 'wasm', epochs: EPOCHS };
const work = mkdtempSync(join(tmpdir(), 'polymodal-tpe-table-'));
const path = join(work, 'polymodal.json');
writeFileSync(path, JSON.stringify(manifest));
const plugins = [tabularEncoders(), concatFusionPlugin()];
const valLoss: number[][] = [];
const valAccuracy: number[][] = [];
try {
  for (const units of UNITS) {
    const losses: number[] = [];
    const accuracies: number[] = [];
    for (const learningRate of LEARNING_RATES) {
      const loaded = await loadManifest(path, { plugins, overrides: { set: [{ pointer: '/output/hiddenUnits/0', value: units }, { pointer: '/training/optimizer/learningRate', value: learningRate }] } });
      const result = await train({ manifest: loaded, outDir: join(work, `u${units}-lr${learningRate}`) });
      losses.push(result.training.history.at(-1)!.logs.val_loss);
      accuracies.push(result.metrics.validation.accuracy);
      rmSync(result.outDir, { recursive: true, force: true });
    }
    valLoss.push(losses);
    valAccuracy.push(accuracies);
    console.log(`units ${units}: val_loss ${losses.map((v) => v.toFixed(4)).join(' ')}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
writeFileSync(join(HERE, 'quickstart-table.json'), JSON.stringify({
  about: `val_loss and val_accuracy of examples/tune-article after ${EPOCHS} epochs on wasm, by hidden units (rows) and learning rate (columns); bench/tune/make-real-table.ts`,
  units: UNITS, learningRates: LEARNING_RATES, epochs: EPOCHS, valLoss, valAccuracy,
}, null, 1) + '\n');
