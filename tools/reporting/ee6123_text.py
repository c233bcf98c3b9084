"""The EE6123 report's words, section by section, as blocks for tools/reporting/ee6123.py's Document: every
number is read from the result files, every comparison goes through core/compare.py's rule, and each question
gives the command that produces its results. The explanations of why the models differ are the course's
reasoning; each is tied to the measured verdict it explains, and a tie is said as a tie."""
from core.compare import MIN_SEEDS, verdict
from assignments.ee6123 import findings, grid, memory, plots
from assignments.memory import figures
from assignments.memory.net import DEFAULTS, RECALL
from assignments.memory.task_runs import load_task


def _processors(grid_entries, records):
    found = {r["trained_with"]["machine"]["processor"] for e in grid_entries for r in e["runs"]
             if r.get("trained_with", {}).get("machine")}
    found |= {r["machine"]["processor"] for r in records if isinstance(r.get("machine"), dict)}
    return sorted(found)


def _tasks():
    folder = memory.results_dir()
    return load_task(folder, "recall"), load_task(folder, "binary_addition")


def implementation():
    entries = grid.load()
    recall, addition = _tasks()
    versions = sorted({r["trained_with"]["tensorflow"] for e in entries for r in e["runs"]} |
                      {r["tensorflow"] for r in recall + addition if r.get("tensorflow")})
    return [
        ("heading", "1  Implementation and Technical Notes"),
        ("paragraph", "Python 3 and TensorFlow, through its graph interface (tf.compat.v1). The vanilla RNN, LSTM "
                      "and GRU cells are written out from matrix products and nonlinearities, with no library cell. "
                      "The results here were computed with TensorFlow {} on {} (each result file records its "
                      "processor).".format(", ".join(versions) or "-", "; ".join(
                          _processors(entries, recall + addition)) or "-")),
        ("paragraph", "The code is split into modules:"),
        ("bullets", [
            "q1.py, q2.py, q3.py: one program per question. Each trains the runs its question needs (a run "
            "already finished is not trained again, an interrupted one resumes), then draws the figures and "
            "prints the numbers of its results; the report's summary sentences are computed from the "
            "same result files.",
            "main.py: trains (--train) or tests (--test) one MNIST model; q1.py calls it once per run. "
            "train.py and evaluate.py hold the training loop, with validation after every epoch, and the test.",
            "cells.py: the three cells. model.py: the cells unrolled over the 28 rows, one or both ways and in "
            "layers, the classifier, the loss and the training step. data_loader.py: MNIST, checked.",
            "assignments/ee6123/: Question 1's runs, ranking and findings (grid.py, findings.py), its figures "
            "(plots.py), and the runs of Questions 2 and 3 (memory.py).",
            "assignments/memory/: the memory tasks: their sequences (data.py), the network and its training "
            "(net.py), their figures and findings (figures.py, task_runs.py).",
            "core/: what these import: the configuration of a run, its folder, the unrollers, the image "
            "distortions, and compare.py, the rule every comparison here goes through.",
            "README.md: the installation and the command of each question."]),
        ("paragraph", "Comparisons. A result is the list of its seeds' test accuracies. Two results differ only "
                      "when both have at least {} seeds and their means are further apart than their two standard "
                      "deviations added together; otherwise this report calls them a tie. Choices (the learning "
                      "rate) are made on validation data; the test set is measured once per run, after "
                      "training.".format(MIN_SEEDS)),
    ]


