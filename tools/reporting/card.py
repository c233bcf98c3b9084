"""Report.pdf: the card's assignment report on one page, as the assignment asks ("very brief, 3-4 sentences"):
what was trained and the result, why the sizes and the two cells differ or do not, how it compares with
Assignment 3, then the model parameters and the accuracy-against-hidden-size plot.

Every number comes from the result files: the seeds' test results (results/study/), the shipped runs'
results (results/<config>.json: the seed shipped and what main.py --test prints for it), the baselines
(study.BASELINES) and the TensorFlow 1.5 seeds (results/tf1.5/). Every comparison goes through
core/compare.py's rule. Whether a size overfits is not claimed: that needs the shipped checkpoints' accuracy
on the undistorted training images without dropout, which no result file records.
"""

from core import compare, study
from tools.reporting.card_runs import CARD_NAME, REFERENCE, alike_runs, baselines, reference_runs, tf15_runs
from tools.reporting.pages import pct
from tools.reporting.text import augmentation, per_seed

INIT = ("Adam, gradients clipped at global norm 5; recurrent cells: W_x Glorot-uniform and W_h orthogonal per gate "
        "block, biases 0 but the LSTM forget gate's 1; MLP and CNN: Glorot-uniform weights, biases 0; 5,000 "
        "training images validate")


def _name(model, hidden):
    return "{}-{}".format(model.upper(), hidden)


def _shown(accs, places):
    """(mean, sd) of per-seed accuracies in points, rounded to `places` decimals as the page prints them."""
    mean, sd = compare.spread(accs)
    return round(100 * mean, places), round(100 * sd, places)


def _step(small, large, places):
    """(the printed means' gap from small to large, the printed sds added), in points: what a reader computes from
    the table."""
    (mean_s, sd_s), (mean_l, sd_l) = _shown(small, places), _shown(large, places)
    return round(mean_l - mean_s, places), round(sd_s + sd_l, places)


def _printed_verdict(a, b, places):
    """The rule (core/compare.py) applied to the printed numbers instead of the raw ones."""
    if min(len(a), len(b)) < compare.MIN_SEEDS:
        return "one run"
    gap, allowance = _step(b, a, places)
    return "tie" if abs(gap) <= allowance else "higher" if gap > 0 else "lower"


def comparisons(results, results_dir):
    """[(a, b)] of per-seed accuracies: every comparison the page states (each cell's doublings and its smallest
    against its largest size, the cells at each size, the baselines against LSTM-128, the TensorFlow 1.5 seeds
    against TensorFlow 2's)."""
    by = {(r["model"], r["hidden_unit"]): per_seed(r) for r in results}
    sizes = sorted({h for _, h in by})
    pairs = []
    for model in ("lstm", "gru"):
        runs = [by[(model, h)] for h in sizes if (model, h) in by]
        pairs += list(zip(runs[1:], runs[:-1])) + ([(runs[-1], runs[0])] if len(runs) > 1 else [])
    pairs += [(by[("lstm", h)], by[("gru", h)]) for h in sizes if ("lstm", h) in by and ("gru", h) in by]
    reference = [r["test_accuracy"] for r in reference_runs(results_dir)]
    if reference:
        pairs += [(reference, [r["test_accuracy"] for r in found]) for _, _, found in baselines(results_dir)]
    for r in results:
        alike = [x["test_accuracy"] for x in alike_runs(r, results_dir)]
        pairs += [(by[(r["model"], r["hidden_unit"])], alike)] if alike else []
    if CARD_NAME in by and tf15_runs(results_dir):
        pairs.append(([r["test_accuracy"] for r in tf15_runs(results_dir)], by[CARD_NAME]))
    return pairs


def decimals(results, results_dir):
    """The decimals, in points, of every mean and sd the page prints (text, table and plot): the fewest from 2 at
    which each verdict the page states comes out the same when the rule is redone on the printed numbers, so
    that a reader checking a verdict against the table finds what the text says."""
    pairs = comparisons(results, results_dir)
    for places in range(2, 6):
        if all(_printed_verdict(a, b, places) == compare.verdict(a, b) for a, b in pairs):
            return places
    return 6


