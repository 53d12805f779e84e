import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder, type IrGraph } from './graph.js';
import { concat, matMul, unary } from './ops.js';
import { splitConcatProducts } from './split-concat-products.js';

type Matrix = { rows: number; columns: number; data: Float64Array };

/** Evaluates the few ops these graphs use on one batch: enough to compare a graph with its rewrite. */
function evaluate(graph: IrGraph, feeds: Record<string, Matrix>): Map<string, Matrix> {
  const values = new Map<string, Matrix>(Object.entries(feeds));
  for (const c of graph.constants.values()) values.set(c.name, { rows: c.shape[0]!, columns: c.shape[1]!, data: Float64Array.from(c.data) });
  for (const node of graph.nodes) {
    const xs = node.inputs.map((name) => values.get(name)!);
    let out: Matrix;
    if (node.op === 'MatMul') {
      const [a, b] = xs as [Matrix, Matrix];
      out = { rows: a.rows, columns: b.columns, data: new Float64Array(a.rows * b.columns) };
      for (let i = 0; i < a.rows; i++) for (let k = 0; k < a.columns; k++) for (let j = 0; j < b.columns; j++) out.data[i * b.columns + j]! += a.data[i * a.columns + k]! * b.data[k * b.columns + j]!;
    } else if (node.op === 'Concat') {
      const columns = xs.reduce((n, x) => n + x.columns, 0);
      out = { rows: xs[0]!.rows, columns, data: new Float64Array(xs[0]!.rows * columns) };
      for (let i = 0; i < out.rows; i++) {
        let at = i * columns;
        for (const x of xs) for (let j = 0; j < x.columns; j++) out.data[at++] = x.data[i * x.columns + j]!;
      }
    } else if (node.op === 'Slice') {
      const [[r0], [rows]] = [node.attrs['begin'] as number[], node.attrs['size'] as number[]];
      const x = xs[0]!;
      out = { rows: rows!, columns: x.columns, data: x.data.slice(r0! * x.columns, (r0! + rows!) * x.columns) };
    } else if (node.op === 'Add') {
      out = { ...xs[0]!, data: xs[0]!.data.map((v, i) => v + xs[1]!.data[i]!) };
    } else if (node.op === 'Identity') {
      out = xs[0]!;
    } else if (node.op === 'Tanh') {
      out = { ...xs[0]!, data: xs[0]!.data.map(Math.tanh) };
    } else {
      throw new Error(`the test's evaluator lacks ${node.op}`);
    }
    values.set(node.output, out);
  }
  return values;
}

const seeded = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 97 + i * 1.7));
const feed = (rows: number, columns: number, seed: number): Matrix => ({ rows, columns, data: Float64Array.from(seeded(rows * columns, seed)) });

/** Three branches of widths 3, 1 and 2, joined and multiplied by a [6, 2] matrix (a constant, or an input). */
function headOverConcat(weightsAs: 'constant' | 'input', extraReader = false): IrGraph {
  const g = new GraphBuilder();
  const parts = [3, 1, 2].map((width, i) => g.input(`branch_${i}`, [-1, width], 'float32').name);
  const joined = concat(g, parts, 1, 'joined');
  const weights = weightsAs === 'constant' ? g.constant('kernel', seeded(12, 9), [6, 2]) : g.input('kernel', [6, 2], 'float32').name;
  g.markOutput(matMul(g, joined, weights, 'head'));
  if (extraReader) g.markOutput(unary(g, 'Tanh', joined, 'also_reads_joined'));
  return g.build();
}

const feeds = (withKernel: boolean): Record<string, Matrix> => ({
  branch_0: feed(4, 3, 1), branch_1: feed(4, 1, 2), branch_2: feed(4, 2, 3), ...(withKernel ? { kernel: { rows: 6, columns: 2, data: Float64Array.from(seeded(12, 9)) } } : {}),
});

function assertSameOutputs(before: IrGraph, after: IrGraph, inputs: Record<string, Matrix>): void {
  const [expected, actual] = [evaluate(before, inputs), evaluate(after, inputs)];
  for (const output of before.outputs) {
    const [e, a] = [expected.get(output.name)!, actual.get(output.name)!];
    assert.deepEqual([a.rows, a.columns], [e.rows, e.columns]);
    e.data.forEach((v, i) => assert.ok(Math.abs(v - a.data[i]!) < 1e-12, `${output.name}[${i}]: ${a.data[i]} against ${v}`));
  }
}

test('a product over a concatenation becomes one product per part, with the constant cut into rows', () => {
  const graph = headOverConcat('constant');
  const split = splitConcatProducts(graph);
  assert.deepEqual(split.nodes.map((node) => node.op), ['MatMul', 'MatMul', 'MatMul', 'Add', 'Add', 'Identity']);
  assert.equal(split.outputs[0]!.name, 'head', 'the output keeps its name');
  const rows = split.nodes.filter((node) => node.op === 'MatMul').map((node) => split.constants.get(node.inputs[1]!)!.shape);
  assert.deepEqual(rows, [[3, 2], [1, 2], [2, 2]]);
  assertSameOutputs(graph, split, feeds(false));
});

test('weights fed at run time (a training graph) are cut by Slice nodes', () => {
  const graph = headOverConcat('input');
  const split = splitConcatProducts(graph);
  const slices = split.nodes.filter((node) => node.op === 'Slice');
  assert.deepEqual(slices.map((node) => [node.inputs[0], node.attrs['begin'], node.attrs['size']]), [['kernel', [0, 0], [3, -1]], ['kernel', [3, 0], [1, -1]], ['kernel', [4, 0], [2, -1]]]);
  assert.ok(!split.nodes.some((node) => node.op === 'Concat'));
  assertSameOutputs(graph, split, feeds(true));
});

test('a concatenation anything else reads, or one along the batch, is left as it is', () => {
  const shared = headOverConcat('constant', true);
  assert.equal(splitConcatProducts(shared), shared);
  const g = new GraphBuilder();
  const a = g.input('a', [2, 3], 'float32').name;
  const b = g.input('b', [2, 3], 'float32').name;
  g.markOutput(matMul(g, concat(g, [a, b], 0, 'stacked'), g.constant('kernel', seeded(6, 1), [3, 2]), 'product'));
  const stacked = g.build();
  assert.equal(splitConcatProducts(stacked), stacked);
});
