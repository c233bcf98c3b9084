"""Report.pdf: the card's assignment report on one page, as the assignment asks ("very brief, 3-4 sentences"):
what was trained and the result, why the sizes and the two cells differ or do not, how it compares with
Assignment 3, then the model parameters and the accuracy-against-hidden-size plot.

Every number comes from the result files: the seeds' test results (results/study/), the shipped runs' logs
(weights/<config>/log.csv: accuracy on the distorted training images and on validation at the best epoch),
the ablation, the baselines (study.BASELINES) and the TensorFlow 1.5 seeds (results/tf1.5/). Every
comparison goes through core/compare.py's rule.
"""
import csv
import os

from core import compare, study
from core.config import Arch
from core.results import read_if_there
from core.recipes import recipe_for
from tools.reporting.pages import pct
from tools.reporting.text import per_seed, recipe_text

TF15_DIR = "tf1.5"  # results/tf1.5/seed<N>/lstm_h32.json: the card's command on the pinned runtime
CARD_NAME = ("lstm", 32)
INIT = ("Adam, gradients clipped at global norm 5; recurrent cells: W_x Glorot-uniform and W_h orthogonal per gate "
        "block, biases 0 but the LSTM forget gate's 1; MLP and CNN: Glorot-uniform weights, biases 0; 5,000 "
        "training images validate")


def _name(model, hidden):
    return "{}-{}".format(model.upper(), hidden)


def _seed_accuracies(results_dir, folder, name):
    """The results of the seeds filed under results_dir/<folder>/seed<N>/<name>.json (those there), each read and
    checked by core/results.py's one reader."""
    found = [read_if_there(os.path.join(results_dir, folder, "seed{}".format(seed), name + ".json"))
             for seed in study.SEEDS]
    return [r for r in found if r]


def baselines(results_dir):
    """[(model, layers, [results of its seeds])] of the non-recurrent baselines that have results."""
    out = []
    for model, layers in study.BASELINES:
        source_recipe = recipe_for(Arch(model, tuple(layers)))[1]
        found = _seed_accuracies(results_dir, os.path.join("study", study.label(source_recipe)),
                                 Arch(model, tuple(layers)).name)
        if found:
            out.append((model, layers, found))
    return out


def tf15_runs(results_dir):
    return _seed_accuracies(results_dir, TF15_DIR, Arch(CARD_NAME[0], (CARD_NAME[1],)).name)


def fit_at_best(weights_dir, name):
    """(training accuracy, validation accuracy) at the best epoch of the shipped run's log.csv; the training
    accuracy is on that epoch's distorted images with dropout on, as training saw them."""
    path = os.path.join(weights_dir, name, "log.csv")
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        rows = list(csv.DictReader(f))
    if not rows or "train_accuracy" not in rows[0]:
        return None
    best = max(rows, key=lambda r: (float(r["val_accuracy"]), -int(r["epoch"])))
    return float(best["train_accuracy"]), float(best["val_accuracy"])


def _steps(sizes, runs):
    """The doublings at which a curve differs by the rule, in words: 'only from 128 to 256 (+0.10 points)',
    'at no doubling'."""
    moves = []
    if any(compare.verdict(a, b) == "one run" for a, b in zip(runs, runs[1:])):
        return "is not compared across sizes (a size has fewer than {} seeds)".format(compare.MIN_SEEDS)
    for i in range(len(runs) - 1):
        v = compare.verdict(runs[i + 1], runs[i])
        if v in ("higher", "lower"):
            moves.append(("rises" if v == "higher" else "falls", "from {} to {} ({:+.2f} points)".format(
                sizes[i], sizes[i + 1], compare.gain(runs[i], runs[i + 1])[0])))
    if not moves:
        return "ties at every doubling"
    only = "only " if len(moves) < len(runs) - 1 else ""
    return " and ".join("{} {}{}".format(word, only, where) for word, where in moves)


