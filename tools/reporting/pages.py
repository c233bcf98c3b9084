"""The report's page layout (text at exact line heights, tables sized to their lines) and the pages of the
result files beyond the MNIST table: the memory tasks, "rows until it knows" and the NumPy RNN.

tools/make_report.py builds Report.pdf from these; every sentence is made from the numbers in the files.
"""
import os
import textwrap

import matplotlib.pyplot as plt

from core.common import UserError, read_json, relpath
from assignments.memory.tasks import DRAWINGS as TASK_DRAWINGS
from core.figures import axes_box
from assignments.memory.task_runs import TASK_STYLE, is_assignment, load_task
from assignments.numpy_rnn import mnist4_result
from assignments.memory.tasks import plot_tasks, task_summaries

A4 = (8.27, 11.69)


def pct(x):
    return "{:.2f}%".format(100.0 * x)


LINE_SPACING = 1.25


def paragraphs(fig, y, texts, size=10, width=90, gap=0.6):
    """Paragraphs from height y down, each line exactly one line height apart; returns the y below them."""
    line = size * LINE_SPACING / 72.0 / fig.get_figheight()  # one line in figure coordinates
    for paragraph in texts:
        wrapped = textwrap.fill(paragraph, width)
        fig.text(0.08, y, wrapped, fontsize=size, va="top", family="serif", linespacing=LINE_SPACING)
        y -= line * (wrapped.count("\n") + 1 + gap)
    return y


def table_block(fig, left, top, width, header, rows, widths, size):
    """A table from height `top` down, each row as tall as its most lines (headers included); returns its bottom."""
    line = size * 1.45 / 72.0 / fig.get_figheight()  # one text line, with padding, in figure coordinates
    head = max(1 + h.count("\n") for h in header) + 0.5
    body = max(1 + c.count("\n") for r in rows for c in r) + 0.5
    height = line * (head + body * len(rows))
    ax = fig.add_axes([left, top - height, width, height])
    ax.axis("off")
    grid = ax.table(cellText=rows, colLabels=header, cellLoc="center", colWidths=widths, loc="upper center")
    grid.auto_set_font_size(False)
    grid.set_fontsize(size)
    for (row, _), cell in grid.get_celld().items():
        cell.set_height(line * (head if row == 0 else body) / height)
    return top - height


TASK_TITLES = {"palindrome": "Memory task: palindromes", "recall": "Memory task: recall the k-th digit",
               "binary_addition": "Memory task: binary addition"}


def task_pages(tasks_dir, tasks=None):
    """The memory tasks' pages (assignments/memory/sequence_tasks.py), all or those named in `tasks`, in that
    order: each task's sentences with their numbers, then its figures drawn on the page as vectors at their own
    proportions, each on the first page with room for it."""
    if not tasks_dir or not any(load_task(tasks_dir, t) for t in TASK_TITLES):
        return
    plot_tasks(tasks_dir)  # the PNGs and results/tasks/README.md stay in step with the report
    width = 0.84 * A4[0]
    summaries = task_summaries(tasks_dir)
    for task, sentence in [(t, summaries[t]) for t in tasks if t in summaries] if tasks else sorted(summaries.items()):
        records = load_task(tasks_dir, task)
        fig = plt.figure(figsize=A4)
        fig.text(0.08, 0.95, TASK_TITLES[task], fontsize=16, weight="bold")
        pages = [[fig, (paragraphs(fig, 0.92, [sentence]) - 0.01) * A4[1]]]  # [figure, inches left above 0.4]
        for name, draw, size in [(n, d, z) for t, n, d, z in TASK_DRAWINGS if t == task]:
            height = width * size[1] / size[0]
            page = next((p for p in pages if p[1] - height >= 0.4), None)
            if page is None:
                page = [plt.figure(figsize=A4), 0.94 * A4[1]]
                page[0].text(0.08, 0.95, TASK_TITLES[task] + " (continued)", fontsize=12, weight="bold")
                pages.append(page)
            box = axes_box(0.08 * A4[0], page[1] - height, width, height, A4)
            if draw(records, page[0], box):
                page[1] -= height
        for page in pages:
            yield page[0]


