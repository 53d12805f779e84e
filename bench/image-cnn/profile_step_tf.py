"""Where one training step of the image CNN (batch 64, adam) goes in TensorFlow itself, per op, two ways:

- graph: the step as one TensorFlow graph (what Keras's model.fit runs, a tf.function), after Grappler and the
  oneDNN rewrite, timed per node from a FULL_TRACE RunMetadata (op type as executed, e.g. _FusedConv2D);
- eager: the same step op by op through TensorFlow's eager runtime (what tfjs-node calls through TFE_Execute),
  each op timed alone.

So the per-kernel table of profile-step.ts on the 'tensorflow' backend can be read against what TensorFlow would
run natively. Usage (the reference venv's python, tools/reference-python.mjs):
  python bench/image-cnn/profile_step_tf.py [STEPS]
"""
import json
import os
import sys
import time
from collections import defaultdict

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

BATCH, SIDE, CLASSES = 64, 28, 10


def weights(rng):
    def glorot(*shape):
        fan_in, fan_out = np.prod(shape[:-1]) if len(shape) > 2 else shape[0], shape[-1]
        limit = np.sqrt(6 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, shape).astype(np.float32)
    return {
        "k1": glorot(3, 3, 1, 32), "b1": np.zeros(32, np.float32),
        "k2": glorot(3, 3, 32, 64), "b2": np.zeros(64, np.float32),
        "k3": glorot(7 * 7 * 64, 128), "b3": np.zeros(128, np.float32),
        "k4": glorot(128, CLASSES), "b4": np.zeros(CLASSES, np.float32),
    }


def forward(v, x, training=True):
    h = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, v["k1"], 1, "SAME"), v["b1"]))
    h = tf.nn.max_pool2d(h, 2, 2, "VALID")
    h = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(h, v["k2"], 1, "SAME"), v["b2"]))
    h = tf.nn.max_pool2d(h, 2, 2, "VALID")
    h = tf.reshape(h, [-1, 7 * 7 * 64])
    h = tf.nn.relu(tf.nn.bias_add(tf.matmul(h, v["k3"]), v["b3"]))
    if training:
        h = tf.nn.dropout(h, 0.5)
    return tf.nn.bias_add(tf.matmul(h, v["k4"]), v["b4"])


def graph_profile(data, steps):
    """Per-op times (ms per step, by executed op type) of the step as one graph, and the step's wall time."""
    graph = tf.Graph()
    with graph.as_default():
        rng = np.random.default_rng(0)
        v = {name: tf.compat.v1.Variable(value, name=name) for name, value in weights(rng).items()}
        x = tf.compat.v1.placeholder(tf.float32, [BATCH, SIDE, SIDE, 1])
        y = tf.compat.v1.placeholder(tf.float32, [BATCH, CLASSES])
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=forward(v, x)))
        train = tf.compat.v1.train.AdamOptimizer(1e-3).minimize(loss)
        init = tf.compat.v1.global_variables_initializer()
    with tf.compat.v1.Session(graph=graph) as session:
        session.run(init)
        feed = {x: data[0], y: data[1]}
        for _ in range(5):
            session.run(train, feed)
        start = time.perf_counter()
        for _ in range(steps):
            session.run(train, feed)
        step_ms = (time.perf_counter() - start) * 1000 / steps
        by_op = defaultdict(lambda: [0.0, 0])
        options = tf.compat.v1.RunOptions(trace_level=tf.compat.v1.RunOptions.FULL_TRACE)
        for _ in range(steps):
            metadata = tf.compat.v1.RunMetadata()
            session.run(train, feed, options=options, run_metadata=metadata)
            for device in metadata.step_stats.dev_stats:
                for node in device.node_stats:
                    op = node.timeline_label.split("=")[-1].split("(")[0].strip() if "=" in node.timeline_label else node.node_name
                    by_op[op][0] += node.op_end_rel_micros / 1000 / steps
                    by_op[op][1] += 1 / steps
    return step_ms, by_op


