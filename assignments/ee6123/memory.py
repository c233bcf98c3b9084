"""Questions 2 and 3: the runs of the two memory tasks (recall of the k-th digit, binary addition), each trained
once. A run is one setting (assignments.memory.net.setting) and one seed; its result is one JSON line of
results/tasks/<task>.jsonl, and a run whose line is already there is not trained again.
"""
import json
import os

from core.common import UserError, append_line, log, relpath
from core.figures import png
from assignments.memory import figures, net
from assignments.memory.task_runs import load_task

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TINY = {"steps": 100, "validation_size": 200, "test_size": 200}  # --preset tiny: a check that it runs
# (file name, drawing, size in inches) of each task's figures, drawn from all of its result lines.
DRAWINGS = {"recall": (("recall.png", figures.recall, (6.4, 4.2)), ("recall_curves.png", figures.recall_curves, (9.6, 3.8))),
            "binary_addition": (("binary_addition.png", figures.addition, (6.4, 4.2)),
                                ("binary_addition_curves.png", figures.addition_curves, (9.6, 3.8)),
                                ("binary_addition_hidden.png", figures.addition_hidden, (6.4, 4.2)))}


def results_dir(tiny=False):
    return os.path.join(ROOT, "results", "ee6123", "tasks_tiny") if tiny else os.path.join(ROOT, "results", "tasks")


def numbers(name, text, low, high, example):
    """A comma list of whole numbers from a flag, checked; `example` is a valid value, for the error line."""
    try:
        values = sorted({int(v) for v in str(text).split(",")})
    except ValueError:
        values = []
    if not values or values[0] < low or values[-1] > high:
        raise UserError("{} takes whole numbers from {} to {} separated by commas, like {}, not {!r}".format(
            name, low, high, example, text))
    return values


def settings(task, seeds, tiny=False, **grid):
    """Every setting of `grid` (each key a list: hidden, length, loss) for each seed, in order."""
    runs = [{}]
    for key, values in grid.items():
        runs = [dict(r, **{key: v}) for r in runs for v in values]
    extra = TINY if tiny else {}
    return [net.setting(task, seed=seed, **dict(r, **extra)) for r in runs for seed in seeds]


def _same(record, s):
    return all(record.get(k) == v for k, v in s.items())


def train_missing(wanted, folder):
    """Train the settings without a result line in `folder` (one at a time), appending each line as it ends."""
    for s in wanted:
        net.check_memory(s, lower="--H or --L")  # every run fits before the first starts
    task = wanted[0]["task"]
    path = os.path.join(folder, task + ".jsonl")
    if os.path.isdir(path):
        raise UserError("{} is a folder, where the results go; move it aside".format(relpath(path)))
    kept = load_task(folder, task)
    todo = [s for s in wanted if not any(_same(r, s) for r in kept)]
    log("{}: {} of {} runs already in {}, {} to train".format(task, len(wanted) - len(todo), len(wanted),
                                                             relpath(path), len(todo)))
    for number, s in enumerate(todo, 1):
        log("run {} of {}".format(number, len(todo)))
        record = net.train(s)
        append_line(path, json.dumps(record, sort_keys=True))
    return [r for r in load_task(folder, task) if any(_same(r, s) for s in wanted)]


def draw(task, folder):
    """The task's figures from every line of its result file, as PNGs beside it. Returns the paths written."""
    records = load_task(folder, task)
    if not records:
        raise UserError("no {} results in {}; train them first".format(task, relpath(folder)))
    written = [png(lambda fig, box, d=drawing: d(records, fig, box), os.path.join(folder, name), size)
               for name, drawing, size in DRAWINGS[task]]
    return [p for p in written if p]


def printout(records):
    """The randomised test of each hidden size's first seed, as the recall runs recorded it."""
    lines = []
    for r in sorted(records, key=lambda r: (r["hidden"], r["seed"])):
        if r["seed"] == min(x["seed"] for x in records if x["hidden"] == r["hidden"]) and r.get("printout"):
            lines.append("H = {} (seed {}), the digit at position {}:".format(r["hidden"], r["seed"], r["position"]))
            for p in r["printout"]:
                lines.append("  Input Sequence {}  Truth {}  Prediction {}".format(p["input"], p["truth"],
                                                                                 p["prediction"]))
    return "\n".join(lines)
