"""The issue's small image CNN in Keras 3 on TensorFlow (CPU, default threads), trained on the exact tensors
image-cnn-tensorflow.bench.ts exported from Polymodal's trainer.

Usage: python keras_cnn.py DIR EPOCHS BATCH   (DIR holds images.f32 [rows, 28, 28, 1], labels.f32 one-hot [rows, 10], shape.json)
Prints one JSON line: {"epoch_seconds": [...], "epoch_cpu_seconds": [...] (process CPU time, all threads),
"final_loss": ..., "threads": {...}, "versions": {...}}.
"""
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import numpy as np  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

SIDE, CLASSES, PARAMETERS = 28, 10, 421642


def build():
    """What Polymodal's manifest builds (image/cnn blocks, flatten head, Dense(128) + dropout, softmax output) and what
    the fit compiles: categorical cross-entropy, accuracy, adam 1e-3."""
    model = keras.Sequential([
        keras.Input((SIDE, SIDE, 1)),
        keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(CLASSES, activation="softmax"),
    ])
    assert model.count_params() == PARAMETERS, model.count_params()
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy", metrics=["accuracy"])
    return model


class EpochTimer(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seconds = []
        self.cpu_seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()
        self.cpu_start = time.process_time()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)
        self.cpu_seconds.append(time.process_time() - self.cpu_start)


def main():
    folder, epochs, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    n = json.load(open(f"{folder}/shape.json"))["rows"]
    images = np.fromfile(f"{folder}/images.f32", dtype=np.float32).reshape(n, SIDE, SIDE, 1)
    labels = np.fromfile(f"{folder}/labels.f32", dtype=np.float32).reshape(n, CLASSES)
    keras.utils.set_random_seed(0)
    model = build()
    timer = EpochTimer()
    history = model.fit(images, labels, batch_size=batch, epochs=epochs, shuffle=True, verbose=0, callbacks=[timer])
    print(json.dumps({
        "epoch_seconds": timer.seconds,
        "epoch_cpu_seconds": timer.cpu_seconds,
        "final_loss": history.history["loss"][-1],
        "threads": {"intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
                    "inter_op": tf.config.threading.get_inter_op_parallelism_threads(), "cpus": os.cpu_count()},
        "versions": {"keras": keras.__version__, "tensorflow": tf.__version__},
    }))


main()
