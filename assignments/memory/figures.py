"""The recall and binary-addition tasks' figures and findings, from their result lines (task_runs.load_task).

Each drawing is draw(records, fig, box): it fills box (left, bottom, right, top, fractions of fig), so that one
drawing makes a PNG of its own (with png() of core/figures.py) and a region of a report page. Every comparison goes through
core/compare.py's rule on the runs' test accuracies, one per seed.
"""
import numpy as np

from core.compare import pair, spread
from core.figures import grid_in
from assignments.memory.task_runs import TASK_STYLE, by, curves, mean_sd, pct, plt, successes

LOSS_NAMES = {"ce": "cross-entropy", "mse": "squared error"}


# ---- recall ------------------------------------------------------------------------------------------------------

def recall(records, fig, box):
    """Test accuracy (mean and sd over seeds) against the LSTM's hidden units."""
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


def recall_curves(records, fig, box):
    return curves(records, fig, box, ("hidden",), "Recall: curves over training (Adam 0.01, betas 0.9, 0.99)",
                  lambda key: "{} units".format(key[0]))


def recall_text(records):
    rows = sorted(by(records, "hidden").items())
    sizes = ", ".join("{} units {} ({} reach 100% on validation)".format(k[0], mean_sd(g), successes(g))
                      for k, g in rows)
    text = "Test accuracy by LSTM size, {} seeds each, {:,} steps at most: {}.".format(
        max(len(g) for _, g in rows), max(r["steps"] for r in records), sizes)
    steps = [(rows[i][0][0], rows[i + 1][0][0], pair("{} units".format(rows[i + 1][0][0]),
                                                     [r["test_accuracy"] for r in rows[i + 1][1]],
                                                     "{} units".format(rows[i][0][0]),
                                                     [r["test_accuracy"] for r in rows[i][1]]))
             for i in range(len(rows) - 1)]
    if steps:
        text += " By the comparison rule: " + "; ".join(s for _, _, s in steps) + "."
    return text


# ---- binary addition ------------------------------------------------------------------------------------------

def main_hidden(records):
    """The hidden size the lengths were compared at: the one with the most training lengths (then the most runs)."""
    groups = by(records, "hidden")
    return max(groups, key=lambda k: (len({r["length"] for r in groups[k]}), len(groups[k])))[0]


def sweep_length(records):
    """The training length the hidden sizes were compared at, or None when only one size was tried."""
    groups = by(records, "length")
    length = max(groups, key=lambda k: (len({r["hidden"] for r in groups[k]}), len(groups[k])))[0]
    return length if len({r["hidden"] for r in groups[(length,)]}) > 1 else None


def _at(rows, bits):
    return [r["test_bit_accuracy_by_length"][str(bits)] for r in rows]


def _longest(records):
    return max(int(k) for k in records[0]["test_bit_accuracy_by_length"])


def addition(records, fig, box):
    """Test bit accuracy against the length of the test sums, one line per (loss, training length)."""
    records = [r for r in records if r["hidden"] == main_hidden(records)]
    ax = fig.add_subplot(grid_in(fig, box)[0])
    shades = {"ce": plt.get_cmap("Blues"), "mse": plt.get_cmap("Oranges")}
    train_lengths = sorted({r["length"] for r in records})
    for (loss, length), rows in sorted(by(records, "loss", "length").items()):
        tests = sorted(int(k) for k in rows[0]["test_bit_accuracy_by_length"])
        mean = [100.0 * np.mean(_at(rows, t)) for t in tests]
        shade = shades[loss](0.45 + 0.55 * (train_lengths.index(length) + 1) / len(train_lengths))
        ax.plot(tests, mean, color=shade, linestyle="-" if loss == "ce" else "--", marker=".",
                label="{}, trained at L={}".format(LOSS_NAMES[loss], length))
    ax.set_xlabel("test length L (bits)")
    ax.set_ylabel("test bit accuracy (%), mean over seeds")
    ax.set_title("Binary addition with an LSTM of {} units".format(records[0]["hidden"]))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return True


def addition_curves(records, fig, box):
    records = [r for r in records if r["hidden"] == main_hidden(records)]
    return curves(records, fig, box, ("loss", "length"),
                  "Binary addition: curves over training (validation: whole sums right)",
                  lambda key: "{}, L={}".format(LOSS_NAMES[key[0]], key[1]))


