"""Optuna's TPE driven over stdin/stdout by bench/tune/tpe.bench.ts (ask-and-tell, so the objective is the
bench's own TypeScript function).

Protocol: the first stdin line is {"space": <search section>, "trials": N, "seed": S, "variant": "default"|"group"}.
For each trial this prints {"params": {...}} and reads back {"value": v}; at the end it prints {"best": v}.
Parameters follow the search section's order; one with "when" is suggested only when its condition holds.
"""
import json
import sys
import warnings

import optuna

warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)

optuna.logging.set_verbosity(optuna.logging.WARNING)


def active(spec, chosen):
    for other, wanted in (spec.get("when") or {}).items():
        values = wanted if isinstance(wanted, list) else [wanted]
        if other not in chosen or chosen[other] not in values:
            return False
    return True


def ordered(params):
    placed, out = set(), []

    def place(name):
        if name in placed:
            return
        placed.add(name)
        for other in (params[name].get("when") or {}):
            place(other)
        out.append(name)

    for name in params:
        place(name)
    return out


def suggest(trial, name, spec):
    kind = spec["type"]
    if kind == "int":
        return trial.suggest_int(name, spec["low"], spec["high"], step=spec.get("step", 1), log=spec.get("log", False))
    if kind == "float":
        return trial.suggest_float(name, spec["low"], spec["high"], log=spec.get("log", False))
    if kind == "boolean":
        return trial.suggest_categorical(name, [False, True])
    return trial.suggest_categorical(name, spec["values"])


def main():
    request = json.loads(sys.stdin.readline())
    params = request["space"]["params"]
    names = ordered(params)
    # "default": TPESampler() as shipped (Optuna 5: multivariate for one objective); "group": also group=True,
    # which samples conditional parameters jointly per subspace, as ours does.
    group = request.get("variant") == "group"
    sampler = optuna.samplers.TPESampler(seed=request["seed"], group=group) if group else optuna.samplers.TPESampler(seed=request["seed"])
    study = optuna.create_study(direction="minimize", sampler=sampler)
    for _ in range(request["trials"]):
        trial = study.ask()
        chosen = {}
        for name in names:
            if active(params[name], chosen):
                chosen[name] = suggest(trial, name, params[name])
        print(json.dumps({"params": chosen}), flush=True)
        value = json.loads(sys.stdin.readline())["value"]
        study.tell(trial, value)
    print(json.dumps({"best": study.best_value}), flush=True)


if __name__ == "__main__":
    main()
