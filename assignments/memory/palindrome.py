"""The palindrome task's figures and findings: the assignment's setting over lengths, the one-factor
ablation, how far back the loss reaches, the curves, and PyTorch's runs of the same setting beside them."""
import numpy as np

from core.compare import spread, verdict
from core.figures import grid_in
from assignments.memory.task_runs import (ASSIGNMENT, FACTORS, TASK_STYLE, accuracies, by, curves, mean_sd, models,
                                 successes, is_assignment, plt, setting, versus)

PYTORCH_FILE = "palindrome_pytorch.jsonl"  # assignments/palindrome_pytorch/train.py's runs: the same setting in PyTorch


def seed_counts(groups):
    """How many seeds per (model, length) group, in words: "5 seeds" when all have as many, else the usual count
    and the exceptions ("5 seeds; 15 for the vanilla RNN at T = 30")."""
    sizes = sorted(len(g) for g in groups.values())
    usual = max(set(sizes), key=lambda n: (sizes.count(n), n))
    others = ["{} for the {} at T = {}".format(len(g), TASK_STYLE[model][0], n)
              for (model, n), g in sorted(groups.items(), key=lambda kv: kv[0][1]) if len(g) != usual]
    return "{} seed{}".format(usual, "" if usual == 1 else "s") + "".join("; " + o for o in others)


def _main_runs(records):
    return [r for r in records if is_assignment(r)]


def _ablation_length(records):
    """The length with the most settings tried (where the ablation ran), or None."""
    counts = {n: len({(r["model"],) + setting(r) for r in rows}) for (n,), rows in by(records, "length").items()}
    best = max(counts.items(), key=lambda kv: (kv[1], kv[0])) if counts else None
    return best[0] if best and best[1] > len(models(records)) else None


def draw_palindrome(records, fig, box):
    main = _main_runs(records)
    grid = grid_in(fig, box, 2, 1, hspace=0.12)
    top = fig.add_subplot(grid[0])
    bottom = fig.add_subplot(grid[1], sharex=top)
    plt.setp(top.get_xticklabels(), visible=False)
    for model in models(main):
        label, color, marker = TASK_STYLE[model]
        by_length = sorted(by([r for r in main if r["model"] == model], "length").items())
        lengths = [k[0] for k, _ in by_length]
        top.plot(lengths, [100.0 * sum(r["stopped"] == "target" for r in g) / len(g) for _, g in by_length],
                 color=color, marker=marker, label=label)
        means = [100 * spread(accuracies(g))[0] for _, g in by_length]
        sds = [100 * spread(accuracies(g))[1] for _, g in by_length]
        upper = [min(sd, 100 - m) for m, sd in zip(means, sds)]  # an accuracy stops at 100%
        bottom.errorbar(lengths, means, yerr=[sds, upper], color=color, marker=marker, capsize=3, label=label)
    top.set_ylabel("runs reaching 99% on validation (%)")
    top.set_title("Palindromes, the assignment's setting ({})".format(
        seed_counts(by(main, "model", "length")).replace(" seeds", " seeds per point", 1)), fontsize=10)
    bottom.axhline(10, color="k", linewidth=0.8, linestyle=":")
    bottom.set_ylabel("test accuracy (%), mean and sd; chance 10%")
    bottom.set_xlabel("palindrome length T")
    for ax in (top, bottom):
        ax.grid(True, alpha=0.3)
        ax.legend()
    return True


def draw_palindrome_ablation(records, fig, box):
    length = _ablation_length(records)
    if length is None:
        return False
    rows = [r for r in records if r["length"] == length]
    ax = fig.add_subplot(grid_in(fig, box)[0])
    names = ["assignment's setting"] + [words.split(" instead")[0] for _, _, words in FACTORS]
    for k, model in enumerate(models(rows)):
        label, color, marker = TASK_STYLE[model]
        for j, group in enumerate(_ablation_groups([r for r in rows if r["model"] == model])):
            if group:
                accs = 100 * np.array(accuracies(group))
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
    complete = [n for (n,), rows in by(main, "length").items() if len(models(rows)) == len(models(main))]
    return max(complete) if complete else None


def draw_palindrome_gradients(records, fig, box):
    length = _gradient_length(records)
    if length is None:
        return False
    rows = [r for r in _main_runs(records) if r["length"] == length and r.get("input_gradient_norms")]
    ax = fig.add_subplot(grid_in(fig, box)[0])
    for model in models(rows):
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


def draw_palindrome_curves(records, fig, box):
    length = _gradient_length(records) or max(r["length"] for r in records)
    rows = [r for r in _main_runs(records) if r["length"] == length]
    return bool(rows) and curves(rows, fig, box, ("model",),
                            "Palindromes of length {}, the assignment's setting (a stopped run keeps its last "
                            "value)".format(length), lambda key: TASK_STYLE[key[0]][0])


def _short_answers(records):
    """What gates buy and what initialisation buys, in one sentence each, from the same runs and rule: the
    lengths where both gated cells' test accuracy is higher than the vanilla RNN's, and, at the ablation's
    length, which cells' accuracy the Gaussian W_h changes."""
    main = _main_runs(records)
    gates = []
    for n in sorted({r["length"] for r in main}):
        groups = by([r for r in main if r["length"] == n], "model")
        if ("rnn",) in groups and all((m,) in groups for m in ("lstm", "gru")) and all(
                verdict(accuracies(groups[(m,)]), accuracies(groups[("rnn",)])) == "higher" for m in ("lstm", "gru")):
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
        for model in models(rows):
            base, _, gaussian, _ = _ablation_groups([r for r in rows if r["model"] == model])
            if base and gaussian:
                effects.append(words[verdict(accuracies(gaussian), accuracies(base))].format(TASK_STYLE[model][0]))
        if effects:
            text += (" What initialisation buys: at T = {}, W_h from N(0, 0.01^2) instead of orthogonal {}.".format(
                length, "; ".join(effects)))
    return text


