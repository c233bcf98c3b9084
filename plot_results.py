"""Plots from the result files: test accuracy against hidden size, and validation curves.

    python plot_results.py [--results_dir=results] [--weights_dir=weights]

Reads results/<model>_h<hidden>.json (written by main.py --test) and
weights/<model>_h<hidden>/log.csv (written by main.py --train) of the basic
single-layer LSTM and GRU configurations (variants such as lstm_h128_bi are
the report's appendix); writes results/accuracy_vs_hidden.png and
results/validation_curves.png.
"""
import argparse
import csv
import glob
import io
import json
import os
import sys

import matplotlib
import numpy as np

matplotlib.use("Agg")  # files only, no screen needed
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402

from helpers.common import PROJECT_DIR, UserError, atomic_write_bytes, print_error, relpath  # noqa: E402
from helpers.configuration import config_name  # noqa: E402

MODELS = (("lstm", "LSTM", "tab:blue", "o"), ("gru", "GRU", "tab:orange", "s"))


def load_all(results_dir):
    results = []
    for path in sorted(glob.glob(os.path.join(results_dir, "*_h*.json"))):
        with open(path) as f:
            results.append(json.load(f))
    return results


def is_basic(result):
    """One LSTM or GRU layer without options: the eight configurations of the main results."""
    return (result["model"] in ("lstm", "gru") and isinstance(result["hidden_unit"], int)
            and result["name"] == config_name(result["model"], result["hidden_unit"]))


def load_results(results_dir):
    """The basic configurations' results (the plots and the main table)."""
    return [r for r in load_all(results_dir) if is_basic(r)]


def load_variants(results_dir):
    """Every other result (--model=rnn, more layers, --bidirectional, ...): the report's appendix."""
    return [r for r in load_all(results_dir) if not is_basic(r)]


def load_log(weights_dir, name):
    path = os.path.join(weights_dir, name, "log.csv")
    if not os.path.isfile(path):
        return []
    with open(path) as f:
        return [(int(r["epoch"]), float(r["val_accuracy"])) for r in csv.DictReader(f)]


def _save(fig, path):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=130, bbox_inches="tight")
    plt.close(fig)
    atomic_write_bytes(path, buffer.getvalue())


def plot_accuracy(results, ax):
    """Test accuracy (%) against hidden size on a log2 axis, one line per cell, values labelled."""
    value = {(r["model"], r["hidden_unit"]): 100.0 * r["test_accuracy"] for r in results}
    for model, label, color, marker in MODELS:
        rows = sorted((h, y) for (m, h), y in value.items() if m == model)
        if not rows:
            continue
        xs, ys = zip(*rows)
        ax.plot(xs, ys, marker=marker, color=color, label=label)
        for x, y in rows:
            others = [v for (m, h), v in value.items() if h == x and m != model]
            above = not others or y > others[0] or (y == others[0] and model == "lstm")
            ax.annotate("{:.2f}".format(y), (x, y), textcoords="offset points",  # the higher label on top
                        xytext=(0, 7 if above else -13), ha="center", fontsize=8, color=color)
    ax.set_xscale("log", base=2)
    ax.margins(x=0.08, y=0.15)  # room for the value labels
    hidden = sorted({r["hidden_unit"] for r in results})
    ax.set_xticks(hidden)
    ax.set_xticklabels([str(h) for h in hidden])
    ax.set_xlabel("hidden units")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title("Row-by-row MNIST: test accuracy by hidden size")
    ax.grid(True, alpha=0.3)
    ax.legend()


# One colour family per cell (darker = more units) and one line style per size, so that the eight
# curves can be told apart in colour and in grey.
FAMILIES = {"lstm": "Blues", "gru": "Oranges"}
STYLES = ("-", "--", "-.", ":")


