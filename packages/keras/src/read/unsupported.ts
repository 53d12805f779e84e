import { PolymodalError } from '@polymodal/core';

/** Where a translated layer comes from, for error messages. */
export interface LayerOrigin {
  file: string;
  layer: string;
  className: string;
}

const CONVERT_HINT = 'Export the model without it (e.g. cut the Keras model before that layer, or replace it with a built-in layer), ' +
  'or convert the model with `tensorflowjs_converter --input_format keras model.h5 out/` to a tfjs LayersModel and pass that folder.';

/** A layer or option Polymodal cannot import: names the file, the layer, its class and what to do. */
export function unsupported(origin: LayerOrigin, what: string, hint = CONVERT_HINT): PolymodalError {
  return new PolymodalError(`${origin.file}: layer "${origin.layer}" (${origin.className}): ${what}`, { hint, exitCode: 2 });
}

/** A file that is not a readable Keras model. */
export function unreadable(file: string, what: string, cause?: unknown): PolymodalError {
  return new PolymodalError(`${file}: ${what}`, {
    hint: 'Pass a Keras 3 .keras file (model.save("model.keras")), a Keras .h5 saved with its model (model.save("model.h5")), or a tfjs LayersModel folder.',
    exitCode: 2,
    cause,
  });
}
