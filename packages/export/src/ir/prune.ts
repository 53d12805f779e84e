/**
 * Drops the nodes no graph output depends on (a layer output the model never uses, such as attention scores
 * nobody reads): a graph model's executor would otherwise report them as extra outputs.
 */
import type { IrGraph, IrNode } from './graph.js';

export function prune(graph: IrGraph): IrGraph {
  const producer = new Map<string, IrNode>(graph.nodes.map((node) => [node.output, node]));
  const needed = new Set<string>();
  const pending = graph.outputs.map((value) => value.name);
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (needed.has(name)) continue;
    needed.add(name);
    producer.get(name)?.inputs.forEach((input) => pending.push(input));
  }
  if (graph.nodes.every((node) => needed.has(node.output))) return graph;
  return { ...graph, nodes: graph.nodes.filter((node) => needed.has(node.output)) };
}
