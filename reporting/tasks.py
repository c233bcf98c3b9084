"""The memory tasks' figures and findings: results/tasks/<task>.jsonl -> results/tasks/*.png and README.md.

Drawn by `python plot_results.py --tasks` (or `sequence_tasks.py --plot`); the sentences, with their
numbers, are what results/tasks/README.md and the report's task pages say. Every comparison goes
through reporting/compare.py's rule on the runs' test accuracies (one per seed); a run "succeeds" when
its validation accuracy reached the target within the step budget.
"""
import json
import os

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")  # files only, no screen needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from project.common import UserError, atomic_write_bytes, relpath, save_png  # noqa: E402
from reporting.compare import pair, spread, verdict  # noqa: E402

TASK_STYLE = {"lstm": ("LSTM", "tab:blue", "o"), "gru": ("GRU", "tab:orange", "s"), "rnn": ("vanilla RNN", "tab:gray", "^")}
MODEL_ORDER = ("rnn", "lstm", "gru")
# The palindrome assignment's setting (sequence_tasks.py's defaults); the ablation changes one factor at a time.
ASSIGNMENT = {"encoding": "scalar", "recurrent_init": "orthogonal", "keep_bias": 1.0}
FACTORS = (("encoding", "onehot", "one-hot digits instead of scalars"),
           ("recurrent_init", "gaussian", "W_h from N(0, 0.01^2) instead of orthogonal"),
           ("keep_bias", 0.0, "keep-gate bias 0 instead of 1"))
REQUIRED = {"task": str, "model": str, "hidden": int, "length": int, "seed": int, "test_accuracy": float,
            "validation_accuracy": float, "stopped": str, "steps": int, "steps_done": int, "curve": list, "encoding": str,
            "recurrent_init": str}
NEEDED = {"binary_addition": {"loss": str, "test_bit_accuracy_by_length": dict}, "palindrome": {}, "recall": {}}


def _check(record, task, where):
    if not isinstance(record, dict):
        raise UserError("{}: a result line must be a JSON object, not {}".format(where, type(record).__name__))
    if "validation_accuracy" not in record and "accuracy" in record:
        raise UserError("{}: written by an older sequence_tasks.py, without a validation set; delete that line "
                        "and run sequence_tasks.py again".format(where))
    for key, kind in dict(REQUIRED, **NEEDED[task]).items():
        value = record.get(key)
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) if kind is float else \
            isinstance(value, kind) and not isinstance(value, bool)
        if not ok:
            raise UserError("{}: {!r} must be {}, not {!r}".format(where, key, {float: "a number", int: "a whole number",
                                                                             str: "a string", list: "a list",
                                                                             dict: "an object"}[kind], value))
    if record["task"] != task or record["model"] not in TASK_STYLE:
        raise UserError("{}: a {} result with model {!r} does not belong here".format(where, record["task"],
                                                                                     record["model"]))


def load_task(results_dir, task, file_name=None):
    """The task's result records; a damaged line is one error naming the file, the line and the fix.
    file_name: another file of the same task's lines (palindrome_pytorch.jsonl)."""
    path = os.path.join(results_dir, file_name or task + ".jsonl")
    if not os.path.isfile(path):
        return []
    records = []
    try:
        with open(path, "rb") as f:
            lines = f.read().decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise UserError("{} is not UTF-8 text; restore it from git or delete it and rerun sequence_tasks.py".format(
            relpath(path)))
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = "{} line {}".format(relpath(path), number)
        try:
            record = json.loads(line)
        except ValueError:
            raise UserError("{} is not valid JSON; delete that line (or restore the file from git)".format(where))
        _check(record, task, where)
        records.append(record)
    return records


def setting(record):
    """(encoding, recurrent_init, keep_bias) of a run; the RNN has no keep gate (None)."""
    keep = record.get("keep_bias")
    return record["encoding"], record["recurrent_init"], None if keep is None else float(keep)


def is_assignment(record):
    enc, init, keep = setting(record)
    return enc == ASSIGNMENT["encoding"] and init == ASSIGNMENT["recurrent_init"] and keep in (None, 1.0)


