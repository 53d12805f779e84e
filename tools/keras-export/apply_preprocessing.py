"""Applies a Polymodal `<name>.keras.preprocessing.json` (format polymodal-keras-preprocessing, version 1) to raw rows.

    import json, keras
    from apply_preprocessing import preprocess
    model = keras.saving.load_model("churn.keras")
    spec = json.load(open("churn.keras.preprocessing.json"))
    probabilities = model.predict(preprocess(spec, [{"tenure_months": 3, "contract": "monthly", ...}]))

Covers tabular/mlp and the text encoders (Keras Tokenizer + pad_sequences, or texts_to_matrix for text/bag), and
optional inputs (manifest `required: false`: their 0/1 presence input).
test/export-keras.test.ts checks its arrays equal Polymodal's own preprocessing. The README shows it.
"""
import math
import unicodedata

import numpy as np


def _missing(value):
    return value is None or (isinstance(value, str) and value.strip() == "")


def tabular(spec, rows):
    numeric, onehot, ids = [], [], []
    for row in rows:
        nums, hot, cats = [], [], []
        for col in spec["columns"]:
            value = row.get(col["name"])
            if col["kind"] == "numeric":
                x = col["fill"] if _missing(value) else float(value)
                nums.append((x - col["center"]) / col["scale"])
                if col["indicator"]:
                    nums.append(1.0 if _missing(value) else 0.0)
                continue
            vocabulary = col["vocabulary"]
            key = None if _missing(value) else str(value).strip()
            slot = col["missingSlot"] if key is None else (
                vocabulary.index(key) + col["firstSlot"] if key in vocabulary else col["unknownSlot"])
            block = [0.0] * (len(vocabulary) + col["firstSlot"])
            block[slot] = 1.0
            hot += block
            cats.append(col["slotOffset"] + slot)
        numeric.append(nums)
        onehot.append(nums + hot)
        ids.append(cats)
    if spec["encoding"] == "onehot":
        return {"features": np.array(onehot, dtype="float32")}
    return {"numeric": np.array(numeric, dtype="float32"), "categories": np.array(ids, dtype="int32")}


def _words(spec, text):
    if spec["normalize"] == "NFKC":
        text = unicodedata.normalize("NFKC", text)
    if spec["lower"]:
        text = text.lower()
    if spec["charLevel"]:
        return list(text)
    for c in spec["filters"]:
        text = text.replace(c, spec["split"])
    return [w for w in text.split(spec["split"]) if w]


def text(spec, rows):
    column = spec["columns"][0]
    sequences = []
    for row in rows:
        value = row.get(column)
        words = _words(spec, "" if _missing(value) else str(value))
        index = spec["wordIndex"]
        sequences.append([index[w] if w in index else spec["oovIndex"] for w in words
                          if w in index or spec["oovIndex"] is not None])
    if "mode" in spec:
        return {"bag": _matrix(spec, sequences)}
    n = spec["maxLength"]
    tokens = np.zeros((len(rows), n), dtype="int32")
    for r, seq in enumerate(sequences):
        seq = seq[-n:] if spec["truncating"] == "pre" else seq[:n]
        if seq:
            if spec["padding"] == "pre":
                tokens[r, n - len(seq):] = seq
            else:
                tokens[r, :len(seq)] = seq
    return {"tokens": tokens}


def _matrix(spec, sequences):
    out = np.zeros((len(sequences), spec["width"]), dtype="float32")
    for r, seq in enumerate(sequences):
        for j in set(seq):
            c = seq.count(j)
            docs = spec["indexDocs"].get(str(j), 0)
            out[r, j] = {"binary": 1.0, "count": c, "freq": c / len(seq),
                         "tfidf": (1 + math.log(c)) * math.log(1 + spec["documentCount"] / (1 + docs))}[spec["mode"]]
    return out


def _with_presence(spec, rows, arrays):
    """An optional input: rows whose every column is missing get zero features and presence 0 (else 1)."""
    names = [c["name"] if isinstance(c, dict) else c for c in spec["columns"]]
    present = np.array([[0.0 if all(_missing(row.get(n)) for n in names) else 1.0] for row in rows], dtype="float32")
    for values in arrays.values():
        values[present[:, 0] == 0] = 0
    return {**arrays, "present": present}


def preprocess(description, rows):
    """The Keras model's inputs, by name, for `rows` (a list of dicts: column -> raw value)."""
    features = {}
    for name, spec in description["inputs"].items():
        if spec["kind"] == "tabular":
            features[name] = tabular(spec, rows)
        elif spec["kind"] == "text":
            features[name] = text(spec, rows)
        else:
            raise ValueError(f"input {name!r}: {spec['kind']} inputs are not covered by this snippet")
        if spec["optional"]:
            features[name] = _with_presence(spec, rows, features[name])
    return {entry["name"]: features[entry["input"]][entry["feature"]] for entry in description["modelInputs"]}
