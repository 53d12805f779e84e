/**
 * MatMul(Concat(a, b, ...), W) -> MatMul(a, W[a's rows]) + MatMul(b, W[b's rows]) + ..., for a rank-2 concatenation
 * along its features that feeds nothing but that product: what a concat fusion followed by a Dense head computes.
 * The joined tensor is then never written, nor, in a training graph, its gradient sliced apart again: for the seed
 * model that is two copies of a [batch, 123040] tensor per step (the flattened convolution is nearly all of it).
 * A constant W is cut into constants; a W fed at run time (a training graph's weights) is cut by Slice nodes, whose
 * gradients the training graph already has.
 */
import { GraphBuilder, type IrGraph, type IrNode } from './graph.js';
import { add, matMul, slice } from './ops.js';

/** How many nodes read each value, graph outputs counted as readers. */
function readers(graph: IrGraph): Map<string, number> {
  const count = new Map<string, number>();
  const read = (name: string) => count.set(name, (count.get(name) ?? 0) + 1);
  graph.nodes.forEach((node) => node.inputs.forEach(read));
  graph.outputs.forEach((output) => read(output.name));
  return count;
}

/** The concatenations to split: each one's node, keyed by the product it feeds. */
function splittable(graph: IrGraph): Map<IrNode, IrNode> {
  const producer = new Map(graph.nodes.map((node) => [node.output, node]));
  const readCount = readers(graph);
  const found = new Map<IrNode, IrNode>();
  for (const node of graph.nodes) {
    if (node.op !== 'MatMul') continue;
    const [joined, weights] = node.inputs;
    const concat = producer.get(joined);
    if (concat?.op !== 'Concat' || concat.attrs['axis'] !== 1 || readCount.get(joined) !== 1) continue;
    if (graph.values.get(joined)!.shape.length !== 2 || graph.values.get(weights)!.shape.length !== 2) continue;
    found.set(node, concat);
  }
  return found;
}

/** W's rows [begin, begin + rows): a new constant when W is one, else a Slice node. */
function weightRows(g: GraphBuilder, weights: string, begin: number, rows: number, name: string): string {
  const constant = g.constantData(weights);
  if (constant === undefined) return slice(g, weights, [begin, 0], [rows, -1], name);
  const columns = constant.shape[1];
  return g.constant(name, constant.data.slice(begin * columns, (begin + rows) * columns), [rows, columns]);
}

function splitProduct(g: GraphBuilder, product: IrNode, concat: IrNode): void {
  const weights = product.inputs[1];
  const n = product.output;
  let begin = 0;
  const parts = concat.inputs.map((part, i) => {
    const rows = g.value(part).shape[1];
    const partial = matMul(g, part, weightRows(g, weights, begin, rows, `${n}/rows_${i}`), `${n}/part_${i}`);
    begin += rows;
    return partial;
  });
  g.replace(product, parts.slice(1).reduce((total, partial, i) => add(g, total, partial, `${n}/sum_${i + 1}`), parts[0]));
}

export function splitConcatProducts(graph: IrGraph): IrGraph {
  const split = splittable(graph);
  if (split.size === 0) return graph;
  const skipped = new Set(split.values());
  const g = GraphBuilder.rewriting(graph);
  for (const node of graph.nodes) {
    if (skipped.has(node)) continue;
    const concat = split.get(node);
    if (concat !== undefined) splitProduct(g, node, concat);
    else g.keep(node);
  }
  return g.build();
}