def _by(records, *keys):
    groups = {}
    for r in records:
        groups.setdefault(tuple(r[k] for k in keys), []).append(r)
    return groups


def _models(records):
    return sorted({r["model"] for r in records}, key=MODEL_ORDER.index)


def pct(x):
    return "{:.1f}%".format(100.0 * x)


def _successes(rows):
    return "{}/{}".format(sum(r["stopped"] == "target" for r in rows), len(rows))


def _accuracies(rows):
    return [r["test_accuracy"] for r in rows]


def _mean_sd(rows, key="test_accuracy"):
    mean, sd = spread([r[key] for r in rows])
    return "{} +- {:.1f}".format(pct(mean), 100 * sd)


def versus(name_a, a, name_b, b):
    """Two groups of runs in words. Where every run of both reached the target, their test accuracies only say
    where they stopped (just past the target), so the steps it took are compared instead; otherwise the test
    accuracies are. Both through the comparison rule."""
    if all(r["stopped"] == "target" for r in a + b):
        steps_a, steps_b = [r["steps_done"] for r in a], [r["steps_done"] for r in b]
        word = {"lower": "in fewer steps than", "higher": "in more steps than", "tie": "in as many steps (a tie) as",
                "one run": "(not compared, fewer than 3 seeds) as"}[verdict(steps_a, steps_b)]
        return "{} reaches the target {} {} ({:,.0f} against {:,.0f} steps on average)".format(
            name_a, word, name_b, np.mean(steps_a), np.mean(steps_b))
    return pair(name_a, _accuracies(a), name_b, _accuracies(b))


# ---- palindromes ----------------------------------------------------------------------------------------------

def _main_runs(records):
    return [r for r in records if is_assignment(r)]


def _ablation_length(records):
    """The length with the most settings tried (where the ablation ran), or None."""
    counts = {n: len({(r["model"],) + setting(r) for r in rows}) for (n,), rows in _by(records, "length").items()}
    best = max(counts.items(), key=lambda kv: (kv[1], kv[0])) if counts else None
    return best[0] if best and best[1] > len(_models(records)) else None


def _palindrome(records, fig, box):
    main = _main_runs(records)
    grid = grid_in(fig, box, 2, 1, hspace=0.12)
    top = fig.add_subplot(grid[0])
    bottom = fig.add_subplot(grid[1], sharex=top)
    plt.setp(top.get_xticklabels(), visible=False)
    for model in _models(main):
        label, color, marker = TASK_STYLE[model]
        by_length = sorted(_by([r for r in main if r["model"] == model], "length").items())
        lengths = [k[0] for k, _ in by_length]
        top.plot(lengths, [100.0 * sum(r["stopped"] == "target" for r in g) / len(g) for _, g in by_length],
                 color=color, marker=marker, label=label)
        means = [100 * spread(_accuracies(g))[0] for _, g in by_length]
        sds = [100 * spread(_accuracies(g))[1] for _, g in by_length]
        upper = [min(sd, 100 - m) for m, sd in zip(means, sds)]  # an accuracy stops at 100%
        bottom.errorbar(lengths, means, yerr=[sds, upper], color=color, marker=marker, capsize=3, label=label)
    seeds = max(len(g) for g in _by(main, "model", "length").values())
    top.set_ylabel("runs reaching 99% on validation (%)")
    top.set_title("Palindromes, the assignment's setting ({} seeds per point)".format(seeds), fontsize=10)
    bottom.axhline(10, color="k", linewidth=0.8, linestyle=":")
    bottom.set_ylabel("test accuracy (%), mean and sd; chance 10%")
    bottom.set_xlabel("palindrome length T")
    for ax in (top, bottom):
        ax.grid(True, alpha=0.3)
        ax.legend()
    return True