def eager_profile(data, steps):
    """Per-op times (ms per step) of the same step run op by op (tf.raw_ops, as tfjs-node's kernels call them)."""
    rng = np.random.default_rng(0)
    v = {name: tf.constant(value) for name, value in weights(rng).items()}
    x, y = tf.constant(data[0]), tf.constant(data[1])
    r = tf.raw_ops
    c1 = r.Conv2D(input=x, filter=v["k1"], strides=[1, 1, 1, 1], padding="SAME")
    a1 = r.Relu(features=r.BiasAdd(value=c1, bias=v["b1"]))
    p1 = r.MaxPool(input=a1, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID")
    c2 = r.Conv2D(input=p1, filter=v["k2"], strides=[1, 1, 1, 1], padding="SAME")
    a2 = r.Relu(features=r.BiasAdd(value=c2, bias=v["b2"]))
    p2 = r.MaxPool(input=a2, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID")
    flat = tf.reshape(p2, [BATCH, -1])
    dy2 = tf.ones_like(a2)
    dy1 = tf.ones_like(a1)
    ops = {
        "Conv2D 28x28x1->32": lambda: r.Conv2D(input=x, filter=v["k1"], strides=[1, 1, 1, 1], padding="SAME"),
        "Conv2D 14x14x32->64": lambda: r.Conv2D(input=p1, filter=v["k2"], strides=[1, 1, 1, 1], padding="SAME"),
        "BiasAdd [64,28,28,32]": lambda: r.BiasAdd(value=c1, bias=v["b1"]),
        "AddV2 [64,28,28,32]+[32]": lambda: r.AddV2(x=c1, y=v["b1"]),
        "Relu [64,28,28,32]": lambda: r.Relu(features=c1),
        "ReluGrad [64,28,28,32]": lambda: r.ReluGrad(gradients=dy1, features=a1),
        "BiasAddGrad [64,28,28,32]": lambda: r.BiasAddGrad(out_backprop=dy1),
        "MaxPool [64,28,28,32]": lambda: r.MaxPool(input=a1, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID"),
        "MaxPool [64,14,14,64]": lambda: r.MaxPool(input=a2, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID"),
        "MaxPoolGrad [64,28,28,32]": lambda: r.MaxPoolGrad(orig_input=a1, orig_output=p1, grad=tf.ones_like(p1), ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID"),
        "MaxPoolGrad [64,14,14,64]": lambda: r.MaxPoolGrad(orig_input=a2, orig_output=p2, grad=tf.ones_like(p2), ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID"),
        "MaxPoolWithArgmax [64,28,28,32]": lambda: r.MaxPoolWithArgmax(input=a1, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID"),
        "Conv2DBackpropFilter 28x28x1->32": lambda: r.Conv2DBackpropFilter(input=x, filter_sizes=[3, 3, 1, 32], out_backprop=dy1, strides=[1, 1, 1, 1], padding="SAME"),
        "Conv2DBackpropFilter 14x14x32->64": lambda: r.Conv2DBackpropFilter(input=p1, filter_sizes=[3, 3, 32, 64], out_backprop=dy2, strides=[1, 1, 1, 1], padding="SAME"),
        "Conv2DBackpropInput 14x14x64->32": lambda: r.Conv2DBackpropInput(input_sizes=[BATCH, 14, 14, 32], filter=v["k2"], out_backprop=dy2, strides=[1, 1, 1, 1], padding="SAME"),
        "MatMul [64,3136]x[3136,128]": lambda: r.MatMul(a=flat, b=v["k3"]),
        "BatchMatMulV2 [1,64,3136]x[1,3136,128]": lambda: r.BatchMatMulV2(x=flat[None], y=v["k3"][None]),
    }
    out = {}
    for name, op in ops.items():
        for _ in range(3):
            tf.nest.map_structure(lambda t: t.numpy(), op())
        times = []
        for _ in range(steps):
            start = time.perf_counter()
            tf.nest.map_structure(lambda t: t.numpy(), op())
            times.append((time.perf_counter() - start) * 1000)
        out[name] = float(np.median(times))
    return out


def main():
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    rng = np.random.default_rng(1)
    data = (rng.uniform(0, 1, (BATCH, SIDE, SIDE, 1)).astype(np.float32),
            np.eye(CLASSES, dtype=np.float32)[rng.integers(0, CLASSES, BATCH)])
    step_ms, by_op = graph_profile(data, steps)
    print(f"graph (Keras's path): {step_ms:.1f} ms per step of {BATCH} = {BATCH / step_ms * 1000:.0f} samples/s; per executed op (ms per step):")
    for op, (ms, calls) in sorted(by_op.items(), key=lambda item: -item[1][0])[:24]:
        print(f"  {op:<34} {ms:7.2f} ms  {calls:5.1f} calls")
    print("eager, op by op (what tfjs-node runs), median ms per call:")
    for name, ms in eager_profile(data, steps).items():
        print(f"  {name:<44} {ms:7.2f} ms")
    print(json.dumps({"tensorflow": tf.__version__, "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default")}))


main()
