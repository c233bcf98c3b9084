"""Several seeds per configuration: the recipes, where each seed's run and result live, their mean and spread
(main.py --test sets your run beside them), and which seed's run goes to weights/.

Every (configuration, recipe, seed) is trained once, through main.py, into

    runs/study/<recipe label>/seed<N>/<config>/        (checkpoints)
    results/study/<recipe label>/seed<N>/<config>.json (its test result)

so runs shared by two of the studies defined below (ABLATION, the grid, L2, BEST, BASELINES; the chosen
recipe of LSTM-128 is also a row of the ablation) are trained once. When all seeds of a configuration have
finished, the one with the best validation accuracy is copied to weights/<config>/: chosen before any of
them is tested.
"""
import json
import math
import os
import shutil

from core.folders import swap_in
from core.runs import RUN_FILE
from core.common import RUNS_DIR, RESULTS_DIR
from core import recipes
from core.config import Arch
from core.results import of_checkpoint, read_if_there

SEEDS = (1, 2, 3)
STUDY_RUNS = os.path.join(RUNS_DIR, "study")

# The recipes are data of the configuration object (core/recipes.py).
REGULARISED = recipes.REGULARISED
RECIPES = {(m, h): recipes.RECIPES[Arch(m, (h,)).name] for m in ("lstm", "gru") for h in (32, 64, 128, 256)}

# What the recipe buys, on LSTM-128: each regulariser alone and both, against none (3 seeds each).
ABLATION_CONFIG = ("lstm", 128)
ABLATION = [("none", {}), ("augmentation", {"augment": 1.0}), ("dropout", {"dropout": 0.2}), ("both", REGULARISED)]

# The grid of cells: every cell at 64, 128 and 64,64 units, one-directional and bidirectional,
# each with its recipe (the recorded one of a configuration in weights/, else the general default), one seed
# where no conclusion is drawn from it (those in weights/ have their three).
GRID_MODELS = ("rnn", "lstm", "gru")
GRID_LAYERS = ([64], [128], [64, 64])
# Weight decay 0.01 against none, on LSTM-128 with its recipe, 3 seeds each.
L2_CONFIG = ("lstm", [128])
L2 = [("no L2", REGULARISED), ("L2 0.01", dict(REGULARISED, l2=0.01))]
# The strongest row-reader tried: two bidirectional LSTM layers of 128 (3 seeds, the general recipe).
BEST = ("lstm", [128, 128], True)
# The non-recurrent baselines, networks without recurrence at about LSTM-128's 81,674 weights
# (3 seeds each, the general recipe): an MLP, one dense ReLU layer of 103 units on all 784 pixels (81,895
# weights), and a CNN, two convolutions and a dense layer of 48 units (80,602; core.arch.CONVOLUTIONS).
BASELINE = ("mlp", [103])
CNN_BASELINE = ("cnn", [48])
BASELINES = (BASELINE, CNN_BASELINE)


def grid():
    """[(name, model, layers, bidirectional, recipe, seeds)] of the grid, the L2 comparison and the best
    row-reader, each run once even where two of them share it."""
    runs, seen = [], set()
    wanted = [(m, layers, bi, None) for m in GRID_MODELS for layers in GRID_LAYERS for bi in (False, True)]
    wanted += [(L2_CONFIG[0], L2_CONFIG[1], False, recipe) for _, recipe in L2]
    wanted += [(BEST[0], BEST[1], BEST[2], None)] + [(m, layers, False, None) for m, layers in BASELINES]
    for model, layers, bi, recipe in wanted:
        arch = Arch(model, tuple(layers), bi)
        source, chosen = recipes.recipe_for(arch, GRID_RECIPES)
        recipe = chosen if recipe is None else recipe
        name = arch.name
        seeds = SEEDS if (source != "general" or recipe.get("l2") or (model, layers, bi) == BEST
                          or (model, layers) in BASELINES) else (1,)
        if (name, label(recipe)) not in seen:
            seen.add((name, label(recipe)))
            runs.append((name, model, layers, bi, recipe, seeds))
    return runs



def label(recipe):
    """A recipe's folder name: its flags in order, "plain" for main.py's defaults ({"augment": 1.0,
    "dropout": 0.2} -> "augment1_dropout0.2")."""
    return "_".join("{}{}".format(k, v if isinstance(v, str) else "{:g}".format(v))
                    for k, v in sorted(recipe.items())) or "plain"


# Which runtime trained a seed run: TensorFlow 2's runs sit directly under study/<recipe label>/; a run on
# TensorFlow 1.5 is filed apart, in a tf1.5/ folder of study/ that the first such run creates (the same recipe,
# another runtime: another run). The seeds' means are WEIGHTS_RUNTIME's, whichever runtime computes them.
RUNTIMES = ("tf2", "tf1.5")
WEIGHTS_RUNTIME = "tf1.5"
# The studies beside the basic configurations' seeds (the ablation, the grid, the L2 comparison, the best
# row-reader, the baselines) were trained on TensorFlow 2, the grid's basic configurations with the early-stop
# recipes: they are read there whichever runtime and recipes the basic configurations' seeds have.
STUDIES_RUNTIME = "tf2"
GRID_RECIPES = "early-stop"


