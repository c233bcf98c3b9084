"""The memory tasks' figures and findings: results/tasks/<task>.jsonl -> results/tasks/*.png and README.md.

Drawn by `python plot_results.py --tasks` (or `sequence_tasks.py --plot`); the sentences, with their
numbers, are what results/tasks/README.md and the report's task pages say.
"""
import json
import os

import matplotlib

matplotlib.use("Agg")  # files only, no screen needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from project.common import UserError, atomic_write_bytes, relpath, save_png  # noqa: E402

TASK_STYLE = {"lstm": ("LSTM", "tab:blue", "o"), "gru": ("GRU", "tab:orange", "s"), "rnn": ("vanilla RNN", "tab:gray", "^")}


def load_task(results_dir, task):
    path = os.path.join(results_dir, task + ".jsonl")
    if not os.path.isfile(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def _by(records, *keys):
    groups = {}
    for r in records:
        groups.setdefault(tuple(r[k] for k in keys), []).append(r)
    return groups


def _palindrome(records, folder):
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(6.4, 7.0), sharex=True)
    for model, rows in sorted(_by(records, "model").items()):
        label, color, marker = TASK_STYLE[model[0]]
        by_length = sorted(_by(rows, "length").items())
        lengths = [k[0] for k, _ in by_length]
        success = [100.0 * sum(r["accuracy"] >= 0.99 for r in group) / len(group) for _, group in by_length]
        mean = [100.0 * sum(r["accuracy"] for r in group) / len(group) for _, group in by_length]
        top.plot(lengths, success, color=color, marker=marker, label=label)
        bottom.plot(lengths, mean, color=color, marker=marker, label=label)
    seeds = max(len(g) for g in _by(records, "model", "length").values())
    top.set_ylabel("runs reaching 99% (%)")
    top.set_title("Palindromes: predict digit T from the first T-1 ({} seeds per point)".format(seeds))
    bottom.axhline(10, color="k", linewidth=0.8, linestyle=":")
    bottom.set_ylabel("mean test accuracy (%); chance 10%")
    bottom.set_xlabel("palindrome length T")
    for ax in (top, bottom):
        ax.grid(True, alpha=0.3)
        ax.legend()
    path = os.path.join(folder, "palindrome.png")
    save_png(fig, path)
    return path


