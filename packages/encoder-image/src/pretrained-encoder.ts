import * as tf from '@tensorflow/tfjs';
import { PolymodalError, type EncoderDefinition, type EncoderOutput, type InputSpec } from '@polymodal/core';
import { cutBackbone, loadBackbone } from './backbone.js';
import { featureHead } from './head.js';
import { ImagePreprocessor, type ImageState } from './image-preprocessor.js';
import { pretrainedOptionsSchema, type PretrainedOptions } from './options.js';

/** Image preprocessing plus the backbone, loaded when fitting (loading is asynchronous; `build` is not). */
export class BackbonePreprocessor extends ImagePreprocessor {
  backbone: tf.LayersModel | undefined;

  constructor(private readonly spec: InputSpec<PretrainedOptions>, state?: ImageState) {
    super(spec, state);
  }

  override async fit(): Promise<void> {
    if (this.backbone) return;
    const model = await loadBackbone(this.spec.options.model, this.spec.manifestDir, this.spec.name);
    const [, h, w, c] = model.inputs[0].shape;
    const [want] = this.features();
    const expected = [h, w, c];
    if (model.inputs.length !== 1 || model.inputs[0].shape.length !== 4 || expected.some((d, i) => d !== null && d !== want.shape[i])) {
      model.dispose();
      throw new PolymodalError(`input "${this.spec.name}": the backbone takes inputs of shape [${model.inputs.map((i) => i.shape.map(String).join(', ')).join('], [')}], the images are [null, ${want.shape.join(', ')}]`, {
        hint: 'Set options.size and options.channels to the backbone\'s input size.',
        exitCode: 2,
      });
    }
    this.backbone = model;
  }
}

export const imagePretrainedEncoder: EncoderDefinition<PretrainedOptions, ImageState, BackbonePreprocessor> = {
  type: 'image/pretrained',
  description: 'A local tfjs LayersModel backbone, cut at a feature layer, frozen or fine-tuned from a layer on, then pooling and dense layers',
  optionsSchema: pretrainedOptionsSchema,
  columns: { min: 1, max: 1 },
  produces: ['vector'],
  preprocessing: 'heavy',
  createPreprocessor: (input: InputSpec<PretrainedOptions>, state?: ImageState) => new BackbonePreprocessor(input, state),
  build(inputs, input, preprocessor, ctx): EncoderOutput {
    const backbone = preprocessor.backbone;
    if (!backbone) throw new Error(`image/pretrained input "${input.name}": build before fit (the backbone is loaded by fit)`);
    const sub = cutBackbone(backbone, input.options, ctx.layerName('backbone'), input.name);
    const features = sub.apply(inputs.image) as tf.SymbolicTensor;
    return { tensor: featureHead(features, input.options, ctx), kind: 'vector' };
  },
};
