"""The report's words and tables, from the result files: the first page's sentences, the goals, the results,
ablation and variant tables (for Report.pdf and the README alike)."""
from core import study
from core import compare
from core.augment import RANGES
from tools.reporting.pages import pct

# The goal of the multi-seed retraining: the mean over 3 seeds, for both cells.
GOALS = {32: 0.988, 64: 0.991, 128: 0.993, 256: 0.993}


def accuracy(r):
    """What a configuration is judged by: the mean test accuracy over its tested seeds, else its one run."""
    return r["seeds"]["test_mean"] if r.get("seeds") else r["test_accuracy"]


def over_seeds(r, key="test"):
    """'99.21 +- 0.05%' over the seeds, or '' for a single run."""
    s = r.get("seeds")
    return "{:.2f} \u00b1 {:.2f}%".format(100 * s[key + "_mean"], 100 * s[key + "_sd"]) if s else ""


def recipe_text(c):
    """A configuration's recipe in a few words, from its config: rate x decay, batch, max epochs / patience
    (early stopping), or peak rate, schedule and warm-up, batch, epochs (a fixed budget); then --augment and
    --dropout ("aug", "drop") where used."""
    if c.get("schedule", "exponential") == "exponential":
        words = ["{:g} x{:g}, b{}, {}/{}".format(c["learning_rate"], c["lr_decay"], c["batch_size"], c["epochs"],
                                                 c["patience"])]
    else:
        words = ["{:g} {}{}, b{}, {} epochs".format(c["learning_rate"], c["schedule"], " (warm-up {:g})".format(
            c["warmup"]) if c.get("warmup") else "", c["batch_size"], c["epochs"])]
    words += ["aug {:g}".format(c["augment"])] if c.get("augment") else []
    words += ["drop {:g}".format(c["dropout"])] if c.get("dropout") else []
    words += ["L2 {:g}".format(c["l2"])] if c.get("l2") else []
    return ", ".join(words)


def augmentation(strength=1.0):
    """The distortions of --augment=strength in words, from core/augment.py's ranges."""
    return ("random affine distortions: each epoch every training image is rotated by up to \u00b1{:g} degrees, "
            "scaled by up to \u00b1{:g}%, sheared by up to \u00b1{:g}% and shifted by up to \u00b1{:g} pixels, drawn at "
            "random".format(RANGES["rotation_degrees"] * strength, 100 * RANGES["scale"] * strength,
                            100 * RANGES["shear"] * strength, RANGES["shift_pixels"] * strength))


def _runs_phrase(results):
    counts = sorted({r["seeds"]["n"] for r in results if r.get("seeds")})
    if not counts:
        return "from one training run each"
    seeds = "means over {} seeds".format("/".join(map(str, counts)))
    return seeds if all(r.get("seeds") for r in results) else seeds + " where retrained, else one run"


def _by_size(results):
    by = {(r["model"], r["hidden_unit"]): r for r in results}
    sizes = sorted({h for _, h in by})
    return [(h, by[("lstm", h)], by[("gru", h)]) for h in sizes if ("lstm", h) in by and ("gru", h) in by]


def per_seed(r):
    """A configuration's test accuracy per seed (its one run's, if it has no seeds)."""
    if r.get("seeds"):
        return [correct / float(count) for _, correct, count, _ in r["seeds"]["seeds"]]
    return [r["test_accuracy"]]


def _name(r):
    return "{}-{}".format(r["model"].upper(), r["hidden_unit"])


