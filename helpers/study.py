"""Several seeds per configuration: the recipes, where each seed's run and result live, which seed ships.

Every (configuration, recipe, seed) is trained once, through main.py, into

    runs/study/<recipe label>/seed<N>/<config>/        (checkpoints; not shipped)
    results/study/<recipe label>/seed<N>/<config>.json (its test result; shipped)

so runs shared by two tables (the chosen recipe of LSTM-128 is also a row of
the ablation) are trained once. When all seeds of a configuration have
finished, the one with the best validation accuracy is copied to
weights/<config>/: chosen before any of them is tested.
"""
import json
import math
import os
import re
import shutil

from helpers.common import RUNS_DIR, SHIPPED_RESULTS_DIR
from helpers.configuration import config_name

SEEDS = (1, 2, 3)
STUDY_RUNS = os.path.join(RUNS_DIR, "study")

# The recipe of each basic configuration: main.py flags on top of its defaults (Adam 0.005 x0.97 per
# epoch, batch 128, at most 60 epochs, patience 12). At 32 units, distortions and dropout 0.2 together
# won on the validation split for both cells, and GRU-32 keeps its batch of 64 (tuning/README.md); the
# larger configurations take the same recipe untuned, except that the ablation below compares it on
# LSTM-128. The 32-unit models were still improving at the 60-epoch limit, and GRU-64 was stopped
# early by patience 12; at most 120 epochs with patience 20 won on validation for these three (a tie for
# LSTM-64; tuning/schedule_sweep.jsonl), so they train longer.
REGULARISED = {"augment": 1.0, "dropout": 0.2}
LONGER = {"epochs": 120, "patience": 20}
RECIPES = {(model, hidden): dict(REGULARISED) for model in ("lstm", "gru") for hidden in (32, 64, 128, 256)}
RECIPES[("lstm", 32)].update(LONGER)
RECIPES[("gru", 32)].update(LONGER, batch_size=64)
RECIPES[("gru", 64)].update(LONGER)

# What the recipe buys, on LSTM-128: each regulariser alone and both, against none (3 seeds each).
ABLATION_CONFIG = ("lstm", 128)
ABLATION = [("none", {}), ("augmentation", {"augment": 1.0}), ("dropout", {"dropout": 0.2}), ("both", REGULARISED)]

# A checkpoint folder's files, as download_weights.py ships them.
RUN_FILE = re.compile(r"^(config\.json|state\.json|log\.csv|best-\d+\.(index|data-\d+-of-\d+))$")


def label(recipe):
    """A recipe's folder name: its flags in order, "plain" for main.py's defaults ({"augment": 1.0,
    "dropout": 0.2} -> "augment1_dropout0.2")."""
    return "_".join("{}{:g}".format(k, v) for k, v in sorted(recipe.items())) or "plain"


def run_folder(recipe, seed):
    return os.path.join(STUDY_RUNS, label(recipe), "seed{}".format(seed))


def result_folder(recipe, seed, results_dir=SHIPPED_RESULTS_DIR):
    return os.path.join(results_dir, "study", label(recipe), "seed{}".format(seed))


def _read(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def state(recipe, seed, name):
    """The run's state.json, or None before its first epoch."""
    return _read(os.path.join(run_folder(recipe, seed), name, "state.json"))


def finished(recipe, seed, name):
    found = state(recipe, seed, name)
    return bool(found and found.get("finished"))


def tested(recipe, seed, name, results_dir=SHIPPED_RESULTS_DIR):
    """Whether the run's result file is of its finished run's best checkpoint, so that testing it again
    would write the same file (evaluation is deterministic)."""
    found, result = state(recipe, seed, name), _read(os.path.join(result_folder(recipe, seed, results_dir),
                                                                  name + ".json"))
    return bool(found and found.get("finished") and result and result.get("best_epoch") == found["best_epoch"]
                and result.get("val_accuracy") == found["best_val_accuracy"]
                and result.get("train_seconds") == round(found["train_seconds"], 1))


def best_seed(recipe, name, seeds=SEEDS):
    """The seed whose run reached the best validation accuracy (the first of equals); all must have finished."""
    return max(seeds, key=lambda seed: (state(recipe, seed, name)["best_val_accuracy"], -seed))


def ship(recipe, seed, name, weights_dir):
    """Copy one seed's run to weights_dir/<name>/, replacing what is there only once the copy is complete."""
    source, target = os.path.join(run_folder(recipe, seed), name), os.path.join(weights_dir, name)
    incoming, outgoing = target + ".incoming", target + ".outgoing"
    for stale in (incoming, outgoing):
        shutil.rmtree(stale, ignore_errors=True)
    os.makedirs(incoming)
    for file_name in sorted(os.listdir(source)):
        if RUN_FILE.match(file_name):
            shutil.copy2(os.path.join(source, file_name), os.path.join(incoming, file_name))
    if os.path.isdir(target):
        os.rename(target, outgoing)
    os.rename(incoming, target)
    shutil.rmtree(outgoing, ignore_errors=True)


def seed_results(recipe, name, results_dir=SHIPPED_RESULTS_DIR, seeds=SEEDS):
    """The test results of the seeds that have one, in seed order."""
    found = [_read(os.path.join(result_folder(recipe, seed, results_dir), name + ".json")) for seed in seeds]
    return [r for r in found if r]


def spread(values):
    """(mean, sample standard deviation) of a list; the deviation is 0 for one value."""
    mean = sum(values) / float(len(values))
    if len(values) < 2:
        return mean, 0.0
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def recipe_of(model, hidden):
    """The recipe a basic configuration is trained with, or None for any other configuration (a variant, a size
    of your own): those are single runs."""
    return RECIPES.get((model, hidden))


def basic_name(model, hidden):
    return config_name(model, [hidden])


def summary(model, hidden, results_dir=SHIPPED_RESULTS_DIR, recipe=None, seeds=SEEDS):
    """Test and validation accuracy over the tested seeds of a configuration's recipe (its chosen one unless
    given): {"recipe", "n", "test_mean", "test_sd", "val_mean", "val_sd", "seeds": [(seed, correct, count,
    val_accuracy)]}, or None if no seed has a result."""
    recipe = recipe_of(model, hidden) if recipe is None else recipe
    if recipe is None:
        return None
    found = seed_results(recipe, basic_name(model, hidden), results_dir, seeds)
    if not found:
        return None
    test_mean, test_sd = spread([r["test_accuracy"] for r in found])
    val_mean, val_sd = spread([r["val_accuracy"] for r in found])
    return {"recipe": recipe, "n": len(found), "test_mean": test_mean, "test_sd": test_sd, "val_mean": val_mean,
            "val_sd": val_sd, "seeds": [(r["config"]["seed"], r["test_correct"], r["test_count"], r["val_accuracy"])
                                        for r in found]}
