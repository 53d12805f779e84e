// One translator per supported Keras layer class: the Keras 3 (or legacy) layer config becomes the tfjs-layers config
// (snake_case keys, as tfjs's own JSON has; modelFromJSON turns them into its camelCase options). Options tfjs
// cannot honour exactly are refused by name rather than silently dropped. Initializers are dropped on purpose: every
// weight is then overwritten with the file's values. Float dtype policies (float32, mixed_float16, ...) all compute
// in float32 here; their variables are float32 in the file either way.
import { dtypeName } from '../format/keras-objects.js';
import { POLYMODAL_BATCH_NORMALIZATION } from './batch-normalization.js';
import { activation, dataFormat, expectOption, noConstraint, regularizer, tuple, type Config, type TranslatedLayer } from './layer-options.js';
import { translateGru } from './recurrent-translators.js';
import { unsupported, type LayerOrigin } from './unsupported.js';

type Translator = (config: Config, origin: LayerOrigin) => TranslatedLayer;

const same = (className: string, build: (config: Config, origin: LayerOrigin) => Config): Translator =>
  (config, origin) => ({ className, config: build(config, origin) });

function convolution(config: Config, origin: LayerOrigin, kernels: readonly string[]): Config {
  expectOption(config, 'groups', [1], origin);
  expectOption(config, 'padding', ['valid', 'same'], origin);
  for (const kernel of [...kernels, 'bias']) noConstraint(config, `${kernel}_constraint`, origin);
  const out: Config = {
    kernel_size: tuple(config.kernel_size, 2),
    strides: tuple(config.strides ?? 1, 2),
    padding: config.padding ?? 'valid',
    data_format: dataFormat(config, origin),
    dilation_rate: tuple(config.dilation_rate ?? 1, 2),
    activation: activation(config.activation, origin),
    use_bias: config.use_bias ?? true,
    bias_regularizer: regularizer(config.bias_regularizer, origin, 'bias_regularizer'),
    activity_regularizer: regularizer(config.activity_regularizer, origin, 'activity_regularizer'),
  };
  for (const kernel of kernels) out[`${kernel}_regularizer`] = regularizer(config[`${kernel}_regularizer`], origin, `${kernel}_regularizer`);
  return out;
}

function pooling(config: Config, origin: LayerOrigin): Config {
  expectOption(config, 'padding', ['valid', 'same'], origin);
  const poolSize = tuple(config.pool_size ?? 2, 2);
  return { pool_size: poolSize, strides: config.strides == null ? poolSize : tuple(config.strides, 2), padding: config.padding ?? 'valid', data_format: dataFormat(config, origin) };
}

function globalPooling(config: Config, origin: LayerOrigin): Config {
  expectOption(config, 'keepdims', [false], origin);
  return { data_format: dataFormat(config, origin) };
}

const merge = (className: string): Translator => same(className, () => ({}));