def known_text(known):
    """When the shipped models know the digit: rows until half and nine in ten of the test images are right
    and stay right."""
    def first(curve, level):
        return next((t + 1 for t, v in enumerate(curve) if v >= level), None)
    order = sorted(known["curves"], key=lambda n: (not n.startswith("lstm"), int(n.split("_h")[1])))
    parts = ["{} {} / {}".format(n.replace("_h", "-").upper(), first(known["curves"][n], 0.5),
                                 first(known["curves"][n], 0.9)) for n in order]
    return ["Reading the classifier after every row (it was trained on the last row only), the fraction of the "
            "{:,} test images that are right and stay right to the end. Rows until half, and until nine in ten, "
            "of them are: {}; after half the rows (14), at most {} are.".format(
                known["images"], ", ".join(parts), pct(max(c[13] for c in known["curves"].values())))]


def _read(path):
    """A result file of the report's extra pages, or None if absent; a damaged one is one error line."""
    if not os.path.isfile(path):
        return None
    try:
        found = read_json(path)
    except UnicodeDecodeError:
        found = None
    if not isinstance(found, dict):
        raise UserError("{} is not a result object; restore it from the copy this folder came from, or write it "
                        "again (see README.md)".format(relpath(path)))
    return found


def _figure_page(title, texts, draw, size):
    """A page with a title, generated sentences and one figure, drawn on the page (vector) from the same
    result file at its proportions (size, inches) across the page's width."""
    fig = plt.figure(figsize=A4)
    fig.text(0.08, 0.95, title, fontsize=16, weight="bold")
    top = (paragraphs(fig, 0.92, texts) - 0.01) * A4[1]
    width = 0.84 * A4[0]
    height = min(width * size[1] / size[0], top - 0.4)
    draw(fig, axes_box(0.08 * A4[0], top - height, width, height, A4))
    return fig


def known_page(results_dir):
    known = _read(os.path.join(results_dir, "rows_until_known.json"))
    from core.explain import KNOWN_SIZE, draw_known
    return known and _figure_page("How many rows until it knows?", known_text(known),
                                  lambda fig, box: draw_known(known["curves"], known["images"], fig, box), KNOWN_SIZE)


def clipping_text(bptt, clipped):
    """The same sweep with clipped gradients, beside the plain one: what the clipping alone changes."""
    best = lambda result, rate: max((r["val_accuracy"] for r in result["curves"].get(rate) or []), default=None)  # noqa: E731
    rows = ", ".join("{}: {}".format(rate, "diverged" if best(clipped, rate) is None else pct(best(clipped, rate)))
                     for rate in sorted(clipped["curves"], key=lambda r: -float(r)))
    saved = [rate for rate, why in bptt.get("stopped", {}).items()
             if why.startswith("diverged") and best(clipped, rate) is not None]
    return ("The same sweep with only one change, gradients clipped at global norm {:g}, gives best validation "
            "accuracies by rate of {}{}.".format(clipped["clip_norm"], rows, "; so plain SGD's divergence at {} is a gradient "
                                      "step too large, which clipping bounds".format(" and ".join(saved))
                                      if saved else ""))


