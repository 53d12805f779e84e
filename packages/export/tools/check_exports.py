"""Checks exported models with the reference stack. ONNX: onnx's checker (full_check: shape inference included) and
Python onnxruntime's predictions against Polymodal's. Graph models: model.json's topology parsed as a TensorFlow
GraphDef (the Const nodes filled from weights.bin), imported and run by TensorFlow itself. SavedModels: loaded with
tf.saved_model.load and run through their serving_default signature. Argument: a JSON file
listing jobs [{"model": path.onnx, "graph": folder, "savedModel": folder, "inputs": {name: {"data": [...], "shape": [...],
"dtype": "float32"|"int32"}}, "expected": [[...], ...], "fromRows": {"rows": [...], "description": path,
"expected": [[...], ...]}}]; with "fromRows", the raw rows also go through tools/keras-export/apply_preprocessing.py
(the README's Python snippet) on the preprocessing description written beside the model, and onnxruntime's
predictions on them must equal Polymodal's too. Prints one line per model and exits 1 when any check fails."""
import base64
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "tools", "keras-export"))
from apply_preprocessing import preprocess  # noqa: E402

TOLERANCE = 1e-4


def worst_difference(outputs, expected):
    return max(float(np.max(np.abs(np.asarray(out, dtype=np.float64).ravel() - np.asarray(want)))) for out, want in zip(outputs, expected))


def graph_model_outputs(folder, feeds):
    """Runs a tfjs graph-model folder with TensorFlow; outputs in model.json's order of output nodes."""
    import tensorflow as tf
    from google.protobuf import json_format

    with open(os.path.join(folder, "model.json"), encoding="utf8") as handle:
        model = json.load(handle)
    with open(os.path.join(folder, "weights.bin"), "rb") as handle:
        weights = handle.read()
    data, offset = {}, 0
    for group in model["weightsManifest"]:
        for spec in group["weights"]:
            size = int(np.prod(spec["shape"], dtype=np.int64)) * 4  # float32 and int32 only
            data[spec["name"]] = weights[offset:offset + size]
            offset += size
    topology = model["modelTopology"]
    for node in topology["node"]:
        if node["op"] == "Const":
            node["attr"]["value"]["tensor"]["tensorContent"] = base64.b64encode(data[node["name"]]).decode()
    graph_def = json_format.ParseDict(topology, tf.compat.v1.GraphDef())
    consumed = {name.split(":")[0] for node in graph_def.node for name in node.input}
    outputs = [node.name + ":0" for node in graph_def.node if node.name not in consumed and node.op != "Placeholder"]
    with tf.compat.v1.Session(graph=tf.Graph()) as session:
        tf.import_graph_def(graph_def, name="")
        return session.run(outputs, {name + ":0": value for name, value in feeds.items()})


def saved_model_outputs(folder, feeds):
    """Runs a SavedModel folder's serving_default signature with TensorFlow; its outputs in signature order."""
    import tensorflow as tf

    signature = tf.saved_model.load(folder).signatures["serving_default"]
    results = signature(**{name: tf.constant(value) for name, value in feeds.items()})
    return [results[name].numpy() for name in signature.structured_outputs]


def check(job):
    model = onnx.load(job["model"])
    onnx.checker.check_model(model, full_check=True)
    session = ort.InferenceSession(job["model"], providers=["CPUExecutionProvider"])
    feeds = {name: np.asarray(spec["data"], dtype=spec["dtype"]).reshape(spec["shape"]) for name, spec in job["inputs"].items()}
    worst = worst_difference(session.run(None, feeds), job["expected"])
    notes = f", onnxruntime {worst:.2e}"
    if job.get("graph"):
        graph_worst = worst_difference(graph_model_outputs(job["graph"], feeds), job["expected"])
        worst = max(worst, graph_worst)
        notes += f", TensorFlow on the graph model {graph_worst:.2e}"
    if job.get("savedModel"):
        saved_worst = worst_difference(saved_model_outputs(job["savedModel"], feeds), job["expected"])
        worst = max(worst, saved_worst)
        notes += f", TensorFlow on the SavedModel {saved_worst:.2e}"
    from_rows = job.get("fromRows")
    if from_rows is None:
        return worst, notes
    with open(from_rows["description"], encoding="utf8") as handle:
        description = json.load(handle)
    rows_worst = worst_difference(session.run(None, preprocess(description, from_rows["rows"])), from_rows["expected"])
    return max(worst, rows_worst), f"{notes}, from raw rows {rows_worst:.2e}"


def main():
    with open(sys.argv[1], encoding="utf8") as handle:
        jobs = json.load(handle)
    failed = False
    for job in jobs:
        try:
            worst, notes = check(job)
            ok = worst <= TOLERANCE
            print(f"{'ok' if ok else 'FAIL'} {job['model']}: opset {onnx.load(job['model']).opset_import[0].version}, largest difference from Polymodal {worst:.2e}{notes}")
            failed = failed or not ok
        except Exception as error:  # a checker or runtime error names the model and goes on to the next
            print(f"FAIL {job['model']}: {type(error).__name__}: {error}")
            failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
