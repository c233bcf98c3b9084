"""The memory tasks' figures and findings: results/tasks/<task>.jsonl -> results/tasks/*.png and README.md.

Drawn by `python plot_results.py --tasks` (or `assignments/memory/sequence_tasks.py --plot`); the sentences, with their
numbers, are what results/tasks/README.md and the report's task pages say. Every comparison goes
through core/compare.py's rule on the runs' test accuracies (one per seed); a run "succeeds" when
its validation accuracy reached the target within the step budget.
"""
import os

import numpy as np

from core.common import UserError, atomic_write_bytes, relpath
from core.compare import pair, spread
from core.figures import grid_in, png
from assignments.memory.palindrome import (PYTORCH_FILE, draw_palindrome, draw_palindrome_ablation,
                                           draw_palindrome_curves, draw_palindrome_gradients, palindrome_text,
                                           pytorch_text)
from assignments.memory.task_runs import (TASK_STYLE, by, curves, load_task, mean_sd, pct, plt,
                                          successes)


# ---- recall and binary addition ------------------------------------------------------------------------------

def _recall(records, fig, box):
    ax = fig.add_subplot(grid_in(fig, box)[0])
    rows = sorted(by(records, "hidden").items())
    hidden = [k[0] for k, _ in rows]
    accs = [[100.0 * r["test_accuracy"] for r in group] for _, group in rows]
    sds = [np.std(a, ddof=1) if len(a) > 1 else 0 for a in accs]
    ax.errorbar(hidden, [np.mean(a) for a in accs], yerr=[sds, [min(sd, 100 - np.mean(a)) for sd, a in zip(sds, accs)]],
                marker="o", capsize=4, color=TASK_STYLE["lstm"][1])
    ax.set_xticks(hidden)
    ax.set_xlabel("LSTM hidden units")
    ax.set_ylabel("test accuracy (%), mean and sd over seeds")
    ax.set_title("Recall the digit at position {} of a random sequence".format(records[0].get("position", 2)))
    ax.grid(True, alpha=0.3)
    return True


def _recall_curves(records, fig, box):
    return curves(records, fig, box, ("hidden",), "Recall: curves over training (Adam 0.01, "
                   "betas 0.9, 0.99)", lambda key: "{} units".format(key[0]))


def recall_text(records):
    rows = sorted(by(records, "hidden").items())
    sizes = ", ".join("{} units {} ({} reach 100% on validation)".format(k[0], mean_sd(g), successes(g))
                      for k, g in rows)
    return "Test accuracy by LSTM size, {} seeds each, {:,} steps at most: {}.".format(
        max(len(g) for _, g in rows), max(r["steps"] for r in records), sizes)


def _addition(records, fig, box):
    ax = fig.add_subplot(grid_in(fig, box)[0])
    shades = {"ce": plt.get_cmap("Blues"), "mse": plt.get_cmap("Oranges")}
    train_lengths = sorted({r["length"] for r in records})
    for (loss, length), rows in sorted(by(records, "loss", "length").items()):
        tests = sorted(int(k) for k in rows[0]["test_bit_accuracy_by_length"])
        mean = [100.0 * np.mean([r["test_bit_accuracy_by_length"][str(t)] for r in rows]) for t in tests]
        shade = shades[loss](0.45 + 0.55 * (train_lengths.index(length) + 1) / len(train_lengths))
        ax.plot(tests, mean, color=shade, linestyle="-" if loss == "ce" else "--", marker=".",
                label="{}, trained at L={}".format("cross-entropy" if loss == "ce" else "squared error", length))
    ax.set_xlabel("test length L (bits)")
    ax.set_ylabel("test bit accuracy (%), mean over seeds")
    ax.set_title("Binary addition with an LSTM of {} units".format(records[0]["hidden"]))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return True


def _addition_curves(records, fig, box):
    return curves(records, fig, box, ("loss", "length"),
                   "Binary addition: curves over training (validation: whole sums right)",
                   lambda key: "{}, L={}".format("cross-entropy" if key[0] == "ce" else "squared error", key[1]))


