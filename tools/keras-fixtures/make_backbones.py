"""Builds Keras backbones with random weights, saves each as Keras 3 `.keras` and legacy `.h5`, and writes the
features Keras computes for a few fixed inputs, so that @polymodal/keras's reader can be checked against Keras.

Usage: python make_backbones.py OUT_DIR [MODEL ...]   (models: custom_cnn, tiny_sequential, vgg16, mobilenet_v2, nested;
default all)

For each model NAME it writes OUT_DIR/NAME.keras, OUT_DIR/NAME.h5 and OUT_DIR/NAME.features.json:
{ "inputShape": [n, h, w, c], "inputs": [...], "outputShape": [...], "outputs": [...] } (row-major, float32 values).
Every weight is random (kernels keep Keras's initialisers; biases, batch-norm scales, offsets and moving statistics
are drawn too, so a reader that mixes them up gives other features). Seeded: the same files every run.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402


def custom_cnn():
    """Small, but with every branch the reader must handle: padding, depthwise and separable convolutions, batch
    norm, ReLU with max_value, residual Add, Concatenate, Multiply, Rescaling, pooling and a Dense head."""
    inputs = keras.Input(shape=(16, 16, 3), name="pixels")
    x = layers.Rescaling(1 / 127.5, offset=-1, name="scale")(inputs)
    x = layers.ZeroPadding2D(((1, 0), (1, 0)), name="pad")(x)
    x = layers.Conv2D(8, 3, strides=2, padding="valid", use_bias=False, name="stem_conv")(x)
    x = layers.BatchNormalization(epsilon=1e-3, momentum=0.99, name="stem_bn")(x)
    x = layers.ReLU(max_value=6.0, name="stem_relu")(x)
    branch = layers.DepthwiseConv2D(3, padding="same", name="dw")(x)
    branch = layers.BatchNormalization(name="dw_bn")(branch)
    branch = layers.Activation("relu", name="dw_relu")(branch)
    x = layers.Add(name="residual")([x, branch])
    sep = layers.SeparableConv2D(8, 3, padding="same", activation="tanh", name="sep")(x)
    gate = layers.Conv2D(8, 1, activation="sigmoid", name="gate")(x)
    x = layers.Multiply(name="gated")([sep, gate])
    x = layers.Concatenate(name="concat")([x, branch])
    x = layers.MaxPooling2D(2, name="max_pool")(x)
    x = layers.AveragePooling2D(2, padding="same", name="avg_pool")(x)
    features = layers.Conv2D(12, 1, activation="relu", name="features")(x)
    pooled = layers.GlobalAveragePooling2D(name="gap")(features)
    x = layers.Dropout(0.3, name="drop")(pooled)
    outputs = layers.Dense(4, activation="softmax", name="classes")(x)
    return keras.Model(inputs, outputs, name="custom_cnn")


def tiny_sequential():
    """A Sequential model (no InputLayer entry in Keras 3's config: its input comes from build_input_shape)."""
    return keras.Sequential([
        keras.Input(shape=(8, 8, 1)),
        layers.Conv2D(4, 3, activation="relu", name="conv"),
        layers.BatchNormalization(name="bn"),
        layers.Flatten(name="flat"),
        layers.Dense(3, name="logits"),
    ], name="tiny_sequential")


def nested():
    """A backbone used as one layer of another model (Keras's transfer-learning idiom), in a Sequential."""
    inputs = keras.Input(shape=(8, 8, 3), name="base_in")
    x = layers.Conv2D(4, 3, padding="same", name="base_conv")(inputs)
    x = layers.BatchNormalization(name="base_bn")(x)
    base = keras.Model(inputs, layers.ReLU(name="base_relu")(x), name="base")
    return keras.Sequential([
        keras.Input(shape=(8, 8, 3)),
        base,
        layers.GlobalAveragePooling2D(name="pool"),
        layers.Dense(2, name="head"),
    ], name="nested")


def vgg16():
    return keras.applications.VGG16(weights=None, include_top=False, input_shape=(64, 64, 3))


def mobilenet_v2():
    return keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(96, 96, 3), alpha=1.0)


MODELS = {"custom_cnn": custom_cnn, "tiny_sequential": tiny_sequential, "vgg16": vgg16, "mobilenet_v2": mobilenet_v2, "nested": nested}


def randomise(model, rng):
    for layer in model.layers:
        values = []
        for weight in layer.weights:
            shape, name = tuple(weight.shape), weight.path.split("/")[-1]
            if name in ("gamma", "moving_variance"):
                values.append(rng.uniform(0.5, 1.5, shape))
            elif name in ("beta", "moving_mean", "bias"):
                values.append(rng.normal(0, 0.1, shape))
            else:
                values.append(np.asarray(weight.numpy()))
        if values:
            layer.set_weights([v.astype("float32") for v in values])


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    names = sys.argv[2:] or list(MODELS)
    os.makedirs(out, exist_ok=True)
    for name in names:
        if name not in MODELS:
            sys.exit(f"unknown model {name!r}; known: {', '.join(MODELS)}")
        index = list(MODELS).index(name)  # each model's seed does not depend on which others are made
        keras.utils.set_random_seed(1000 + index)
        model = MODELS[name]()
        rng = np.random.default_rng(2000 + index)
        randomise(model, rng)
        shape = (2,) + tuple(model.input_shape[1:])
        inputs = rng.uniform(0, 255 if name == "custom_cnn" else 1, shape).astype("float32")
        outputs = np.asarray(model.predict(inputs, verbose=0), dtype="float32")
        model.save(os.path.join(out, name + ".keras"))
        model.save(os.path.join(out, name + ".h5"))
        with open(os.path.join(out, name + ".features.json"), "w") as f:
            json.dump({
                "inputShape": list(inputs.shape), "inputs": [float(v) for v in inputs.ravel()],
                "outputShape": list(outputs.shape), "outputs": [float(v) for v in outputs.ravel()],
            }, f)


if __name__ == "__main__":
    main()