def palindrome_text(records):
    main, parts = _main_runs(records), []
    lengths = sorted({r["length"] for r in main})
    for model in models(main):
        groups = by([r for r in main if r["model"] == model], "length")
        parts.append("{} {}".format(TASK_STYLE[model][0], ", ".join(
            successes(groups[(n,)]) if (n,) in groups else "-" for n in lengths)))
    budget = max(r["steps"] for r in records)
    text = [_short_answers(records),
            "In the assignment's setting (scalar digits, 128 units, batch 128, RMSProp 0.001, clipping at 10, at "
            "most {:,} steps at every length; orthogonal W_h and a keep-gate bias of 1 for both gated cells), "
            "runs reaching 99% validation accuracy at T = {}: {}.".format(budget, ", ".join(map(str, lengths)),
                                                                         "; ".join(parts))]
    if "rnn" in models(main) and len(models(main)) > 1:
        gated = []
        for n in lengths:
            groups = by([r for r in main if r["length"] == n], "model")
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
        for model in models(rows):
            base, *changed = _ablation_groups([r for r in rows if r["model"] == model])
            if not base:
                continue
            words = []
            for (key, value, what), group in zip(FACTORS, changed):
                if group:
                    words.append("{}: {} succeed, {}; {}".format(
                        what, successes(group), mean_sd(group),
                        versus("the change", group, "the assignment's setting", base)))
            if words:
                sentences.append("{} (assignment's setting: {} succeed, {}) - {}".format(
                    TASK_STYLE[model][0], successes(base), mean_sd(base), "; ".join(words)))
        text.append("One factor changed at a time at T = {} (test accuracy, mean +- sd): {}.".format(
            length, ". ".join(sentences)))
    glen = _gradient_length(records)
    if glen:
        rows = [r for r in _main_runs(records) if r["length"] == glen and r.get("input_gradient_norms")]
        ratios = ", ".join("{} {:.1e}".format(TASK_STYLE[m][0], np.exp(np.mean([
            np.log(max(r["input_gradient_norms"][0], 1e-30) / max(r["input_gradient_norms"][-1], 1e-30))
            for r in rows if r["model"] == m]))) for m in models(rows))
        text.append("After training at T = {}, |dL/dx| at the first digit divided by |dL/dx| at the last input "
                    "(geometric mean over seeds; how much of the loss reaches back to the digit that answers it): "
                    "{}.".format(glen, ratios))
    return " ".join(text)


def pytorch_text(torch_runs, tf_runs):
    """The PyTorch runs of the course skeleton beside TensorFlow's runs of the same setting, through the rule."""
    if not torch_runs:
        return ""
    started = [r for r in torch_runs if r.get("rmsprop_start")]  # the optimiser ablation (TensorFlow's start)
    torch_runs = [r for r in torch_runs if not r.get("rmsprop_start")]
    tf_main = _main_runs(tf_runs)
    lengths = sorted({r["length"] for r in torch_runs})
    parts, sides = [], []
    for model in models(torch_runs):
        groups = by([r for r in torch_runs if r["model"] == model], "length")
        parts.append("{} {}".format(TASK_STYLE[model][0], ", ".join(
            successes(groups[(n,)]) if (n,) in groups else "-" for n in lengths)))
        for n in lengths:
            theirs = [r for r in tf_main if r["model"] == model and r["length"] == n]
            if (n,) in groups and theirs:
                sides.append("{} T = {}: {}".format(TASK_STYLE[model][0], n, versus(
                    "PyTorch", groups[(n,)], "TensorFlow", theirs)))
    return (" The same setting in PyTorch, on the course skeleton (assignments/palindrome_pytorch/; {}), runs reaching "
            "99% validation accuracy at T = {}: {}. Against TensorFlow's runs of the same cell and length (the "
            "optimisers' epsilon and first mean square differ, and the palindromes are drawn by other code from "
            "the same seeds): {}.".format(seed_counts(by(torch_runs, "model", "length")),
                                          ", ".join(map(str, lengths)), "; ".join(parts), "; ".join(sides))
            + _start_text(started, torch_runs, tf_main))


def _start_text(started, torch_runs, tf_main):
    """The ablation of RMSprop's first mean square: PyTorch's runs started at TensorFlow's 1 instead of 0."""
    parts = []
    for (model, n), rows in sorted(by(started, "model", "length").items()):
        default = [r for r in torch_runs if r["model"] == model and r["length"] == n]
        theirs = [r for r in tf_main if r["model"] == model and r["length"] == n]
        parts.append("{} T = {}: {} succeed, {}; {}; {}".format(
            TASK_STYLE[model][0], n, successes(rows), mean_sd(rows),
            versus("started at 1", rows, "PyTorch's default", default) if default else "",
            versus("started at 1", rows, "TensorFlow", theirs) if theirs else ""))
    if not parts:
        return ""
    return (" One factor, the optimiser's start: PyTorch's RMSprop with its mean square starting at 1, as "
            "TensorFlow's does, instead of 0 (whose first steps are about ten times the learning rate): {}.".format(
                ". ".join(parts)))
