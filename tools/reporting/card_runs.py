"""Which result files Report.pdf reads beside the runs in weights/ and their seeds: the baselines' seeds, the
LSTM-128 seeds trained as they were, the other runtime's seeds of the same recipes, and the card's older
TensorFlow 1.5 row. tools/reporting/card.py writes the page from them; the Assignment 4 hand-in packs them.
"""
import os

from core import study
from core.config import Arch
from core.recipes import GENERAL, recipe_for
from core.results import read_if_there

TF15_DIR = "tf1.5"  # results/tf1.5/seed<N>/lstm_h32.json: the card's command on the pinned runtime
CARD_NAME = ("lstm", 32)


def _seed_accuracies(results_dir, folder, name):
    """The results of the seeds filed under results_dir/<folder>/seed<N>/<name>.json (those there), each read and
    checked by core/results.py's one reader."""
    found = [read_if_there(os.path.join(results_dir, folder, "seed{}".format(seed), name + ".json"))
             for seed in study.SEEDS]
    return [r for r in found if r]


def baselines(results_dir):
    """[(model, layers, [results of its seeds])] of the non-recurrent baselines that have results."""
    out = []
    for model, layers in study.BASELINES:
        source_recipe = recipe_for(Arch(model, tuple(layers)))[1]
        found = _seed_accuracies(results_dir, os.path.join("study", study.label(source_recipe)),
                                 Arch(model, tuple(layers)).name)
        if found:
            out.append((model, layers, found))
    return out


def tf15_runs(results_dir):
    """The card's LSTM-32 seeds of the earlier recipe on TensorFlow 1.5 (results/tf1.5/): a row of the page only
    while the shipped runs are TensorFlow 2's."""
    if study.WEIGHTS_RUNTIME != "tf2":
        return []
    return _seed_accuracies(results_dir, TF15_DIR, Arch(CARD_NAME[0], (CARD_NAME[1],)).name)


# The baselines were trained on TensorFlow 2; they are compared with the LSTM-128 seeds trained as they were
# (their recipe, their runtime), which are the shipped LSTM-128's seeds only while those are TensorFlow 2's and of
# the same recipe.
BASELINE_RUNTIME = study.STUDIES_RUNTIME
REFERENCE = ("lstm", 128)


def reference_runs(results_dir):
    """The LSTM-128 seeds trained as the baselines were: the general recipe, on BASELINE_RUNTIME."""
    arch = Arch(REFERENCE[0], (REFERENCE[1],))
    return study.seed_results(dict(GENERAL[arch.model]), arch.name, results_dir, runtime=BASELINE_RUNTIME)


def extra_files(results_dir, leave_out=()):
    """The result files the page reads beyond the shipped results and their seeds, those there: the baselines'
    seeds, their reference LSTM-128's, the other runtime's seeds of the shipped recipes (but for the
    configurations named in `leave_out`), the old pinned LSTM-32 row's (each path under results_dir)."""
    paths = []
    for model, layers in study.BASELINES + ((REFERENCE[0], [REFERENCE[1]]),):
        arch = Arch(model, tuple(layers))
        paths += [os.path.join(study.result_folder(dict(GENERAL[model]), seed, results_dir,
                                                   runtime=BASELINE_RUNTIME), arch.name + ".json")
                  for seed in study.SEEDS]
    for model in ("lstm", "gru"):
        for hidden in (h for h in (32, 64, 128, 256) if study.basic_name(model, h) not in leave_out):
            paths += [os.path.join(study.result_folder(study.recipe_of(model, hidden), seed, results_dir,
                                                       runtime=other_runtime()), study.basic_name(model, hidden) +
                                   ".json") for seed in study.SEEDS]
    if study.WEIGHTS_RUNTIME == "tf2":
        paths += [os.path.join(results_dir, TF15_DIR, "seed{}".format(seed), Arch(CARD_NAME[0], (
            CARD_NAME[1],)).name + ".json") for seed in study.SEEDS]
    return [p for p in paths if os.path.isfile(p)]


def other_runtime():
    return [r for r in study.RUNTIMES if r != study.WEIGHTS_RUNTIME][0]


def alike_runs(result, results_dir):
    """A shipped configuration's seeds of the same recipe on the other runtime (a comparison, not the record)."""
    recipe = study.recipe_of(result["model"], result["hidden_unit"])
    return study.seed_results(recipe, result["name"], results_dir, runtime=other_runtime()) if recipe else []
