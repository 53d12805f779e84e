"""Loads Polymodal's exported .keras files with Keras 3 and predicts on the inputs Polymodal predicted on.

Used by test/export-keras.test.ts (one Python process for every model, so TensorFlow loads once). Reads a JSON
job file: {"models": [{"name", "keras", "inputs": {input name: {"shape", "dtype", "values"}}, "expected",
"expectedShape"}], "preprocessing": [{"name", "file", "rows", "expected": {model input: {"shape", "values"}}}]}
and prints one JSON object: per model the largest absolute difference (or the error); per preprocessing case the
largest difference from Polymodal's arrays of apply_preprocessing.py's and of the README's snippet.
"""
import json
import os
import sys
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from apply_preprocessing import preprocess  # noqa: E402


def readme_preprocess():
    """`preprocess` as the README's "Export to Keras" snippet defines it (the code before its example lines)."""
    with open(os.path.join(HERE, "..", "..", "README.md"), encoding="utf-8") as f:
        readme = f.read()
    section = readme.split("## Export to Keras", 1)[1]
    snippet = section.split("```python\n", 1)[1].split("```", 1)[0]
    definitions = snippet.split("\ndescription = ", 1)[0]
    namespace = {}
    exec(compile(definitions, "README.md (Export to Keras)", "exec"), namespace)
    return namespace["preprocess"]


def check_model(job):
    model = keras.saving.load_model(job["keras"])
    inputs = {
        name: np.asarray(spec["values"], dtype=spec["dtype"]).reshape(spec["shape"])
        for name, spec in job["inputs"].items()
    }
    predicted = np.asarray(model.predict(inputs, verbose=0))
    expected = np.asarray(job["expected"], dtype="float32").reshape(job["expectedShape"])
    if predicted.shape != expected.shape:
        return {"error": f"Keras predicted shape {predicted.shape}, Polymodal {expected.shape}"}
    return {
        "maxAbsDiff": float(np.max(np.abs(predicted - expected))),
        "layers": len(model.layers),
        "spread": float(np.ptp(predicted)),
        "sample": [round(float(v), 6) for v in predicted.flatten()[:3]],
    }


def check_preprocessing(job, apply):
    with open(job["file"], encoding="utf-8") as f:
        description = json.load(f)
    arrays = apply(description, job["rows"])
    worst = 0.0
    for name, spec in job["expected"].items():
        expected = np.asarray(spec["values"], dtype="float64").reshape(spec["shape"])
        got = np.asarray(arrays[name], dtype="float64")
        if got.shape != expected.shape:
            return {"error": f"{name}: the snippet gives shape {got.shape}, Polymodal {expected.shape}"}
        worst = max(worst, float(np.max(np.abs(got - expected))) if expected.size else 0.0)
    return {"maxAbsDiff": worst}


def run(check, job, *args):
    try:
        return check(job, *args)
    except Exception as error:  # report every failure, not only the first
        return {"error": f"{type(error).__name__}: {error}", "trace": traceback.format_exc()[-2000:]}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        jobs = json.load(f)
    result = {
        "keras": keras.__version__,
        "models": {job["name"]: run(check_model, job) for job in jobs.get("models", [])},
        "preprocessing": {job["name"]: run(check_preprocessing, job, preprocess) for job in jobs.get("preprocessing", [])},
        "readme": {
            job["name"]: run(check_preprocessing, job, readme_preprocess())
            for job in jobs.get("preprocessing", []) if job.get("readme", True)
        },
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