def _palindrome_ablation(records, fig, box):
    length = _ablation_length(records)
    if length is None:
        return False
    rows = [r for r in records if r["length"] == length]
    ax = fig.add_subplot(grid_in(fig, box)[0])
    names = ["assignment's setting"] + [words.split(" instead")[0] for _, _, words in FACTORS]
    for k, model in enumerate(_models(rows)):
        label, color, marker = TASK_STYLE[model]
        for j, group in enumerate(_ablation_groups([r for r in rows if r["model"] == model])):
            if group:
                accs = 100 * np.array(_accuracies(group))
                x = j + (k - 1) * 0.22
                ax.scatter([x] * len(accs), accs, color=color, marker=marker, s=14, alpha=0.5)
                sd = accs.std(ddof=1) if len(accs) > 1 else 0
                ax.errorbar([x], [accs.mean()], yerr=[[sd], [min(sd, 100 - accs.mean())]], color=color,
                            marker=marker, capsize=3, label=label if j == 0 else None)
    ax.set_xticks(range(len(names)))
    ax.set_xticklabels(names, fontsize=8)
    ax.axhline(10, color="k", linewidth=0.8, linestyle=":")
    ax.set_ylabel("test accuracy (%): runs, mean and sd")
    ax.set_title("One factor changed at a time, palindromes of length {}".format(length), fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return True


def _ablation_groups(rows):
    """[assignment's runs, then the runs with each factor of FACTORS changed (only that one)]."""
    groups = [[r for r in rows if is_assignment(r)]]
    for key, value, _ in FACTORS:
        changed = []
        for r in rows:
            enc, init, keep = setting(r)
            now = {"encoding": enc, "recurrent_init": init, "keep_bias": keep}
            others = all(now[k] in (ASSIGNMENT[k], None) for k, _, _ in FACTORS if k != key)
            if now[key] == value and others:
                changed.append(r)
        groups.append(changed)
    return groups


def _gradient_length(records):
    main = [r for r in _main_runs(records) if r.get("input_gradient_norms")]
    complete = [n for (n,), rows in _by(main, "length").items() if len(_models(rows)) == len(_models(main))]
    return max(complete) if complete else None


def _palindrome_gradients(records, fig, box):
    length = _gradient_length(records)
    if length is None:
        return False
    rows = [r for r in _main_runs(records) if r["length"] == length and r.get("input_gradient_norms")]
    ax = fig.add_subplot(grid_in(fig, box)[0])
    for model in _models(rows):
        label, color, marker = TASK_STYLE[model]
        norms = np.exp(np.mean([np.log(np.maximum(r["input_gradient_norms"], 1e-30)) for r in rows
                                if r["model"] == model], axis=0))  # geometric mean over seeds
        back = np.arange(len(norms))[::-1]  # steps before the last input
        ax.plot(back, norms, color=color, marker=marker, markevery=4, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("steps before the last input (the first digit is the rightmost point)")
    ax.set_ylabel("|dL/dx_t| on validation after training (log)")
    ax.set_title("How far back the loss reaches: T = {}, the assignment's setting".format(length), fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return True


def _curves(records, fig, box, group_key, title, label_of):
    """Validation accuracy and training loss over steps, mean over seeds, one line per group."""
    grid = grid_in(fig, box, 1, 2, wspace=0.35)
    acc_ax, loss_ax = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
    groups = sorted(_by(records, *group_key).items())
    cmap = plt.get_cmap("viridis")
    for k, (key, rows) in enumerate(groups):
        color = TASK_STYLE[key[0]][1] if group_key == ("model",) else cmap(k / max(1, len(groups) - 1))
        longest = max(len(r["curve"]) for r in rows)
        # a run that stopped early keeps its last value (it had reached the target)
        padded = np.array([r["curve"] + [r["curve"][-1]] * (longest - len(r["curve"])) for r in rows])
        steps = np.array(max((r["curve"] for r in rows), key=len))[:, 0]  # [points, columns] -> [points]
        acc_ax.plot(steps, 100 * padded[:, :, 3].mean(0), color=color, label=label_of(key))
        loss_ax.plot(steps, padded[:, :, 1].mean(0), color=color, label=label_of(key))
    acc_ax.set_ylabel("validation accuracy (%)")
    loss_ax.set_ylabel("training loss (log)")
    loss_ax.set_yscale("log")
    loss_ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: "{:g}".format(v)))
    loss_ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())  # "2 x 10^-1" labels ran into the axis label
    for ax in (acc_ax, loss_ax):
        ax.set_xlabel("training step")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    fig.text((box[0] + box[2]) / 2, box[3] + 0.12 / fig.get_size_inches()[1], title + "; means over seeds", fontsize=10, ha="center",
             va="bottom")
    return True