def _setup_q1():
    rates = ", ".join("{} {:g}".format(grid.NAMES[m], grid.RATES[m]) for m in grid.MODELS)
    r = grid.RECIPE
    return [
        ("heading", "2  Question 1"),
        ("paragraph", "Each MNIST image is read as a sequence of its 28 rows, one row of 28 pixels per step, top "
                      "to bottom; a bidirectional model also reads them bottom to top with a second set of "
                      "weights. The last hidden state (of each direction, side by side) goes through a linear "
                      "layer to the ten classes. 55,000 training images, 5,000 held out for validation, and the "
                      "10,000 test images. The code to train and test one row of the grid (three seeds) is:"),
        ("code", ["python3 q1.py --model LSTM --bi 1 -l 64", "python3 q1.py --all      # every row"]),
        ("bullets", [
            "Adam, with the peak learning rate per cell: {} (below).".format(rates),
            "A fixed budget of {} epochs in batches of {}: the rate rises over the first epoch, then falls to "
            "zero along a cosine. The weights of the epoch with the best validation accuracy are "
            "tested.".format(r["epochs"], r["batch_size"]),
            "Loss: cross-entropy. Dropout {:g} on the inputs of each layer and of the classifier (not on the "
            "recurrent connections); every training image randomly rotated (up to 10 degrees), scaled, sheared "
            "and shifted (up to 2 pixels); gradients clipped at a global norm of {:g}; no L2.".format(
                r["dropout"], r["clip_norm"]),
            "Initialisation: input weights Glorot-uniform, recurrent weights orthogonal, biases 0 but the LSTM's "
            "forget gate at 1.",
            "Models: the vanilla RNN, the LSTM and the GRU, each with hidden size 64, hidden size 128, and two "
            "layers of 64, each one-directional and bidirectional: 18 rows, seeds {} each.".format(
                ", ".join(map(str, grid.SEEDS)))]),
    ]


def _rates_text():
    pilot = grid.load_rates()
    if not pilot:
        return []
    runs = ", ".join("{:g}: {:.2f}%".format(p["learning_rate"], 100 * p["val_accuracy"]) for p in pilot)
    first = pilot[0]
    return [("paragraph", "LSTM and GRU use the peak rate 0.01 that this budget was set with for them beforehand, "
                          "on validation; it was not searched again here. "
                          "The learning rate of the vanilla RNN was chosen on validation: {} trained at each rate "
                          "(seed {}, the same budget) reached on the validation images {}. "
                          "The command python3 q1.py --model RNN --bi 0 -l 128 --seeds 1 --rates {} repeats it.".format(
                              grid.title(first["model"], tuple(first["layers"]), first["bidirectional"]),
                              first["seed"], runs, ",".join("{:g}".format(p["learning_rate"]) for p in pilot)))]


def question1():
    entries = grid.load()
    blocks = _setup_q1() + _rates_text()
    blocks += [("heading", "2.1  Accuracy and Loss Plots", 12),
               ("paragraph", "Test and validation accuracy, mean \u00b1 standard deviation over the seeds, and the "
                             "minutes of training per run (wall time on two cores shared with other work, so it "
                             "varies with the load as much as with the model). The rank is one more than the number of rows whose test "
                             "accuracy is higher by the rule, so rows the rule cannot separate share a rank."),
               ("table", plots.HEADER, plots.table_rows(entries), [0.05, 0.25, 0.09, 0.06, 0.17, 0.17, 0.11, 0.1]),
               ("paragraph", findings.rank_text(entries))]
    gone = grid.missing(entries)
    if gone:
        blocks.append(("paragraph", "Not trained yet (fewer than {} seeds, so not ranked): {}. {} trains "
                                    "them.".format(MIN_SEEDS, "; ".join("{} (seed {})".format(t, ", ".join(map(str, s)))
                                                                        for t, s in gone),
                                                   "python3 q1.py --all")))
    blocks.append(("figure", lambda fig, box: plots.draw_accuracy(entries, fig, box), plots.accuracy_size(entries),
                   "Figure 1: test accuracy of each row; the dot and bar are the mean and standard deviation over "
                   "the seeds, the ticks the seeds."))
    for k, model in enumerate(grid.MODELS, 2):
        blocks.append(("figure", lambda fig, box, m=model: plots.draw_cell(entries, m, fig, box), plots.CURVES_SIZE,
                       "Figure {}: {}, loss and error per epoch for each seed; training (dashed, on distorted images "
                       "with dropout) and validation (solid).".format(k, grid.NAMES[model])))
    return blocks + [("heading", "2.2  Why the models differ", 12)] + _why(entries)


