"""The NumPy RNN sweep's result file, mnist4.json (assignments/numpy_rnn/mnist4.py writes it): its checked reader,
the check of a rate's curves that the sweep's resume uses too, and its figure (mnist4.png, and the report's page).
"""
import os

import numpy as np

from core.common import UserError, read_json, relpath


# What readers of mnist4.json use (the report's page, the IE643 hand-in's README), with their types.
FIELDS = {"classes": list, "batch_size": int, "curves": dict, "best_rate": str, "best_epoch": int,
          "best_val_accuracy": float, "test_accuracy": float, "test_correct": int, "test_count": int,
          "seconds_per_epoch": (int, float)}
NEW_FIELDS = {"stopped": dict, "patience": int, "clip_norm": (int, float), "machine": dict}  # since the fair budget


def read_result(path, new=False):
    """mnist4.json, checked: a damaged file (or, with new=True, one from before the fair budget) is one UserError
    naming what is wrong and how to write it again."""
    result = read_json(path)
    fix = "; write it again: python -m assignments.numpy_rnn.mnist4 --out={}".format(relpath(os.path.dirname(path)))
    if not isinstance(result, dict):
        raise UserError("{} is not a result object{}".format(relpath(path), fix))
    for name, kind in dict(FIELDS, **NEW_FIELDS).items():
        value = result.get(name)
        if value is None and name in NEW_FIELDS and not new:
            continue  # an older file: the report still reads it
        if not isinstance(value, kind) or isinstance(value, bool):
            raise UserError("{}: {} is {}{}".format(relpath(path), name, "missing" if value is None else
                                                   "not a " + getattr(kind, "__name__", "number"), fix))
    if result["best_rate"] not in result["curves"] or not all(
            isinstance(rows, list) and all(isinstance(r, dict) for r in rows) for rows in result["curves"].values()) \
            or not 1 <= result["best_epoch"] <= len(result["curves"][result["best_rate"]]):
        raise UserError("{}: curves do not hold best_rate {}'s rows to its best_epoch{}".format(
            relpath(path), result["best_rate"], fix))
    if not all(isinstance(why, str) for why in result.get("stopped", {}).values()):
        raise UserError("{}: stopped holds something other than reasons{}".format(relpath(path), fix))
    for rate, rows in sorted(result["curves"].items()):  # numbers the page prints: finite, accuracies in [0, 1]
        problem = curves_problem(rows)
        if problem:
            raise UserError("{}: rate {}: {}{}".format(relpath(path), rate, problem.replace("its curves'", "the"),
                                                       fix))
    chosen = result["curves"][result["best_rate"]][result["best_epoch"] - 1]["val_accuracy"]
    if result["best_val_accuracy"] != chosen or not 0 <= result["test_accuracy"] <= 1:
        raise UserError("{}: best_val_accuracy {!r} or test_accuracy {!r} is not what its curves and test count "
                        "say{}".format(relpath(path), result["best_val_accuracy"], result["test_accuracy"], fix))
    return result


ABLATION = "clip_norm_5"  # beside mnist4.json: the same sweep with --clip_norm=5, the only change


def read_ablation(folder):
    """The clipping ablation's result beside a sweep's folder, checked, or None where it was not run."""
    path = os.path.join(folder, ABLATION, "mnist4.json")
    return read_result(path, new=True) if os.path.isfile(path) else None


def method(result):
    """How a sweep's steps were taken, in words (files from before --clip_norm clipped at norm 5)."""
    clip = result.get("clip_norm", 5)
    return "SGD with gradients clipped at norm {:g}".format(clip) if clip else "plain SGD"


PLOT_SIZE = (10, 4)  # inches


def draw(result, fig, box):
    """The sweep's curves into box (figure fractions: left, bottom, right, top) of fig: the PNG, or the
    report's page, where they stay vector."""
    from core.figures import grid_in
    grid = grid_in(fig, box, 1, 2, wspace=0.25)
    left, right = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
    for k, (rate, curves) in enumerate(sorted(result["curves"].items(), key=lambda kv: -float(kv[0]))):
        color = "C{}".format(k)
        why = result.get("stopped", {}).get(rate, "")
        if why.startswith("diverged"):  # nothing to draw: named in the legend
            right.plot([], [], color=color, label="rate {}: {}".format(rate, why))
        if not curves:
            continue
        epochs = [r["epoch"] for r in curves]
        for ax, key in ((left, "loss"), (right, "accuracy")):
            ax.plot(epochs, [r["train_" + key] for r in curves], color=color, linestyle="--",
                    label="train, rate {}".format(rate))
            ax.plot(epochs, [r["val_" + key] for r in curves], color=color, label="validation, rate {}".format(rate))
    chosen = result["curves"][result["best_rate"]][result["best_epoch"] - 1]
    right.plot([chosen["epoch"]], [chosen["val_accuracy"]], "ko", markersize=4, label="chosen on validation")
    left.set_ylabel("cross-entropy")
    right.set_ylabel("accuracy")
    for ax in (left, right):
        ax.set_xlabel("epoch")
        ax.grid(True, alpha=0.3)
    right.legend(fontsize=7)
    fig.text((box[0] + box[2]) / 2, box[3] + 0.12 / fig.get_size_inches()[1],
             "NumPy RNN on MNIST 0/5/6/9, {}: best rate {} on validation, test accuracy {:.2%}".format(
                 method(result), result["best_rate"], result["test_accuracy"]),
             ha="center", va="bottom")
    return True


def plot(result, path):
    from core.figures import png
    png(lambda fig, box: draw(result, fig, box), path, PLOT_SIZE, dpi=110)


CURVE_KEYS = ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "seconds")


def curves_problem(curves):
    """What is wrong with a rate's curves (rows of epochs 1, 2, ... with finite numbers, accuracies in [0, 1]),
    or None."""
    if not isinstance(curves, list):
        return "its curves are not a list of epochs"
    for number, row in enumerate(curves, 1):
        if not isinstance(row, dict) or row.get("epoch") != number or isinstance(row.get("epoch"), bool):
            return "its curves' row {} is not epoch {}".format(number, number)
        for key in CURVE_KEYS:
            value = row.get(key)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not np.isfinite(value) or \
                    key.endswith("accuracy") and not 0 <= value <= 1 or value < 0:
                return "epoch {}'s {} is {!r}, not a finite number{}".format(
                    number, key, value, " in [0, 1]" if key.endswith("accuracy") else "")
    return None