def _palindrome_curves(records, fig, box):
    length = _gradient_length(records) or max(r["length"] for r in records)
    rows = [r for r in _main_runs(records) if r["length"] == length]
    return bool(rows) and _curves(rows, fig, box, ("model",),
                            "Palindromes of length {}, the assignment's setting (a stopped run keeps its last "
                            "value)".format(length), lambda key: TASK_STYLE[key[0]][0])


def _short_answers(records):
    """What gates buy and what initialisation buys, in one sentence each, from the same runs and rule: the
    lengths where both gated cells' test accuracy is higher than the vanilla RNN's, and, at the ablation's
    length, which cells' accuracy the Gaussian W_h changes."""
    main = _main_runs(records)
    gates = []
    for n in sorted({r["length"] for r in main}):
        groups = _by([r for r in main if r["length"] == n], "model")
        if ("rnn",) in groups and all((m,) in groups for m in ("lstm", "gru")) and all(
                verdict(_accuracies(groups[(m,)]), _accuracies(groups[("rnn",)])) == "higher" for m in ("lstm", "gru")):
            gates.append(n)
    tested = sorted({r["length"] for r in main})
    text = ("What gates buy here: both gated cells' test accuracy is higher than the vanilla RNN's at T = {} "
            "(by the comparison rule); at the other lengths tried ({}) the three tie or differ only in the steps "
            "they took.".format(", ".join(map(str, gates)), ", ".join(str(n) for n in tested if n not in gates))
            if gates else "What gates buy here: at no length tried ({}) is both gated cells' test accuracy higher "
            "than the vanilla RNN's by the comparison rule.".format(", ".join(map(str, tested))))
    length = _ablation_length(records)
    if length is not None:
        words = {"higher": "raises the {}'s test accuracy", "lower": "lowers the {}'s test accuracy",
                 "tie": "leaves the {}'s as it was (a tie)", "one run": "is not compared for the {} (one run)"}
        effects = []
        rows = [r for r in records if r["length"] == length]
        for model in _models(rows):
            base, _, gaussian, _ = _ablation_groups([r for r in rows if r["model"] == model])
            if base and gaussian:
                effects.append(words[verdict(_accuracies(gaussian), _accuracies(base))].format(TASK_STYLE[model][0]))
        if effects:
            text += (" What initialisation buys: at T = {}, W_h from N(0, 0.01^2) instead of orthogonal {}.".format(
                length, "; ".join(effects)))
    return text