def _pct(points, places):
    return "{:.{}f}%".format(points, places)


def _gain(small, large, places):
    """(gap, sds added, 'difference' or 'tie' or 'single run'): the printed mean test accuracy from one
    configuration to another, in points, and what the rule makes of it."""
    verdict = compare.verdict(per_seed(large), per_seed(small))
    gap, allowance = _step(per_seed(small), per_seed(large), places)
    return gap, allowance, {"higher": "difference", "lower": "difference", "tie": "tie", "one run": "single run"}[
        verdict]


def _steps(sizes, runs, places):
    """The doublings at which a curve differs by the rule, in words with the printed gap and the sds it beat:
    'rises from 128 to 256 (+0.096 points, sds adding to 0.093), tying at the other two doublings', 'ties at
    every doubling'."""
    moves = []
    if any(compare.verdict(a, b) == "one run" for a, b in zip(runs, runs[1:])):
        return "is not compared across sizes (a size has fewer than {} seeds)".format(compare.MIN_SEEDS)
    for i in range(len(runs) - 1):
        v = compare.verdict(runs[i + 1], runs[i])
        if v in ("higher", "lower"):
            moves.append(("rises" if v == "higher" else "falls", "from {} to {} ({:+.{p}f} points, sds adding to "
                          "{:.{p}f})".format(sizes[i], sizes[i + 1], *_step(runs[i], runs[i + 1], places), p=places)))
    if not moves:
        return "ties at every doubling"
    # 'rises from 32 to 64 (...) and from 64 to 128 (...)': the verb once for a run of the same direction
    text = " and ".join(where if i and moves[i - 1][0] == word else "{} {}".format(word, where)
                        for i, (word, where) in enumerate(moves))
    ties = len(runs) - 1 - len(moves)
    return text + (", tying at the other {}".format("doubling" if ties == 1 else "{} doublings".format(
        {2: "two", 3: "three"}.get(ties, ties))) if ties else "")