def addition_text(records):
    longest = max(int(k) for k in records[0]["test_bit_accuracy_by_length"])
    at = lambda rows, bits: [r["test_bit_accuracy_by_length"][str(bits)] for r in rows]
    parts, pairs = [], []
    groups = by(records, "loss", "length")
    for loss in ("ce", "mse"):
        lengths = sorted(n for (l, n) in groups if l == loss)
        if lengths:
            parts.append("{}: {}".format("cross-entropy" if loss == "ce" else "squared error", ", ".join(
                "L = {} {} +- {:.1f}".format(n, pct(np.mean(at(groups[(loss, n)], longest))),
                                             100 * spread(at(groups[(loss, n)], longest))[1]) for n in lengths)))
    for (loss, n), rows in sorted(groups.items()):
        if loss == "ce" and ("mse", n) in groups:
            pairs.append("at L = {}, {}".format(n, pair("cross-entropy", at(rows, longest), "squared error",
                                                        at(groups[("mse", n)], longest))))
    steps = max(r["steps"] for r in records)
    text = ("Trained on L-bit sums until every validation sum was right or {:,} steps had passed, then tested on "
            "sums of 1..{} bits. Bit accuracy on {}-bit sums (mean +- sd over seeds): {}.".format(
                steps, longest, longest, "; ".join(parts)))
    if pairs:
        text += " Cross-entropy against squared error, by the comparison rule: {}.".format("; ".join(pairs))
    return text


# ---- all of it --------------------------------------------------------------------------------------------------

def task_summaries(folder):
    """{task: the sentences with the numbers}, from the result files (the report and the tasks page)."""
    text = {}
    for task, write in (("palindrome", palindrome_text), ("recall", recall_text), ("binary_addition", addition_text)):
        records = load_task(folder, task)
        if records:
            text[task] = write(records)
    if "palindrome" in text:
        text["palindrome"] += pytorch_text(load_task(folder, "palindrome", PYTORCH_FILE), load_task(folder, "palindrome"))
    return text


DRAWINGS = (("palindrome", "palindrome.png", draw_palindrome, (6.4, 7.0)),
            ("palindrome", "palindrome_ablation.png", draw_palindrome_ablation, (6.4, 4.2)),
            ("palindrome", "palindrome_gradients.png", draw_palindrome_gradients, (6.4, 4.2)),
            ("palindrome", "palindrome_curves.png", draw_palindrome_curves, (9.6, 3.8)),
            ("recall", "recall.png", _recall, (6.4, 4.2)), ("recall", "recall_curves.png", _recall_curves, (9.6, 3.8)),
            ("binary_addition", "binary_addition.png", _addition, (6.4, 4.2)),
            ("binary_addition", "binary_addition_curves.png", _addition_curves, (9.6, 3.8)))


def plot_tasks(folder):
    """Every figure the task result files allow, and README.md; returns the paths written. All files are read
    (and checked) before anything is written."""
    records = {task: load_task(folder, task) for task in ("palindrome", "recall", "binary_addition")}
    if not any(records.values()):
        raise UserError("no task results in {}; run python assignments/memory/sequence_tasks.py first".format(relpath(folder)))
    summaries = task_summaries(folder)
    written = [path for task, name, draw, size in DRAWINGS if records[task]
               for path in [png(lambda fig, box, d=draw, r=records[task]: d(r, fig, box), os.path.join(folder, name),
                                 size)] if path]
    lines = ["# Memory tasks: what the result files say", "",
             "Written by `python plot_results.py --tasks` from the `.jsonl` files here (assignments/memory/sequence_tasks.py; every run in "
             "them: `bash assignments/memory/experiments.sh`). "
             "Success: the validation accuracy reached the target within the step budget. Comparisons: two "
             "results differ only when both have at least 3 seeds and their means are further apart than their "
             "two standard deviations added together; otherwise they tie.", ""]
    for task, sentence in sorted(summaries.items()):
        figures = [os.path.basename(p) for p in written if os.path.basename(p).startswith(task)]
        lines += ["## " + task.replace("_", " "), "", sentence, ""] + ["![{}]({})".format(f, f) for f in figures] + [""]
    page = os.path.join(folder, "README.md")
    atomic_write_bytes(page, "\n".join(lines).encode("utf-8"))
    return written + [page]
