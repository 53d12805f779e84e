import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SyntheticObjective } from '@polymodal/tune';

const TABLE = join(dirname(fileURLToPath(import.meta.url)), 'quickstart-table.json');

interface Table {
  units: number[];
  learningRates: number[];
  valLoss: number[][];
}

/**
 * The article's search on the quickstart data as a benchmark objective: val_loss of real trainings on a grid
 * (make-real-table.ts), a units value looked up, a learning rate between two grid points interpolated linearly
 * in log10. Undefined until the table has been made.
 */
export function quickstartObjective(): SyntheticObjective | undefined {
  if (!existsSync(TABLE)) return undefined;
  const table = JSON.parse(readFileSync(TABLE, 'utf8')) as Table;
  const logs = table.learningRates.map(Math.log10);
  return {
    name: 'quickstart',
    space: {
      params: {
        units: { type: 'int', pointer: '/output/hiddenUnits/0', low: table.units[0], high: table.units.at(-1)!, step: table.units[1] - table.units[0] },
        learningRate: { type: 'float', pointer: '/training/optimizer/learningRate', low: table.learningRates[0], high: table.learningRates.at(-1)!, log: true },
      },
    },
    minimum: Math.min(...table.valLoss.flat()),
    evaluate(p) {
      const row = table.valLoss[table.units.indexOf(p.units as number)];
      const x = Math.log10(p.learningRate as number);
      const j = Math.min(logs.length - 2, Math.max(0, logs.findIndex((l, i) => x >= l && x <= logs[i + 1])));
      const t = Math.min(1, Math.max(0, (x - logs[j]) / (logs[j + 1] - logs[j])));
      return row[j] + (row[j + 1] - row[j]) * t;
    },
  };
}
