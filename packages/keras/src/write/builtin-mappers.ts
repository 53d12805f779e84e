/**
 * tfjs's built-in layers and their Keras 3 twins. Weights keep their layout (tfjs's layers are Keras 2's),
 * so each mapper only renames options and lists the variables in the order Keras creates them.
 */
import { emptyGroup, type KerasLayer, type WeightValue } from './keras-graph.js';
import { dataFormat, kerasActivation, kerasRegularizer, padding, tuple } from './keras-options.js';
import { callArguments, noKerasTwin, ownOutputs, type LayerMapper, type MappedLayer, type SourceLayer } from './tfjs-source.js';

type ArgumentStyle = 'single' | 'list';

/** One Keras layer for one tfjs layer, with the same name, calls and outputs. */
export function sameLayer(source: SourceLayer, className: string, config: Record<string, unknown>, vars: readonly WeightValue[] = [], style: ArgumentStyle = 'single'): MappedLayer {
  const layer: KerasLayer = {
    name: source.name,
    className,
    config,
    trainable: source.layer.trainable,
    calls: source.calls.map((call) => ({ args: callArguments(call, style) })),
    weights: { vars, name: source.name, children: [] },
  };
  return { layers: [layer], outputs: ownOutputs(source.name, source.calls) };
}

function weights(source: SourceLayer, names: readonly string[]): WeightValue[] {
  return names.filter((name) => source.hasWeight(name)).map((name) => source.weight(name));
}

const regularizers = (source: SourceLayer, names: readonly string[]) =>
  Object.fromEntries(names.map((name) => [name, kerasRegularizer(source, source.config[camel(name)], name)]));

