"""The memory tasks' result files (results/tasks/<task>.jsonl) and what every task's findings share: one
checked reader of the lines, grouping, the words for a group of runs through core/compare.py's rule,
and the curves over training. A run "succeeds" when its validation accuracy reached the target within the
step budget.
"""
import json
import os

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")  # files only, no screen needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from core.common import UserError, relpath  # noqa: E402
from core.compare import pair, spread, verdict  # noqa: E402
from core.figures import grid_in  # noqa: E402

TASK_STYLE = {"lstm": ("LSTM", "tab:blue", "o"), "gru": ("GRU", "tab:orange", "s"), "rnn": ("vanilla RNN", "tab:gray", "^")}
MODEL_ORDER = ("rnn", "lstm", "gru")
# The palindrome task's default setting (net.DEFAULTS); the ablation (FACTORS) changes one factor at a time.
ASSIGNMENT = {"encoding": "scalar", "recurrent_init": "orthogonal", "keep_bias": 1.0}
FACTORS = (("encoding", "onehot", "one-hot digits instead of scalars"),
           ("recurrent_init", "gaussian", "W_h from N(0, 0.01^2) instead of orthogonal"),
           ("keep_bias", 0.0, "keep-gate bias 0 instead of 1"))
REQUIRED = {"task": str, "model": str, "hidden": int, "length": int, "seed": int, "test_accuracy": float,
            "validation_accuracy": float, "stopped": str, "steps": int, "steps_done": int, "curve": list, "encoding": str,
            "recurrent_init": str}
NEEDED = {"binary_addition": {"loss": str, "test_bit_accuracy_by_length": dict}, "palindrome": {}, "recall": {}}


def _check(record, task, where):
    if not isinstance(record, dict):
        raise UserError("{}: a result line must be a JSON object, not {}".format(where, type(record).__name__))
    if "validation_accuracy" not in record and "accuracy" in record:
        raise UserError("{}: written by an older version of these tasks, without a validation set; delete that "
                        "line and train that run again".format(where))
    for key, kind in dict(REQUIRED, **NEEDED[task]).items():
        value = record.get(key)
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) if kind is float else \
            isinstance(value, kind) and not isinstance(value, bool)
        if not ok:
            raise UserError("{}: {!r} must be {}, not {!r}".format(where, key, {float: "a number", int: "a whole number",
                                                                             str: "a string", list: "a list",
                                                                             dict: "an object"}[kind], value))
    import math
    for key in ("test_accuracy", "validation_accuracy"):
        if not 0 <= record[key] <= 1:  # also turns away nan
            raise UserError("{}: {!r} must be a fraction from 0 to 1, not {!r}".format(where, key, record[key]))
    for point in record["curve"]:
        values = point.values() if isinstance(point, dict) else point if isinstance(point, list) else [point]
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in values):
            raise UserError("{}: 'curve' must hold finite numbers, not {!r}".format(where, point))
    if record["task"] != task or record["model"] not in TASK_STYLE:
        raise UserError("{}: a {} result with model {!r} does not belong here".format(where, record["task"],
                                                                                     record["model"]))


def load_task(results_dir, task, file_name=None):
    """The task's result records; a damaged line is one error naming the file, the line and the fix.
    file_name: another file of the same task's lines (the same setting trained elsewhere)."""
    path = os.path.join(results_dir, file_name or task + ".jsonl")
    if not os.path.isfile(path):
        return []
    records = []
    try:
        with open(path, "rb") as f:
            lines = f.read().decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise UserError("{} is not UTF-8 text; restore it from the copy this folder came from, or delete it and "
                        "train its runs again".format(relpath(path)))
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = "{} line {}".format(relpath(path), number)
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            raise UserError("{} is not valid JSON; delete that line (or restore the file from the copy this folder "
                            "came from)".format(where))
        _check(record, task, where)
        records.append(record)
    return records


