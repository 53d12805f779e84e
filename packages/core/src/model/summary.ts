import type * as tf from '@tensorflow/tfjs';

export interface LayerSummary {
  name: string;
  type: string;
  outputShape: string;
  params: number;
  trainable: boolean;
  connectedTo: string[];
}

export interface ModelSummary {
  name: string;
  layers: LayerSummary[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
}

function shapeText(shape: tf.Shape | tf.Shape[]): string {
  const one = (s: tf.Shape) => `(${s.map((d) => (d === null ? 'None' : String(d))).join(', ')}${s.length === 1 ? ',' : ''})`;
  return Array.isArray(shape[0]) ? `[${(shape as tf.Shape[]).map(one).join(', ')}]` : one(shape as tf.Shape);
}

function weightCount(weights: readonly tf.LayerVariable[]): number {
  return weights.reduce((sum, w) => sum + w.shape.reduce((p: number, d) => p * (d ?? 1), 1), 0);
}

/** Layers, output shapes and parameter counts, counted the way Keras counts them. */
export function summarizeModel(model: tf.LayersModel): ModelSummary {
  const layers = model.layers.map((layer): LayerSummary => {
    const connectedTo = layer.inboundNodes.flatMap((node) =>
      node.inboundLayers.map((inbound, i) => `${inbound.name}[${node.nodeIndices[i]}][${node.tensorIndices[i]}]`),
    );
    return {
      name: layer.name,
      type: layer.getClassName(),
      outputShape: shapeText(layer.outputShape),
      params: layer.countParams(),
      trainable: layer.trainable,
      connectedTo,
    };
  });
  const trainableParams = weightCount(model.trainableWeights);
  const nonTrainableParams = weightCount(model.nonTrainableWeights);
  return { name: model.name, layers, totalParams: trainableParams + nonTrainableParams, trainableParams, nonTrainableParams };
}

const number = (n: number) => n.toLocaleString('en-US');

/** The Keras 2 text layout of `model.summary()` for functional models. */
export function formatSummary(summary: ModelSummary, width = 110): string {
  const columns = [40, 26, 12];
  const pad = (text: string, size: number) => (text.length >= size ? text + ' ' : text.padEnd(size));
  const lines = [`Model: "${summary.name}"`, '_'.repeat(width)];
  lines.push(' ' + pad('Layer (type)', columns[0]) + pad('Output Shape', columns[1]) + pad('Param #', columns[2]) + 'Connected to');
  lines.push('='.repeat(width));
  summary.layers.forEach((layer, index) => {
    const connections = layer.connectedTo.length > 0 ? layer.connectedTo : ['[]'];
    lines.push(' ' + pad(`${layer.name} (${layer.type})`, columns[0]) + pad(layer.outputShape, columns[1]) + pad(number(layer.params), columns[2]) + connections[0]);
    for (const more of connections.slice(1)) lines.push(' '.repeat(1 + columns[0] + columns[1] + columns[2]) + more);
    lines.push(index === summary.layers.length - 1 ? '='.repeat(width) : '_'.repeat(width));
  });
  lines.push(`Total params: ${number(summary.totalParams)}`);
  lines.push(`Trainable params: ${number(summary.trainableParams)}`);
  lines.push(`Non-trainable params: ${number(summary.nonTrainableParams)}`);
  return lines.join('\n');
}