def sentences(results, results_dir, weights_dir, a3=None):
    """The page's text: at most four sentences, each made from the files; means, sds and gaps printed at
    decimals(), the same as the table's."""
    places = decimals(results, results_dir)
    by = {(r["model"], r["hidden_unit"]): r for r in results}
    sizes = sorted({h for _, h in by})
    lstm = [by[("lstm", h)] for h in sizes]
    gru = [by[("gru", h)] for h in sizes]
    mean = lambda r: _shown(per_seed(r), places)[0]  # noqa: E731  (in points, as printed)
    best, worst = max(results, key=mean), min(results, key=mean)
    seeds = sorted({r["seeds"]["n"] for r in results if r.get("seeds")}) or [1]
    text = ["Hand-written LSTM and GRU cells of one layer ({}-{} units), reading each MNIST image as 28 rows of 28 "
            "pixels and trained {} times each (different random seeds) with settings chosen on validation, reach "
            "{} ({}) to {} ({}) mean test accuracy; counting a difference only where two means differ by more than their standard "
            "deviations (sds) added, the LSTM {}, and the GRU {}.".format(
                sizes[0], sizes[-1], "/".join(map(str, seeds)), _pct(mean(worst), places), _name(worst["model"],
                worst["hidden_unit"]), _pct(mean(best), places), _name(best["model"], best["hidden_unit"]),
                _steps(sizes, [per_seed(r) for r in lstm], places), _steps(sizes, [per_seed(r) for r in gru], places))]
    if len(sizes) > 1:
        (up_l, sd_l, word_l), (up_g, sd_g, word_g) = _gain(lstm[0], lstm[-1], places), _gain(gru[0], gru[-1], places)
        grow = sorted({"{:.0f}".format(c[-1]["parameters"] / float(c[0]["parameters"])) for c in (lstm, gru)})
        small = [mean(lstm[0]), mean(gru[0])]
        # A reason for the small gain, offered only where more units removed less than half of the smallest
        # models' test errors, and said to be a reason, not a measurement.
        why = ("; a likely reason, which these runs do not test, is that reading 28 rows needs only a small memory, "
               "so {} units already hold most of what tells the digits apart ({} and {}) and the extra weights find "
               "little left to learn".format(sizes[0], _pct(small[0], places), _pct(small[1], places))
               if all(0 < up < (100 - low) / 2 for up, low in ((up_l, small[0]), (up_g, small[1]))) else "")
        text.append("From {} to {} units the weights grow {} times (LSTM: {:,} to {:,}; GRU: {:,} to {:,}) for "
                    "{:+.{p}f} (LSTM) and {:+.{p}f} (GRU) points of mean test accuracy, {}{}.".format(
                        sizes[0], sizes[-1], " and ".join(grow), lstm[0]["parameters"], lstm[-1]["parameters"],
                        gru[0]["parameters"], gru[-1]["parameters"], up_l, up_g,
                        "single runs, so no verdict" if "single run" in (word_l, word_g) else
                        "both {}s by that rule (sds adding to {:.{p}f} and {:.{p}f})".format(
                            word_l, sd_l, sd_g, p=places) if word_l == word_g else
                        "the LSTM's a {} and the GRU's a {} by that rule (sds adding to {:.{p}f} and {:.{p}f})".format(
                            word_l, word_g, sd_l, sd_g, p=places), why, p=places))
    verdicts = [compare.verdict(per_seed(a), per_seed(b)) for a, b in zip(lstm, gru)]
    gap = max(abs(_step(per_seed(a), per_seed(b), places)[0]) for a, b in zip(lstm, gru))
    if "one run" in verdicts:
        cells = "are compared only where both have {} seeds".format(compare.MIN_SEEDS)
    elif all(v == "tie" for v in verdicts):
        cells = "tie at every size (gaps of at most {:.{p}f} points)".format(gap, p=places)
    else:
        cells = "differ at {} of {} sizes ({})".format(
            sum(v in ("higher", "lower") for v in verdicts), len(sizes), ", ".join(
                "{}: {} ahead".format(h, "LSTM" if v == "higher" else "GRU")
                for h, v in zip(sizes, verdicts) if v in ("higher", "lower")))
    text.append("The GRU has three gate blocks to the LSTM's four, so a quarter fewer weights at each size "
                "({:,} against {:,} at {} units); the two cells {}.".format(
                    gru[-1]["parameters"], lstm[-1]["parameters"], sizes[-1], cells))
    text.append(a3_sentence(results, results_dir, a3, places))
    return text


def a3_sentence(results, results_dir, a3=None, places=2):
    """How the recurrent models compare with Assignment 3: the user's own figure if given, else the CNN and
    MLP baselines trained alike at about LSTM-128's size, by the rule."""
    if a3 is not None:
        means = sorted(_shown(per_seed(r), places)[0] for r in results)
        return ("Against the {:.2f}% you report for your own Assignment 3 (your figure, one number, so no verdict by "
                "that rule), the recurrent models' means are {:+.{p}f} to {:+.{p}f} points away.".format(
                    a3, means[0] - a3, means[-1] - a3, p=places))
    reference = reference_runs(results_dir)
    ref = [r["test_accuracy"] for r in reference]
    parts = []
    for model, layers, found in baselines(results_dir) if reference else []:
        accs = [r["test_accuracy"] for r in found]
        verdict = compare.verdict(ref, accs)
        word = {"higher": "below", "lower": "above", "tie": "tied with", "one run": "not compared with"}[verdict]
        parts.append("the {} ({:,} weights, {}) is {} it".format(
            "CNN" if model == "cnn" else "MLP", found[0]["parameters"], _pct(_shown(accs, places)[0], places), word))
    if not parts:
        return "Assignment 3's networks have no results here yet (python tools/reproduce.py --grid trains them)."
    shipped = {(r["model"], r["hidden_unit"]): r for r in results}.get(REFERENCE)
    # The table's LSTM-128 where it is the same runs; else the runtime, which then differs from the table's.
    same = shipped is not None and sorted(per_seed(shipped)) == sorted(ref)
    return ("Against the networks of Assignment 3, an MLP and a CNN trained the same way as {} at about its size "
            "({:,} weights, {}{}), {}.".format(
                "LSTM-128" if same else "an LSTM-128 on TensorFlow {}".format(
                    reference[0]["trained_with"]["tensorflow"]),
                reference[0]["parameters"], _pct(_shown(ref, places)[0], places),
                "" if same else "; with the MLP and CNN rows' optimiser, not the LSTM-128 row's", " and ".join(parts)))