def setting(record):
    """(encoding, recurrent_init, keep_bias) of a run; the RNN has no keep gate (None)."""
    keep = record.get("keep_bias")
    return record["encoding"], record["recurrent_init"], None if keep is None else float(keep)


def is_assignment(record):
    enc, init, keep = setting(record)
    return enc == ASSIGNMENT["encoding"] and init == ASSIGNMENT["recurrent_init"] and keep in (None, 1.0)


def by(records, *keys):
    groups = {}
    for r in records:
        groups.setdefault(tuple(r[k] for k in keys), []).append(r)
    return groups


def models(records):
    return sorted({r["model"] for r in records}, key=MODEL_ORDER.index)


def pct(x):
    return "{:.1f}%".format(100.0 * x)


def successes(rows):
    return "{}/{}".format(sum(r["stopped"] == "target" for r in rows), len(rows))


def accuracies(rows):
    return [r["test_accuracy"] for r in rows]


def mean_sd(rows, key="test_accuracy"):
    mean, sd = spread([r[key] for r in rows])
    return "{} +- {:.1f}".format(pct(mean), 100 * sd)


def versus(name_a, a, name_b, b):
    """Two groups of runs in words. Where every run of both reached the target, their test accuracies only say
    where they stopped (just past the target), so the steps it took are compared instead; otherwise the test
    accuracies are. Both through the comparison rule."""
    if all(r["stopped"] == "target" for r in a + b):
        steps_a, steps_b = [r["steps_done"] for r in a], [r["steps_done"] for r in b]
        word = {"lower": "in fewer steps than", "higher": "in more steps than", "tie": "in as many steps (a tie) as",
                "one run": "(not compared, fewer than 3 seeds) as"}[verdict(steps_a, steps_b)]
        return "{} reaches the target {} {} ({:,.0f} against {:,.0f} steps on average)".format(
            name_a, word, name_b, np.mean(steps_a), np.mean(steps_b))
    return pair(name_a, accuracies(a), name_b, accuracies(b))


def curves(records, fig, box, group_key, title, label_of):
    """Validation accuracy and training loss over steps, mean over seeds, one line per group."""
    grid = grid_in(fig, box, 1, 2, wspace=0.35)
    acc_ax, loss_ax = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
    groups = sorted(by(records, *group_key).items())
    cmap = plt.get_cmap("viridis")
    for k, (key, rows) in enumerate(groups):
        color = TASK_STYLE[key[0]][1] if group_key == ("model",) else cmap(k / max(1, len(groups) - 1))
        longest = max(len(r["curve"]) for r in rows)
        # a run that stopped early keeps its last value (it had reached the target)
        padded = np.array([r["curve"] + [r["curve"][-1]] * (longest - len(r["curve"])) for r in rows])
        steps = np.array(max((r["curve"] for r in rows), key=len))[:, 0]  # [points, columns] -> [points]
        acc_ax.plot(steps, 100 * padded[:, :, 3].mean(0), color=color, label=label_of(key))
        loss_ax.plot(steps, padded[:, :, 1].mean(0), color=color, label=label_of(key))
    acc_ax.set_ylabel("validation accuracy (%)")
    mixed = "loss" in group_key and len({key[group_key.index("loss")] for key, _ in groups}) > 1
    loss_ax.set_ylabel("training loss (log){}".format("; each run's own loss" if mixed else ""))
    loss_ax.set_yscale("log")
    loss_ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: "{:g}".format(v)))
    loss_ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())  # "2 x 10^-1" labels ran into the axis label
    for ax in (acc_ax, loss_ax):
        ax.set_xlabel("training step")
        ax.grid(True, alpha=0.3)
    acc_ax.legend(fontsize=8)  # one legend for both panels (the same colours), where it covers no loss curve
    fig.text((box[0] + box[2]) / 2, box[3] + 0.12 / fig.get_size_inches()[1], title + "; means over seeds", fontsize=10, ha="center",
             va="bottom")
    return True
