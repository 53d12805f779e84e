/**
 * Rewrites the composite ops (LayerNormalization, LSTM, GRU) into primitive ones, for a format (or an ONNX opset)
 * that lacks them. Recurrences are unrolled over their (static) time steps from a zero state, as core's and the
 * text plugin's layers compute them.
 */
import { GraphBuilder, type CompositeOp, type IrGraph, type IrNode } from './graph.js';
import { add, concat, div, matMul, mul, reduce, reshape, slice, sub, unary } from './ops.js';

function layerNormalization(g: GraphBuilder, node: IrNode): string {
  const [x, gamma, beta] = node.inputs;
  const n = node.output;
  const axis = g.value(x).shape.length - 1;
  const mean = reduce(g, 'ReduceMean', x, [axis], true, `${n}/mean`);
  const centred = sub(g, x, mean, `${n}/centred`);
  const variance = reduce(g, 'ReduceMean', mul(g, centred, centred, `${n}/squared`), [axis], true, `${n}/variance`);
  const deviation = unary(g, 'Sqrt', add(g, variance, g.scalar(`${n}/epsilon`, node.attrs['epsilon'] as number), `${n}/variance_eps`), `${n}/deviation`);
  const normalised = div(g, centred, deviation, `${n}/normalised`);
  return add(g, mul(g, normalised, gamma, `${n}/scaled`), beta, `${n}/shifted`);
}

interface Recurrence {
  readonly steps: number;
  readonly units: number;
  readonly width: number;
  /** `[batch, steps, gates * units]`: every step's input projection plus the input-side bias. */
  readonly projected: string;
  /** Time steps in the order they run (reversed for goBackwards); each step's output belongs at its own index. */
  readonly order: number[];
}

function recurrence(g: GraphBuilder, node: IrNode, gates: number, inputBias: string): Recurrence {
  const [x, kernel] = node.inputs;
  const n = node.output;
  const [, steps, features] = g.value(x).shape;
  const units = node.attrs['units'] as number;
  const width = gates * units;
  const flat = reshape(g, x, [-1, features], `${n}/flatten_steps`);
  const projected = reshape(g, add(g, matMul(g, flat, kernel, `${n}/input_projection`), inputBias, `${n}/input_bias`), [-1, steps, width], `${n}/projected`);
  const order = Array.from({ length: steps }, (_, t) => (node.attrs['goBackwards'] === true ? steps - 1 - t : t));
  return { steps, units, width, projected, order };
}

function stepInput(g: GraphBuilder, r: Recurrence, t: number, name: string): string {
  return reshape(g, slice(g, r.projected, [0, t, 0], [-1, 1, r.width], `${name}/slice`), [-1, r.width], name);
}

const gate = (g: GraphBuilder, z: string, k: number, units: number, name: string) => slice(g, z, [0, k * units], [-1, units], name);

/** The layer's output: the last state, or every step's state at its time index. */
function recurrentOutput(g: GraphBuilder, node: IrNode, r: Recurrence, states: Map<number, string>, last: string): string {
  if (node.attrs['returnSequences'] !== true) return last;
  const n = node.output;
  const steps = Array.from({ length: r.steps }, (_, t) => reshape(g, states.get(t)!, [-1, 1, r.units], `${n}/step_${t}`));
  return concat(g, steps, 1, `${n}/sequence`);
}

function lstm(g: GraphBuilder, node: IrNode): string {
  const [, , recurrentKernel, bias] = node.inputs;
  const n = node.output;
  const r = recurrence(g, node, 4, bias);
  const u = r.units;
  const states = new Map<number, string>();
  let h: string | undefined;
  let c: string | undefined;
  for (const t of r.order) {
    const s = `${n}/t${t}`;
    const xt = stepInput(g, r, t, `${s}/x`);
    const z = h === undefined ? xt : add(g, xt, matMul(g, h, recurrentKernel, `${s}/recurrent`), `${s}/z`);
    const i = unary(g, 'Sigmoid', gate(g, z, 0, u, `${s}/zi`), `${s}/i`);
    const cand = unary(g, 'Tanh', gate(g, z, 2, u, `${s}/zc`), `${s}/g`);
    const o = unary(g, 'Sigmoid', gate(g, z, 3, u, `${s}/zo`), `${s}/o`);
    const fresh = mul(g, i, cand, `${s}/input_part`);
    // The forget gate has nothing to forget on the first step (c = 0).
    if (c === undefined) c = fresh;
    else c = add(g, mul(g, unary(g, 'Sigmoid', gate(g, z, 1, u, `${s}/zf`), `${s}/f`), c, `${s}/kept`), fresh, `${s}/c`);
    h = mul(g, o, unary(g, 'Tanh', c, `${s}/tanh_c`), `${s}/h`);
    states.set(t, h);
  }
  return recurrentOutput(g, node, r, states, h!);
}

/** A GRU step's input projection split as `[xz, xr]` and `xh`. */
function gruStepInput(g: GraphBuilder, r: Recurrence, t: number, s: string): { xzr: string; xh: string } {
  const xt = stepInput(g, r, t, `${s}/x`);
  return { xzr: slice(g, xt, [0, 0], [-1, 2 * r.units], `${s}/xzr`), xh: slice(g, xt, [0, 2 * r.units], [-1, r.units], `${s}/xh`) };
}

/** h_t = z h_{t-1} + (1 - z) hh = hh + z (h_{t-1} - hh), with h_{t-1} undefined (zero) at the first step. */
function gruNextState(g: GraphBuilder, z: string, hh: string, h: string | undefined, s: string): string {
  return h === undefined ? sub(g, hh, mul(g, z, hh, `${s}/z_hh`), `${s}/h`) : add(g, hh, mul(g, z, sub(g, h, hh, `${s}/h_minus_hh`), `${s}/z_diff`), `${s}/h`);
}