function camel(snake: string): string {
  return snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

const dense: LayerMapper = (s) => sameLayer(s, 'Dense', {
  units: s.config.units,
  activation: kerasActivation(s, s.config.activation),
  use_bias: s.config.useBias ?? true,
  ...regularizers(s, ['kernel_regularizer', 'bias_regularizer']),
}, weights(s, ['kernel', 'bias']));

function convolution(rank: 1 | 2): LayerMapper {
  return (s) => sameLayer(s, `Conv${rank}D`, {
    filters: s.config.filters,
    kernel_size: tuple(s.config.kernelSize, rank),
    strides: tuple(s.config.strides ?? 1, rank),
    padding: padding(s, s.config.padding),
    data_format: dataFormat(s.config.dataFormat),
    dilation_rate: tuple(s.config.dilationRate ?? 1, rank),
    groups: 1,
    activation: kerasActivation(s, s.config.activation),
    use_bias: s.config.useBias ?? true,
    ...regularizers(s, ['kernel_regularizer', 'bias_regularizer']),
  }, weights(s, ['kernel', 'bias']));
}

const depthwiseConv2d: LayerMapper = (s) => sameLayer(s, 'DepthwiseConv2D', {
  kernel_size: tuple(s.config.kernelSize, 2),
  strides: tuple(s.config.strides ?? 1, 2),
  padding: padding(s, s.config.padding),
  depth_multiplier: s.config.depthMultiplier ?? 1,
  data_format: dataFormat(s.config.dataFormat),
  dilation_rate: tuple(s.config.dilationRate ?? 1, 2),
  activation: kerasActivation(s, s.config.activation),
  use_bias: s.config.useBias ?? true,
}, weights(s, ['depthwise_kernel', 'bias']));

const separableConv2d: LayerMapper = (s) => sameLayer(s, 'SeparableConv2D', {
  filters: s.config.filters,
  kernel_size: tuple(s.config.kernelSize, 2),
  strides: tuple(s.config.strides ?? 1, 2),
  padding: padding(s, s.config.padding),
  depth_multiplier: s.config.depthMultiplier ?? 1,
  data_format: dataFormat(s.config.dataFormat),
  dilation_rate: tuple(s.config.dilationRate ?? 1, 2),
  activation: kerasActivation(s, s.config.activation),
  use_bias: s.config.useBias ?? true,
}, weights(s, ['depthwise_kernel', 'pointwise_kernel', 'bias']));

function pooling(kind: 'Max' | 'Average', rank: 1 | 2): LayerMapper {
  return (s) => {
    const poolSize = tuple(s.config.poolSize ?? 2, rank);
    return sameLayer(s, `${kind}Pooling${rank}D`, {
      pool_size: poolSize,
      strides: s.config.strides == null ? poolSize : tuple(s.config.strides, rank),
      padding: padding(s, s.config.padding),
      data_format: dataFormat(s.config.dataFormat),
    });
  };
}

function globalPooling(kind: 'Max' | 'Average', rank: 1 | 2): LayerMapper {
  return (s) => sameLayer(s, `Global${kind}Pooling${rank}D`, { data_format: dataFormat(s.config.dataFormat), keepdims: false });
}

function merge(className: string): LayerMapper {
  return (s) => sameLayer(s, className, className === 'Concatenate' ? { axis: s.config.axis ?? -1 } : {}, [], 'list');
}

const batchNormalization: LayerMapper = (s) => {
  const axis = s.config.axis ?? -1;
  return sameLayer(s, 'BatchNormalization', {
    axis: Array.isArray(axis) ? axis[0] : axis,
    momentum: s.config.momentum ?? 0.99,
    epsilon: s.config.epsilon ?? 1e-3,
    center: s.config.center ?? true,
    scale: s.config.scale ?? true,
  }, weights(s, ['gamma', 'beta', 'moving_mean', 'moving_variance']));
};

const layerNormalization: LayerMapper = (s) => {
  const axis = s.config.axis ?? -1;
  return sameLayer(s, 'LayerNormalization', {
    axis: Array.isArray(axis) ? axis : [axis],
    epsilon: s.config.epsilon ?? 1e-3,
    center: s.config.center ?? true,
    scale: s.config.scale ?? true,
  }, weights(s, ['gamma', 'beta']));
};

const embedding: LayerMapper = (s) => sameLayer(s, 'Embedding', {
  input_dim: s.config.inputDim,
  output_dim: s.config.outputDim,
  mask_zero: s.config.maskZero === true,
  embeddings_regularizer: kerasRegularizer(s, s.config.embeddingsRegularizer, 'embeddings_regularizer'),
}, weights(s, ['embeddings']));

const dropout: LayerMapper = (s) => sameLayer(s, 'Dropout', { rate: s.config.rate, noise_shape: s.config.noiseShape ?? null, seed: null });

/** tfjs's LSTM and GRU (recurrent activation hardSigmoid by default, GRU without reset_after). */
function tfjsRecurrent(kind: 'LSTM' | 'GRU'): LayerMapper {
  return (s) => {
    if (s.config.goBackwards === true && s.config.returnSequences === true) {
      throw noKerasTwin(s, 'goBackwards with returnSequences');
    }
    if (s.config.stateful === true || s.config.returnState === true) throw noKerasTwin(s, 'a stateful or state-returning recurrent layer');
    const config: Record<string, unknown> = {
      units: s.config.units,
      activation: kerasActivation(s, s.config.activation ?? 'tanh'),
      recurrent_activation: kerasActivation(s, s.config.recurrentActivation, 'recurrentActivation'),
      use_bias: s.config.useBias ?? true,
      return_sequences: s.config.returnSequences === true,
      go_backwards: s.config.goBackwards === true,
      dropout: s.config.dropout ?? 0,
      recurrent_dropout: s.config.recurrentDropout ?? 0,
    };
    if (kind === 'LSTM') config.unit_forget_bias = s.config.unitForgetBias ?? true;
    else config.reset_after = false;
    return recurrentLayer(s, kind, config);
  };
}

/** Keras's LSTM and GRU keep their variables on a `cell` sublayer. */
export function recurrentLayer(s: SourceLayer, kind: 'LSTM' | 'GRU', config: Record<string, unknown>): MappedLayer {
  const mapped = sameLayer(s, kind, config);
  const cell = { vars: weights(s, ['kernel', 'recurrent_kernel', 'bias']), name: `${kind.toLowerCase()}_cell`, children: [] };
  const layer = { ...mapped.layers[0], weights: { ...emptyGroup(s.name), children: [['cell', cell]] as const } };
  return { layers: [layer], outputs: mapped.outputs };
}

export const BUILTIN_MAPPERS: ReadonlyMap<string, LayerMapper> = new Map<string, LayerMapper>([
  ['Dense', dense],
  ['Dropout', dropout],
  ['Flatten', (s) => sameLayer(s, 'Flatten', { data_format: dataFormat(s.config.dataFormat) })],
  ['Activation', (s) => sameLayer(s, 'Activation', { activation: kerasActivation(s, s.config.activation) })],
  ['ReLU', (s) => sameLayer(s, 'ReLU', { max_value: s.config.maxValue ?? null, negative_slope: 0, threshold: 0 })],
  ['LeakyReLU', (s) => sameLayer(s, 'LeakyReLU', { negative_slope: s.config.alpha ?? 0.3 })],
  ['Softmax', (s) => sameLayer(s, 'Softmax', { axis: s.config.axis ?? -1 })],
  ['Reshape', (s) => sameLayer(s, 'Reshape', { target_shape: s.config.targetShape })],
  ['Permute', (s) => sameLayer(s, 'Permute', { dims: s.config.dims })],
  ['RepeatVector', (s) => sameLayer(s, 'RepeatVector', { n: s.config.n })],
  ['Rescaling', (s) => sameLayer(s, 'Rescaling', { scale: s.config.scale, offset: s.config.offset ?? 0 })],
  ['Embedding', embedding],
  ['Conv1D', convolution(1)],
  ['Conv2D', convolution(2)],
  ['DepthwiseConv2D', depthwiseConv2d],
  ['SeparableConv2D', separableConv2d],
  ['BatchNormalization', batchNormalization],
  ['LayerNormalization', layerNormalization],
  ['MaxPooling1D', pooling('Max', 1)],
  ['MaxPooling2D', pooling('Max', 2)],
  ['AveragePooling1D', pooling('Average', 1)],
  ['AveragePooling2D', pooling('Average', 2)],
  ['GlobalMaxPooling1D', globalPooling('Max', 1)],
  ['GlobalMaxPooling2D', globalPooling('Max', 2)],
  ['GlobalAveragePooling1D', globalPooling('Average', 1)],
  ['GlobalAveragePooling2D', globalPooling('Average', 2)],
  ['ZeroPadding2D', (s) => sameLayer(s, 'ZeroPadding2D', { padding: s.config.padding, data_format: dataFormat(s.config.dataFormat) })],
  ['UpSampling2D', (s) => sameLayer(s, 'UpSampling2D', { size: tuple(s.config.size ?? 2, 2), interpolation: s.config.interpolation ?? 'nearest', data_format: dataFormat(s.config.dataFormat) })],
  ['Concatenate', merge('Concatenate')],
  ['Add', merge('Add')],
  ['Multiply', merge('Multiply')],
  ['Average', merge('Average')],
  ['Maximum', merge('Maximum')],
  ['Minimum', merge('Minimum')],
  ['LSTM', tfjsRecurrent('LSTM')],
  ['GRU', tfjsRecurrent('GRU')],
]);
