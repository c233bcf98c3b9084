"""The EE6123 report's experiments as a document of their own (docs/ee6123_report.pdf), in that report's order:
the grid of RNN, LSTM and GRU models with each model's curves; recalling the k-th digit at H = 2, 5, 10 with its
curves and a randomised test printout (input, truth, prediction); binary addition trained at L = 3, 5 and 10,
squared error against cross-entropy, bit accuracy against length. Every number comes from results/."""
import os

import matplotlib.pyplot as plt

from assignments.memory.task_runs import load_task
from tools.reporting.pages import A4, paragraphs, table_block

INTRO = ("The experiments of the EE6123 report, run with this project's hand-written cells (core/, cells.py) and "
         "assignments/memory/sequence_tasks.py. Every comparison goes through the project's rule: two results "
         "differ only where their means over seeds differ by more than their standard deviations added. Training "
         "is chosen on validation data: the curves here are validation curves, where the student's report drew "
         "test curves per epoch, because a test set looked at during training would no longer measure the "
         "models fairly; each test set is measured once, after training.")


def printout_page(tasks_dir):
    """The recall task's randomised test printout: input digits, the digit asked for, the truth, the prediction."""
    rows = []
    for r in sorted(load_task(tasks_dir, "recall"), key=lambda r: (r["hidden"], r["seed"])):
        if r["seed"] == 1 and r.get("printout"):
            for p in r["printout"]:
                rows.append(["H = {}".format(r["hidden"]), "".join(map(str, p["input"])), str(r.get("position", "")),
                             str(p["truth"]), str(p["prediction"]), "yes" if p["truth"] == p["prediction"] else "no"])
    if not rows:
        return None
    fig = plt.figure(figsize=A4)
    fig.text(0.08, 0.95, "Recall: a randomised test printout", fontsize=16, weight="bold")
    y = paragraphs(fig, 0.92, ["Five test sequences drawn at random (seed 1's test seed) for each hidden size, "
                               "as each trained LSTM reads them: the input digits, the digit it is asked for, "
                               "the truth and its prediction."], size=10)
    table_block(fig, 0.08, y - 0.01, 0.84, ["model", "input", "position", "truth", "prediction", "right"], rows,
                [0.12, 0.36, 0.13, 0.11, 0.15, 0.13], 9)
    return fig


def pages(results_dir, weights_dir, grid_pages, task_pages):
    """The report's pages: an introduction, the grid (grid_pages), recall and its printout, binary addition."""
    fig = plt.figure(figsize=A4)
    fig.text(0.08, 0.95, "EE6123: RNN, LSTM and GRU, and two memory tasks", fontsize=16, weight="bold")
    paragraphs(fig, 0.91, [INTRO], size=11)
    yield fig
    for page in grid_pages:
        yield page
    tasks_dir = os.path.join(results_dir, "tasks")
    for page in task_pages(tasks_dir, ["recall"]):
        yield page
    page = printout_page(tasks_dir)
    if page is not None:
        yield page
    for page in task_pages(tasks_dir, ["binary_addition"]):
        yield page
