"""The Keras article's model in Keras 3 on TensorFlow (CPU, default threads), trained on tensors exported by seed.bench.ts.

Usage: python keras_seed.py DIR EPOCHS BATCH   (DIR holds images.f32, tokens.i32, labels.f32, shape.json)
Prints one JSON line: {"epoch_seconds": [...], "predict_ms": [...], "versions": ...}; predict_ms are single-row
predict_on_batch latencies after training.
"""
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402


def build():
    image = keras.Input((64, 64, 3))
    text = keras.Input((100,), dtype="int32")
    x = keras.layers.Flatten()(keras.layers.Conv2D(32, 3, activation="relu")(image))
    h = keras.layers.LSTM(32)(keras.layers.Embedding(1000, 64)(text))
    out = keras.layers.Dense(1, activation="sigmoid")(keras.layers.concatenate([x, h]))
    model = keras.Model([image, text], out)
    assert model.count_params() == 200353
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    return model


class EpochTimer(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)


def main():
    folder, epochs, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    n = json.load(open(f"{folder}/shape.json"))["rows"]
    images = np.fromfile(f"{folder}/images.f32", dtype=np.float32).reshape(n, 64, 64, 3)
    tokens = np.fromfile(f"{folder}/tokens.i32", dtype=np.int32).reshape(n, 100)
    labels = np.fromfile(f"{folder}/labels.f32", dtype=np.float32).reshape(n, 1)
    keras.utils.set_random_seed(0)
    model = build()
    timer = EpochTimer()
    model.fit([images, tokens], labels, batch_size=batch, epochs=epochs, shuffle=True, verbose=0, callbacks=[timer])
    row = [images[:1], tokens[:1]]
    for _ in range(20):
        model.predict_on_batch(row)
    latencies = []
    for _ in range(200):
        start = time.perf_counter()
        model.predict_on_batch(row)
        latencies.append((time.perf_counter() - start) * 1000)
    print(json.dumps({"epoch_seconds": timer.seconds, "predict_ms": latencies,
                      "versions": {"keras": keras.__version__, "tensorflow": tf.__version__}}))


main()
