"""Writes the architectures of @polymodal/keras's named backbones (packages/keras/architectures/NAME.json.gz, gzip: ~4 kB instead of ~150 kB): the
Keras 3 model config of each keras.applications model without its classifier, for any image size (None, None, 3).
keras.applications publishes these models' weights as weights-only .h5 files, so the architecture ships with the
package and the weights are downloaded. Rerun after changing the list; the package's tests check the files load.

Usage: python make_architectures.py OUT_DIR
"""
import gzip
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

ARCHITECTURES = {
    "vgg16": lambda: keras.applications.VGG16(weights=None, include_top=False, input_shape=(None, None, 3)),
    "resnet50": lambda: keras.applications.ResNet50(weights=None, include_top=False, input_shape=(None, None, 3)),
    "mobilenet_v2": lambda: keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(None, None, 3)),
}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    os.makedirs(sys.argv[1], exist_ok=True)
    for name, build in ARCHITECTURES.items():
        config = json.loads(build().to_json())
        text = json.dumps(config, separators=(",", ":"), sort_keys=True) + "\n"
        with open(os.path.join(sys.argv[1], name + ".json.gz"), "wb") as f:
            f.write(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))


if __name__ == "__main__":
    main()
