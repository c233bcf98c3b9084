"""Report.pdf: the card's assignment report on one page, as the assignment asks ("very brief, 3-4 sentences"):
what was trained and the result, why the sizes and the two cells differ or do not, how it compares with
Assignment 3, then the model parameters and the accuracy-against-hidden-size plot.

Every number comes from the result files: the seeds' test results (results/study/), the shipped runs'
results (results/<config>.json: the seed shipped and what main.py --test prints for it), the baselines
(study.BASELINES) and the TensorFlow 1.5 seeds (results/tf1.5/). Every comparison goes through
core/compare.py's rule. Whether a size overfits is not claimed: that needs the shipped checkpoints' accuracy
on the undistorted training images without dropout, which no result file records.
"""
import os

from core import compare, study
from core.config import Arch
from core.results import read_if_there
from core.recipes import recipe_for
from tools.reporting.pages import pct
from tools.reporting.text import augmentation, per_seed, recipe_text

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


def _gain(small, large):
    """(points, 'difference' or 'tie' or 'single run'): the mean test accuracy from one configuration to another,
    and what the rule makes of it."""
    verdict = compare.verdict(per_seed(large), per_seed(small))
    points = 100 * (compare.spread(per_seed(large))[0] - compare.spread(per_seed(small))[0])
    return points, {"higher": "difference", "lower": "difference", "tie": "tie", "one run": "single run"}[verdict]


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
    if len(sizes) > 1:
        (up_l, word_l), (up_g, word_g) = _gain(lstm[0], lstm[-1]), _gain(gru[0], gru[-1])
        grow = sorted({"{:.0f}".format(c[-1]["parameters"] / float(c[0]["parameters"])) for c in (lstm, gru)})
        text.append("From {} to {} units the weights grow {} times (LSTM: {:,} to {:,}; GRU: {:,} to {:,}) for "
                    "{:+.2f} (LSTM) and {:+.2f} (GRU) points of mean test accuracy, {}.".format(
                        sizes[0], sizes[-1], " and ".join(grow), lstm[0]["parameters"], lstm[-1]["parameters"],
                        gru[0]["parameters"], gru[-1]["parameters"], up_l, up_g,
                        "single runs, so no verdict" if "single run" in (word_l, word_g) else
                        "both {}s by the rule".format(word_l) if word_l == word_g else
                        "the LSTM's a {} and the GRU's a {} by the rule".format(word_l, word_g)))
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
          "test acc.\nmean \u00b1 sd (seeds)", "shipped run: what\n--test prints (seed)", "runtime"]
WIDTHS = [0.09, 0.08, 0.2, 0.17, 0.15, 0.15, 0.16]  # of the table's width, column by column
NOT_SHIPPED = "not shipped"


def regularisation(config):
    """What the recipe adds to plain training, in the course's words: 'random affine distortions, dropout 0.2'."""
    words = ["random affine distortions" + (" x{:g}".format(config["augment"]) if config["augment"] != 1 else "")
             ] if config.get("augment") else []
    words += ["dropout {:g}".format(config["dropout"])] if config.get("dropout") else []
    words += ["L2 {:g}".format(config["l2"])] if config.get("l2") else []
    return ",\n".join(words) or "none"


def shipped_run(result):
    """What main.py --test prints for the shipped checkpoint, and its seed: '99.06% (9,906)\nseed 1'."""
    return "{} ({:,})\nseed {}".format(pct(result["test_accuracy"]), result["test_correct"], result["config"]["seed"])


def _row(model, hidden, parameters, config, accs, shipped, runtime):
    schedule = recipe_text({k: v for k, v in config.items() if k not in ("augment", "dropout", "l2")})
    mean, sd = compare.spread(accs)
    return [_name(model, hidden), "{:,}".format(parameters), "Adam: " + schedule.replace(", b", ",\nb", 1),
            regularisation(config), "{:.2f} \u00b1 {:.2f}% ({})".format(100 * mean, 100 * sd, len(accs)), shipped,
            runtime]


def table(results, results_dir):
    rows = []
    for r in sorted(results, key=lambda r: (r["model"] != "lstm", r["hidden_unit"])):
        rows.append(_row(r["model"], r["hidden_unit"], r["parameters"], r["config"], per_seed(r), shipped_run(r),
                         "TF " + r["trained_with"]["tensorflow"]))
    tf15 = tf15_runs(results_dir)
    card = {(r["model"], r["hidden_unit"]): r for r in results}.get(CARD_NAME)
    if tf15 and card:
        accs = [r["test_accuracy"] for r in tf15]
        versus = {"tie": "ties with", "higher": "above", "lower": "below", "one run": "not compared with"}[
            compare.verdict(accs, per_seed(card))]
        rows.append(_row(CARD_NAME[0], CARD_NAME[1], tf15[0]["parameters"], tf15[0]["config"], accs, NOT_SHIPPED,
                         "TF {}:\n{} TF {}".format(tf15[0]["trained_with"]["tensorflow"], versus,
                                                   card["trained_with"]["tensorflow"])))
    for model, layers, found in baselines(results_dir):
        rows.append(_row(model, layers[0], found[0]["parameters"], found[0]["config"],
                         [r["test_accuracy"] for r in found], NOT_SHIPPED, "TF " + found[0]["trained_with"]["tensorflow"]))
    return rows


def _processor(result):
    return ((result.get("trained_with") or {}).get("machine") or {}).get("processor")


def processors(results, results_dir):
    """What the rows' runs' result files record of where they were trained: the processors named, and for the
    runs that name none, the TensorFlow and Python they do record."""
    runs = []
    for r in results:
        recipe = study.recipe_of(r["model"], r["hidden_unit"])
        runs += study.seed_results(recipe, r["name"], results_dir) if recipe else [r]
    runs += [x for _, _, found in baselines(results_dir) for x in found] + tf15_runs(results_dir)
    named = sorted({_processor(x) for x in runs if _processor(x)})
    unnamed = [x for x in runs if not _processor(x)]
    text = "trained on {}".format(", ".join(named)) if named else "trained"
    if unnamed:
        versions = sorted({"TensorFlow {} and Python {}".format(x["trained_with"]["tensorflow"], x["trained_with"][
            "python"]) for x in unnamed if {"tensorflow", "python"} <= set(x.get("trained_with") or {})})
        sizes = {}  # model -> its sizes among those runs: LSTM-32/64/128/256
        for x in unnamed:
            sizes.setdefault(x["model"], set()).add(x["hidden_unit"])
        text += "; {} of the {} runs ({}) record {}".format(
            len(unnamed), len(runs), ", ".join("{}-{}".format(m.upper(), "/".join(map(str, sorted(sizes[m]))))
                                               for m in sorted(sizes, key=lambda m: (m != "lstm", m))),
            "only {}, not the processor".format(" or ".join(versions)) if versions else "no processor")
    return text


def footnote(results, results_dir):
    """Under the table, as a list rather than sentences: what every row shares, the shipped run, the
    distortions, and where the runs were trained."""
    return ("Every row: {}; {}; shipped run: of a configuration's seeds, the one with the best validation accuracy, "
            "chosen before testing: python main.py --test tests it; {}".format(
                INIT, augmentation(), processors(results, results_dir)))
