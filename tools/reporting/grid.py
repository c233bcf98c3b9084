"""The related assignments' grid (core/study.py: RNN, LSTM and GRU at 64, 128 and 64,64 units, one-
and two-directional), the L2 comparison and the best row-reader: their table rows and their curves.

Every number comes from the seed runs' result files, results/study/<recipe>/seed<N>/<config>.json (test
accuracy, and the per-epoch curves that main.py --test copies from log.csv); a shipped configuration's
older result files have no curves, and its shipped seed's come from weights/<config>/log.csv.

    python -m tools.reporting.grid [--results_dir=results] [--weights_dir=weights]   # results/grid_<cell>.png
"""
import os
import sys

from core.runs import RunDir
from core import study
from core.config import Arch
from core.common import (ArgumentParser, RESULTS_DIR, WEIGHTS_DIR, UserError, guarded, relpath,
                         save_png)
from core import compare

CELL_NAMES = {"rnn": "vanilla RNN", "lstm": "LSTM", "gru": "GRU", "mlp": "MLP (no recurrence)", "cnn": "CNN (no recurrence)"}


def title(model, layers, bidirectional=False):
    """A human name: 'LSTM 64,64 bidirectional'."""
    return "{} {}{}".format(CELL_NAMES[model], ",".join(map(str, layers)), " bidirectional" if bidirectional else "")


def _history(result, name, weights_dir):
    """The run's curves: from its result file, else from the shipped folder if that holds this seed."""
    if result.get("history"):
        return result["history"]
    shipped = RunDir(weights_dir, name)
    config = shipped.load_config() if os.path.isdir(shipped.path) else None
    return shipped.curves() if config and config.recipe.seed == result["config"]["seed"] else []


def load(results_dir=RESULTS_DIR, weights_dir=WEIGHTS_DIR):
    """One entry per run of study.grid(): name, model, layers, bidirectional, recipe, and "runs": the tested
    seeds' results (each with its "history"), in seed order."""
    entries = []
    for name, model, layers, bidirectional, recipe, seeds in study.grid():
        runs = []
        for result in study.seed_results(recipe, name, results_dir, seeds, runtime=study.STUDIES_RUNTIME):
            runs.append(dict(result, history=_history(result, name, weights_dir)))
        entries.append({"name": name, "model": model, "layers": layers, "bidirectional": bidirectional,
                        "recipe": recipe, "runs": runs})
    return entries


def accuracies(entry):
    return [r["test_accuracy"] for r in entry["runs"]]


HEADER = ["configuration", "parameters", "seeds", "val. acc.", "test acc."]


def row(entry):
    """[configuration, parameters, seeds, val. acc., test acc.] for the table."""
    runs = entry["runs"]
    name = title(entry["model"], entry["layers"], entry["bidirectional"]) + (
        ", L2 {:g}".format(entry["recipe"]["l2"]) if entry["recipe"].get("l2") else "")
    if not runs:
        return [name, "-", "0", "not trained yet", "-"]
    test, sd = compare.spread(accuracies(entry))
    val, _ = compare.spread([r["val_accuracy"] for r in runs])
    return [name, "{:,}".format(runs[0]["parameters"]) if "parameters" in runs[0] else "-",
            str(len(runs)), "{:.2f}%".format(100 * val),
            "{:.2f}%".format(100 * test) + (" \u00b1 {:.2f}".format(100 * sd) if len(runs) > 1 else "")]


