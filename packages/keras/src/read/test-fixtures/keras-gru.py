"""For recurrent.test.ts: Keras's side of the GRU round trips. Usage: python keras-gru.py DIR

Reads DIR/inputs.json ({"shape": [...], "values": [...]}) and DIR/polymodal.keras (written by Polymodal); writes
DIR/polymodal.outputs.json (Keras's predictions with that file, and each GRU layer's reset_after), and builds its
own model, GRU(4, reset_after=False, return_sequences=True) -> GRU(3) (reset_after=True), with random weights
(biases too), saved as DIR/keras.keras and DIR/keras.h5 with its predictions in DIR/keras.outputs.json.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
import keras  # noqa: E402


def predictions(model, x):
    out = model.predict(x, verbose=0)
    outs = out if isinstance(out, list) else [out]
    return [np.asarray(o, dtype=np.float32).ravel().tolist() for o in outs]


def main():
    folder = sys.argv[1]
    with open(os.path.join(folder, "inputs.json")) as f:
        spec = json.load(f)
    x = np.asarray(spec["values"], dtype=np.float32).reshape(spec["shape"])

    ours = keras.saving.load_model(os.path.join(folder, "polymodal.keras"))
    grus = {layer.name: layer.reset_after for layer in ours.layers if isinstance(layer, keras.layers.GRU)}
    with open(os.path.join(folder, "polymodal.outputs.json"), "w") as f:
        json.dump({"outputs": predictions(ours, x), "resetAfter": grus}, f)

    rng = np.random.default_rng(7)
    inputs = keras.Input(shape=x.shape[1:], name="steps")
    h = keras.layers.GRU(4, reset_after=False, return_sequences=True, name="gru_before")(inputs)
    h = keras.layers.GRU(3, name="gru_after")(h)
    model = keras.Model(inputs, h, name="keras_gru")
    for layer in model.layers:
        layer.set_weights([rng.normal(0, 0.6, w.shape).astype(np.float32) for w in layer.get_weights()])
    model.save(os.path.join(folder, "keras.keras"))
    model.save(os.path.join(folder, "keras.h5"))
    with open(os.path.join(folder, "keras.outputs.json"), "w") as f:
        json.dump({"outputs": predictions(model, x)}, f)


if __name__ == "__main__":
    main()