def _measured(entries, factor, keep=lambda a, b: True, what=""):
    """'{what} {counts}' for the factor's ready pairs that `keep` selects, or None when there are none."""
    found = [(a, b, v) for a, b, v in findings.verdicts(entries, factor) if keep(a, b)]
    return "{} {}".format(what, findings.counts(found)) if found else None


def _why(entries):
    """Why the models differ: each mechanism beside what the grid measured of it (the pairs ready so far)."""
    against_rnn = _measured(entries, "gates", lambda a, b: b["model"] == "rnn",
                            "Against the vanilla RNN, the gated cells' test accuracy is")
    pilot = grid.load_rates()
    rates = ", so its rate had to be lower: on validation ({} {}, seed {}) it reached {}".format(
        grid.NAMES[pilot[0]["model"]], ",".join(map(str, pilot[0]["layers"])), pilot[0]["seed"], ", ".join(
            "{:.2f}% at {:g}".format(100 * p["val_accuracy"], p["learning_rate"]) for p in pilot)) if pilot else ""
    out = [("paragraph", "{}. The vanilla RNN updates its state as h(t) = tanh(W_x x(t) + W_h h(t-1) + b), so "
                         "the error at the last row reaches row t only through 28 - t products with "
                         "W_h' diag(1 - h(t)^2). Unless those factors stay near one, the signal from the top rows "
                         "shrinks geometrically on its way back (or grows, and clipping stops only the growth), so "
                         "the top of the digit, where a 7 differs from a 1, shapes the weights least. Large steps "
                         "make the growth worse{}.".format(against_rnn or "The vanilla RNN's rows are not "
                                                           "complete yet", rates))]
    lstm_gru = _measured(entries, "gates", lambda a, b: (a["model"], b["model"]) == ("lstm", "gru"),
                         "The LSTM's test accuracy against the GRU's is")
    out.append(("paragraph", "The gates give the error a path without that product. The LSTM keeps a cell state "
                             "c(t) = f(t) c(t-1) + i(t) g(t): back through it the error is only multiplied by the "
                             "forget gate, which starts near one (its bias is 1). The GRU's "
                             "h(t) = z(t) h(t-1) + (1 - z(t)) n(t) is a path of the same kind, through the update "
                             "gate z(t). {}. Both cells have that path, so neither is expected to win by it; the GRU "
                             "has three gate blocks to the LSTM's four, a quarter fewer weights at each width, and "
                             "mostly ties with the LSTM here, which suggests (without testing it) that the LSTM's "
                             "separate output gate and cell state add little for reading 28 rows.".format(
                                 lstm_gru or "The LSTM and the GRU are not both complete yet")))
    depth = _measured(entries, "depth", what="Two layers of 64 against one:")
    width = _measured(entries, "width", what="128 units against 64:")
    out.append(("paragraph", "A second layer reads the first layer's state at every row, so each row passes "
                             "through two nonlinear steps, and the model has more weights; a wider layer has more "
                             "weights in one step. {}".format(" ".join(
                                 s + "." for s in (depth, width) if s) or "The rows that measure this (64 and "
                                 "64,64 units) are not trained yet.")))
    both = _measured(entries, "directions", what="Both directions against one:")
    rnn_both = _measured(entries, "directions", lambda a, b: a["model"] == "rnn", what="for the vanilla RNN alone,")
    out.append(("paragraph", "Both directions put every row within 14 steps of one of the two final states the "
                             "classifier reads, instead of up to 27, at twice the weights; that matters most to "
                             "the cell whose error fades over the steps, the vanilla RNN. {}".format(
                                 "; ".join(s for s in (both, rnn_both) if s) + "." if both else
                                 "The bidirectional rows are not trained yet.")))
    out.append(("paragraph", "Every comparison, with the numbers it rests on (test accuracy, mean over the seeds; "
                             "a tie where the gap is within the two standard deviations added):", 9))
    for factor in findings.FACTORS:
        text = findings.factor_text(entries, factor)
        if text:
            out.append(("paragraph", text, 9))
    return out


