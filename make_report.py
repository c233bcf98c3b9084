"""Report.pdf from the result files: a short summary, the parameter table and the plots.

    python make_report.py [--results_dir=results] [--weights_dir=weights] [--output=Report.pdf]

Also rewrites the results and variants tables in README.md (between their markers).

Every number comes from results/<config>.json and the training logs; nothing
is typed in by hand. Results of variants (lstm_h128_bi, rnn_h128, ...) make
an appendix page and the README's variants table. Uses matplotlib's PDF backend only (no LaTeX).
"""
import argparse
import io
import logging
import os
import sys
import textwrap

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["pdf.use14corefonts"] = True  # plain-text PDF: small, and its numbers can be checked
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # "Helvetica weight" notices
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402

import plot_results  # noqa: E402
from common import PROJECT_DIR, atomic_write_bytes, layer_sizes, print_error, relpath  # noqa: E402

A4 = (8.27, 11.69)


def _pct(x):
    return "{:.2f}%".format(100.0 * x)


def summary(results):
    """The report's prose: 3-4 sentences built from the numbers."""
    by = {(r["model"], r["hidden_unit"]): r for r in results}
    sizes = sorted({h for _, h in by})
    best = max(results, key=lambda r: (r["test_accuracy"], -r["parameters"]))
    worst = min(results, key=lambda r: r["test_accuracy"])
    pairs = [(by[("lstm", h)], by[("gru", h)]) for h in sizes if ("lstm", h) in by and ("gru", h) in by]
    gru_ahead = [g["hidden_unit"] for l, g in pairs if g["test_accuracy"] > l["test_accuracy"]]
    lstm_ahead = [l["hidden_unit"] for l, g in pairs if l["test_accuracy"] > g["test_accuracy"]]
    small = pairs[0] if pairs else None
    text = [
        "Single-layer recurrent networks written from scratch read each MNIST image as 28 rows of 28 pixels; "
        "all {} configurations reach between {} ({}-{}) and {} ({}-{}) test accuracy on the 10,000 test "
        "images.".format(len(results), _pct(worst["test_accuracy"]), worst["model"].upper(), worst["hidden_unit"],
                         _pct(best["test_accuracy"]), best["model"].upper(), best["hidden_unit"]),
    ]
    if len(sizes) > 1 and pairs:
        lo, hi = pairs[0], pairs[-1]
        text.append("From {} to {} hidden units the test accuracy changes by {:+.2f} points for the LSTM and "
                    "{:+.2f} for the GRU, while the parameter count grows {:.0f}-fold.".format(
                        lo[0]["hidden_unit"], hi[0]["hidden_unit"],
                        100 * (hi[0]["test_accuracy"] - lo[0]["test_accuracy"]),
                        100 * (hi[1]["test_accuracy"] - lo[1]["test_accuracy"]),
                        hi[0]["parameters"] / float(lo[0]["parameters"])))
    if pairs:
        text.append(
            "The GRU is ahead at {} of {} sizes ({}) and the LSTM at {} ({}); at {} units, where capacity is "
            "scarcest, GRU {} against LSTM {} with {:,} against {:,} parameters.".format(
                len(gru_ahead), len(pairs), ", ".join(map(str, gru_ahead)) or "none", len(lstm_ahead),
                ", ".join(map(str, lstm_ahead)) or "none", small[0]["hidden_unit"], _pct(small[1]["test_accuracy"]),
                _pct(small[0]["test_accuracy"]), small[1]["parameters"], small[0]["parameters"]))
        lstm, gru = pairs[-1]
        per_epoch = [r["train_seconds"] / max(1, r["epochs_run"]) for r in (lstm, gru)]
        gap = max(abs(l["test_accuracy"] - g["test_accuracy"]) for l, g in pairs)
        text.append(
            "Why they differ: the GRU merges the LSTM's input and forget gates into one update gate and keeps no "
            "separate cell state, so it has three gate blocks to the LSTM's four and a quarter fewer weights; "
            "here it took {:.1f} s against the LSTM's {:.1f} s per epoch at {} units. On sequences of only 28 "
            "steps the LSTM's extra memory path {}: the largest gap between the cells at equal size is {:.2f} "
            "points.".format(per_epoch[1], per_epoch[0], lstm["hidden_unit"],
                             "buys little" if gap < 0.005 else "matters", 100 * gap))
    return text