/** Keras's reset_after=False GRU: one bias (input side), hh = tanh(xh + (r * h) U_h). */
function gruResetBefore(g: GraphBuilder, node: IrNode): string {
  const [, , recurrentKernel, bias] = node.inputs;
  const n = node.output;
  const units = node.attrs['units'] as number;
  const kernel = g.constantData(recurrentKernel)?.data;
  // Columns of the recurrent kernel: folded when it is a constant, sliced when it is fed (a training graph).
  const block = (from: number, count: number, name: string) => {
    if (!(kernel instanceof Float32Array)) return slice(g, recurrentKernel, [0, from], [units, count], `${n}/${name}`);
    const out = new Float32Array(units * count);
    for (let r = 0; r < units; r++) out.set(kernel.subarray(r * 3 * units + from, r * 3 * units + from + count), r * count);
    return g.constant(`${n}/${name}`, out, [units, count]);
  };
  const uzr = block(0, 2 * units, 'recurrent_zr');
  const uh = block(2 * units, units, 'recurrent_h');
  const r = recurrence(g, node, 3, bias);
  const states = new Map<number, string>();
  let h: string | undefined;
  for (const t of r.order) {
    const s = `${n}/t${t}`;
    const { xzr, xh } = gruStepInput(g, r, t, s);
    // With h = 0 (the first step) both recurrent products vanish.
    const zrSum = h === undefined ? xzr : add(g, xzr, matMul(g, h, uzr, `${s}/recurrent_zr`), `${s}/zr_sum`);
    const zr = unary(g, 'Sigmoid', zrSum, `${s}/zr`);
    const z = gate(g, zr, 0, units, `${s}/z`);
    const hhSum = h === undefined ? xh
      : add(g, xh, matMul(g, mul(g, gate(g, zr, 1, units, `${s}/r`), h, `${s}/reset_h`), uh, `${s}/recurrent_h`), `${s}/hh_sum`);
    const hh = unary(g, 'Tanh', hhSum, `${s}/hh`);
    h = gruNextState(g, z, hh, h, s);
    states.set(t, h);
  }
  return recurrentOutput(g, node, r, states, h!);
}

function gru(g: GraphBuilder, node: IrNode): string {
  if (node.attrs['resetAfter'] === false) return gruResetBefore(g, node);
  const [, , recurrentKernel, bias] = node.inputs;
  const n = node.output;
  const units = node.attrs['units'] as number;
  const biases = g.constantData(bias)?.data;
  const width = 3 * units;
  // Parts of the [2, 3 units] bias: folded when it is a constant, sliced when it is fed (a training graph).
  const flat = biases instanceof Float32Array ? undefined : reshape(g, bias, [2 * width], `${n}/bias_flat`);
  const part = (from: number, count: number, name: string) => (flat === undefined
    ? g.constant(`${n}/${name}`, (biases as Float32Array).slice(from, from + count), [count])
    : slice(g, flat, [from], [count], `${n}/${name}`));
  const inputBias = part(0, width, 'input_bias');
  const recurrentBias = part(width, width, 'recurrent_bias');
  // With h = 0 (the first step) the recurrent side is the bias alone.
  const firstZr = part(width, 2 * units, 'recurrent_bias_zr');
  const firstH = part(width + 2 * units, units, 'recurrent_bias_h');
  const r = recurrence(g, node, 3, inputBias);
  const states = new Map<number, string>();
  let h: string | undefined;
  for (const t of r.order) {
    const s = `${n}/t${t}`;
    const { xzr, xh } = gruStepInput(g, r, t, s);
    let innerZr = firstZr;
    let rh = firstH;
    if (h !== undefined) {
      const inner = add(g, matMul(g, h, recurrentKernel, `${s}/recurrent`), recurrentBias, `${s}/inner`);
      innerZr = slice(g, inner, [0, 0], [-1, 2 * units], `${s}/inner_zr`);
      rh = slice(g, inner, [0, 2 * units], [-1, units], `${s}/rh`);
    }
    const zr = unary(g, 'Sigmoid', add(g, xzr, innerZr, `${s}/zr_sum`), `${s}/zr`);
    const z = gate(g, zr, 0, units, `${s}/z`);
    const reset = gate(g, zr, 1, units, `${s}/r`);
    const hh = unary(g, 'Tanh', add(g, xh, mul(g, reset, rh, `${s}/reset_rh`), `${s}/hh_sum`), `${s}/hh`);
    h = gruNextState(g, z, hh, h, s);
    states.set(t, h);
  }
  return recurrentOutput(g, node, r, states, h!);
}

const EXPANSIONS: Record<CompositeOp, (g: GraphBuilder, node: IrNode) => string> = {
  LayerNormalization: layerNormalization,
  LSTM: lstm,
  GRU: gru,
};

/** The graph with every node whose op is in `ops` replaced by primitive nodes; its output keeps its name. */
export function decompose(graph: IrGraph, ops: ReadonlySet<CompositeOp>): IrGraph {
  if (!graph.nodes.some((node) => ops.has(node.op as CompositeOp))) return graph;
  const g = GraphBuilder.rewriting(graph);
  for (const node of graph.nodes) {
    if (ops.has(node.op as CompositeOp)) g.replace(node, EXPANSIONS[node.op as CompositeOp](g, node));
    else g.keep(node);
  }
  return g.build();
}