def plot_curves(results, weights_dir, ax):
    """Validation error per epoch, log scale: every epoch shows, and the small late differences stay visible."""
    for model, label, _, marker in MODELS:
        sizes = sorted(r["hidden_unit"] for r in results if r["model"] == model)
        shades = plt.get_cmap(FAMILIES[model])
        for i, hidden in enumerate(sizes):
            log = load_log(weights_dir, config_name(model, hidden))
            if log:
                epochs, acc = zip(*log)
                ax.plot(epochs, [100 * (1 - a) for a in acc], color=shades(0.45 + 0.55 * (i + 1) / len(sizes)),
                        linestyle=STYLES[i % len(STYLES)], marker=marker, markevery=5, markersize=3,
                        label="{}-{}".format(label, hidden))
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda y, _: "{:g}".format(y)))
    ax.yaxis.set_minor_formatter(matplotlib.ticker.FuncFormatter(
        lambda y, _: "{:g}".format(y) if str(round(y, 6))[0] in "25" else ""))
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation error (%, log scale)")
    ax.set_title("Validation error per epoch (5,000 held-out training images)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(ncol=2, fontsize=8)


# ---- the memory tasks (sequence_tasks.py): results/tasks/<task>.jsonl -> results/tasks/<task>*.png ----------

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
    _save(fig, path)
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
    _save(fig, path)
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
    _save(fig, path)
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
    _save(fig, path)
    return path


def _pct(x):
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
        means = ", ".join("{} {}".format(TASK_STYLE[m[0]][0], _pct(np.mean([r["accuracy"] for r in g])))
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
                k[0], _pct(np.mean([r["accuracy"] for r in g])), 100 * np.std([r["accuracy"] for r in g]))
                for k, g in rows))
    records = load_task(folder, "binary_addition")
    if records:
        longest = max(int(k) for k in records[0]["bit_accuracy_by_length"])
        parts = []
        for loss in ("ce", "mse"):
            groups = sorted(_by([r for r in records if r["loss"] == loss], "length").items())
            if groups:
                parts.append("{}: {}".format("cross-entropy" if loss == "ce" else "squared error", ", ".join(
                    "L = {} {}".format(k[0], _pct(np.mean([r["bit_accuracy_by_length"][str(longest)] for r in g])))
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


def write_rows_until_known(results_dir, weights_dir, data_dir):
    """The fraction of test images right after row t and from then on, for each basic shipped model."""
    import data_loader
    from helpers import explain
    from helpers.checkpoint import RunDir
    images, labels = data_loader.load_split(data_dir, "test")

    def load(names):
        for name in names:
            run = RunDir(weights_dir, name)
            config, state = run.load_config(), run.load_state()
            yield name, config["model"], explain.load_weights(run, state, config)
    names = [r["name"] for r in sorted(load_results(results_dir), key=lambda r: (r["model"], r["hidden_unit"]))]
    return explain.known_summary(results_dir, names, images, labels, load)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results_dir", default=os.path.join(PROJECT_DIR, "results"))
    parser.add_argument("--weights_dir", default=os.path.join(PROJECT_DIR, "weights"))
    parser.add_argument("--tasks", action="store_true", help="instead: the memory tasks' figures in results/tasks/")
    parser.add_argument("--rows_until_known", action="store_true",
                        help="instead: for each shipped basic model, the test images right after every row "
                             "(results/rows_until_known.json and .png; needs --data_dir)")
    parser.add_argument("--data_dir", default=os.path.join(os.path.dirname(PROJECT_DIR), "data"))
    args = parser.parse_args(argv)
    if args.rows_until_known:
        try:
            write_rows_until_known(args.results_dir, args.weights_dir, args.data_dir)
        except UserError as e:
            return print_error(e)
        print("wrote {}".format(relpath(os.path.join(args.results_dir, "rows_until_known.png"))))
        return 0
    if args.tasks:
        try:
            for path in plot_tasks(os.path.join(args.results_dir, "tasks")):
                print("wrote {}".format(relpath(path)))
        except UserError as e:
            return print_error(e)
        return 0
    results = load_results(args.results_dir)
    if not results:
        return print_error("no results in {}; run python main.py --model=lstm --test --hidden_unit=32 "
                           "(or python reproduce.py) first".format(relpath(args.results_dir)))
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    plot_accuracy(results, ax)
    _save(fig, os.path.join(args.results_dir, "accuracy_vs_hidden.png"))
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    plot_curves(results, args.weights_dir, ax)
    _save(fig, os.path.join(args.results_dir, "validation_curves.png"))
    print("wrote {} and {}".format(relpath(os.path.join(args.results_dir, "accuracy_vs_hidden.png")),
                                   relpath(os.path.join(args.results_dir, "validation_curves.png"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