def targets(results):
    """What the accuracy goals (issue 4) ask, and which configurations meet them."""
    ordered = sorted(results, key=lambda r: (r["model"] != "lstm", r["hidden_unit"]))
    missed = ["{}-{} ({})".format(r["model"].upper(), r["hidden_unit"], _pct(r["test_accuracy"])) for r in ordered
              if r["test_accuracy"] < (0.99 if r["hidden_unit"] >= 128 else 0.985)]
    goal = "Goal: at least 98.50% test accuracy everywhere and 99.00% at 128 and 256 units. "
    method = ("Settings were chosen by validation accuracy alone (tuning/README.md), never by test accuracy; "
              "each shipped model is one training run.")
    if not missed:
        return goal + "All {} configurations meet it. ".format(len(results)) + method
    tried = ("Tried for them, judged on validation: learning rates 0.002, 0.005 and 0.01, decay 0.93 and 0.97 per "
             "epoch, batches of 128 and 64, up to 60 epochs; regularisation would make them variants (see the "
             "appendix), not the basic configuration. ")
    return goal + "Not met by {}. ".format(", ".join(missed)) + tried + method


def table(results):
    header = ["model", "hidden", "parameters", "learning rate x decay\nbatch size", "epochs run (best)\nmax, patience",
              "val. acc.", "test acc.\n(correct)", "train time"]
    rows = []
    for r in sorted(results, key=lambda r: (r["model"] != "lstm", r["hidden_unit"])):
        c = r["config"]
        rows.append([r["model"].upper(), str(r["hidden_unit"]), "{:,}".format(r["parameters"]),
                     "{:g} x{:g}\nbatch {}".format(c["learning_rate"], c["lr_decay"], c["batch_size"]),
                     "{} ({})\n{}, {}".format(r["epochs_run"], r["best_epoch"], c["epochs"], c["patience"]),
                     _pct(r["val_accuracy"]), "{}\n({:,})".format(_pct(r["test_accuracy"]), r["test_correct"]),
                     "{:.1f} min".format(r["train_seconds"] / 60.0)])
    return header, rows


def settings(results):
    c = results[0]["config"]
    lines = [
        "Optimiser: Adam with the learning rate and batch size in the table, the learning rate multiplied by the "
        "decay after every epoch; gradients clipped to global norm {}.".format(c["clip_norm"]),
        "Early stopping: at most the table's maximum number of epochs, stop after 'patience' epochs without a "
        "better validation accuracy; the weights of the best validation epoch are kept. Validation: {:,} images "
        "held out of the 60,000 training images (fixed split); the test set is used once, at the end.".format(
            c["validation_size"]),
        "Initialisation: Glorot-uniform input weights, orthogonal recurrent weights, zero biases except the "
        "LSTM forget gate (1.0); seed {}. Trained with TensorFlow {} (Python {}).".format(
            c["seed"], results[0]["trained_with"]["tensorflow"], results[0]["trained_with"]["python"]),
    ]
    return lines


def describe(r):
    """A variant in words, from its recorded configuration."""
    c = r["config"]
    layers = layer_sizes(dict(c, hidden_unit=r["hidden_unit"]))
    words = ["{} {}".format(r["model"].upper() if r["model"] != "rnn" else "vanilla RNN",
                            ",".join(str(n) for n in layers))]
    if len(layers) > 1:
        words.append("{} layers".format(len(layers)))
    if c.get("bidirectional"):
        words.append("bidirectional")
    if c.get("crop_augment"):
        words.append("random crops")
    if c.get("dropout"):
        words.append("dropout {:g}".format(c["dropout"]))
    if c.get("l2"):
        words.append("L2 {:g}".format(c["l2"]))
    return ", ".join(words)


def baseline(r, results):
    """The basic configuration a variant changes: same cell (an LSTM for the vanilla RNN), first layer's size."""
    by = {(b["model"], b["hidden_unit"]): b for b in results}
    layers = layer_sizes(dict(r["config"], hidden_unit=r["hidden_unit"]))
    return by.get(("lstm" if r["model"] == "rnn" else r["model"], layers[0]))