def draw(fig, entries, model, box=(0.06, 0.06, 0.92, 0.86)):
    """One cell's architectures side by side in `fig` (within box: left, bottom, width, height): loss above,
    error (100% - accuracy, log scale) below; training dashed, validation solid, the test error as a dot at
    the best epoch (each architecture's first seed with curves)."""
    import matplotlib.ticker
    mine = [e for e in entries if e["model"] == model and e["layers"] in study.GRID_LAYERS and not e["recipe"].get("l2")]
    left, bottom, width, height = box
    gap, n = 0.012, len(mine)
    panel = (width - gap * (n - 1)) / n
    for k, entry in enumerate(mine):
        x = left + k * (panel + gap)
        top = fig.add_axes([x, bottom + height * 0.53, panel, height * 0.4])
        low = fig.add_axes([x, bottom, panel, height * 0.45])
        run = next((r for r in entry["runs"] if r["history"]), entry["runs"][0] if entry["runs"] else None)
        # Two short lines: a panel is narrow, and a longer title ran into its neighbour's (#27).
        top.set_title("{} {}\n{}".format(model.upper(), ",".join(map(str, entry["layers"])), ", ".join(
            (["bidirectional"] if entry["bidirectional"] else []) +
            (["seed {}".format(run["config"]["seed"])] if run else []))), fontsize=7)
        for ax in (top, low):
            ax.tick_params(labelsize=6)
            ax.grid(alpha=0.3)
        low.set_yscale("log")
        low.set_ylim(0.3, 60)
        low.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: "{:g}".format(v)))
        low.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        low.set_yticks([0.5, 1, 2, 5, 10, 20, 50])
        top.set_ylim(0, 1.0)
        if k:
            top.set_yticklabels([])
            low.set_yticklabels([])
        else:
            top.set_ylabel("loss", fontsize=7)
            low.set_ylabel("error, % (log)", fontsize=7)
        low.set_xlabel("epoch", fontsize=7)
        if not run or not run["history"]:
            for ax in (top, low):
                ax.set_xticks([])
            top.text(0.5, 0.5, "not trained yet" if not run else "no curves\nrecorded", ha="center", va="center",
                     fontsize=7, transform=top.transAxes)
            continue
        epochs = [h["epoch"] for h in run["history"]]
        top.plot(epochs, [h["train_loss"] for h in run["history"]], "--", color="tab:gray", lw=0.8, label="training")
        top.plot(epochs, [h["val_loss"] for h in run["history"]], "-", color="tab:blue", lw=0.8, label="validation")
        low.plot(epochs, [100 * (1 - h["train_accuracy"]) for h in run["history"]], "--", color="tab:gray", lw=0.8)
        low.plot(epochs, [100 * (1 - h["val_accuracy"]) for h in run["history"]], "-", color="tab:blue", lw=0.8)
        low.plot([run["best_epoch"]], [100 * (1 - run["test_accuracy"])], "o", color="tab:red", ms=3,
                 label="test, at the best epoch")
        low.annotate("{:.2f}%".format(100 * run["test_accuracy"]), (run["best_epoch"], 100 * (1 - run["test_accuracy"])),
                     xytext=(0, -9), textcoords="offset points", ha="center", fontsize=6, color="tab:red")
        if k == 0:
            handles = top.get_legend_handles_labels()[0] + low.get_legend_handles_labels()[0]
            fig.legend(handles, [h.get_label() for h in handles], loc="lower center", ncol=3, fontsize=7,
                       bbox_to_anchor=(left + width / 2, bottom + height + 0.005), frameon=False)


def plot(entries, folder):
    """results/grid_<cell>.png, one per cell (draw()). Returns the paths written; with no grid results, one
    UserError (empty figures would look like a result)."""
    if not any(e["runs"] for e in entries):
        raise UserError("no grid results in {}; run python tools/reproduce.py --grid first (or pass --results_dir)"
                        .format(relpath(folder)))
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    paths = []
    for model in study.GRID_MODELS:
        fig = plt.figure(figsize=(11, 4.2))
        fig.text(0.01, 0.97, "{}: training curves of the grid".format(CELL_NAMES[model]), fontsize=10,
                 va="top")
        draw(fig, entries, model, box=(0.05, 0.1, 0.93, 0.7))
        paths.append(save_png(fig, os.path.join(folder, "grid_{}.png".format(model))))
    return paths


def named(entries, model, layers, bidirectional=False, l2=False):
    return next((e for e in entries if (e["model"], e["layers"], e["bidirectional"]) == (model, layers, bidirectional)
                 and bool(e["recipe"].get("l2")) == l2), None)


def l2_sentence(entries):
    """The L2 comparison in words, through the rule."""
    by = {study.label(e["recipe"]): e for e in entries if e["name"] == Arch(study.L2_CONFIG[0], tuple(study.L2_CONFIG[1])).name}
    sides = [by.get(study.label(recipe)) for _, recipe in study.L2]
    if not all(sides) or not all(s["runs"] for s in sides):
        return "The L2 comparison is not complete yet."
    (name_a, _), (name_b, _) = study.L2
    return "LSTM-128 with its recipe: " + compare.pair(name_b, accuracies(sides[1]), name_a, accuracies(sides[0])) + "."


GOAL = 99.55  # % test accuracy, mean over seeds: ReNet's figure, the best published for reading rows (#24)


def _best_figures(best):
    """(mean %, sd %, mean minus GOAL in points, minutes of training per seed) of the best row-reader."""
    mean, sd = compare.spread(accuracies(best))
    minutes = sum(r["train_seconds"] for r in best["runs"]) / 60.0 / len(best["runs"])
    return 100 * mean, 100 * sd, 100 * mean - GOAL, minutes