def current_runtime():
    """The runtime this process trains with ("tf2" or "tf1.5"); imports TensorFlow, so only where it trains."""
    from core.tfcompat import TF_VERSION
    return "tf1.5" if TF_VERSION.startswith("1.") else "tf2"


def _under(runtime):
    if runtime not in RUNTIMES:
        raise ValueError("unknown runtime {!r}".format(runtime))
    return () if runtime == "tf2" else (runtime,)


def run_folder(recipe, seed, runtime=None):
    return os.path.join(STUDY_RUNS, *_under(runtime or WEIGHTS_RUNTIME) + (label(recipe), "seed{}".format(seed)))


def results_of(runtime=None, results_dir=RESULTS_DIR):
    """The folder of a runtime's seed results: results/study/ (TensorFlow 2) or results/study/tf1.5/."""
    return os.path.join(results_dir, "study", *_under(runtime or WEIGHTS_RUNTIME))


def result_folder(recipe, seed, results_dir=RESULTS_DIR, runtime=None):
    return os.path.join(results_of(runtime, results_dir), label(recipe), "seed{}".format(seed))


def _read(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def state(recipe, seed, name, runtime=None):
    """The run's state.json, or None before its first epoch."""
    return _read(os.path.join(run_folder(recipe, seed, runtime), name, "state.json"))


def finished(recipe, seed, name, runtime=None):
    found = state(recipe, seed, name, runtime)
    return bool(found and found.get("finished"))


def has_result(recipe, seed, name, results_dir=RESULTS_DIR, runtime=None):
    """Whether the run has a test result file (it may have been trained elsewhere, so that runs/ is empty here)."""
    return os.path.isfile(os.path.join(result_folder(recipe, seed, results_dir, runtime), name + ".json"))


def tested(recipe, seed, name, results_dir=RESULTS_DIR, runtime=None):
    """Whether the run's result file is of its finished run's best checkpoint, so that testing it again
    would write the same file (evaluation is deterministic)."""
    found = state(recipe, seed, name, runtime)
    result = read_if_there(os.path.join(result_folder(recipe, seed, results_dir, runtime), name + ".json"))
    return bool(found and found.get("finished") and result and of_checkpoint(result, found))


def best_seed(recipe, name, seeds=SEEDS, runtime=None):
    """The seed whose run reached the best validation accuracy (the first of equals); all must have finished."""
    return max(seeds, key=lambda seed: (state(recipe, seed, name, runtime)["best_val_accuracy"], -seed))


def copy_run(recipe, seed, name, weights_dir, runtime=None):
    """Copy one seed's run to weights_dir/<name>/, replacing what is there only once the copy is complete."""
    source, target = os.path.join(run_folder(recipe, seed, runtime), name), os.path.join(weights_dir, name)
    incoming = target + ".incoming"
    shutil.rmtree(incoming, ignore_errors=True)
    os.makedirs(incoming)
    for file_name in sorted(os.listdir(source)):
        if RUN_FILE.match(file_name):
            shutil.copy2(os.path.join(source, file_name), os.path.join(incoming, file_name))
    swap_in(incoming, target, keep_old=False)


def seed_results(recipe, name, results_dir=RESULTS_DIR, seeds=SEEDS, runtime=None):
    """The test results of the seeds that have one, in seed order."""
    found = [read_if_there(os.path.join(result_folder(recipe, seed, results_dir, runtime), name + ".json"))
             for seed in seeds]
    return [r for r in found if r]


def spread(values):
    """(mean, sample standard deviation) of a list; the deviation is 0 for one value."""
    mean = sum(values) / float(len(values))
    if len(values) < 2:
        return mean, 0.0
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def recipe_of(model, hidden, which="recorded"):
    """The recipe a basic configuration is trained with (in the recorded set, or the named set `which` of
    core/recipes.py), or None for any other configuration (a variant, a size of your own): those are single
    runs."""
    if which != "recorded":
        return recipes.SETS[which].get(Arch(model, (hidden,)).name)
    return RECIPES.get((model, hidden))


def basic_name(model, hidden):
    return Arch(model, (hidden,)).name


def summary(model, hidden, results_dir=RESULTS_DIR, recipe=None, seeds=SEEDS, runtime=None):
    """Test and validation accuracy over the tested seeds of a configuration's recipe (its chosen one unless
    given): {"recipe", "n", "test_mean", "test_sd", "val_mean", "val_sd", "seeds": [(seed, correct, count,
    val_accuracy)]}, or None if no seed has a result."""
    recipe = recipe_of(model, hidden) if recipe is None else recipe
    if recipe is None:
        return None
    found = seed_results(recipe, basic_name(model, hidden), results_dir, seeds, runtime)
    if not found:
        return None
    test_mean, test_sd = spread([r["test_accuracy"] for r in found])
    val_mean, val_sd = spread([r["val_accuracy"] for r in found])
    return {"recipe": recipe, "n": len(found), "test_mean": test_mean, "test_sd": test_sd, "val_mean": val_mean,
            "val_sd": val_sd, "seeds": [(r["config"]["seed"], r["test_correct"], r["test_count"], r["val_accuracy"])
                                        for r in found]}