def variant_rows(variants, results):
    rows = []
    for r in sorted(variants, key=lambda r: r["name"]):
        base = baseline(r, results)
        against = "{:+.2f} vs {}-{}".format(100 * (r["test_accuracy"] - base["test_accuracy"]), base["model"].upper(),
                                             base["hidden_unit"]) if base else "-"
        rows.append([describe(r), "{:,}".format(r["parameters"]),
                     "{:g} x{:g}".format(r["config"]["learning_rate"], r["config"]["lr_decay"]),
                     "{} ({})".format(r["epochs_run"], r["best_epoch"]), _pct(r["val_accuracy"]),
                     "{} ({:,})".format(_pct(r["test_accuracy"]), r["test_correct"]), against,
                     _pct(r["crop_test_accuracy"]) if "crop_test_accuracy" in r else "-",
                     "{:.1f} min".format(r["train_seconds"] / 60.0)])
    return rows


VARIANT_HEADER = ["configuration", "parameters", "learning rate", "epochs run (best)", "val. acc.",
                  "test acc. (correct)", "test acc. against the basic model", "cropped test acc.", "train time"]


def readme_variants(variants, results):
    lines = ["| " + " | ".join(VARIANT_HEADER) + " |", "|" + "---|" * len(VARIANT_HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in variant_rows(variants, results)]
    return "\n".join(lines) + "\n"


def readme_table(results):
    """The README's results table (Markdown), from the same numbers as the report."""
    lines = ["| cell | hidden | parameters | test accuracy (correct of 10,000) | validation accuracy | "
             "best epoch / epochs run | training time | learning rate, decay, batch | max epochs, patience |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in sorted(results, key=lambda r: (r["model"] != "lstm", r["hidden_unit"])):
        c = r["config"]
        lines.append("| {} | {} | {:,} | {} ({:,}) | {} | {} / {} | {:.1f} min | {:g}, x{:g}, {} | {}, {} |".format(
            r["model"].upper(), r["hidden_unit"], r["parameters"], _pct(r["test_accuracy"]), r["test_correct"],
            _pct(r["val_accuracy"]), r["best_epoch"], r["epochs_run"], r["train_seconds"] / 60.0,
            c["learning_rate"], c["lr_decay"], c["batch_size"], c["epochs"], c["patience"]))
    return "\n".join(lines) + "\n"


def _replace_block(text, marker, block):
    begin, end = "<!-- {}:begin -->\n".format(marker), "<!-- {}:end -->".format(marker)
    if begin not in text or end not in text:
        return text
    head, rest = text.split(begin, 1)
    return head + begin + block + end + rest.split(end, 1)[1]


def update_readme(path, results, variants=()):
    """Replace the text between the README's results (and variants) markers with the tables."""
    with open(path) as f:
        text = f.read()
    new = _replace_block(text, "results", readme_table(results) + "\n" + targets(results) + "\n")
    if variants:
        new = _replace_block(new, "variants", readme_variants(variants, results))
    if new == text and "<!-- results:begin -->" not in text:
        return False
    atomic_write_bytes(path, new.encode("utf-8"))
    return True


def _text(fig, y, paragraphs, size=10, width=95):
    for paragraph in paragraphs:
        wrapped = textwrap.fill(paragraph, width)
        fig.text(0.08, y, wrapped, fontsize=size, va="top", family="serif")
        y -= 0.0175 * (wrapped.count("\n") + 1) * size / 10.0 + 0.01
    return y


def variants_page(pdf, variants, results):
    """Appendix: the variants next to the basic models they change."""
    fig = plt.figure(figsize=A4)
    fig.text(0.08, 0.95, "Appendix: variants", fontsize=16, weight="bold")
    by = {(r["model"], r["hidden_unit"]): r for r in results}
    used = sorted({"learning rate {learning_rate:g} x{lr_decay:g} per epoch, at most {epochs} epochs, patience "
                   "{patience}".format(**r["config"]) for r in variants})
    intro = ["Each variant changes one thing against a basic single-layer model and was trained once ({}); its "
             "test accuracy is measured once. 'Cropped test acc.' is the accuracy on the test images as random "
             "crops (24-28 pixels a side, fixed seed) read as pixel streams of 21-28 steps; models trained "
             "without crops read the zero padding of the last steps as input.".format("; ".join(used))]
    for base in ("lstm", "gru"):
        if (base, 128) in by:
            r = by[(base, 128)]
            intro.append("Basic {}-128 for comparison: {} test accuracy ({:,} correct), {} on the cropped test "
                         "images.".format(base.upper(), _pct(r["test_accuracy"]), r["test_correct"],
                                          _pct(r["crop_test_accuracy"]) if "crop_test_accuracy" in r else "n/a"))
    y = _text(fig, 0.91, intro)
    ax = fig.add_axes([0.05, y - 0.05 - 0.035 * len(variants), 0.9, 0.035 * (len(variants) + 1)])
    ax.axis("off")
    header = [h.replace(" (", "\n(").replace(" against", "\nagainst").replace(" test acc.", "\ntest acc.")
              for h in VARIANT_HEADER]
    grid = ax.table(cellText=variant_rows(variants, results), colLabels=header, bbox=[0, 0, 1, 1], cellLoc="center",
                    colWidths=[0.2, 0.09, 0.09, 0.09, 0.08, 0.14, 0.13, 0.09, 0.08])
    grid.auto_set_font_size(False)
    grid.set_fontsize(7)
    _text(fig, y - 0.1 - 0.035 * len(variants), [
        "One training run each: differences of one or two tenths of a point are within what another seed "
        "could change (not measured here). The vanilla RNN is compared with the LSTM of the same size."], size=9)
    pdf.savefig(fig)
    plt.close(fig)


def build(results, weights_dir, variants=()):
    buffer = io.BytesIO()
    with PdfPages(buffer) as pdf:
        fig = plt.figure(figsize=A4)  # page 1: what came out, and how it was trained
        fig.text(0.08, 0.95, "LSTM and GRU from scratch on row-by-row MNIST", fontsize=16, weight="bold")
        _text(fig, 0.92, summary(results))
        header, rows = table(results)
        ax = fig.add_axes([0.08, 0.36, 0.84, 0.25])
        ax.axis("off")
        grid = ax.table(cellText=rows, colLabels=header, bbox=[0, 0, 1, 1], cellLoc="center",
                        colWidths=[0.08, 0.08, 0.11, 0.17, 0.16, 0.1, 0.12, 0.1])
        grid.auto_set_font_size(False)
        grid.set_fontsize(8)
        _text(fig, 0.33, settings(results) + [targets(results)], size=9, width=105)
        pdf.savefig(fig)
        plt.close(fig)

        fig = plt.figure(figsize=A4)  # page 2: the plots
        plot_results.plot_accuracy(results, fig.add_axes([0.12, 0.56, 0.8, 0.36]))
        plot_results.plot_curves(results, weights_dir, fig.add_axes([0.12, 0.1, 0.8, 0.36]))
        fig.text(0.08, 0.04, textwrap.fill(
            "Bottom: validation accuracy after every epoch (weights/<config>/log.csv). The learning rate decays "
            "each epoch, so the curves flatten; early stopping keeps the best epoch.", 100),
            fontsize=9, va="top", family="serif")
        pdf.savefig(fig)
        plt.close(fig)
        if variants:
            variants_page(pdf, variants, results)
    return buffer.getvalue()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results_dir", default=os.path.join(PROJECT_DIR, "results"))
    parser.add_argument("--weights_dir", default=os.path.join(PROJECT_DIR, "weights"))
    parser.add_argument("--output", default=os.path.join(PROJECT_DIR, "Report.pdf"))
    parser.add_argument("--readme", default=os.path.join(PROJECT_DIR, "README.md"),
                        help="file whose results table to update ('' for none)")
    args = parser.parse_args(argv)
    results = plot_results.load_results(args.results_dir)
    if not results:
        return print_error("no results in {}; run python reproduce.py first".format(relpath(args.results_dir)))
    variants = plot_results.load_variants(args.results_dir)
    atomic_write_bytes(args.output, build(results, args.weights_dir, variants))
    print("wrote {}".format(relpath(args.output)))
    if args.readme and update_readme(args.readme, results, variants):
        print("updated the results table in {}".format(relpath(args.readme)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
