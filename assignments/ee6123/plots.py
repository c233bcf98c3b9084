"""Question 1's figures and table, from the grid's result files (grid.load()).

Each drawing is draw(entries, ..., fig, box): it fills box (left, bottom, right, top, fractions of fig), so that
the same drawing makes a PNG (write_q1) and a region of the report's page.
"""
import os

import matplotlib
import matplotlib.lines
import matplotlib.ticker

matplotlib.use("Agg")  # files only, no screen needed
import matplotlib.pyplot as plt  # noqa: E402

from core.compare import spread  # noqa: E402
from core.figures import png  # noqa: E402
from assignments.ee6123 import grid  # noqa: E402

COLORS = {"rnn": "tab:green", "lstm": "tab:blue", "gru": "tab:orange"}  # training curves are gray
CURVES_SIZE = (10.0, 4.6)


def accuracy_size(entries):
    """draw_accuracy's size in inches: a line per row with results."""
    return 7.0, 1.4 + 0.3 * max(1, sum(1 for e in entries if e["runs"]))


def draw_cell(entries, model, fig, box):
    """One cell's six rows side by side: loss above, error (100% - accuracy, log scale) below; training dashed,
    validation solid, one line per seed, and each seed's test error as a dot at its best epoch."""
    mine = [e for e in entries if e["model"] == model]
    if not any(r.get("history") for e in mine for r in e["runs"]):
        return False  # nothing drawn: no axes left behind on a page
    left, bottom, right, top = box
    gap = 0.012
    panel = (right - left - gap * (len(mine) - 1)) / len(mine)
    height = top - bottom
    for k, entry in enumerate(mine):
        x = left + k * (panel + gap)
        upper = fig.add_axes([x, bottom + height * 0.53, panel, height * 0.4])
        lower = fig.add_axes([x, bottom, panel, height * 0.45])
        upper.set_title("{} {}\n{}, {} seed{}".format(grid.NAMES[model], ",".join(map(str, entry["layers"])),
                                                      "both ways" if entry["bidirectional"] else "one way",
                                                      len(entry["runs"]), "" if len(entry["runs"]) == 1 else "s"),
                        fontsize=7)
        for ax in (upper, lower):
            ax.tick_params(labelsize=6)
            ax.grid(alpha=0.3)
        lower.set_yscale("log")
        lower.set_ylim(0.3, 60)
        lower.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: "{:g}".format(v)))
        lower.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        lower.set_yticks([0.5, 1, 2, 5, 10, 20, 50])
        upper.set_ylim(0, 1.5)
        if k:
            upper.set_yticklabels([])
            lower.set_yticklabels([])
        else:
            upper.set_ylabel("loss", fontsize=7)
            lower.set_ylabel("error, % (log)", fontsize=7)
        lower.set_xlabel("epoch", fontsize=7)
        upper.tick_params(labelbottom=False)  # the epochs are read on the panel below
        runs = [r for r in entry["runs"] if r.get("history")]
        if not runs:
            upper.text(0.5, 0.5, "not trained yet", ha="center", va="center", fontsize=7, transform=upper.transAxes)
            for ax in (upper, lower):
                ax.set_xticks([])
            continue
        for run in runs:
            epochs = [h["epoch"] for h in run["history"]]
            upper.plot(epochs, [h["train_loss"] for h in run["history"]], "--", color="tab:gray", lw=0.7)
            upper.plot(epochs, [h["val_loss"] for h in run["history"]], "-", color=COLORS[model], lw=0.7)
            lower.plot(epochs, [100 * (1 - h["train_accuracy"]) for h in run["history"]], "--", color="tab:gray",
                       lw=0.7)
            lower.plot(epochs, [100 * (1 - h["val_accuracy"]) for h in run["history"]], "-", color=COLORS[model],
                       lw=0.7)
            lower.plot([run["best_epoch"]], [100 * (1 - run["test_accuracy"])], "o", color="tab:red", ms=2.5)
    handles = [matplotlib.lines.Line2D([], [], ls="--", color="tab:gray", lw=0.8, label="training"),
               matplotlib.lines.Line2D([], [], ls="-", color=COLORS[model], lw=0.8, label="validation"),
               matplotlib.lines.Line2D([], [], ls="", marker="o", color="tab:red", ms=3,
                                       label="test, at the best validation epoch")]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=7, frameon=False,
               bbox_to_anchor=((left + right) / 2, top + 0.01))
    return True