def sentences(results, results_dir, weights_dir, a3=None):
    """The page's text: at most four sentences, each made from the files."""
    by = {(r["model"], r["hidden_unit"]): r for r in results}
    sizes = sorted({h for _, h in by})
    lstm = [by[("lstm", h)] for h in sizes]
    gru = [by[("gru", h)] for h in sizes]
    mean = lambda r: r["seeds"]["test_mean"] if r.get("seeds") else r["test_accuracy"]
    best, worst = max(results, key=mean), min(results, key=mean)
    seeds = sorted({r["seeds"]["n"] for r in results if r.get("seeds")}) or [1]
    text = ["Hand-written LSTM and GRU cells of one layer ({}-{} units), reading each MNIST image as 28 rows of 28 "
            "pixels and trained {} times each with a recipe chosen on validation, reach {} ({}) to {} ({}) mean "
            "test accuracy; counting a difference only where two means differ by more than their standard "
            "deviations added, the LSTM {} and the GRU {}.".format(
                sizes[0], sizes[-1], "/".join(map(str, seeds)), pct(mean(worst)), _name(worst["model"],
                worst["hidden_unit"]), pct(mean(best)), _name(best["model"], best["hidden_unit"]),
                _steps(sizes, [per_seed(r) for r in lstm]), _steps(sizes, [per_seed(r) for r in gru]))]
    fits = [(h, fit_at_best(weights_dir, Arch("lstm", (h,)).name)) for h in sizes]
    if all(f for _, f in fits):
        (h0, (tr0, va0)), (h1, (tr1, va1)) = fits[0], fits[-1]
        below = all(tr < va for _, (tr, va) in fits) and all(
            f[0] < f[1] for f in (fit_at_best(weights_dir, Arch("gru", (h,)).name) for h in sizes) if f)
        text.append("Size buys little: the LSTM's accuracy on its distorted training images at the best epoch rises "
                    "from {} ({} units) to {} ({}), yet validation moves only from {} to {} for {:.0f} times the "
                    "weights ({:,} to {:,}){}.".format(
                        pct(tr0), h0, pct(tr1), h1, pct(va0), pct(va1),
                        lstm[-1]["parameters"] / float(lstm[0]["parameters"]), lstm[0]["parameters"],
                        lstm[-1]["parameters"], ", and at every size of both cells training accuracy stays below "
                        "validation accuracy, so no size overfits (weights/*/log.csv)" if below else ""))
    verdicts = [compare.verdict(per_seed(a), per_seed(b)) for a, b in zip(lstm, gru)]
    gap = max(abs(mean(a) - mean(b)) for a, b in zip(lstm, gru))
    if "one run" in verdicts:
        cells = "are compared only where both have {} seeds".format(compare.MIN_SEEDS)
    elif all(v == "tie" for v in verdicts):
        cells = "tie at every size (gaps of at most {:.2f} points)".format(100 * gap)
    else:
        cells = "differ at {} of {} sizes ({})".format(
            sum(v in ("higher", "lower") for v in verdicts), len(sizes), ", ".join(
                "{}: {} ahead".format(h, "LSTM" if v == "higher" else "GRU")
                for h, v in zip(sizes, verdicts) if v in ("higher", "lower")))
    text.append("The GRU has three gate blocks to the LSTM's four, so a quarter fewer weights at each size "
                "({:,} against {:,} at {} units); the two cells {}.".format(
                    gru[-1]["parameters"], lstm[-1]["parameters"], sizes[-1], cells))
    text.append(a3_sentence(results, results_dir, a3))
    return text


