/**
 * PolymodalLSTM and PolymodalGRU (Keras weight layout, zero initial state, no masking) as the composite LSTM and
 * GRU IR ops. Their getConfig() and weights are all that is read, so the export needs no text plugin code.
 */
import { weightConstant, configOf, unsupported, type LayerLowering } from './context.js';

function recurrent(op: 'LSTM' | 'GRU'): LayerLowering {
  return (layer, inputs, ctx) => {
    if (inputs.length !== 1) throw unsupported(layer, 'an initial state or a mask input');
    const config = configOf(layer);
    const units = config['units'] as number;
    const returnSequences = config['returnSequences'] === true;
    const goBackwards = config['goBackwards'] === true;
    const [batch, steps] = ctx.g.value(inputs[0]).shape;
    if (steps < 1) throw unsupported(layer, 'a sequence of unknown length');
    const weights = ['kernel', 'recurrent_kernel', 'bias'].map((short) => weightConstant(ctx, layer, short));
    const shape = returnSequences ? [batch, steps, units] : [batch, units];
    const attrs: Record<string, number | boolean> = { units, returnSequences, goBackwards };
    // PolymodalGRU's resetAfter (configs from before the option are reset_after=True).
    if (op === 'GRU') attrs['resetAfter'] = config['resetAfter'] !== false;
    return [ctx.g.node(op, [inputs[0], ...weights], shape, layer.name, attrs)];
  };
}

export const lowerLSTM = recurrent('LSTM');
export const lowerGRU = recurrent('GRU');