def palindrome_text(records):
    main, parts = _main_runs(records), []
    lengths = sorted({r["length"] for r in main})
    for model in _models(main):
        groups = _by([r for r in main if r["model"] == model], "length")
        parts.append("{} {}".format(TASK_STYLE[model][0], ", ".join(
            _successes(groups[(n,)]) if (n,) in groups else "-" for n in lengths)))
    budget = max(r["steps"] for r in records)
    text = [_short_answers(records),
            "In the assignment's setting (scalar digits, 128 units, batch 128, RMSProp 0.001, clipping at 10, at "
            "most {:,} steps at every length; orthogonal W_h and a keep-gate bias of 1 for both gated cells), "
            "runs reaching 99% validation accuracy at T = {}: {}.".format(budget, ", ".join(map(str, lengths)),
                                                                         "; ".join(parts))]
    if "rnn" in _models(main) and len(_models(main)) > 1:
        gated = []
        for n in lengths:
            groups = _by([r for r in main if r["length"] == n], "model")
            if ("rnn",) in groups:
                words = [versus(TASK_STYLE[m][0], groups[(m,)], "the vanilla RNN", groups[("rnn",)])
                         for m in ("lstm", "gru") if (m,) in groups]
                gated.append("T = {}: {}".format(n, "; ".join(words)))
        text.append("Gated cells against the vanilla RNN (test accuracy, or the steps to the target where every run "
                    "reached it; the comparison rule): "
                    + ". ".join(gated) + ".")
    length = _ablation_length(records)
    if length is not None:
        sentences = []
        rows = [r for r in records if r["length"] == length]
        for model in _models(rows):
            base, *changed = _ablation_groups([r for r in rows if r["model"] == model])
            if not base:
                continue
            words = []
            for (key, value, what), group in zip(FACTORS, changed):
                if group:
                    words.append("{}: {} succeed, {}; {}".format(
                        what, _successes(group), _mean_sd(group),
                        versus("the change", group, "the assignment's setting", base)))
            if words:
                sentences.append("{} (assignment's setting: {} succeed, {}) - {}".format(
                    TASK_STYLE[model][0], _successes(base), _mean_sd(base), "; ".join(words)))
        text.append("One factor changed at a time at T = {} (test accuracy, mean +- sd): {}.".format(
            length, ". ".join(sentences)))
    glen = _gradient_length(records)
    if glen:
        rows = [r for r in _main_runs(records) if r["length"] == glen and r.get("input_gradient_norms")]
        ratios = ", ".join("{} {:.1e}".format(TASK_STYLE[m][0], np.exp(np.mean([
            np.log(max(r["input_gradient_norms"][0], 1e-30) / max(r["input_gradient_norms"][-1], 1e-30))
            for r in rows if r["model"] == m]))) for m in _models(rows))
        text.append("After training at T = {}, |dL/dx| at the first digit divided by |dL/dx| at the last input "
                    "(geometric mean over seeds; how much of the loss reaches back to the digit that answers it): "
                    "{}.".format(glen, ratios))
    return " ".join(text)


# ---- recall and binary addition ------------------------------------------------------------------------------

def _recall(records, fig, box):
    ax = fig.add_subplot(grid_in(fig, box)[0])
    rows = sorted(_by(records, "hidden").items())
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


def _recall_curves(records, fig, box):
    return _curves(records, fig, box, ("hidden",), "Recall: curves over training (Adam 0.01, "
                   "betas 0.9, 0.99)", lambda key: "{} units".format(key[0]))


def recall_text(records):
    rows = sorted(_by(records, "hidden").items())
    sizes = ", ".join("{} units {} ({} reach 100% on validation)".format(k[0], _mean_sd(g), _successes(g))
                      for k, g in rows)
    return "Test accuracy by LSTM size, {} seeds each, {:,} steps at most: {}.".format(
        max(len(g) for _, g in rows), max(r["steps"] for r in records), sizes)


def _addition(records, fig, box):
    ax = fig.add_subplot(grid_in(fig, box)[0])
    shades = {"ce": plt.get_cmap("Blues"), "mse": plt.get_cmap("Oranges")}
    train_lengths = sorted({r["length"] for r in records})
    for (loss, length), rows in sorted(_by(records, "loss", "length").items()):
        tests = sorted(int(k) for k in rows[0]["test_bit_accuracy_by_length"])
        mean = [100.0 * np.mean([r["test_bit_accuracy_by_length"][str(t)] for r in rows]) for t in tests]
        shade = shades[loss](0.45 + 0.55 * (train_lengths.index(length) + 1) / len(train_lengths))
        ax.plot(tests, mean, color=shade, linestyle="-" if loss == "ce" else "--", marker=".",
                label="{}, trained at L={}".format("cross-entropy" if loss == "ce" else "squared error", length))
    ax.set_xlabel("test length L (bits)")
    ax.set_ylabel("test bit accuracy (%), mean over seeds")
    ax.set_title("Binary addition with an LSTM of {} units".format(records[0]["hidden"]))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return True


def _addition_curves(records, fig, box):
    return _curves(records, fig, box, ("loss", "length"),
                   "Binary addition: curves over training (validation: whole sums right)",
                   lambda key: "{}, L={}".format("cross-entropy" if key[0] == "ce" else "squared error", key[1]))


