"""Reference log densities from Optuna 5.0's TPE Parzen estimator, for packages/tune's parzen-estimator test.

  python3 -m venv V && V/bin/pip install --no-index --find-links DIR optuna==5.0.0
  V/bin/python tools/tune-fixtures/parzen.py > packages/tune/src/samplers/test-fixtures/optuna-parzen.json

Cases: a float, a log float, a stepped int, a log int and a categorical, fitted to a few observations (and to
none: the prior alone), evaluated at some points. Tied observations appear only in a one-parameter case: which of
two tied kernels gets which width depends on numpy's (unstable) argsort, which matters only across parameters.
"""
import json

import numpy as np
import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.samplers._tpe.parzen_estimator import _ParzenEstimator, _ParzenEstimatorParameters
from optuna.samplers._tpe.sampler import default_weights

PARAMS = _ParzenEstimatorParameters(1.0, True, False, default_weights, True)

SPACE = {
    "x": ({"type": "float", "pointer": "/x", "low": 0, "high": 1}, FloatDistribution(0, 1)),
    "rate": ({"type": "float", "pointer": "/rate", "low": 1e-5, "high": 1e-1, "log": True}, FloatDistribution(1e-5, 1e-1, log=True)),
    "units": ({"type": "int", "pointer": "/units", "low": 32, "high": 512, "step": 32}, IntDistribution(32, 512, step=32)),
    "depth": ({"type": "int", "pointer": "/depth", "low": 1, "high": 64, "log": True}, IntDistribution(1, 64, log=True)),
    "kind": ({"type": "choice", "pointer": "/kind", "values": ["a", "b", "c"]}, CategoricalDistribution(["a", "b", "c"])),
}

OBSERVATIONS = [
    {"x": 0.1, "rate": 1e-3, "units": 64, "depth": 2, "kind": "a"},
    {"x": 0.5, "rate": 3e-2, "units": 32, "depth": 8, "kind": "b"},
    {"x": 0.52, "rate": 5e-4, "units": 512, "depth": 9, "kind": "b"},
    {"x": 0.9, "rate": 2e-5, "units": 256, "depth": 40, "kind": "c"},
    {"x": 0.3, "rate": 7e-2, "units": 96, "depth": 1, "kind": "a"},
]
POINTS = [
    {"x": 0.2, "rate": 1e-4, "units": 64, "depth": 3, "kind": "a"},
    {"x": 0.5, "rate": 2e-2, "units": 480, "depth": 8, "kind": "b"},
    {"x": 0.95, "rate": 9e-2, "units": 256, "depth": 64, "kind": "c"},
    {"x": 0.0, "rate": 1e-5, "units": 32, "depth": 1, "kind": "b"},
]


def internal(name, value):
    return SPACE[name][1].to_internal_repr(value)


def case(names, count, observations=OBSERVATIONS):
    space = {n: SPACE[n][1] for n in names}
    obs = {n: np.array([internal(n, o[n]) for o in observations[:count]], dtype=float) for n in names}
    estimator = _ParzenEstimator(obs, space, PARAMS)
    points = {n: np.array([internal(n, p[n]) for p in POINTS], dtype=float) for n in names}
    return {
        "params": {n: SPACE[n][0] for n in names},
        "observations": [{n: o[n] for n in names} for o in observations[:count]],
        "points": [{n: p[n] for n in names} for p in POINTS],
        "logPdf": estimator.log_pdf(points).tolist(),
    }


print(json.dumps({
    "optuna": optuna.__version__,
    "cases": [
        case(["x", "rate", "units", "depth", "kind"], 5),
        case(["x", "units"], 2),
        case(["rate", "kind"], 1),
        case(["x", "depth"], 0),
        case(["units"], 4, [{"units": 64}, {"units": 64}, {"units": 256}, {"units": 64}]),
    ],
}, indent=1))