def question2():
    recall, _ = _tasks()
    d = DEFAULTS["recall"]
    blocks = [
        ("heading", "3  Question 2"),
        ("paragraph", "Recall of the k-th digit: sequences of {} to {} random digits, one-hot, one digit per "
                      "step; the LSTM must output the digit at position {}. One LSTM layer of H units; its state "
                      "at the last digit goes through a linear layer to the ten digits.".format(
                          RECALL["min_length"], d["length"], RECALL["position"])),
        ("bullets", ["Adam optimiser, lr = {:g}, beta1 = 0.9, beta2 = {:g}; batches of {}.".format(
            d["learning_rate"], d["beta2"], d["batch_size"]),
            "Loss: cross-entropy. Single hidden layer, H = 2, 5 and 10 units wide; five seeds each.",
            "At most {:,} steps, stopping once every one of 2,000 validation sequences is right; then 2,000 test "
            "sequences, drawn with another seed.".format(d["steps"])]),
        ("paragraph", "The outputs of this question may be generated by:"),
        ("code", ["python3 q2.py --H 2,5,10"])]
    if not recall:
        return blocks + [("paragraph", "Not trained yet.")]
    blocks.append(("paragraph", figures.recall_text(recall)))
    blocks.append(("paragraph", budget_text(recall, d["steps"])))
    blocks.append(("paragraph", "Why: the state must hold the second digit, one of ten, while up to eight more "
                                "digits arrive, and let none of them overwrite it. Two units bounded by tanh have "
                                "little room to keep ten digits apart while the later inputs pass through the same "
                                "units; with more units the gates can hold the digit in units the later inputs "
                                "leave alone. That is our reading of the results, not something measured "
                                "directly."))
    blocks.append(("paragraph", "We also perform randomised testing (five test sequences of the first seed, "
                                "q2.py prints them):"))
    lines = memory.printout([r for r in recall if r["hidden"] == max(r["hidden"] for r in recall)]).splitlines()
    blocks.append(("code", lines))
    blocks.append(("heading", "3.1  Loss and Accuracy Curves for H values", 12))
    blocks.append(("figure", lambda fig, box: figures.recall(recall, fig, box), (6.4, 4.2),
                   "Figure 5: test accuracy against H, mean and standard deviation over the seeds."))
    blocks.append(("figure", lambda fig, box: figures.recall_curves(recall, fig, box), (9.6, 3.8),
                   "Figure 6: validation accuracy and training loss over the steps, means over the seeds (a run that "
                   "stopped at its target is carried on at its last values)."))
    return blocks


