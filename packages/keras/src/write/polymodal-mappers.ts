/**
 * Polymodal's own layers and their Keras 3 twins. The recurrent layers have Keras's weight layout already;
 * attention keeps its projection kernels flattened (`[D, H*K]` where Keras has `[D, H, K]`), and the
 * Transformer block, one tfjs layer, becomes the Keras layers it is made of.
 */
import { emptyGroup, type KerasLayer, type TensorRef, type WeightGroup } from './keras-graph.js';
import { POLYMODAL_BATCH_NORMALIZATION } from '../read/batch-normalization.js';
import { BUILTIN_MAPPERS, recurrentLayer } from './builtin-mappers.js';
import { kerasActivation } from './keras-options.js';
import { noKerasTwin, ownOutputs, reshaped, type LayerMapper, type SourceCall, type SourceLayer } from './tfjs-source.js';

function polymodalRecurrent(kind: 'LSTM' | 'GRU'): LayerMapper {
  return (s) => {
    if (s.config.goBackwards === true && s.config.returnSequences === true) {
      // Polymodal aligns a backwards sequence with the input steps; Keras returns it reversed.
      throw noKerasTwin(s, 'goBackwards with returnSequences (a bidirectional layer below the last one)', 'Export a model whose bidirectional text encoder has one layer, or use --format onnx.');
    }
    const config: Record<string, unknown> = {
      units: s.config.units,
      activation: 'tanh',
      recurrent_activation: 'sigmoid',
      use_bias: true,
      return_sequences: s.config.returnSequences === true,
      go_backwards: s.config.goBackwards === true,
      dropout: s.config.dropout ?? 0,
      recurrent_dropout: s.config.recurrentDropout ?? 0,
    };
    if (kind === 'LSTM') config.unit_forget_bias = s.config.unitForgetBias ?? true;
    // PolymodalGRU's resetAfter is Keras's reset_after (configs saved before the option existed are reset_after=True).
    else config.reset_after = s.config.resetAfter ?? true;
    return recurrentLayer(s, kind, config);
  };
}

interface AttentionShape {
  heads: number;
  keyDim: number;
  valueDim: number;
}

/** Keras's MultiHeadAttention variables: four EinsumDense sublayers, then the dropout and softmax it tracks. */
function attentionWeights(s: SourceLayer, prefix: string, name: string, { heads, keyDim, valueDim }: AttentionShape): WeightGroup {
  const projection = (weightName: string, keras: string, perHead: number): readonly [string, WeightGroup] => {
    const kernel = s.weight(`${prefix}${weightName}/kernel`);
    const vars = [reshaped(kernel, weightName === 'attention_output' ? [heads, perHead, kernel.shape[1]] : [kernel.shape[0], heads, perHead])];
    if (s.hasWeight(`${prefix}${weightName}/bias`)) {
      const bias = s.weight(`${prefix}${weightName}/bias`);
      vars.push(weightName === 'attention_output' ? bias : reshaped(bias, [heads, perHead]));
    }
    return [keras, { vars, name: weightName, children: [] }];
  };
  return {
    vars: [],
    name,
    children: [
      projection('key', 'key_dense', keyDim),
      projection('attention_output', 'output_dense', valueDim),
      projection('query', 'query_dense', keyDim),
      projection('value', 'value_dense', valueDim),
      ['_dropout_layer', emptyGroup('dropout')],
      ['_softmax', emptyGroup('softmax')],
    ],
  };
}

function attentionConfig(shape: AttentionShape, dropout: unknown, useBias: unknown, outputShape: unknown): Record<string, unknown> {
  return { num_heads: shape.heads, key_dim: shape.keyDim, value_dim: shape.valueDim, dropout: dropout ?? 0, use_bias: useBias ?? true, output_shape: outputShape ?? null, attention_axes: null };
}

/** Splits a call's inputs into query, value and key; a padding-mask input has no Keras twin in the graph. */
function attentionArguments(s: SourceLayer, call: SourceCall): TensorRef[] {
  const tensors = call.inputs.filter((t) => t.shape.length === 3);
  if (tensors.length !== call.inputs.length) {
    throw noKerasTwin(s, 'a padding-mask input', 'Keras takes an attention mask as a call argument, which a saved functional graph cannot compute from token ids; export with --format onnx.');
  }
  if (call.kwargs.mask != null) throw noKerasTwin(s, 'an implicit (maskZero) mask');
  return tensors.length === 1 ? [tensors[0], tensors[0]] : tensors;
}

const multiHeadAttention: LayerMapper = (s) => {
  const shape = { heads: Number(s.config.numHeads), keyDim: Number(s.config.keyDim), valueDim: Number(s.config.valueDim ?? s.config.keyDim) };
  const causal = s.config.useCausalMask === true;
  const layer: KerasLayer = {
    name: s.name,
    className: 'MultiHeadAttention',
    config: attentionConfig(shape, s.config.dropout, s.config.useBias, s.config.outputShape),
    trainable: s.layer.trainable,
    calls: s.calls.map((call) => ({ args: attentionArguments(s, call), kwargs: causal ? { use_causal_mask: true } : undefined })),
    weights: attentionWeights(s, '', s.name, shape),
  };
  return { layers: [layer], outputs: ownOutputs(s.name, s.calls) };
};