def addition_text(records):
    longest = max(int(k) for k in records[0]["test_bit_accuracy_by_length"])
    at = lambda rows, bits: [r["test_bit_accuracy_by_length"][str(bits)] for r in rows]
    parts, pairs = [], []
    groups = _by(records, "loss", "length")
    for loss in ("ce", "mse"):
        lengths = sorted(n for (l, n) in groups if l == loss)
        if lengths:
            parts.append("{}: {}".format("cross-entropy" if loss == "ce" else "squared error", ", ".join(
                "L = {} {} +- {:.1f}".format(n, pct(np.mean(at(groups[(loss, n)], longest))),
                                             100 * spread(at(groups[(loss, n)], longest))[1]) for n in lengths)))
    for (loss, n), rows in sorted(groups.items()):
        if loss == "ce" and ("mse", n) in groups:
            pairs.append("at L = {}, {}".format(n, pair("cross-entropy", at(rows, longest), "squared error",
                                                        at(groups[("mse", n)], longest))))
    steps = max(r["steps"] for r in records)
    text = ("Trained on L-bit sums until every validation sum was right or {:,} steps had passed, then tested on "
            "sums of 1..{} bits. Bit accuracy on {}-bit sums (mean +- sd over seeds): {}.".format(
                steps, longest, longest, "; ".join(parts)))
    if pairs:
        text += " Cross-entropy against squared error, by the comparison rule: {}.".format("; ".join(pairs))
    return text


# ---- all of it --------------------------------------------------------------------------------------------------

def task_summaries(folder):
    """{task: the sentences with the numbers}, from the result files (the report and the tasks page)."""
    text = {}
    for task, write in (("palindrome", palindrome_text), ("recall", recall_text), ("binary_addition", addition_text)):
        records = load_task(folder, task)
        if records:
            text[task] = write(records)
    if "palindrome" in text:
        text["palindrome"] += pytorch_text(load_task(folder, "palindrome", PYTORCH_FILE), load_task(folder, "palindrome"))
    return text


PYTORCH_FILE = "palindrome_pytorch.jsonl"  # palindrome_pytorch/train.py's runs: the same setting in PyTorch


def pytorch_text(torch_runs, tf_runs):
    """The PyTorch runs of the course skeleton beside TensorFlow's runs of the same setting, through the rule."""
    if not torch_runs:
        return ""
    started = [r for r in torch_runs if r.get("rmsprop_start")]  # the optimiser ablation (TensorFlow's start)
    torch_runs = [r for r in torch_runs if not r.get("rmsprop_start")]
    tf_main = _main_runs(tf_runs)
    lengths = sorted({r["length"] for r in torch_runs})
    parts, sides = [], []
    for model in _models(torch_runs):
        groups = _by([r for r in torch_runs if r["model"] == model], "length")
        parts.append("{} {}".format(TASK_STYLE[model][0], ", ".join(
            _successes(groups[(n,)]) if (n,) in groups else "-" for n in lengths)))
        for n in lengths:
            theirs = [r for r in tf_main if r["model"] == model and r["length"] == n]
            if (n,) in groups and theirs:
                sides.append("{} T = {}: {}".format(TASK_STYLE[model][0], n, versus(
                    "PyTorch", groups[(n,)], "TensorFlow", theirs)))
    return (" The same setting in PyTorch, on the course skeleton (palindrome_pytorch/; {} seeds), runs reaching "
            "99% validation accuracy at T = {}: {}. Against TensorFlow's runs of the same cell and length (the "
            "optimisers' epsilon and first mean square differ, and the palindromes are drawn by other code from "
            "the same seeds): {}.".format(max(len(g) for g in _by(torch_runs, "model", "length").values()),
                                          ", ".join(map(str, lengths)), "; ".join(parts), "; ".join(sides))
            + _start_text(started, torch_runs, tf_main))