def summary(results):
    """Page 1's sentences, from the numbers, every comparison through core/compare.py's rule."""
    best = max(results, key=lambda r: (accuracy(r), -r["parameters"]))
    worst = min(results, key=lambda r: accuracy(r))
    shipped = sorted(results, key=lambda r: r["test_accuracy"])
    text = ["Single-layer LSTM and GRU networks written from scratch, reading each MNIST image as 28 rows of 28 "
            "pixels, reach {} ({}) to {} ({}) on the 10,000 test images ({}{}).".format(
                pct(accuracy(worst)), _name(worst), pct(accuracy(best)), _name(best), _runs_phrase(results),
                "; the shipped checkpoints, each configuration's best-validation seed, score {} ({}) to {} ({})".format(
                    pct(shipped[0]["test_accuracy"]), _name(shipped[0]), pct(shipped[-1]["test_accuracy"]),
                    _name(shipped[-1])) if any(r.get("seeds") for r in results) else "")]
    pairs = _by_size(results)
    if not pairs:
        return text
    (lo, lo_l, lo_g), (hi, hi_l, hi_g) = pairs[0], pairs[-1]
    text.append("With H hidden units the LSTM has 4H(28 + H + 1) + 10H + 10 parameters and the GRU, with three "
                "gate blocks to the LSTM's four, 3H(28 + H + 1) + 10H + 10: from {:,} and {:,} at {} units to "
                "{:,} and {:,} at {}.".format(lo_l["parameters"], lo_g["parameters"], lo,
                                              hi_l["parameters"], hi_g["parameters"], hi))
    sizes = [h for h, _, _ in pairs]
    if len(pairs) >= 2:
        text.append("A difference counts only where the means over {} seeds differ by more than the two standard "
                    "deviations added together; anything less is a tie. By that rule the LSTM's curve {}, and "
                    "the GRU's {}.".format(compare.MIN_SEEDS, compare.curve(sizes, [per_seed(l) for _, l, _ in pairs]),
                                            compare.curve(sizes, [per_seed(g) for _, _, g in pairs])))
    verdicts = [(h, compare.verdict(per_seed(l), per_seed(g))) for h, l, g in pairs]
    differ = [(h, v) for h, v in verdicts if v in ("higher", "lower")]
    gap = max(abs(accuracy(l) - accuracy(g)) for _, l, g in pairs)
    if any(v == "one run" for _, v in verdicts):
        text.append("The cells are compared only where both have {} seeds.".format(compare.MIN_SEEDS))
    elif not differ:
        text.append("At equal size the two cells tie at every size (gaps of at most {:.2f} points).".format(100 * gap))
    else:
        text.append("At equal size the cells differ at {} of {} sizes ({}) and tie at the rest (largest gap {:.2f} "
                    "points).".format(len(differ), len(pairs), ", ".join(
                        "{}: the {} ahead".format(h, "LSTM" if v == "higher" else "GRU") for h, v in differ),
                        100 * gap))
    return text


def targets(results):
    """The accuracy goals, by how much each configuration meets or misses them, and how recipes were chosen."""
    ordered = sorted(results, key=lambda r: (r["model"] != "lstm", r["hidden_unit"]))
    goal = ("Goal: a mean over 3 seeds of at least {} at 32 units, {} at 64 and {} at 128 and 256, for both "
            "cells. ".format(pct(GOALS[32]), pct(GOALS[64]), pct(GOALS[128])))
    met, short, pending = [], [], []
    for r in ordered:
        name = "{}-{}".format(r["model"].upper(), r["hidden_unit"])
        gap = GOALS.get(r["hidden_unit"], 0) - accuracy(r)
        if not r.get("seeds"):  # a partial reproduction: not every seed tested yet
            pending.append("{} ({} of {} seeds tested)".format(name, (r.get("seeds_so_far") or {}).get("n", 0),
                                                              len(study.SEEDS)))
        elif gap > 1e-9:
            places = 2 if round(100 * gap, 2) > 0 else 3  # "99.30%, 0.00 short" would read as met
            short.append("{} ({:.{p}f}%, {:.{p}f} short)".format(name, 100 * accuracy(r), 100 * gap, p=places))
        else:
            met.append(name)
    text = goal + ("Met by {}. ".format(", ".join(met)) if met else "")
    text += "Not met by {}. ".format(", ".join(short)) if short else ""
    text += ("Not judged yet: {}. ".format(", ".join(pending)) if pending else "")
    return text + ("Recipes and seeds were chosen on validation alone (settings tried: tools/tuning/README.md); the "
                   "shipped checkpoint is each configuration's best-validation seed, chosen before testing.")


def table(results):
    header = ["model", "hidden", "parameters", "test acc.\nmean \u00b1 sd", "shipped run:\ntest (correct)",
              "val. acc.", "epochs run\n(best)", "train\ntime", "recipe"]
    rows = []
    for r in sorted(results, key=lambda r: (r["model"] != "lstm", r["hidden_unit"])):
        seeds = r.get("seeds")
        rows.append([r["model"].upper(), str(r["hidden_unit"]), "{:,}".format(r["parameters"]),
                     "{}\n({} seeds)".format(over_seeds(r), seeds["n"]) if seeds else "one run",
                     "{}\n({:,})".format(pct(r["test_accuracy"]), r["test_correct"]), pct(r["val_accuracy"]),
                     "{} ({})".format(r["epochs_run"], r["best_epoch"]), "{:.1f} min".format(r["train_seconds"] / 60.0),
                     recipe_text(r["config"]).replace(", b", "\nb", 1).replace(", aug", "\naug")])
    return header, rows


