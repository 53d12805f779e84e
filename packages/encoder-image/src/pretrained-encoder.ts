import * as tf from '@tensorflow/tfjs';
import { PolymodalError, type EncoderDefinition, type EncoderOutput, type InputSpec } from '@polymodal/core';
import { cutBackbone, loadBackbone, namedBackbone } from './backbone.js';
import { featureHead } from './head.js';
import { ImagePreprocessor, type ImageState } from './image-preprocessor.js';
import { pretrainedOptionsSchema, type PretrainedOptions } from './options.js';

/** Image preprocessing plus the backbone, loaded when fitting (loading is asynchronous; `build` is not). */
export class BackbonePreprocessor extends ImagePreprocessor {
  backbone: tf.LayersModel | undefined;
  /** The layer to cut after when options.layer is not given (a named backbone's default). */
  defaultLayer: string | undefined;

  constructor(private readonly spec: InputSpec<PretrainedOptions>, state?: ImageState) {
    super(spec, state);
  }

  override async fit(): Promise<void> {
    if (this.backbone) return;
    const [want] = this.features();
    const { options, name } = this.spec;
    const named = namedBackbone(options.model, this.spec.manifestDir);
    if (named && (Math.abs(options.rescale - 1 / 255) > 1e-12 || options.normalize !== 'none')) {
      throw new PolymodalError(`input "${name}": the backbone "${named}" brings its own preprocessing, so options.rescale must stay 1/255 and options.normalize "none"`, {
        hint: 'Remove options.rescale and options.normalize: the backbone\'s first layer turns [0, 1] pixels into what its weights expect.',
        exitCode: 2,
      });
    }
    const { model, defaultLayer } = await loadBackbone(options.model, this.spec.manifestDir, name, want.shape as [number, number, number]);
    const [, h, w, c] = model.inputs[0].shape;
    const expected = [h, w, c];
    if (model.inputs.length !== 1 || model.inputs[0].shape.length !== 4 || expected.some((d, i) => d !== null && d !== want.shape[i])) {
      model.dispose();
      throw new PolymodalError(`input "${this.spec.name}": the backbone takes inputs of shape [${model.inputs.map((i) => i.shape.map(String).join(', ')).join('], [')}], the images are [null, ${want.shape.join(', ')}]`, {
        hint: 'Set options.size and options.channels to the backbone\'s input size.',
        exitCode: 2,
      });
    }
    this.backbone = model;
    this.defaultLayer = defaultLayer;
  }
}

export const imagePretrainedEncoder: EncoderDefinition<PretrainedOptions, ImageState, BackbonePreprocessor> = {
  type: 'image/pretrained',
  description: 'A pretrained backbone (Keras .keras/.h5, tfjs LayersModel, or a named one such as mobilenet_v2), cut at a feature layer, frozen or fine-tuned from a layer on, then pooling and dense layers',
  optionsSchema: pretrainedOptionsSchema,
  columns: { min: 1, max: 1 },
  produces: ['vector'],
  preprocessing: 'heavy',
  createPreprocessor: (input: InputSpec<PretrainedOptions>, state?: ImageState) => new BackbonePreprocessor(input, state),
  build(inputs, input, preprocessor, ctx): EncoderOutput {
    const backbone = preprocessor.backbone;
    if (!backbone) throw new Error(`image/pretrained input "${input.name}": build before fit (the backbone is loaded by fit)`);
    const cut = { layer: input.options.layer ?? preprocessor.defaultLayer, trainableFrom: input.options.trainableFrom };
    const sub = cutBackbone(backbone, cut, ctx.layerName('backbone'), input.name);
    const features = sub.apply(inputs.image) as tf.SymbolicTensor;
    return { tensor: featureHead(features, input.options, ctx), kind: 'vector' };
  },
};