HEADER = ["model", "weights", "optimiser: rate and schedule,\nbatch, epochs", "regularisation",
          "test acc.\nmean \u00b1 sd (seeds)", "in weights/: what\n--test prints (seed)",
          "TensorFlow; its seeds\nagainst the other's"]
WIDTHS = [0.08, 0.07, 0.27, 0.16, 0.14, 0.13, 0.15]  # of the table's width, column by column
NOT_IN_WEIGHTS = "not in weights/"
# A runtime cell's verdict (core/compare.py) in words: "TF 1.5.0:\nties with TF 2.21.0".
VERSUS = {"tie": "ties with", "higher": "above", "lower": "below", "one run": "not compared with"}


def regularisation(config):
    """What the recipe adds to plain training, in the course's words: 'random affine distortions, dropout 0.2'."""
    words = ["random affine distortions" + (" x{:g}".format(config["augment"]) if config["augment"] != 1 else "")
             ] if config.get("augment") else []
    words += ["dropout {:g}".format(config["dropout"])] if config.get("dropout") else []
    words += ["L2 {:g}".format(config["l2"])] if config.get("l2") else []
    return ",\n".join(words) or "none"


def weights_run(result):
    """What main.py --test prints for the shipped checkpoint, and its seed: '99.06% (9,906)\nseed 1'."""
    return "{} ({:,})\nseed {}".format(pct(result["test_accuracy"]), result["test_correct"], result["config"]["seed"])


def optimiser(config):
    """The rate, its schedule, the batch and the epochs in two lines: 'Adam 0.02, cosine to 0 (warm-up 1 epoch),\n
    batch 512, 40 epochs' or 'Adam 0.005, x0.97 an epoch,\nbatch 128, max 120 epochs, patience 20'."""
    if config.get("schedule", "exponential") != "exponential":
        warmup = config.get("warmup", 0)
        return "Adam {:g}, {} to 0{},\nbatch {}, {} epochs".format(
            config["learning_rate"], config["schedule"], " (warm-up {:g} epoch{})".format(
                warmup, "" if warmup == 1 else "s") if warmup else "", config["batch_size"], config["epochs"])
    return "Adam {:g}, x{:g} an epoch,\nbatch {}, max {} epochs, patience {}".format(
        config["learning_rate"], config["lr_decay"], config["batch_size"], config["epochs"], config["patience"])


def _row(model, hidden, parameters, config, accs, shipped, runtime, places):
    mean, sd = _shown(accs, places)
    return [_name(model, hidden), "{:,}".format(parameters), optimiser(config),
            regularisation(config), "{:.{p}f} \u00b1 {:.{p}f}% ({})".format(mean, sd, len(accs), p=places), shipped,
            runtime]