/**
 * The post-norm block as Keras layers named `<block>_<part>`:
 * MultiHeadAttention, Dropout, Add, LayerNormalization, Dense, Dense, Dropout, Add, LayerNormalization.
 */
const transformerEncoderBlock: LayerMapper = (s) => {
  if (s.calls.length !== 1) throw noKerasTwin(s, 'a Transformer block shared between several inputs');
  const [call] = s.calls;
  const [x] = attentionArguments(s, call);
  const features = Number(x.shape[2]);
  const heads = Number(s.config.numHeads);
  const keyDim = s.config.keyDim == null ? features / heads : Number(s.config.keyDim);
  const shape = { heads, keyDim, valueDim: keyDim };
  const epsilon = s.config.layerNormEpsilon ?? 1e-5;
  const rate = s.config.dropout ?? 0;
  const layers: KerasLayer[] = [];
  const trainable = s.layer.trainable;
  const add = (part: string, className: string, config: Record<string, unknown>, args: KerasLayer['calls'][number]['args'], weights?: WeightGroup, units = features): TensorRef => {
    const name = `${s.name}_${part}`;
    layers.push({ name, className, config, trainable, calls: [{ args }], weights: weights ?? emptyGroup(name) });
    return { layer: name, node: 0, tensor: 0, shape: [x.shape[0], x.shape[1], units], dtype: 'float32' };
  };
  const vars = (prefix: string, names: string[]) => ({ vars: names.map((n) => s.weight(`${prefix}/${n}`)), name: prefix, children: [] });
  const causal = s.config.useCausalMask === true;
  const attentionName = `${s.name}_self_attention`;
  layers.push({
    name: attentionName,
    className: 'MultiHeadAttention',
    config: attentionConfig(shape, rate, true, null),
    trainable,
    calls: [{ args: [x, x], kwargs: causal ? { use_causal_mask: true } : undefined }],
    weights: attentionWeights(s, 'self_attention/', attentionName, shape),
  });
  const attended: TensorRef = { layer: attentionName, node: 0, tensor: 0, shape: x.shape, dtype: 'float32' };
  const dropped = add('attention_dropout', 'Dropout', { rate, noise_shape: null, seed: null }, [attended]);
  const residual = add('attention_add', 'Add', {}, [[x, dropped]]);
  const y = add('attention_norm', 'LayerNormalization', { axis: [-1], epsilon, center: true, scale: true }, [residual], vars('attention_norm', ['gamma', 'beta']));
  const activation = kerasActivation(s, s.config.activation ?? 'relu');
  const ffDim = Number(s.config.ffDim);
  const hidden = add('ffn_intermediate', 'Dense', { units: ffDim, activation, use_bias: true }, [y], vars('ffn_intermediate', ['kernel', 'bias']), ffDim);
  const ff = add('ffn_output', 'Dense', { units: features, activation: 'linear', use_bias: true }, [hidden], vars('ffn_output', ['kernel', 'bias']));
  const ffDropped = add('ffn_dropout', 'Dropout', { rate, noise_shape: null, seed: null }, [ff]);
  const ffResidual = add('ffn_add', 'Add', {}, [[y, ffDropped]]);
  const out = add('ffn_norm', 'LayerNormalization', { axis: [-1], epsilon, center: true, scale: true }, [ffResidual], vars('ffn_norm', ['gamma', 'beta']));
  return { layers, outputs: [[out]] };
};

export const POLYMODAL_MAPPERS: ReadonlyMap<string, LayerMapper> = new Map<string, LayerMapper>([
  ['PolymodalLSTM', polymodalRecurrent('LSTM')],
  ['PolymodalGRU', polymodalRecurrent('GRU')],
  ['PolymodalMultiHeadAttention', multiHeadAttention],
  ['PolymodalTransformerEncoderBlock', transformerEncoderBlock],
  // An imported backbone's BatchNormalization (frozen ones normalise with their moving statistics, as in Keras).
  [POLYMODAL_BATCH_NORMALIZATION, BUILTIN_MAPPERS.get('BatchNormalization')!],
]);

/** Polymodal layers that are refused, with why and what to do instead. */
export const REFUSED_LAYERS: ReadonlyMap<string, { what: string; hint: string }> = new Map([
  ['PolymodalPositionalEmbedding', {
    what: 'a learned positional embedding (Keras 3 has no built-in layer for it; keras_hub.layers.PositionEmbedding is not part of Keras)',
    hint: 'Export the text/transformer encoder with --format onnx, or use text/lstm, text/gru or text/cnn to export to Keras.',
  }],
]);
