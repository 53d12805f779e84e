#!/usr/bin/python3
"""Writes packages/metrics/src/test-fixtures/sklearn-expected.json.

Every expected number in that file is produced here by scikit-learn (or by NumPy arithmetic on
scikit-learn outputs where our API documents a deliberate deviation, e.g. skipping an undefined
class in a macro ROC-AUC). The TypeScript tests in packages/metrics/src/*.test.ts compare
against it.

Run (Debian's python with python3-sklearn installed):

    /usr/bin/python3 tools/metrics-fixtures/generate.py

The output is deterministic: fixed inputs, a seeded NumPy Generator, stable key order.

Version shims (the library follows current scikit-learn; Debian may ship an older one):
  * roc_curve: scikit-learn >= 1.3 sets thresholds[0] = inf; older versions used max(score) + 1.
    On older versions the first threshold is replaced by inf here (the only change in that release).
  * log_loss: scikit-learn >= 1.5 always clips with eps = finfo(float64).eps and no longer has the
    eps argument; on older versions eps=finfo(float64).eps is passed explicitly. All fixture rows
    sum to one, so the pre-1.5 renormalization does not change the value beyond ~1e-16.
  * classification_report: scikit-learn >= 1.3 prints "accuracy" when labels is a superset of the
    labels present; 1.2 only when equal. Fixtures use label sets where both agree.
"""
import json
import math
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    brier_score_loss,
    classification_report,
    confusion_matrix,
    f1_score,
    hamming_loss,
    log_loss,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    precision_recall_curve,
    precision_recall_fscore_support,
    precision_score,
    r2_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)
from sklearn.preprocessing import label_binarize

SK_VERSION = tuple(int(p) for p in sklearn.__version__.split(".")[:2])
F64_EPS = float(np.finfo(np.float64).eps)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "packages", "metrics", "src", "test-fixtures", "sklearn-expected.json")


# ---------------------------------------------------------------------------------------------
# helpers