def _best_basic_on_validation(results_dir=RESULTS_DIR):
    """(validation accuracies, "LSTM-256") of the basic configuration with the highest mean validation
    accuracy over its seeds, or None before they are tested."""
    basics = []
    for model in ("lstm", "gru"):
        for hidden in (32, 64, 128, 256):
            runs = study.seed_results(study.recipe_of(model, hidden, study.GRID_RECIPES), study.basic_name(
                model, hidden), results_dir, runtime=study.STUDIES_RUNTIME)
            if len(runs) >= compare.MIN_SEEDS:
                basics.append(([r["val_accuracy"] for r in runs], "{}-{}".format(model.upper(), hidden)))
    return max(basics, key=lambda b: compare.spread(b[0])[0]) if basics else None


def best_on_validation(best, results_dir=RESULTS_DIR):
    """The best row-reader against the basic configuration with the highest mean validation accuracy, on
    validation (where a choice may be made), through the comparison rule."""
    basic = _best_basic_on_validation(results_dir)
    if not basic:
        return "The basic configurations' seeds are not tested yet."
    ours = [r["val_accuracy"] for r in best["runs"]]
    text = "On validation, the only ground for choosing: " + compare.pair(
        title(*study.BEST), ours, basic[1] + " (the best basic configuration on validation)", basic[0]) + "."
    if compare.verdict(ours, basic[0]) != "higher":
        text += " The row-reader above is not a choice the validation set supports over widening one layer."
    return text


def summary(entries):
    """The appendix's sentences: what the grid is, the L2 comparison, the best row-reader, the baseline."""
    text = ["The related assignments' grid: the vanilla RNN, the LSTM and the GRU at 64, 128 and two layers of 64 "
            "units, each one-directional and bidirectional, each with its recipe (a shipped configuration's own; "
            "else the general default: distortions 1, dropout 0.2, Adam 0.005 x0.97, at most 60 epochs, patience "
            "12, and learning rate 0.001 for the vanilla RNN). One seed each where no conclusion is drawn, so "
            "the grid's rows are not ranked; validation accuracy is of the best epoch.", l2_sentence(entries)]
    best = named(entries, *study.BEST)
    if best and best["runs"]:
        mean, sd, gap, minutes = _best_figures(best)
        text.append("The strongest row-reader tried, {} ({:,} weights, chosen before testing as the largest of "
                    "the grid's kind), reaches {:.2f}% \u00b1 {:.2f} over {} seed(s) against the goal of {:.2f}% "
                    "(ReNet's figure), {:.2f} points {}, {:.1f} minutes of training each.".format(
                        title(*study.BEST), best["runs"][0]["parameters"], mean, sd, len(best["runs"]), GOAL,
                        abs(gap), "short" if gap < 0 else "above", minutes))
        text.append(best_on_validation(best))
    base = named(entries, study.BASELINE[0], study.BASELINE[1])
    lstm = named(entries, "lstm", [128])
    if base and base["runs"] and lstm and lstm["runs"]:
        text.append("Against the non-recurrent baseline the assignment asks about, a dense ReLU layer of {} units "
                    "on all 784 pixels ({:,} weights, the same split, recipe and early stopping): {}.".format(
                        study.BASELINE[1][0], base["runs"][0]["parameters"],
                        compare.pair("LSTM-128", accuracies(lstm), "the MLP", accuracies(base))))
    return text


def readme_line(entries, results_dir=RESULTS_DIR):
    """The README's sentence on the best row-reader (between its grid markers), from the same files."""
    best = named(entries, *study.BEST)
    if not best or not best["runs"]:
        return "The best row-reader is not tested yet.\n"
    mean, sd, gap, minutes = _best_figures(best)
    basic = _best_basic_on_validation(results_dir)
    words = {"higher": "is above", "lower": "is below", "tie": "ties with", "one run": "is not compared with"}
    on_val = "; on validation it {} {}".format(words[compare.verdict([r["val_accuracy"] for r in best["runs"]],
                                                                     basic[0])], basic[1]) if basic else ""
    return ("Best row-reader: {} ({:,} weights, {:.0f} min a seed): {:.2f}% \u00b1 {:.2f} over {} seeds, "
            "{:.2f} points {} the {:.2f}% goal{}.\n").format(
                title(*study.BEST), best["runs"][0]["parameters"], minutes, mean, sd, len(best["runs"]),
                abs(gap), "short of" if gap < 0 else "above", GOAL, on_val)


def main(argv=None):
    """The grid's figures (plot()); bad input is one error line."""
    parser = ArgumentParser(description="The grid's training curves, one figure per cell: results/grid_<cell>.png")
    parser.add_argument("--results_dir", default=RESULTS_DIR)
    parser.add_argument("--weights_dir", default=WEIGHTS_DIR)
    args = parser.parse_args(argv)

    def draw_all():
        for path in plot(load(args.results_dir, args.weights_dir), args.results_dir):
            print("wrote {}".format(relpath(path)))
        return 0
    return guarded(draw_all, fix="point --results_dir at a folder you can write, then run again")


if __name__ == "__main__":
    sys.exit(main())