def a3_sentence(results, results_dir, a3=None):
    """How the recurrent models compare with Assignment 3: the user's own figure if given, else the CNN and
    MLP baselines trained alike at about LSTM-128's size, by the rule."""
    by = {(r["model"], r["hidden_unit"]): r for r in results}
    reference = by.get(("lstm", 128))
    ref = per_seed(reference)
    if a3 is not None:
        means = sorted(r["seeds"]["test_mean"] if r.get("seeds") else r["test_accuracy"] for r in results)
        return ("Against the {:.2f}% you report for your own Assignment 3 (your figure, one number, so no verdict by "
                "the seed rule), the recurrent models' means are {:+.2f} to {:+.2f} points away.".format(
                    a3, 100 * means[0] - a3, 100 * means[-1] - a3))
    parts = []
    for model, layers, found in baselines(results_dir):
        accs = [r["test_accuracy"] for r in found]
        verdict = compare.verdict(ref, accs)
        word = {"higher": "below", "lower": "above", "tie": "tied with", "one run": "not compared with"}[verdict]
        parts.append("the {} ({:,} weights, {}) is {} it".format(
            "CNN" if model == "cnn" else "MLP", found[0]["parameters"], pct(sum(accs) / len(accs)), word))
    if not parts:
        return "Assignment 3's networks have no results here yet (python tools/reproduce.py --grid trains them)."
    return ("Against Assignment 3's kind of network trained alike at about LSTM-128's size ({:,} weights, {}), "
            "{}.".format(reference["parameters"], pct(sum(ref) / len(ref)), " and ".join(parts)))


HEADER = ["model", "weights", "optimiser: rate x decay,\nbatch, epochs / patience", "regularisation",
          "test acc.\nmean \u00b1 sd (seeds)", "runtime"]


def _row(model, hidden, parameters, config, accs, runtime):
    recipe = recipe_text(config)
    schedule, extra = recipe.split(", aug")[0], recipe[len(recipe.split(", aug")[0]):].lstrip(", ")
    mean, sd = compare.spread(accs)
    return [_name(model, hidden), "{:,}".format(parameters), "Adam: " + schedule.replace(", b", ",\nb", 1),
            extra.replace("aug", "distortions").replace("drop", "dropout") or "none",
            "{:.2f} \u00b1 {:.2f}% ({})".format(100 * mean, 100 * sd, len(accs)), runtime]


def table(results, results_dir):
    rows = []
    for r in sorted(results, key=lambda r: (r["model"] != "lstm", r["hidden_unit"])):
        rows.append(_row(r["model"], r["hidden_unit"], r["parameters"], r["config"], per_seed(r),
                         "TF " + r["trained_with"]["tensorflow"]))
    tf15 = tf15_runs(results_dir)
    card = {(r["model"], r["hidden_unit"]): r for r in results}.get(CARD_NAME)
    if tf15 and card:
        accs = [r["test_accuracy"] for r in tf15]
        versus = {"tie": "ties with", "higher": "above", "lower": "below", "one run": "not compared with"}[
            compare.verdict(accs, per_seed(card))]
        rows.append(_row(CARD_NAME[0], CARD_NAME[1], tf15[0]["parameters"], tf15[0]["config"], accs,
                         "TF {}:\n{} TF {}".format(tf15[0]["trained_with"]["tensorflow"], versus,
                                                   card["trained_with"]["tensorflow"])))
    for model, layers, found in baselines(results_dir):
        rows.append(_row(model, layers[0], found[0]["parameters"], found[0]["config"],
                         [r["test_accuracy"] for r in found], "TF " + found[0]["trained_with"]["tensorflow"]))
    return rows


def _processor(result):
    return (result.get("trained_with") or {}).get("machine", {}).get("processor", "an unrecorded processor")


def processors(results, results_dir):
    """The processors that trained the rows' runs, as their result files record them."""
    found = set()
    for r in results:
        recipe = study.recipe_of(r["model"], r["hidden_unit"])
        found.update(_processor(seed) for seed in (study.seed_results(recipe, r["name"], results_dir) if recipe
                                                   else [r]))
    for _, _, runs in baselines(results_dir):
        found.update(_processor(x) for x in runs)
    found.update(_processor(x) for x in tf15_runs(results_dir))
    return sorted(found)


def footnote(results, results_dir):
    """Under the table, as a list rather than sentences: what every row shares, and the processors."""
    return "Every row: {}; trained on {}".format(INIT, ", ".join(processors(results, results_dir)))
