import * as tf from '@tensorflow/tfjs';
import { cell, toNumber } from '../data/cell.js';
import type { EncoderDefinition, FusionDefinition, InputSpec, Preprocessor, Row } from '../plugin/contracts.js';
import { definePlugin } from '../plugin/define-plugin.js';

type NumericState = { means: number[] };

/** The smallest useful encoder: numeric columns, centred on the training mean, then one dense layer. */
class CenteringPreprocessor implements Preprocessor<NumericState> {
  private means: number[] | undefined;
  constructor(private readonly input: InputSpec<{ units: number }>, state?: NumericState) {
    this.means = state?.means;
  }
  check(row: Row) {
    for (const column of this.input.columns) {
      if (toNumber(cell(row, column)) === undefined) return { column, problem: 'not a number' };
    }
    return undefined;
  }
  fit(rows: readonly Row[]) {
    this.means = this.input.columns.map((c) => rows.reduce((s, r) => s + toNumber(cell(r, c))!, 0) / rows.length);
  }
  features() {
    return [{ key: 'x', shape: [this.input.columns.length], dtype: 'float32' as const }];
  }
  transform(rows: readonly Row[]) {
    const out = new Float32Array(rows.length * this.input.columns.length);
    rows.forEach((row, r) => this.input.columns.forEach((c, i) => (out[r * this.input.columns.length + i] = toNumber(cell(row, c))! - this.means![i])));
    return { x: out };
  }
  state() {
    return { means: this.means! };
  }
}

export const numericEncoder: EncoderDefinition<{ units: number }, NumericState> = {
  type: 'test/numeric',
  description: 'test encoder',
  optionsSchema: { type: 'object', additionalProperties: false, properties: { units: { type: 'integer', minimum: 1, default: 8 } } },
  columns: { min: 1 },
  produces: ['vector'],
  createPreprocessor: (input, state) => new CenteringPreprocessor(input, state),
  build: (inputs, input, _preprocessor, ctx) => ({
    tensor: tf.layers.dense({ units: input.options.units, activation: 'relu', name: ctx.layerName('dense') }).apply(inputs.x) as tf.SymbolicTensor,
    kind: 'vector',
  }),
};

export const joinFusion: FusionDefinition<Record<string, never>> = {
  type: 'join',
  description: 'test fusion',
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  accepts: ['vector'],
  build(features, _options, ctx) {
    const tensors = Object.values(features).map((f) => f.tensor);
    return tensors.length === 1 ? tensors[0] : (tf.layers.concatenate({ name: ctx.layerName('concat') }).apply(tensors) as tf.SymbolicTensor);
  },
};

export const testPlugin = definePlugin({ name: 'polymodal-test-plugin', version: '1.0.0', encoders: [numericEncoder], fusions: [joinFusion] });

/** Two informative numeric columns and a binary label with a known linear boundary. */
export function syntheticCsv(rows: number, seed = 1): string {
  let state = seed;
  const next = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  const lines = ['a,b,noise,label'];
  for (let i = 0; i < rows; i++) {
    const a = next() * 4 - 2;
    const b = next() * 4 - 2;
    lines.push(`${a.toFixed(4)},${b.toFixed(4)},${next().toFixed(4)},${a + 0.5 * b > 0 ? 'pos' : 'neg'}`);
  }
  return lines.join('\n') + '\n';
}

export function testManifest(overrides: Record<string, unknown> = {}): Record<string, any> {
  return {
    version: 1,
    name: 'fixture',
    plugins: ['polymodal-test-plugin'],
    data: { source: 'data.csv', split: { validation: 0.2, test: 0.2, seed: 3 } },
    inputs: { numbers: { encoder: 'test/numeric', columns: ['a', 'b', 'noise'] } },
    fusion: { type: 'join' },
    output: { column: 'label', task: 'binary' },
    training: { backend: 'wasm', epochs: 3, batchSize: 16, seed: 5 },
    ...overrides,
  };
}

/** As a published plugin package would export it: a factory. */
export default function testPluginFactory() {
  return testPlugin;
}