const TRANSLATORS: ReadonlyMap<string, Translator> = new Map<string, Translator>([
  ['Conv2D', same('Conv2D', (c, o) => ({ ...convolution(c, o, ['kernel']), filters: c.filters }))],
  ['DepthwiseConv2D', same('DepthwiseConv2D', (c, o) => ({ ...convolution(c, o, ['depthwise']), depth_multiplier: c.depth_multiplier ?? 1 }))],
  ['SeparableConv2D', same('SeparableConv2D', (c, o) => ({ ...convolution(c, o, ['depthwise', 'pointwise']), filters: c.filters, depth_multiplier: c.depth_multiplier ?? 1 }))],
  ['Dense', same('Dense', (c, o) => {
    noConstraint(c, 'kernel_constraint', o);
    noConstraint(c, 'bias_constraint', o);
    expectOption(c, 'lora_rank', [null], o);
    expectOption(c, 'quantization_config', [null], o);
    return {
      units: c.units,
      activation: activation(c.activation, o),
      use_bias: c.use_bias ?? true,
      kernel_regularizer: regularizer(c.kernel_regularizer, o, 'kernel_regularizer'),
      bias_regularizer: regularizer(c.bias_regularizer, o, 'bias_regularizer'),
      activity_regularizer: regularizer(c.activity_regularizer, o, 'activity_regularizer'),
    };
  })],
  ['BatchNormalization', (c, o) => {
    expectOption(c, 'renorm', [false], o);
    for (const option of ['beta_constraint', 'gamma_constraint']) noConstraint(c, option, o);
    const axis = Array.isArray(c.axis) ? c.axis : [c.axis ?? -1];
    if (axis.length !== 1) throw unsupported(o, `option axis=${JSON.stringify(c.axis)} is not supported (one axis only)`);
    return {
      className: POLYMODAL_BATCH_NORMALIZATION,
      config: {
        axis: axis[0], momentum: c.momentum ?? 0.99, epsilon: c.epsilon ?? 1e-3, center: c.center ?? true, scale: c.scale ?? true,
        beta_regularizer: regularizer(c.beta_regularizer, o, 'beta_regularizer'),
        gamma_regularizer: regularizer(c.gamma_regularizer, o, 'gamma_regularizer'),
      },
    };
  }],
  ['ReLU', (c, o) => {
    expectOption(c, 'threshold', [0, 0.0, null], o);
    const slope = Number(c.negative_slope ?? 0);
    if (slope !== 0) {
      if (c.max_value != null) throw unsupported(o, 'ReLU with both max_value and negative_slope is not supported');
      return { className: 'LeakyReLU', config: { alpha: slope } };
    }
    return { className: 'ReLU', config: { max_value: c.max_value ?? null } };
  }],
  ['LeakyReLU', same('LeakyReLU', (c) => ({ alpha: c.negative_slope ?? c.alpha ?? 0.3 }))],
  ['Activation', same('Activation', (c, o) => ({ activation: activation(c.activation, o) }))],
  ['Softmax', same('Softmax', (c) => ({ axis: c.axis ?? -1 }))],
  ['ZeroPadding2D', same('ZeroPadding2D', (c, o) => {
    const padding = c.padding ?? 1;
    const pairs = Array.isArray(padding) ? padding.map((p) => tuple(p, 2)) : [tuple(padding, 2), tuple(padding, 2)];
    return { padding: pairs, data_format: dataFormat(c, o) };
  })],
  ['MaxPooling2D', same('MaxPooling2D', pooling)],
  ['AveragePooling2D', same('AveragePooling2D', pooling)],
  ['GlobalAveragePooling2D', same('GlobalAveragePooling2D', globalPooling)],
  ['GlobalMaxPooling2D', same('GlobalMaxPooling2D', globalPooling)],
  ['Add', merge('Add')],
  ['Multiply', merge('Multiply')],
  ['Average', merge('Average')],
  ['Maximum', merge('Maximum')],
  ['Minimum', merge('Minimum')],
  ['Concatenate', same('Concatenate', (c) => ({ axis: c.axis ?? -1 }))],
  ['Flatten', same('Flatten', (c, o) => ({ data_format: dataFormat(c, o) }))],
  ['Reshape', same('Reshape', (c) => ({ target_shape: c.target_shape }))],
  ['Dropout', same('Dropout', (c, o) => {
    expectOption(c, 'noise_shape', [null], o);
    return { rate: c.rate, seed: c.seed ?? null };
  })],
  ['GRU', translateGru],
  ['Rescaling', same('Rescaling', (c, o) => {
    if (typeof c.scale !== 'number' || typeof (c.offset ?? 0) !== 'number') throw unsupported(o, 'per-channel scale or offset is not supported (tfjs Rescaling takes numbers)');
    return { scale: c.scale, offset: c.offset ?? 0 };
  })],
]);

/** The Keras layer classes this package imports. */
export const SUPPORTED_LAYER_CLASSES: readonly string[] = ['InputLayer', ...TRANSLATORS.keys()];

const WHY_NOT: ReadonlyMap<string, string> = new Map([
  ['Lambda', 'Lambda layers hold Python code (a marshalled function), which cannot run outside Python'],
  ['TFOpLambda', 'TensorFlow operations called directly on tensors are stored as Python calls, which cannot run outside Python'],
]);

/** The tfjs class and config for a Keras layer, or a user error naming the layer, its class and what to do. */
export function translateLayer(className: string, config: Config, origin: LayerOrigin): TranslatedLayer {
  const translate = TRANSLATORS.get(className);
  if (!translate) {
    const why = WHY_NOT.get(className) ?? `this layer class is not supported (supported: ${SUPPORTED_LAYER_CLASSES.join(', ')})`;
    throw unsupported(origin, why);
  }
  const policy = dtypeName(config.dtype);
  if (/^(int|float8|uint)/.test(policy) || (config.dtype as { class_name?: string } | undefined)?.class_name?.startsWith('Quantized')) {
    throw unsupported(origin, `quantized layers (dtype policy ${policy}) are not supported`, 'Save the model before quantizing it.');
  }
  const translated = translate(config, origin);
  return { className: translated.className, config: { name: origin.layer, trainable: config.trainable ?? true, dtype: 'float32', ...translated.config } };
}