def question3():
    _, addition = _tasks()
    d = DEFAULTS["binary_addition"]
    blocks = [
        ("heading", "4  Question 3"),
        ("paragraph", "Binary addition: two L-bit numbers, least significant bit first, one pair of bits per step "
                      "and one more step of (0, 0) for the carry; at every step a linear layer reads the LSTM's "
                      "state and gives one bit of the sum. Trained at L = 3, 5 and 10, tested on sums of 1 to 40 "
                      "bits. The outputs of this question may be generated by:"),
        ("code", ["python3 q3.py --loss MSE,CE --L 3,5,10", "python3 q3.py --loss MSE,CE --L 5 --H 2,3,5,10"]),
        ("bullets", ["Adam optimiser, lr = {:g}, beta1 = 0.9, beta2 = {:g}; batches of {}; at most {:,} steps, "
                     "stopping once every validation sum is right.".format(d["learning_rate"], d["beta2"],
                                                                          d["batch_size"], d["steps"]),
                     "Loss: MSE (squared error of the sigmoid of each output against its bit) and cross-entropy "
                     "(each output as the probability of a 1).",
                     "Single hidden layer, {} units wide (and 2, 3, 10 at L = 5); five seeds each.".format(
                         d["hidden"])])]
    if not addition:
        return blocks + [("paragraph", "Not trained yet.")]
    blocks += [("heading", "4.1  MSE vs Cross Entropy", 12), ("paragraph", figures.addition_text(addition)),
               ("paragraph", "Why: for a sigmoid output p of logit z, cross-entropy's gradient is p - y, while "
                             "squared error's is 2 (p - y) p (1 - p), which vanishes when an output is confidently "
                             "wrong, so squared error can learn more slowly from a bad start. " +
                             steps_text(addition)),
               ("heading", "4.2  MSE: Loss and Accuracy Curves", 12),
               ("figure", lambda fig, box: figures.addition_curves(addition, fig, box), (9.6, 3.8),
                "Figure 7: MSE and cross-entropy at each training length: validation accuracy (whole sums) and "
                "training loss over the steps, means over the seeds (a run that stopped at its target is carried "
                "on at its last values)."),
               ("heading", "4.3  MSE: Average Bit Accuracy", 12),
               ("figure", lambda fig, box: figures.addition(addition, fig, box), (6.4, 4.2),
                "Figure 8: bit accuracy on test sums of 1 to 40 bits, for each loss and training length L.")]
    hidden = figures.addition_hidden_text(addition)
    if hidden:
        blocks += [("heading", "4.4  Hidden Units", 12), ("paragraph", hidden),
                   ("paragraph", "Why: the carry is one bit, so the state needs little room to hold it; what "
                                 "differs between sizes and seeds is whether training finds a rule that holds at "
                                 "every length, which the wide spread over seeds on the longest sums shows."),
                   ("figure", lambda fig, box: figures.addition_hidden(addition, fig, box), (6.4, 4.2),
                    "Figure 9: bit accuracy on 40-bit sums against the hidden units, trained at L = {}.".format(
                        figures.sweep_length(addition)))]
    return blocks



def budget_text(recall, steps):
    """Question 2's runs against the step budget, per H: how many stopped at the target, and where the others'
    validation accuracy ended (means over the seeds)."""
    parts = []
    for hidden in sorted({r["hidden"] for r in recall}):
        runs = [r for r in recall if r["hidden"] == hidden]
        done = [r["steps_done"] for r in runs if r["stopped"] == "target"]
        part = "H = {}: {} of {} reached the target".format(hidden, len(done), len(runs))
        if done:
            part += " (median {:,.0f} steps)".format(sorted(done)[len(done) // 2])
        late = [r for r in runs if r["stopped"] != "target"]
        if late:
            ends = [r["curve"][-1][3] for r in late]
            before = sum(r["curve"][-3][3] for r in late) / len(late)
            part += (", {} ended at {:.1f}% validation accuracy on average ({:.1f}-{:.1f}%; {:.1f}% {:,} steps "
                     "earlier)").format("they" if not done else "the others", 100 * sum(ends) / len(ends),
                                        100 * min(ends), 100 * max(ends), 100 * before,
                                        late[0]["curve"][-1][0] - late[0]["curve"][-3][0])
        parts.append(part)
    return ("These results are at a fixed budget of {:,} steps: {}. Where a model spent the whole budget, the "
            "comparison says it did not learn the recall within those steps, not that it cannot.".format(
                steps, "; ".join(parts)))


def steps_text(addition):
    """What these runs show of that: the steps each loss took to the target at each training length (means over
    the seeds, at the default width), compared by the rule."""
    width = DEFAULTS["binary_addition"]["hidden"]
    parts, differ = [], []
    for length in sorted({r["length"] for r in addition}):
        steps = {loss: [r["steps_done"] for r in addition if r["length"] == length and r["loss"] == loss
                        and r["hidden"] == width] for loss in ("mse", "ce")}
        if steps["mse"] and steps["ce"]:
            parts.append("L = {}: MSE {:,.0f}, CE {:,.0f}".format(length, *(sum(v) / len(v) for v in steps.values())))
            if verdict(steps["mse"], steps["ce"]) in ("higher", "lower"):
                differ.append(length)
    found = ("by the rule they differ at L = {}".format(", ".join(map(str, differ))) if differ else
             "by the rule they tie at every length, so we do not claim either loss learns faster here")
    return ("The steps each loss took to bring every validation sum right (means over the seeds at {} units; {}): "
            "{}.".format(width, "; ".join(parts), found))