def _start_text(started, torch_runs, tf_main):
    """The ablation of RMSprop's first mean square: PyTorch's runs started at TensorFlow's 1 instead of 0."""
    parts = []
    for (model, n), rows in sorted(_by(started, "model", "length").items()):
        default = [r for r in torch_runs if r["model"] == model and r["length"] == n]
        theirs = [r for r in tf_main if r["model"] == model and r["length"] == n]
        parts.append("{} T = {}: {} succeed, {}; {}; {}".format(
            TASK_STYLE[model][0], n, _successes(rows), _mean_sd(rows),
            versus("started at 1", rows, "PyTorch's default", default) if default else "",
            versus("started at 1", rows, "TensorFlow", theirs) if theirs else ""))
    if not parts:
        return ""
    return (" One factor, the optimiser's start: PyTorch's RMSprop with its mean square starting at 1, as "
            "TensorFlow's does, instead of 0 (whose first steps are about ten times the learning rate): {}.".format(
                ". ".join(parts)))


# (task, file name, draw(records, fig, box) -> whether there was anything to draw, size in inches)
DRAWINGS = (("palindrome", "palindrome.png", _palindrome, (6.4, 7.0)),
            ("palindrome", "palindrome_ablation.png", _palindrome_ablation, (6.4, 4.2)),
            ("palindrome", "palindrome_gradients.png", _palindrome_gradients, (6.4, 4.2)),
            ("palindrome", "palindrome_curves.png", _palindrome_curves, (9.6, 3.8)),
            ("recall", "recall.png", _recall, (6.4, 4.2)), ("recall", "recall_curves.png", _recall_curves, (9.6, 3.8)),
            ("binary_addition", "binary_addition.png", _addition, (6.4, 4.2)),
            ("binary_addition", "binary_addition_curves.png", _addition_curves, (9.6, 3.8)))
# Room for the axes' labels around the box a figure is drawn in, in inches: left, bottom, right, top.
MARGINS = (0.85, 0.6, 0.25, 0.6)


def axes_box(left, bottom, width, height, page):
    """The box (figure fractions: left, bottom, right, top) for the axes of a figure drawn in the region
    (inches from the bottom left) of a page (width, height in inches), its labels within the region."""
    return ((left + MARGINS[0]) / page[0], (bottom + MARGINS[1]) / page[1],
            (left + width - MARGINS[2]) / page[0], (bottom + height - MARGINS[3]) / page[1])


def grid_in(fig, box, rows=1, cols=1, **space):
    """A grid of axes slots filling box (left, bottom, right, top as fractions of fig): the whole of a PNG,
    or a region of a report page, where the figure stays vector."""
    left, bottom, right, top = box
    return fig.add_gridspec(rows, cols, left=left, bottom=bottom, right=right, top=top, **space)


def _png(draw, records, path, size):
    """One figure as a PNG of its own size; None (and no file) when the records have nothing for it."""
    fig = plt.figure(figsize=size)
    if not draw(records, fig, axes_box(0, 0, size[0], size[1], size)):
        plt.close(fig)
        return None
    return save_png(fig, path)


def plot_tasks(folder):
    """Every figure the task result files allow, and README.md; returns the paths written. All files are read
    (and checked) before anything is written."""
    records = {task: load_task(folder, task) for task in ("palindrome", "recall", "binary_addition")}
    if not any(records.values()):
        raise UserError("no task results in {}; run python sequence_tasks.py first".format(relpath(folder)))
    summaries = task_summaries(folder)
    written = [path for task, name, draw, size in DRAWINGS if records[task]
               for path in [_png(draw, records[task], os.path.join(folder, name), size)] if path]
    lines = ["# Memory tasks: what the result files say", "",
             "Written by `python plot_results.py --tasks` from the `.jsonl` files here (sequence_tasks.py; every run in "
             "them: `bash memory/experiments.sh`). "
             "Success: the validation accuracy reached the target within the step budget. Comparisons: two "
             "results differ only when both have at least 3 seeds and their means are further apart than their "
             "two standard deviations added together; otherwise they tie.", ""]
    for task, sentence in sorted(summaries.items()):
        figures = [os.path.basename(p) for p in written if os.path.basename(p).startswith(task)]
        lines += ["## " + task.replace("_", " "), "", sentence, ""] + ["![{}]({})".format(f, f) for f in figures] + [""]
    page = os.path.join(folder, "README.md")
    atomic_write_bytes(page, "\n".join(lines).encode("utf-8"))
    return written + [page]