def addition_hidden(records, fig, box):
    """Test bit accuracy on the longest sums against the hidden units, one line per loss (None: one size only)."""
    length = sweep_length(records)
    if length is None:
        return False
    records = [r for r in records if r["length"] == length]
    longest = _longest(records)
    ax = fig.add_subplot(grid_in(fig, box)[0])
    for loss in ("ce", "mse"):
        rows = sorted((k[1], g) for k, g in by(records, "loss", "hidden").items() if k[0] == loss)
        if rows:
            means = [100 * np.mean(_at(g, longest)) for _, g in rows]
            sds = [100 * spread(_at(g, longest))[1] for _, g in rows]
            ax.errorbar([h for h, _ in rows], means, yerr=[sds, [min(sd, 100 - m) for sd, m in zip(sds, means)]],
                        marker="o", capsize=4, label=LOSS_NAMES[loss],
                        linestyle="-" if loss == "ce" else "--", color="tab:blue" if loss == "ce" else "tab:orange")
    ax.set_xscale("log")
    ax.set_xticks(sorted({r["hidden"] for r in records}))
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: "{:g}".format(v)))
    ax.xaxis.set_minor_formatter(plt.NullFormatter())  # no "4 x 10^0" between the sizes
    ax.set_xlabel("LSTM hidden units")
    ax.set_ylabel("bit accuracy on {}-bit sums (%)".format(longest))
    ax.set_title("Binary addition trained at L={}: hidden units".format(length))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return True


def addition_text(records):
    main = [r for r in records if r["hidden"] == main_hidden(records)]
    longest = _longest(main)
    parts, pairs = [], []
    groups = by(main, "loss", "length")
    for loss in ("ce", "mse"):
        lengths = sorted(n for (l, n) in groups if l == loss)
        if lengths:
            parts.append("{}: {}".format(LOSS_NAMES[loss], ", ".join(
                "L = {} {} +- {:.1f}".format(n, pct(np.mean(_at(groups[(loss, n)], longest))),
                                             100 * spread(_at(groups[(loss, n)], longest))[1]) for n in lengths)))
    for (loss, n), rows in sorted(groups.items()):
        if loss == "ce" and ("mse", n) in groups:
            pairs.append("at L = {}, {}".format(n, pair("cross-entropy", _at(rows, longest), "squared error",
                                                        _at(groups[("mse", n)], longest))))
    steps = max(r["steps"] for r in main)
    text = ("An LSTM of {} units, trained on L-bit sums until every validation sum was right or {:,} steps had "
            "passed, then tested on sums of 1..{} bits. Bit accuracy on {}-bit sums (mean +- sd over seeds): "
            "{}.".format(main[0]["hidden"], steps, longest, longest, "; ".join(parts)))
    if pairs:
        text += " Cross-entropy against squared error, by the comparison rule: {}.".format("; ".join(pairs))
    return text


def addition_hidden_text(records):
    """The hidden sizes' sentence, or "" when only one size was tried."""
    length = sweep_length(records)
    if length is None:
        return ""
    records = [r for r in records if r["length"] == length]
    longest = _longest(records)
    parts = []
    for loss in ("ce", "mse"):
        rows = sorted((k[1], g) for k, g in by(records, "loss", "hidden").items() if k[0] == loss)
        if rows:
            parts.append("{}: {}".format(LOSS_NAMES[loss], ", ".join(
                "{} units {} +- {:.1f} ({} seeds, {} with every validation sum right)".format(
                    h, pct(np.mean(_at(g, longest))), 100 * spread(_at(g, longest))[1], len(g), successes(g))
                for h, g in rows)))
    reference = main_hidden(records)
    pairs = []
    for loss in ("ce", "mse"):
        groups = {k[1]: g for k, g in by(records, "loss", "hidden").items() if k[0] == loss}
        pairs += ["{}: {}".format(LOSS_NAMES[loss], pair("{} units".format(h), _at(g, longest),
                                                         "{} units".format(reference), _at(groups[reference], longest)))
                  for h, g in sorted(groups.items()) if h != reference and reference in groups]
    return "Trained at L = {}, bit accuracy on {}-bit sums by hidden units: {}.{}".format(
        length, longest, "; ".join(parts), " By the comparison rule: {}.".format("; ".join(pairs)) if pairs else "")