def _palindrome_gradients(records, folder):
    with_grads = [r for r in records if r.get("input_gradient_norms")]
    if not with_grads:
        return None
    longest = max(r["length"] for r in with_grads)
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for model, rows in sorted(_by([r for r in with_grads if r["length"] == longest], "model").items()):
        label, color, marker = TASK_STYLE[model[0]]
        norms = np.mean([r["input_gradient_norms"] for r in rows], axis=0)  # mean over seeds
        back = np.arange(len(norms))[::-1]  # steps before the last input
        ax.plot(back, norms, color=color, marker=marker, markevery=4, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("steps before the last input (the first digit is the rightmost point)")
    ax.set_ylabel("mean |dL/dx_t| after training (log)")
    ax.set_title("How far back the loss reaches: palindromes of length {}".format(longest))
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    path = os.path.join(folder, "palindrome_gradients.png")
    save_png(fig, path)
    return path


def _recall(records, folder):
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    rows = sorted(_by(records, "hidden").items())
    hidden = [k[0] for k, _ in rows]
    accs = [[100.0 * r["accuracy"] for r in group] for _, group in rows]
    ax.errorbar(hidden, [np.mean(a) for a in accs], yerr=[np.std(a) for a in accs], marker="o", capsize=4,
                color=TASK_STYLE["lstm"][1])
    ax.set_xticks(hidden)
    ax.set_xlabel("LSTM hidden units")
    ax.set_ylabel("test accuracy (%), mean and spread over seeds")
    position = records[0].get("position", 2)
    ax.set_title("Recall the digit at position {} of a random sequence".format(position))
    ax.grid(True, alpha=0.3)
    path = os.path.join(folder, "recall.png")
    save_png(fig, path)
    return path


def _addition(records, folder):
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    shades = {"ce": plt.get_cmap("Blues"), "mse": plt.get_cmap("Oranges")}
    groups = sorted(_by(records, "loss", "length").items())
    train_lengths = sorted({r["length"] for r in records})
    for (loss, length), rows in groups:
        tests = sorted(int(k) for k in rows[0]["bit_accuracy_by_length"])
        mean = [100.0 * np.mean([r["bit_accuracy_by_length"][str(t)] for r in rows]) for t in tests]
        shade = shades[loss](0.45 + 0.55 * (train_lengths.index(length) + 1) / len(train_lengths))
        ax.plot(tests, mean, color=shade, linestyle="-" if loss == "ce" else "--", marker=".",
                label="{}, trained at L={}".format("cross-entropy" if loss == "ce" else "squared error", length))
    ax.set_xlabel("test length L (bits)")
    ax.set_ylabel("bit accuracy (%), mean over seeds")
    ax.set_title("Binary addition with an LSTM of {} units".format(records[0]["hidden"]))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    path = os.path.join(folder, "binary_addition.png")
    save_png(fig, path)
    return path


def pct(x):
    return "{:.1f}%".format(100.0 * x)


def task_summaries(folder):
    """{task: one or two sentences with the numbers}, from the result files (the report and the tasks page)."""
    text = {}
    records = load_task(folder, "palindrome")
    if records:
        parts = []
        for model, rows in sorted(_by(records, "model").items(), key=lambda kv: ("rnn", "lstm", "gru").index(kv[0][0])):
            by_length = sorted(_by(rows, "length").items())
            parts.append("{} {}".format(TASK_STYLE[model[0]][0], ", ".join(
                "{}/{}".format(sum(r["accuracy"] >= 0.99 for r in g), len(g)) for _, g in by_length)))
        lengths = ", ".join(str(k[0]) for k in sorted(_by(records, "length")))
        longest = max(r["length"] for r in records)
        means = ", ".join("{} {}".format(TASK_STYLE[m[0]][0], pct(np.mean([r["accuracy"] for r in g])))
                          for m, g in sorted(_by([r for r in records if r["length"] == longest], "model").items()))
        text["palindrome"] = ("Runs reaching 99% test accuracy at T = {} ({} steps at most): {}. Mean accuracy at "
                              "T = {}: {}.".format(lengths, max(r["steps"] for r in records), "; ".join(parts),
                                                   longest, means))
        grads = [r for r in records if r.get("input_gradient_norms") and r["length"] == longest]
        if grads:
            ratios = ", ".join("{} {:.1e}".format(TASK_STYLE[m[0]][0], np.mean([r["input_gradient_norms"][0] /
                                                                              r["input_gradient_norms"][-1] for r in g]))
                               for m, g in sorted(_by(grads, "model").items()))
            text["palindrome"] += (" After training at T = {}, |dL/dx| at the first digit divided by |dL/dx| at the "
                                   "last input (how much of the loss reaches back to the digit that answers it): "
                                   "{}.".format(longest, ratios))
    records = load_task(folder, "recall")
    if records:
        rows = sorted(_by(records, "hidden").items())
        text["recall"] = "Test accuracy by LSTM size (mean and spread over {} seeds): {}.".format(
            max(len(g) for _, g in rows), ", ".join("{} units {} +- {:.1f}".format(
                k[0], pct(np.mean([r["accuracy"] for r in g])), 100 * np.std([r["accuracy"] for r in g]))
                for k, g in rows))
    records = load_task(folder, "binary_addition")
    if records:
        longest = max(int(k) for k in records[0]["bit_accuracy_by_length"])
        parts = []
        for loss in ("ce", "mse"):
            groups = sorted(_by([r for r in records if r["loss"] == loss], "length").items())
            if groups:
                parts.append("{}: {}".format("cross-entropy" if loss == "ce" else "squared error", ", ".join(
                    "L = {} {}".format(k[0], pct(np.mean([r["bit_accuracy_by_length"][str(longest)] for r in g])))
                    for k, g in groups)))
        text["binary_addition"] = "Bit accuracy on {}-bit sums, by training length and loss (mean over seeds): " \
                                  "{}.".format(longest, "; ".join(parts))
    return text


def plot_tasks(folder):
    """Every figure the task result files allow; returns the paths written."""
    written = []
    for task, draw in (("palindrome", _palindrome), ("palindrome", _palindrome_gradients), ("recall", _recall),
                       ("binary_addition", _addition)):
        records = load_task(folder, task)
        if records:
            path = draw(records, folder)
            if path:
                written.append(path)
    if not written:
        raise UserError("no task results in {}; run python sequence_tasks.py first".format(relpath(folder)))
    lines = ["# Memory tasks: what the result files say", "",
             "Written by `python plot_results.py --tasks` from the `.jsonl` files here (sequence_tasks.py).", ""]
    for task, sentence in sorted(task_summaries(folder).items()):
        figures = [os.path.basename(p) for p in written if os.path.basename(p).startswith(task)]
        lines += ["## " + task.replace("_", " "), "", sentence, ""] + ["![{}]({})".format(f, f) for f in figures] + [""]
    page = os.path.join(folder, "README.md")
    atomic_write_bytes(page, "\n".join(lines).encode("utf-8"))
    return written + [page]
