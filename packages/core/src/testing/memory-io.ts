import * as tf from '@tensorflow/tfjs';

/** Saves `model` into memory, as model.json + weights would be written, and returns the artifacts. */
export async function saveToMemory(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved) throw new Error('model.save() did not call the IOHandler');
  const artifacts = saved as tf.io.ModelArtifacts;
  // What reading model.json back from disk gives: plain JSON, no object identity shared with the model.
  return {
    ...artifacts,
    modelTopology: JSON.parse(JSON.stringify(artifacts.modelTopology)),
    weightSpecs: JSON.parse(JSON.stringify(artifacts.weightSpecs)),
  };
}