def table(results, results_dir):
    """The parameter table's rows, means and sds at decimals() (the text's)."""
    places = decimals(results, results_dir)
    rows = []
    for r in sorted(results, key=lambda r: (r["model"] != "lstm", r["hidden_unit"])):
        runtime = "TF " + r["trained_with"]["tensorflow"]
        alike = alike_runs(r, results_dir)
        if alike:  # the same recipe on the other runtime, by the rule
            versus = VERSUS[
                compare.verdict(per_seed(r), [x["test_accuracy"] for x in alike])]
            runtime += ":\n{} TF {}".format(versus, alike[0]["trained_with"]["tensorflow"])
        rows.append(_row(r["model"], r["hidden_unit"], r["parameters"], r["config"], per_seed(r), weights_run(r),
                         runtime, places))
    tf15 = tf15_runs(results_dir)
    card = {(r["model"], r["hidden_unit"]): r for r in results}.get(CARD_NAME)
    if tf15 and card:
        accs = [r["test_accuracy"] for r in tf15]
        versus = VERSUS[
            compare.verdict(accs, per_seed(card))]
        rows.append(_row(CARD_NAME[0], CARD_NAME[1], tf15[0]["parameters"], tf15[0]["config"], accs, NOT_IN_WEIGHTS,
                         "TF {}:\n{} TF {}".format(tf15[0]["trained_with"]["tensorflow"], versus,
                                                   card["trained_with"]["tensorflow"]), places))
    for model, layers, found in baselines(results_dir):
        rows.append(_row(model, layers[0], found[0]["parameters"], found[0]["config"],
                         [r["test_accuracy"] for r in found], NOT_IN_WEIGHTS,
                         "TF " + found[0]["trained_with"]["tensorflow"], places))
    return rows


def _processor(result):
    return ((result.get("trained_with") or {}).get("machine") or {}).get("processor")


def _where(where):
    """One processor by name; several: which configurations each trained, the one with the most runs last, as
    'the other runs'."""
    order = sorted(where, key=lambda p: (len(where[p]), p))
    if len(order) == 1:
        return order[0]
    def names(found):
        found = sorted({_name(x["model"], x["hidden_unit"]) for x in found})
        return found[0] if len(found) == 1 else "{} and {}".format(", ".join(found[:-1]), found[-1])
    return "{}, the other runs on {}".format(", ".join("{} for {}".format(p, names(where[p])) for p in order[:-1]),
                                             order[-1])


def processors(results, results_dir):
    """What the rows' runs' result files record of where they were trained: the processors named, and for the
    runs that name none, the TensorFlow and Python they do record."""
    runs = []
    for r in results:
        recipe = study.recipe_of(r["model"], r["hidden_unit"])
        runs += study.seed_results(recipe, r["name"], results_dir) if recipe else [r]
    runs += [x for _, _, found in baselines(results_dir) for x in found] + tf15_runs(results_dir)
    runs += [x for x in reference_runs(results_dir) if x not in runs]  # the baselines' LSTM-128, if not a row's
    runs += [x for r in results for x in alike_runs(r, results_dir)]
    where, unnamed = {}, []  # processor -> the runs trained there; the runs that name none
    for x in runs:
        processor = _processor(x)
        if processor:
            where.setdefault(processor, []).append(x)
        else:
            unnamed.append(x)
    text = "trained on {}".format(_where(where)) if where else "trained"
    if unnamed:
        versions = sorted({"TensorFlow {} and Python {}".format(x["trained_with"]["tensorflow"], x["trained_with"][
            "python"]) for x in unnamed if {"tensorflow", "python"} <= set(x.get("trained_with") or {})})
        sizes = {}  # model -> its sizes among those runs: LSTM-32/64/128/256
        for x in unnamed:
            sizes.setdefault(x["model"], set()).add(x["hidden_unit"])
        text += "; {} run{} ({}) record {}".format(
            len(unnamed), "" if len(unnamed) == 1 else "s", ", ".join("{}-{}".format(m.upper(), "/".join(map(str, sorted(sizes[m]))))
                                               for m in sorted(sizes, key=lambda m: (m != "lstm", m))),
            "only {}, not the processor".format(" or ".join(versions)) if versions else "no processor")
    return text


def footnote(results, results_dir):
    """Under the table, as a list rather than sentences: what every row shares, the shipped run, the
    distortions, and where the runs were trained."""
    return ("Every row: {}; each run keeps its epoch of best validation accuracy; {}; in weights/: of a "
            "configuration's seeds, the one with the best validation accuracy (the lower seed on a tie), chosen "
            "before testing: python main.py --test tests it; {}".format(
                INIT, augmentation(), processors(results, results_dir)))
