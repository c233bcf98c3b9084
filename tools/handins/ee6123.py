"""EE6123 Assignment 3, as a student hands it in: EE6123_<roll>/ with q1.py, q2.py and q3.py (one per question)
and all the code they run, the result files behind every figure, a README with one command per question, and
the report made for the roll and the author (tools/reporting/ee6123.py)."""
import ast
import glob
import os

from core.common import PROJECT_DIR, UserError
from tools.handins.common import HandIn, project_files, requirements_of

# The three programs, and main.py, which q1.py runs once per seed; every module they import, lazily or not, is
# found by following the imports (closure), so that the folder holds what they run and nothing else.
QUESTIONS = ("q1.py", "q2.py", "q3.py")
PROGRAMS = ("main.py",)
TASK_FILES = ("recall.jsonl", "recall.png", "recall_curves.png", "binary_addition.jsonl", "binary_addition.png",
              "binary_addition_curves.png", "binary_addition_hidden.png")


def ee6123_files(yours=()):
    """[(path in the project, path in the hand-in)]: the programs at the top, the modules where they import
    them from, and the results (Question 1's per seed and its figures, the pilot of the rates, the tasks')."""
    wanted = [("assignments/ee6123/" + q, q) for q in QUESTIONS] + [(p, p) for p in closure(
        ["assignments/ee6123/" + q for q in QUESTIONS] + list(PROGRAMS)) if not p.startswith("assignments/ee6123/q")]
    wanted += [(p, p) for p in project_files("results/ee6123", lambda p: p.startswith(
        ("results/ee6123/q1/", "results/ee6123/q1_rates.json")))]
    wanted += [("results/tasks/" + n, "results/tasks/" + n) for n in TASK_FILES]
    missing = [p for p, _ in wanted if not os.path.isfile(os.path.join(PROJECT_DIR, p))]
    if missing:
        raise UserError("{} is missing (and {} more); {}".format(missing[0], len(missing) - 1, _fix(missing[0])))
    if not any(name.endswith(".json") and name.startswith("results/ee6123/q1/") for _, name in wanted):
        raise UserError("Question 1 has no results in results/ee6123/q1; {}".format(_fix("results/ee6123/q1")))
    return wanted


def _module(name):
    """The project file of a dotted module name (a module, or a package's __init__.py), or None."""
    base = os.path.join(*name.split("."))
    for path in (base + ".py", os.path.join(base, "__init__.py")):
        if os.path.isfile(os.path.join(PROJECT_DIR, path)):
            return path.replace(os.sep, "/")
    return None


def closure(starts):
    """The project's .py files that `starts` import, directly or through each other, with them, sorted. The
    top-level `assignments` package's own __init__.py is left out: a namespace package needs none."""
    found, todo = set(), list(starts)
    while todo:
        path = todo.pop()
        if path in found:
            continue
        found.add(path)
        if path == "core/unroll.py":  # it finds the other unrollers by their files (core/unroll_<name>.py)
            todo += sorted(os.path.relpath(p, PROJECT_DIR).replace(os.sep, "/")
                           for p in glob.glob(os.path.join(PROJECT_DIR, "core", "unroll_*.py")))
        with open(os.path.join(PROJECT_DIR, path)) as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module] + [
                node.module + "." + a.name for a in node.names] if isinstance(node, ast.ImportFrom) and \
                node.module and not node.level else []
            for name in names:
                parts = name.split(".")
                todo += [p for p in (_module(".".join(parts[:i])) for i in range(1, len(parts) + 1)) if p]
    return sorted(p for p in found if p != "assignments/__init__.py")


def _fix(path):
    """What makes a missing file of the hand-in."""
    if path.startswith("results/tasks/"):
        return "run python3 assignments/ee6123/{} first".format("q2.py" if "recall" in path else "q3.py")
    if path.startswith("results/"):
        return "run python3 assignments/ee6123/q1.py --all (or one row of it) first"
    return "restore it from the copy this folder came from"


def ee6123_report(roll, author):
    from tools.reporting.ee6123 import report_pdf
    return report_pdf(roll, author)


README_EE6123 = """# EE6123 Assignment 3 ({roll}{by})

The report is `EE6123_{roll}_report.pdf`. Each question has its program; each trains what its question needs,
draws the report's figures and prints its numbers. Runs whose results are already in `results/` are not trained
again (delete a result to train it afresh), and a run that is interrupted resumes when its command is given
again.

## Install

    python3 -m venv venv && . venv/bin/activate
    pip install -r requirements.txt

MNIST's four IDX files (`.gz` or not) go in `../data`, beside this folder, or pass `--data_dir=<folder>`
to `q1.py`.

## Question 1: RNN, LSTM and GRU on MNIST rows

    python3 q1.py --model LSTM --bi 1 -l 64      # one row of the grid: its three seeds, trained and tested
    python3 q1.py --all                          # every row: RNN, LSTM, GRU x 64, 128, 64,64 x one way, both ways
    python3 q1.py --plot                         # the table and the figures from the results only
    python3 q1.py --model RNN --bi 0 -l 128 --seeds 1 --rates 0.01,0.003,0.001   # the RNN's rate, on validation

Results: `results/ee6123/q1/seed<N>/<model>.json` (test accuracy and the curves per epoch), figures
`results/ee6123/q1/curves_rnn.png`, `curves_lstm.png`, `curves_gru.png`, `accuracy.png`.

## Question 2: recall of the k-th digit

    python3 q2.py --H 2,5,10

Results: `results/tasks/recall.jsonl`; figures `results/tasks/recall.png`, `recall_curves.png`.

## Question 3: binary addition, MSE against cross-entropy

    python3 q3.py --loss MSE,CE --L 3,5,10
    python3 q3.py --loss MSE,CE --L 5 --H 2,3,5,10

Results: `results/tasks/binary_addition.jsonl`; figures `results/tasks/binary_addition.png`,
`binary_addition_curves.png`, `binary_addition_hidden.png`.

Each program takes `--preset tiny` (a few steps, in folders of their own) to check that it runs, and `--help`.

## Files

| file | what it holds |
|---|---|
| `q1.py`, `q2.py`, `q3.py` | one program per question |
| `main.py`, `train.py`, `evaluate.py` | training and testing one MNIST model (`q1.py` runs `main.py`) |
| `cells.py`, `model.py` | the RNN, LSTM and GRU cells; the network over the 28 rows |
| `data_loader.py` | MNIST, checked, and the 55,000 / 5,000 split |
| `assignments/ee6123/` | Question 1's runs, ranking and figures; the memory tasks' runs |
| `assignments/memory/` | the memory tasks: sequences, network, figures |
| `core/` | what these import (configuration, run folders, unrollers, distortions, the comparison rule) |
| `results/` | every result and figure of the report |
"""


HANDIN = HandIn("ee6123", "EE6123 Assignment 3: the RNN/LSTM/GRU grid, recall, binary addition; code and report",
                "EE6123_{roll}.zip", "EE6123_{roll}", ee6123_files, lambda: README_EE6123,
                requirements=lambda: requirements_of("requirements.txt"),
                made=(("EE6123_{roll}_report.pdf", ee6123_report),))
