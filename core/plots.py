"""The figures of the LSTM and GRU results, drawn from the result files: test accuracy against hidden size
(means over seeds), and the validation curves. plot_results.py writes them as PNGs; the report draws them on its
pages.

Reads results/<model>_h<hidden>.json (written by main.py --test), results/study/ (the seeds) and
weights/<config>/log.csv of the basic single-layer LSTM and GRU configurations.
"""
import os

import matplotlib

matplotlib.use("Agg")  # files only, no screen needed
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402

from core import study  # noqa: E402
from core.config import Arch  # noqa: E402
from core.common import UserError, relpath  # noqa: E402
from core.results import read_folder  # noqa: E402

MODELS = (("lstm", "LSTM", "tab:blue", "o"), ("gru", "GRU", "tab:orange", "s"))


def load_all(results_dir):
    """Every result file of results_dir, checked (core/results.py: a damaged one is one error line), all on one
    test set: MNIST's (results on another set are marked by evaluate.py and never mixed in)."""
    results = read_folder(results_dir)
    sets = {(r.get("test_set") or {}).get("sha256", "MNIST's 10,000 images") for r in results}
    if len(sets) > 1:
        raise UserError("{} mixes results on {} different test sets; plot each set's results from a folder of "
                        "their own".format(relpath(results_dir), len(sets)))
    return results


def is_basic(result):
    """One LSTM or GRU layer without options: the eight configurations of the main results."""
    return (result["model"] in ("lstm", "gru") and isinstance(result["hidden_unit"], int)
            and result["name"] == Arch(result["model"], (result["hidden_unit"],)).name)


def load_results(results_dir):
    """The basic configurations' results (the plots and the main table), each with "seeds": the summary of its
    recipe's seeds in results_dir/study/ (core/study.py), or None where it has a single earlier run, and
    "seeds_so_far": the same while only some of its seeds are tested (the retraining in progress)."""
    results = [r for r in load_all(results_dir) if is_basic(r)]
    for r in results:  # a configuration counts as retrained once all its seeds are tested
        seeds = study.summary(r["model"], r["hidden_unit"], results_dir)
        complete = seeds is not None and seeds["n"] == len(study.SEEDS)
        r["seeds"], r["seeds_so_far"] = (seeds, None) if complete else (None, seeds)
    return results


def load_variants(results_dir):
    """Every other result (--model=rnn, more layers, --bidirectional, ...): the variants, apart from the main
    results."""
    return [r for r in load_all(results_dir) if not is_basic(r)]


def load_log(weights_dir, name):
    """[(epoch, validation accuracy)] of a run's log.csv, read and checked by core/runs.py ([] where none)."""
    from core.runs import RunDir
    return [(r["epoch"], r["val_accuracy"]) for r in RunDir(weights_dir, name).curves()]


def accuracy_points(results):
    """{(model, hidden): (test accuracy %, standard deviation % or None, number of seeds)}: the mean over the
    seeds of its recipe where they have been tested (core/study.py), else the one run in weights/."""
    points = {}
    for r in results:
        seeds = r.get("seeds")
        if seeds:
            points[(r["model"], r["hidden_unit"])] = (100 * seeds["test_mean"], 100 * seeds["test_sd"], seeds["n"])
        else:
            points[(r["model"], r["hidden_unit"])] = (100.0 * r["test_accuracy"], None, 1)
    return points


def plot_accuracy(results, ax, places=2):
    """Test accuracy (%) against hidden size on a log2 axis, one line per cell, values labelled to `places`
    decimals (a report passes the decimals its text and table use): means with error bars of one standard
    deviation over the seeds, hollow markers for a single run."""
    points = accuracy_points(results)
    value = {k: v[0] for k, v in points.items()}
    several = sorted({n for _, _, n in points.values() if n > 1})
    mixed = several and any(n == 1 for _, _, n in points.values())
    for model, label, color, marker in MODELS:
        rows = sorted((h, y) for (m, h), y in value.items() if m == model)
        if not rows:
            continue
        xs, ys = zip(*rows)
        ax.plot(xs, ys, color=color, label=label)
        for x, y in rows:
            _, sd, n = points[(model, x)]
            ax.errorbar([x], [y], yerr=[sd] if sd is not None else None, marker=marker, color=color, capsize=3,
                        markerfacecolor="white" if mixed and n == 1 else color)
            others = [v for (m, h), v in value.items() if h == x and m != model]
            above = not others or y > others[0] or (y == others[0] and model == "lstm")
            text = "{:.{p}f}".format(y, p=places) + ("\u00b1{:.{p}f}".format(points[(model, x)][1], p=places)
                                                     if points[(model, x)][2] > 1 else "")
            # Beside the marker, not above it, where the error bar runs: the LSTM's to the right, the GRU's to
            # the left; the higher of the two a little up, the lower a little down.
            right = model == "lstm"
            ax.annotate(text, (x, y), textcoords="offset points", xytext=(7 if right else -7, 3 if above else -9),
                        ha="left" if right else "right", fontsize=8, color=color)
    ax.set_xscale("log", base=2)
    ax.margins(x=0.2, y=0.15)  # room for the value labels beside the first and last sizes
    hidden = sorted({r["hidden_unit"] for r in results})
    ax.set_xticks(hidden)
    ax.set_xticklabels([str(h) for h in hidden])
    ax.set_xlabel("hidden units")
    ax.set_ylabel("test accuracy (%)")
    note = "mean \u00b1 sd over {} seeds".format("/".join(map(str, several))) if several else ""
    ax.set_title("Row-by-row MNIST: test accuracy by hidden size" + (
        "\n({})".format("filled: " + note + "; hollow: one run" if mixed else note) if several else ""),
        fontsize=10 if several else None)
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
            log = load_log(weights_dir, Arch(model, (hidden,)).name)
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


def write_rows_until_known(results_dir, weights_dir, images, labels, out=None, test_set=None):
    """The fraction of test images right after row t and from then on, for each basic model in weights/, written to
    `out` (default results_dir); `test_set` marks a test set other than MNIST's (evaluate.py's marker)."""
    from core import explain
    from core.runs import RunDir, check_trained

    def load(names):
        for name in names:
            run = RunDir(weights_dir, name)
            config, state = check_trained(run, Arch.parse(name))  # a missing or damaged run: one line saying so
            yield name, config.arch.model, explain.load_weights(run, state, config)
    names = [r["name"] for r in sorted(load_results(results_dir), key=lambda r: (r["model"], r["hidden_unit"]))]
    return explain.known_summary(out or results_dir, names, images, labels, load, test_set)