def ablation_tables(results_dir):
    """(rows, gains) of the ablation, from one reading of its result files: rows are [what, seeds, validation
    mean +- sd, test mean +- sd] for each recipe that has results; gains is one sentence of each recipe's mean
    validation and test accuracy against no regularisation, in points, once every recipe has all its seeds
    ("" before that)."""
    model, hidden = study.ABLATION_CONFIG
    found = [(name, study.summary(model, hidden, results_dir, recipe=recipe, runtime=study.STUDIES_RUNTIME))
             for name, recipe in study.ABLATION]
    rows = [[name, str(s["n"]), over_seeds({"seeds": s}, "val"), over_seeds({"seeds": s})] for name, s in found if s]
    if not all(s and s["n"] == len(study.SEEDS) for _, s in found):
        return rows, ""
    (_, none), others = found[0], found[1:]
    vals = lambda s: [v for _, _, _, v in s["seeds"]]
    tests = lambda s: [c / float(n) for _, c, n, _ in s["seeds"]]
    tie = lambda a, b: "" if compare.verdict(a, b) in ("higher", "lower") else " (tie)"
    return rows, "Against none, in points of validation / test accuracy, a tie where within the seeds' spread " \
        "(page 1's rule): " + ", ".join("{} {:+.2f}{} / {:+.2f}{}".format(
            name, 100 * (s["val_mean"] - none["val_mean"]), tie(vals(s), vals(none)),
            100 * (s["test_mean"] - none["test_mean"]), tie(tests(s), tests(none))) for name, s in others) + "."


ABLATION_HEADER = ["LSTM-128 trained with", "seeds", "val. acc.", "test acc."]


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
        "LSTM forget gate (1.0). Trained with TensorFlow {} (Python {}). Recipes: 'aug 1' (--augment=1) is "
        "{}; dropout acts on the inputs of each layer and of the classifier. A retrained configuration has one run "
        "per seed (seeds 1-3); its shipped run is the seed with the best validation accuracy.".format(
            results[0]["trained_with"]["tensorflow"], results[0]["trained_with"]["python"], augmentation()),
    ]
    return lines


def describe(r):
    """A variant in words, from its recorded configuration."""
    c = r["config"]
    layers = r["hidden_unit"] if isinstance(r["hidden_unit"], list) else [r["hidden_unit"]]
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


def plain_reference(results_dir=None):
    """What the variants (trained with the plain recipe) are compared with: the ablation's plain LSTM-128,
    trained alike (3 seeds; no augmentation, no dropout), or None before it exists."""
    kwargs = {"results_dir": results_dir} if results_dir else {}
    return study.summary("lstm", 128, recipe={}, runtime=study.STUDIES_RUNTIME, **kwargs)


def variant_rows(variants, results, reference=None):
    """The appendix's rows; reference: plain_reference() of the same results folder (None: not shown)."""
    rows = []
    for r in sorted(variants, key=lambda r: r["name"]):
        against = "-"
        if reference:
            against = "{:+.2f} vs plain LSTM-128 (one run: no verdict)".format(
                100 * (r["test_accuracy"] - reference["test_mean"]))
        rows.append([describe(r), "{:,}".format(r["parameters"]), recipe_text(r["config"]) + (
            "" if r["config"].get("augment") or r["config"].get("dropout") else ", plain"),
                     "{} ({})".format(r["epochs_run"], r["best_epoch"]), pct(r["val_accuracy"]),
                     "{} ({:,})".format(pct(r["test_accuracy"]), r["test_correct"]), against,
                     pct(r["crop_test_accuracy"]) if "crop_test_accuracy" in r else "-",
                     "{:.1f} min".format(r["train_seconds"] / 60.0)])
    return rows


VARIANT_HEADER = ["configuration", "parameters", "recipe (lr x decay, batch, epochs / patience)", "epochs run (best)",
                  "val. acc.", "test acc. (correct)", "against the plain LSTM-128", "cropped test acc.", "train time"]
# The same headers broken into lines that fit the report's narrow columns.
VARIANT_HEADER_PDF = ["configuration", "parameters", "recipe", "epochs run\n(best)",
                      "val. acc.", "test acc.\n(correct)", "against the\nplain LSTM-128", "cropped\ntest acc.",
                      "train time"]


def readme_variants(variants, results, reference=None):
    lines = ["| " + " | ".join(VARIANT_HEADER) + " |", "|" + "---|" * len(VARIANT_HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in variant_rows(variants, results, reference)]
    return "\n".join(lines) + "\n"


def readme_table(results):
    """The README's results table (Markdown), from the same numbers as the report."""
    lines = ["| cell | hidden | parameters | shipped run: test (correct) | seed | val. acc. | test, mean \u00b1 sd "
             "(seeds) | epochs run (best) | recipe (lr and schedule, batch, epochs) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in sorted(results, key=lambda r: (r["model"] != "lstm", r["hidden_unit"])):
        lines.append("| {} | {} | {:,} | {} ({:,}) | {} | {} | {} | {} ({}) | {} |".format(
            r["model"].upper(), r["hidden_unit"], r["parameters"], pct(r["test_accuracy"]), r["test_correct"],
            r["config"]["seed"], pct(r["val_accuracy"]),
            "{} ({})".format(over_seeds(r), r["seeds"]["n"]) if r.get("seeds") else "one run",
            r["epochs_run"], r["best_epoch"], recipe_text(r["config"])))
    return "\n".join(lines) + "\n"


def readme_ablation(rows, gains=""):
    lines = ["| " + " | ".join(ABLATION_HEADER) + " |", "|---|---|---|---|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows] + (["", gains] if gains else [])) + "\n"
