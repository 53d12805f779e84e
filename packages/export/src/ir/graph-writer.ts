import type { IrConstant, IrGraph } from './graph.js';

/**
 * What both emitters (ONNX, TF GraphDef) need while writing an IR graph: value names unique in the whole graph
 * for the nodes and constants they add, and each IR constant written once, the first time a node uses it (so a
 * pruned constant costs nothing). Subclasses say how a constant is written: an initializer, a Const node.
 */
export abstract class IrGraphWriter {
  private readonly taken = new Set<string>();
  private readonly emitted = new Set<string>();

  constructor(readonly graph: IrGraph) {
    for (const name of graph.values.keys()) this.taken.add(name);
  }

  /** `base`, or `base_1`, `base_2`... if taken. */
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.taken.has(name); i++) name = `${base}_${i}`;
    this.taken.add(name);
    return name;
  }

  /** An IR value as a node input: a constant is written the first time it is used. */
  use(name: string): string {
    const constant = this.graph.constants.get(name);
    if (constant !== undefined && !this.emitted.has(name)) {
      this.emitted.add(name);
      this.writeConstant(name, constant);
    }
    return name;
  }

  protected abstract writeConstant(name: string, constant: IrConstant): void;
}

/** The nodes that compute (every op but Const), for a description such as "TensorFlow graph (93 ops)". */
export function computingOps(opCounts: Readonly<Record<string, number>>): number {
  return Object.entries(opCounts).filter(([op]) => op !== 'Const').reduce((sum, [, n]) => sum + n, 0);
}

/** Op type -> number of nodes, for an export's summary. */
export function countOps(opTypes: Iterable<string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const op of opTypes) counts[op] = (counts[op] ?? 0) + 1;
  return counts;
}