def draw_accuracy(entries, fig, box):
    """Test accuracy of every row, the mean over its seeds with their standard deviation, and each seed."""
    shown = [e for e in entries if e["runs"]]
    if not shown:
        return False
    ax = fig.add_axes([box[0], box[1], box[2] - box[0], box[3] - box[1]])
    for y, e in enumerate(reversed(shown)):
        values = [100 * a for a in grid.accuracies(e)]
        mean, sd = spread(values)
        ax.errorbar([mean], [y], xerr=[sd], fmt="o", color=COLORS[e["model"]], capsize=3, ms=4)
        ax.plot(values, [y] * len(values), "|", color="black", ms=6, alpha=0.6)
    ax.set_yticks(range(len(shown)))
    ax.set_yticklabels([e["title"] for e in reversed(shown)], fontsize=7)
    ax.set_xlabel("test accuracy (%): mean and sd over seeds (dot and bar), each seed (tick)", fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.grid(axis="x", alpha=0.3)
    return True


HEADER = ["rank", "model", "weights", "seeds", "validation acc.", "test acc.", "test loss", "min/run"]


def table_rows(entries):
    """The table: ranked rows first (grid.ranked), then any row with too few seeds, unranked."""
    def cells(e, rank):
        runs = e["runs"]
        val, val_sd = spread([100 * r["val_accuracy"] for r in runs])
        test, test_sd = spread([100 * r["test_accuracy"] for r in runs])
        loss = spread([r["test_loss"] for r in runs])[0]  # mean cross-entropy on the test set
        minutes = sum(r["train_seconds"] for r in runs) / 60.0 / len(runs)
        return [rank, e["title"], "{:,}".format(runs[0]["parameters"]), str(len(runs)),
                "{:.2f} \u00b1 {:.2f}%".format(val, val_sd), "{:.2f} \u00b1 {:.2f}%".format(test, test_sd),
                "{:.4f}".format(loss), "{:.1f}".format(minutes)]
    ranked = grid.ranked(entries)
    out = [cells(e, str(e["rank"])) for e in ranked]
    names = {e["name"] for e in ranked}
    out += [cells(e, "-") if e["runs"] else ["-", e["title"], "-", "0", "-", "-", "-", "-"]
            for e in entries if e["name"] not in names]
    return out


def table_text(entries):
    """The table as text for the terminal."""
    rows = [HEADER] + table_rows(entries)
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def _cell_or_note(entries, model, fig, box):
    """draw_cell, or where the cell has no run yet a line saying how to train it (the file is always there)."""
    if draw_cell(entries, model, fig, box):
        return True
    fig.text(0.5, 0.5, "{}: not trained yet ({})".format(grid.NAMES[model], grid.command(model, (128,), False)),
             ha="center", va="center", fontsize=11)
    return True


def write_q1(entries, tiny=False):
    """The PNGs beside the results: curves_<cell>.png for each cell, accuracy.png. Returns the paths written."""
    folder = grid.folders(tiny)[1]
    paths = [png(lambda fig, box, m=model: _cell_or_note(entries, m, fig, box),
                 os.path.join(folder, "curves_{}.png".format(model)), CURVES_SIZE) for model in grid.MODELS]
    path = png(lambda fig, box: draw_accuracy(entries, fig, box), os.path.join(folder, "accuracy.png"),
               accuracy_size(entries))
    return paths + ([path] if path else [])
