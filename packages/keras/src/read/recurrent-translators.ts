// Keras's GRU as PolymodalGRU (from @polymodal/encoder-text: Keras's sigmoid gates and both reset_after variants,
// where tfjs's own GRU computes reset_after=False only). Weights keep Keras's layout (kernel, recurrent_kernel, bias
// [3u] or [2, 3u]); training-only options (initializers, seed) are dropped, those that change the result are refused.
import * as tf from '@tensorflow/tfjs';
import { activation, expectOption, noConstraint, type Config, type TranslatedLayer } from './layer-options.js';
import { unsupported, type LayerOrigin } from './unsupported.js';

export const POLYMODAL_GRU = 'PolymodalGRU';
const TEXT_PLUGIN = '@polymodal/encoder-text';

/** Whether tfjs can build `className` now (a plugin's layer is registered when the plugin is loaded). */
function registered(className: string): boolean {
  return className in tf.serialization.SerializationMap.getMap().classNameMap;
}

function expectActivation(config: Config, option: string, wanted: string, origin: LayerOrigin): void {
  const name = activation(config[option] ?? wanted, origin, option);
  if (name !== wanted) throw unsupported(origin, `${option} "${name}" is not supported (PolymodalGRU computes ${option}=${wanted}, Keras's default)`);
}

export function translateGru(config: Config, origin: LayerOrigin): TranslatedLayer {
  expectActivation(config, 'activation', 'tanh', origin);
  expectActivation(config, 'recurrent_activation', 'sigmoid', origin);
  expectOption(config, 'use_bias', [true], origin);
  expectOption(config, 'return_state', [false], origin);
  expectOption(config, 'stateful', [false], origin);
  expectOption(config, 'time_major', [false], origin);
  for (const option of ['kernel', 'recurrent', 'bias', 'activity']) expectOption(config, `${option}_regularizer`, [null], origin);
  for (const option of ['kernel', 'recurrent', 'bias']) noConstraint(config, `${option}_constraint`, origin);
  const returnSequences = config.return_sequences === true;
  const goBackwards = config.go_backwards === true;
  if (goBackwards && returnSequences) {
    throw unsupported(origin, 'go_backwards with return_sequences is not supported (Keras returns that sequence reversed; PolymodalGRU aligns it with the input steps)');
  }
  if (!registered(POLYMODAL_GRU)) {
    throw unsupported(origin, `GRU layers are imported as ${POLYMODAL_GRU}, which ${TEXT_PLUGIN} provides, and it is not loaded`,
      `Install ${TEXT_PLUGIN} and load it (as a Polymodal plugin, or import it) before reading the model.`);
  }
  return {
    className: POLYMODAL_GRU,
    config: {
      units: config.units,
      return_sequences: returnSequences,
      go_backwards: goBackwards,
      dropout: config.dropout ?? 0,
      recurrent_dropout: config.recurrent_dropout ?? 0,
      // Keras's default since Keras 2.3 / tf.keras 2.0; files from older Keras write the option.
      reset_after: config.reset_after ?? true,
    },
  };
}