def bptt_text(bptt, tasks_dir, variants, results, clipped=None):
    """The NumPy RNN's result, and what the derivation predicts against what the experiments show."""
    stopped = bptt.get("stopped", {})
    diverged = ["{} {}".format(rate, why) for rate, why in stopped.items() if why.startswith("diverged")]
    budget = ("each rate until neither its validation accuracy nor its validation loss had reached a new best for "
              "{} epochs{}; ".format(bptt["patience"], " ({})".format("; ".join(diverged)) if diverged else "")
              if "patience" in bptt else
              "{} epochs a rate; ".format(bptt.get("epochs")))
    text = ["A two-layer ReLU RNN (100 units each) written in NumPy with hand-written backpropagation through time "
            "(assignments/numpy_rnn/, derivation in assignments/numpy_rnn/lstm_bptt.md), trained with {} on batches "
            "of {} on the digits {}, {}of the learning rates {}, {} did best on validation ({} at epoch {}); on the "
            "{:,} test images of these classes it reaches {} ({:,} correct), at {:.1f} s per epoch.".format(
                mnist4_result.method(bptt), bptt["batch_size"], ", ".join(map(str, bptt["classes"])), budget,
                ", ".join(bptt["curves"]), bptt["best_rate"], pct(bptt["best_val_accuracy"]), bptt["best_epoch"],
                bptt["test_count"], pct(bptt["test_accuracy"]), bptt["test_correct"], bptt["seconds_per_epoch"])]
    if clipped and mnist4_result.method(bptt) == "plain SGD":
        text[0] += " " + clipping_text(bptt, clipped)
    link = ["The derivation says the LSTM's cell state carries an error back through a product of forget gates, "
            "while a vanilla RNN's error passes through one W_h and one tanh' per step, a product that fades "
            "geometrically unless W_h and tanh' keep the norm near 1."]
    pal = [r for r in load_task(tasks_dir, "palindrome") if is_assignment(r)] if tasks_dir else []
    if pal:
        models = {r["model"] for r in pal}
        full = [n for n in sorted({r["length"] for r in pal})
                if {r["model"] for r in pal if r["length"] == n} == models]
        longest = full[-1] if full else max(r["length"] for r in pal)
        rate = {m: [r["stopped"] == "target" for r in pal if r["model"] == m and r["length"] == longest]
                for m in ("rnn", "lstm", "gru")}
        counts = ", ".join("the {} succeeds in {} of {} runs".format(TASK_STYLE[m][0], sum(v), len(v))
                           for m, v in rate.items() if v)
        behind = rate["rnn"] and rate["lstm"] and sum(rate["rnn"]) < sum(rate["lstm"])
        link.append("In the palindrome assignment's setting, at T = {}, {}: {}.".format(
            longest, counts, "the gated cell carries the digit further" if behind else
            "this length does not separate them"))
    by = {r["name"]: r for r in list(variants) + list(results)}
    # Runs trained alike: the variant RNN-128 has the plain recipe, so it stands beside the plain LSTM-128's seeds.
    from core import study
    plain = study.summary("lstm", 128, os.path.dirname(tasks_dir), recipe={},
                          runtime=study.STUDIES_RUNTIME) if tasks_dir else None
    rnn = by.get("rnn_h128")
    if rnn and plain and not rnn["config"].get("augment") and not rnn["config"].get("dropout"):
        link.append("On row-by-row MNIST the span is 28 steps and the evidence is spread over many rows: the "
                    "vanilla RNN-128 trained with the plain recipe ({}, one run) is {:.2f} points below the "
                    "LSTM-128 trained alike ({} \u00b1 {:.2f}, {} seeds), a gap shown but not ranked (one run "
                    "against seeds is no verdict by the rule).".format(
                        pct(rnn["test_accuracy"]), 100 * (plain["test_mean"] - rnn["test_accuracy"]),
                        pct(plain["test_mean"]), 100 * plain["test_sd"], plain["n"]))
    return text + [" ".join(link)]


def bptt_page(bptt_dir, tasks_dir, variants, results):
    path = os.path.join(bptt_dir, "mnist4.json") if bptt_dir else None
    bptt = mnist4_result.read_result(path) if path and os.path.isfile(path) else None
    clipped = mnist4_result.read_ablation(bptt_dir) if bptt_dir else None
    return bptt and _figure_page("Backpropagation through time by hand",
                                 bptt_text(bptt, tasks_dir, variants, results, clipped),
                                 lambda fig, box: mnist4_result.draw(bptt, fig, box), mnist4_result.PLOT_SIZE)