def call(fn, *args, **kwargs):
    """Runs fn, returning {"value", "warned"} or {"error", "warned"}; warned = a warning was raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = fn(*args, **kwargs)
        except ValueError as e:
            return {"error": str(e), "warned": True}
    relevant = [w for w in caught if issubclass(w.category, (UndefinedMetricWarning, UserWarning))
                and not issubclass(w.category, (FutureWarning, DeprecationWarning))]
    return {"value": value, "warned": len(relevant) > 0}


def value_of(res):
    return math.nan if "error" in res else res["value"]


def sk_log_loss(y, p, labels):
    if SK_VERSION >= (1, 5):
        return log_loss(y, p, labels=labels)
    return log_loss(y, p, labels=labels, eps=F64_EPS)


def sk_roc_curve(y, s, drop_intermediate=True):
    fpr, tpr, thr = roc_curve(y, s, drop_intermediate=drop_intermediate)
    thr = np.asarray(thr, dtype=np.float64).copy()
    if SK_VERSION < (1, 3):
        thr[0] = np.inf
    return fpr, tpr, thr


def sk_rmse(y, p):
    if SK_VERSION >= (1, 4):
        from sklearn.metrics import root_mean_squared_error
        return root_mean_squared_error(y, p)
    return mean_squared_error(y, p, squared=False)


def plain(x):
    """numpy -> JSON-able; non-finite floats as strings."""
    if isinstance(x, dict):
        return {str(k): plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if isinstance(x, np.ndarray):
        return [plain(v) for v in x.tolist()]
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        f = float(x)
        if math.isnan(f):
            return "NaN"
        if math.isinf(f):
            return "Infinity" if f > 0 else "-Infinity"
        return f
    return x


def rounded(a, decimals=2):
    return np.round(np.asarray(a, dtype=np.float64), decimals)


rng = np.random.default_rng(20240531)


def normalized_rows(n, k):
    counts = rng.integers(1, 10, size=(n, k)).astype(np.float64)
    return counts / counts.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------------------------------------
# label-based classification


LABEL_CASES = [
    ("binary_basic", [0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0], [0, 1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 1], None),
    ("binary_all_correct", [0, 1, 1, 0, 1, 0], [0, 1, 1, 0, 1, 0], None),
    ("binary_all_wrong", [0, 1, 1, 0, 1, 0], [1, 0, 0, 1, 0, 1], None),
    ("binary_no_positive_predictions", [0, 1, 1, 0, 1, 0, 0], [0, 0, 0, 0, 0, 0, 0], None),
    ("binary_only_negatives_true", [0, 0, 0, 0, 0], [0, 1, 0, 1, 0], None),
    ("binary_only_negatives_both", [0, 0, 0, 0], [0, 0, 0, 0], [0, 1]),
    ("multiclass3", [0, 1, 2, 2, 1, 0, 0, 2, 1, 1, 2, 0, 2, 2, 1], [0, 2, 2, 1, 1, 0, 1, 2, 1, 0, 2, 0, 2, 0, 1], None),
    ("multiclass4_unbalanced", [0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 3, 3, 3, 1, 0, 0],
     [0, 0, 1, 0, 0, 3, 1, 0, 2, 3, 3, 1, 3, 1, 0, 2], None),
    # class 3 is never predicted, class 2 is predicted but never true
    ("multiclass4_missing", [0, 1, 3, 3, 1, 0, 0, 1, 3, 0], [0, 1, 2, 1, 1, 0, 2, 1, 0, 0], [0, 1, 2, 3]),
    # class 4 appears nowhere (requested through labels)
    ("multiclass5_absent", [0, 1, 2, 3, 3, 2, 1, 0, 2, 3], [0, 1, 2, 3, 2, 2, 0, 0, 1, 3], [0, 1, 2, 3, 4]),
    ("multiclass3_all_wrong", [0, 1, 2, 0, 1, 2], [1, 2, 0, 2, 0, 1], None),
    # label subset: only some labels scored
    ("multiclass4_label_subset", [0, 1, 2, 3, 3, 2, 1, 0, 2, 3], [0, 1, 2, 3, 2, 2, 0, 0, 1, 3], [3, 0, 2]),
]


def label_case(name, yt, yp, labels):
    yt = np.array(yt)
    yp = np.array(yp)
    binary = len(set(yt.tolist()) | set(yp.tolist())) <= 2
    out = {"name": name, "y_true": yt, "y_pred": yp, "labels": labels}
    out["accuracy"] = accuracy_score(yt, yp)
    out["balanced_accuracy"] = call(balanced_accuracy_score, yt, yp)
    out["balanced_accuracy_adjusted"] = call(balanced_accuracy_score, yt, yp, adjusted=True)
    cm_labels = labels if labels is not None else sorted(set(yt.tolist()) | set(yp.tolist()))
    out["confusion_matrix"] = {"labels": cm_labels, "matrix": confusion_matrix(yt, yp, labels=cm_labels)}
    res = call(precision_recall_fscore_support, yt, yp, labels=labels, average=None)
    p, r, f, s = res["value"]
    out["prfs"] = {"labels": cm_labels, "precision": p, "recall": r, "f1": f, "support": s, "warned": res["warned"]}
    res = call(precision_recall_fscore_support, yt, yp, labels=labels, beta=0.5, average=None)
    out["prfs_beta_half"] = {"fscore": res["value"][2], "warned": res["warned"]}
    averages = ["micro", "macro", "weighted"] + (["binary"] if binary and labels is None else [])
    out["averaged"] = {}
    for avg in averages:
        kw = {"average": avg} if avg == "binary" else {"average": avg, "labels": labels}
        out["averaged"][avg] = {
            "precision": call(precision_score, yt, yp, **kw),
            "recall": call(recall_score, yt, yp, **kw),
            "f1": call(f1_score, yt, yp, **kw),
        }
    return out


# ---------------------------------------------------------------------------------------------
# binary scores (ranking, probabilistic, calibration, threshold)


def random_binary(n, decimals):
    y = rng.integers(0, 2, size=n)
    s = np.clip(rounded(0.3 * y + 0.7 * rng.random(n), decimals), 0, 1)
    return y, s


SCORE_CASES = [
    ("ties", [0, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 0], [0.1, 0.4, 0.35, 0.8, 0.4, 0.8, 0.35, 0.2, 0.9, 0.65, 0.4, 0.8]),
    ("all_tied", [0, 1, 0, 1, 1], [0.5, 0.5, 0.5, 0.5, 0.5]),
    ("perfect", [0, 0, 1, 1, 1, 0], [0.1, 0.2, 0.7, 0.9, 0.8, 0.3]),
    ("inverted", [1, 1, 0, 0, 0, 1], [0.1, 0.2, 0.7, 0.9, 0.8, 0.3]),
    ("hard_01_scores", [0, 1, 1, 0, 1, 0], [0.0, 1.0, 0.0, 0.0, 1.0, 1.0]),
    ("edges_on_bins", [0, 1, 1, 0, 1, 0, 1, 0, 1, 1], [0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 0.3, 0.1, 0.7, 0.5]),
    ("only_negatives", [0, 0, 0, 0], [0.1, 0.7, 0.3, 0.7]),
    ("only_positives", [1, 1, 1, 1], [0.1, 0.7, 0.3, 0.7]),
    # F1 is 2/3 at both 0.9 and 0.2: the lowest tied threshold wins (np.argmax over increasing thresholds)
    ("f1_tie", [1, 0, 0, 1], [0.9, 0.6, 0.4, 0.2]),
]
_y, _s = random_binary(300, 2)
SCORE_CASES.append(("random300_ties", _y.tolist(), _s.tolist()))
_y, _s = random_binary(64, 6)
SCORE_CASES.append(("random64", _y.tolist(), _s.tolist()))


def best_f1(y, s):
    """Best F1 over scikit-learn's PR thresholds, F1 = 2tp/(2tp+fp+fn) from sklearn's confusion matrix."""
    _, _, thresholds = precision_recall_curve(y, s)
    f1s = []
    for t in thresholds:
        tn, fp, fn, tp = confusion_matrix(y, (s >= t).astype(int), labels=[0, 1]).ravel()
        denom = 2 * tp + fp + fn
        f1s.append(0.0 if denom == 0 else 2 * tp / denom)
    i = int(np.argmax(f1s))
    t = thresholds[i]
    pred = (s >= t).astype(int)
    return {
        "threshold": t,
        "f1": f1s[i],
        "f1_sklearn": call(f1_score, y, pred)["value"],
        "precision": call(precision_score, y, pred)["value"],
        "recall": call(recall_score, y, pred)["value"],
        "no_positives": bool(y.sum() == 0),
    }


def score_case(name, y, s):
    y = np.array(y)
    s = np.array(s, dtype=np.float64)
    out = {"name": name, "y_true": y, "y_score": s}
    for drop in (True, False):
        res = call(sk_roc_curve, y, s, drop_intermediate=drop)
        fpr, tpr, thr = res["value"]
        out["roc_curve" if drop else "roc_curve_all"] = {"fpr": fpr, "tpr": tpr, "thresholds": thr, "warned": res["warned"]}
    res = call(precision_recall_curve, y, s)
    p, r, t = res["value"]
    out["pr_curve"] = {"precision": p, "recall": r, "thresholds": t, "warned": res["warned"]}
    res = call(roc_auc_score, y, s)
    out["roc_auc"] = {"value": value_of(res), "warned": res["warned"]}
    out["average_precision"] = call(average_precision_score, y, s)
    out["log_loss"] = sk_log_loss(y, s, labels=[0, 1])
    out["brier"] = brier_score_loss(y, s)
    out["calibration"] = {}
    for n_bins in (5, 10):
        prob_true, prob_pred = calibration_curve(y, s, n_bins=n_bins, strategy="uniform")
        out["calibration"][str(n_bins)] = {"prob_true": prob_true, "prob_pred": prob_pred}
    if y.sum() > 0:
        out["best_f1"] = best_f1(y, s)
    return out


# ---------------------------------------------------------------------------------------------
# multiclass scores (one-vs-rest)


MULTICLASS_SCORE_CASES = [
    ("mc3_small", 3, [0, 1, 2, 2, 1, 0, 0, 2, 1, 1, 2, 0],
     [[0.7, 0.2, 0.1], [0.2, 0.5, 0.3], [0.1, 0.3, 0.6], [0.3, 0.4, 0.3], [0.1, 0.8, 0.1], [0.5, 0.25, 0.25],
      [0.4, 0.4, 0.2], [0.2, 0.2, 0.6], [0.3, 0.4, 0.3], [0.6, 0.3, 0.1], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]),
]
_n = 40
MULTICLASS_SCORE_CASES.append(("mc4_random40", 4, rng.integers(0, 4, size=_n).tolist(), normalized_rows(_n, 4).tolist()))
# class 2 has no sample in y_true: scikit-learn raises for OvR ROC-AUC; we skip it
MULTICLASS_SCORE_CASES.append(("mc3_class_absent", 3, [0, 1, 0, 1, 1, 0, 0, 1],
                               [[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.5, 0.1, 0.4], [0.3, 0.3, 0.4],
                                [0.1, 0.7, 0.2], [0.4, 0.4, 0.2], [0.8, 0.1, 0.1], [0.3, 0.6, 0.1]]))


def multiclass_score_case(name, k, y, P):
    y = np.array(y)
    P = np.array(P, dtype=np.float64)
    Y = label_binarize(y, classes=list(range(k)))
    out = {"name": name, "k": k, "y_true": y, "y_score": P}
    per_roc = []
    per_ap = []
    for c in range(k):
        per_roc.append(value_of(call(roc_auc_score, Y[:, c], P[:, c])))
        per_ap.append(value_of(call(average_precision_score, Y[:, c], P[:, c])))
    out["per_class_roc_auc"] = per_roc
    out["per_class_average_precision"] = per_ap
    all_present = len(set(y.tolist())) == k
    for avg in ("macro", "weighted", "micro"):
        if all_present:
            res = call(roc_auc_score, y, P, multi_class="ovr", average=avg, labels=list(range(k)))
            if avg == "micro" and "error" in res:
                res = call(roc_auc_score, Y.ravel(), P.ravel())
            out["roc_auc_" + avg] = value_of(res)
        out["average_precision_" + avg] = call(average_precision_score, Y, P, average=avg)
    defined = [v for v in per_roc if not math.isnan(v)]
    # documented deviation: undefined classes are left out of the macro average
    out["roc_auc_macro_skip_undefined"] = float(np.mean(defined)) if defined else math.nan
    out["log_loss"] = sk_log_loss(y, P, labels=list(range(k)))
    return out


# ---------------------------------------------------------------------------------------------
# multilabel


def multilabel_cases():
    cases = []
    n, k = 20, 4
    Y = rng.integers(0, 2, size=(n, k))
    S = rounded(np.clip(0.35 * Y + 0.65 * rng.random((n, k)), 0, 1), 2)
    cases.append(("ml4_random20", k, Y, S))
    # label 2 never true and never predicted (zero division); label 0 always true
    Y = np.array([[1, 0, 0], [1, 1, 0], [1, 0, 0], [1, 1, 0], [1, 0, 0], [1, 1, 0]])
    S = np.array([[0.9, 0.2, 0.1], [0.6, 0.7, 0.2], [0.4, 0.6, 0.3], [0.8, 0.4, 0.1], [0.7, 0.1, 0.2], [0.3, 0.9, 0.4]])
    cases.append(("ml3_degenerate", 3, Y, S))
    return cases


def multilabel_case(name, k, Y, S, threshold=0.5):
    P = (S >= threshold).astype(int)
    out = {"name": name, "k": k, "y_true": Y.ravel(), "y_score": S.ravel(), "y_pred": P.ravel()}
    out["subset_accuracy"] = accuracy_score(Y, P)
    out["hamming_loss"] = hamming_loss(Y, P)
    res = call(precision_recall_fscore_support, Y, P, average=None)
    p, r, f, s = res["value"]
    out["prfs"] = {"precision": p, "recall": r, "f1": f, "support": s, "warned": res["warned"]}
    for avg in ("macro", "micro", "weighted"):
        out["f1_" + avg] = call(f1_score, Y, P, average=avg)
        out["precision_" + avg] = call(precision_score, Y, P, average=avg)
        out["recall_" + avg] = call(recall_score, Y, P, average=avg)
        out["average_precision_" + avg] = call(average_precision_score, Y, S, average=avg)
    per_roc = [value_of(call(roc_auc_score, Y[:, c], S[:, c])) for c in range(k)]
    out["per_label_roc_auc"] = per_roc
    defined = [v for v in per_roc if not math.isnan(v)]
    out["roc_auc_macro_skip_undefined"] = float(np.mean(defined)) if defined else math.nan
    out["roc_auc_micro"] = value_of(call(roc_auc_score, Y, S, average="micro"))
    return out


# ---------------------------------------------------------------------------------------------
# regression


def regression_cases():
    cases = [
        ("basic", [3.0, -0.5, 2.0, 7.0, 4.2], [2.5, 0.0, 2.0, 8.0, 3.9]),
        ("perfect", [1.5, 2.5, -3.0, 4.0], [1.5, 2.5, -3.0, 4.0]),
        ("constant_true_perfect", [3.0, 3.0, 3.0], [3.0, 3.0, 3.0]),
        ("constant_true_imperfect", [3.0, 3.0, 3.0], [2.0, 3.0, 4.5]),
        ("zero_in_true", [0.0, 1.0, -2.0, 4.0], [0.5, 1.0, -1.0, 3.0]),
        ("single_sample", [2.0], [3.0]),
    ]
    y = rounded(rng.normal(10, 3, size=300), 3)
    p = rounded(y + rng.normal(0, 1, size=300), 3)
    cases.append(("random300", y.tolist(), p.tolist()))
    return cases


def regression_case(name, y, p):
    y = np.array(y, dtype=np.float64)
    p = np.array(p, dtype=np.float64)
    return {
        "name": name, "y_true": y, "y_pred": p,
        "mae": mean_absolute_error(y, p),
        "mse": mean_squared_error(y, p),
        "rmse": sk_rmse(y, p),
        "r2": call(r2_score, y, p),
        "mape": mean_absolute_percentage_error(y, p),
    }


# ---------------------------------------------------------------------------------------------
# classification report


REPORT_CASES = [
    ("multiclass3_default", [0, 1, 2, 2, 1, 0, 0, 2, 1, 1, 2, 0, 2, 2, 1], [0, 2, 2, 1, 1, 0, 1, 2, 1, 0, 2, 0, 2, 0, 1], {}),
    ("multiclass3_names_digits3", [0, 1, 2, 2, 1, 0, 0, 2, 1, 1, 2, 0, 2, 2, 1], [0, 2, 2, 1, 1, 0, 1, 2, 1, 0, 2, 0, 2, 0, 1],
     {"target_names": ["cat", "dog", "a very long class name"], "digits": 3}),
    ("label_subset_micro_avg", [0, 1, 2, 3, 3, 2, 1, 0, 2, 3], [0, 1, 2, 3, 2, 2, 0, 0, 1, 3], {"labels": [3, 0, 2]}),
    ("binary_zero_division", [0, 1, 1, 0, 1, 0, 0], [0, 0, 0, 0, 0, 0, 0], {"target_names": ["neg", "pos"]}),
    # precision of class 1 is 5/8 = 0.625 exactly: Python rounds half to even ("0.62")
    ("half_even_rounding", [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0], {}),
    ("digits0", [0, 1, 2, 2, 1, 0], [0, 2, 2, 1, 1, 0], {"digits": 0}),
    ("digits5_unicode", [0, 1, 1, 0, 1], [0, 1, 0, 0, 1], {"target_names": ["négatif", "positif ✓"], "digits": 5}),
    ("multiclass4_missing_labels_equal", [0, 1, 3, 3, 1, 0, 0, 1, 3, 0], [0, 1, 2, 1, 1, 0, 2, 1, 0, 0], {"labels": [0, 1, 2, 3]}),
]


def report_case(name, yt, yp, opts):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        text = classification_report(yt, yp, **opts)
        data = classification_report(yt, yp, output_dict=True, **{k: v for k, v in opts.items() if k != "digits"})
    return {"name": name, "y_true": yt, "y_pred": yp, "options": opts, "text": text, "dict": data}


# ---------------------------------------------------------------------------------------------
# dispatcher (computeMetrics) expectations


def dispatcher_binary(name, y, s, threshold):
    y = np.array(y)
    s = np.array(s, dtype=np.float64)
    pred = (s >= threshold).astype(int)
    m = {
        "accuracy": call(accuracy_score, y, pred),
        "balancedAccuracy": call(balanced_accuracy_score, y, pred),
        "precision": call(precision_score, y, pred),
        "recall": call(recall_score, y, pred),
        "f1": call(f1_score, y, pred),
        "f1Macro": call(f1_score, y, pred, average="macro", labels=[0, 1]),
        "f1Weighted": call(f1_score, y, pred, average="weighted", labels=[0, 1]),
        "f1Micro": call(f1_score, y, pred, average="micro", labels=[0, 1]),
        "rocAuc": call(roc_auc_score, y, s),
        "prAuc": call(average_precision_score, y, s),
        "logLoss": call(sk_log_loss, y, s, [0, 1]),
        "brier": call(brier_score_loss, y, s),
    }
    return {"name": name, "task": "binary", "numClasses": 2, "threshold": threshold, "yTrue": y, "yScore": s, "expected": m}


def dispatcher_multiclass(name, k, y, P):
    y = np.array(y)
    P = np.array(P, dtype=np.float64)
    pred = np.argmax(P, axis=1)
    labels = list(range(k))
    Y = label_binarize(y, classes=labels)
    if len(set(y.tolist())) == k:
        roc = call(roc_auc_score, y, P, multi_class="ovr", average="macro", labels=labels)
    else:
        per = [value_of(call(roc_auc_score, Y[:, c], P[:, c])) for c in range(k)]
        defined = [v for v in per if not math.isnan(v)]
        roc = {"value": float(np.mean(defined)) if defined else math.nan, "warned": True}
    m = {
        "accuracy": call(accuracy_score, y, pred),
        "balancedAccuracy": call(balanced_accuracy_score, y, pred),
        "precision": call(precision_score, y, pred, average="macro", labels=labels),
        "recall": call(recall_score, y, pred, average="macro", labels=labels),
        "f1": call(f1_score, y, pred, average="macro", labels=labels),
        "f1Macro": call(f1_score, y, pred, average="macro", labels=labels),
        "f1Weighted": call(f1_score, y, pred, average="weighted", labels=labels),
        "f1Micro": call(f1_score, y, pred, average="micro", labels=labels),
        "rocAuc": roc,
        "prAuc": call(average_precision_score, Y, P, average="macro"),
        "logLoss": call(sk_log_loss, y, P, labels),
    }
    return {"name": name, "task": "multiclass", "numClasses": k, "yTrue": y, "yScore": P.ravel(), "expected": m}


def dispatcher_multilabel(name, k, Y, S, threshold):
    P = (S >= threshold).astype(int)
    per = [value_of(call(roc_auc_score, Y[:, c], S[:, c])) for c in range(k)]
    defined = [v for v in per if not math.isnan(v)]
    if len(defined) == k:
        roc = call(roc_auc_score, Y, S, average="macro")
    else:
        roc = {"value": float(np.mean(defined)) if defined else math.nan, "warned": True}
    m = {
        "subsetAccuracy": call(accuracy_score, Y, P),
        "hammingLoss": call(hamming_loss, Y, P),
        "precision": call(precision_score, Y, P, average="macro"),
        "recall": call(recall_score, Y, P, average="macro"),
        "f1": call(f1_score, Y, P, average="macro"),
        "f1Macro": call(f1_score, Y, P, average="macro"),
        "f1Weighted": call(f1_score, Y, P, average="weighted"),
        "f1Micro": call(f1_score, Y, P, average="micro"),
        "rocAuc": roc,
        "prAuc": call(average_precision_score, Y, S, average="macro"),
    }
    return {"name": name, "task": "multilabel", "numClasses": k, "threshold": threshold,
            "yTrue": Y.ravel(), "yScore": S.ravel(), "expected": m}


def dispatcher_regression(name, y, p):
    y = np.array(y, dtype=np.float64)
    p = np.array(p, dtype=np.float64)
    m = {
        "mae": call(mean_absolute_error, y, p),
        "mse": call(mean_squared_error, y, p),
        "rmse": call(sk_rmse, y, p),
        "r2": call(r2_score, y, p),
        "mape": call(mean_absolute_percentage_error, y, p),
    }
    return {"name": name, "task": "regression", "numClasses": 1, "yTrue": y, "yScore": p, "expected": m}


def dispatcher_cases(score_cases, mc_cases, ml_cases, reg_cases):
    out = []
    for name, y, s in score_cases:
        out.append(dispatcher_binary(name + "@0.5", y, s, 0.5))
    out.append(dispatcher_binary("ties@0.35", score_cases[0][1], score_cases[0][2], 0.35))
    for name, k, y, P in mc_cases:
        out.append(dispatcher_multiclass(name, k, y, P))
    for name, k, Y, S in ml_cases:
        out.append(dispatcher_multilabel(name + "@0.5", k, Y, S, 0.5))
    out.append(dispatcher_multilabel("ml4_random20@0.3", ml_cases[0][1], ml_cases[0][2], ml_cases[0][3], 0.3))
    for name, y, p in reg_cases:
        out.append(dispatcher_regression(name, y, p))
    for case in out:
        for metric, res in case["expected"].items():
            case["expected"][metric] = {"value": value_of(res), "warned": res["warned"]}
    return out


def main():
    ml = multilabel_cases()
    reg = regression_cases()
    fixtures = {
        "generator": "tools/metrics-fixtures/generate.py",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "label_cases": [label_case(*c) for c in LABEL_CASES],
        "score_cases": [score_case(*c) for c in SCORE_CASES],
        "multiclass_score_cases": [multiclass_score_case(*c) for c in MULTICLASS_SCORE_CASES],
        "multilabel_cases": [multilabel_case(*c) for c in ml],
        "regression_cases": [regression_case(*c) for c in reg],
        "report_cases": [report_case(*c) for c in REPORT_CASES],
        "dispatcher_cases": dispatcher_cases(SCORE_CASES, MULTICLASS_SCORE_CASES, ml, reg),
    }
    text = json.dumps(plain(fixtures), indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as fh:
        fh.write(text)
    print(f"wrote {os.path.relpath(OUT, ROOT)} ({len(text)} bytes, scikit-learn {sklearn.__version__})", file=sys.stderr)


if __name__ == "__main__":
    main()
