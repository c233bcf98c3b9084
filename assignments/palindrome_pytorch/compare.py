"""The LSTM against the vanilla RNN, from sweep.py's runs: the table, the verdict and the figure.

    python compare.py                        # results/lstm_vs_rnn.jsonl -> results/lstm_vs_rnn.png
    python compare.py --results=quick.jsonl  # the figure beside the results, a .png of the same name

A run solved its length when its test accuracy is at least SOLVED (0.99). Its steps to the target are the
training steps until its validation accuracy first reached SOLVED (checked every 100 steps); a run that never
reached it counts as slower than every run that did. At each length T the verdict follows one rule:
  1. the solved counts, by Fisher's exact test (two-sided): at p < 0.05 the model that solved more seeds is better;
  2. otherwise the steps to the target, by the exact rank-sum (Mann-Whitney) test with ties (two-sided): at
     p < 0.05 the model that needed fewer steps is better;
  3. otherwise the two tie.
The table and the verdict are printed as Markdown; the figure is written atomically, as a .png.
"""
import argparse
import os
import sys

try:
    from . import results_file  # imported as part of a package
except ImportError:
    import results_file  # run as a program: the file beside this one

HERE = os.path.dirname(os.path.abspath(__file__))

SOLVED, LEVEL = 0.99, 0.05
NAMES = {"lstm": "LSTM", "rnn": "vanilla RNN"}
SAME = ("steps", "hidden", "batch_size", "learning_rate", "clip_norm", "target", "rmsprop_start",
        "validation_size", "test_size")  # what every run of one comparison shares
DEFAULT_RESULTS = os.path.join(HERE, "results", "lstm_vs_rnn.jsonl")


def comb(n, k):
    out = 1
    for j in range(min(k, n - k)):
        out = out * (n - j) // (j + 1)
    return out if 0 <= k <= n else 0


def fisher(solved_a, n_a, solved_b, n_b):
    """Two-sided p of Fisher's exact test: the tables with these margins no likelier than the one seen."""
    n, k = n_a + n_b, solved_a + solved_b
    ways = {x: comb(k, x) * comb(n - k, n_a - x) for x in range(max(0, n_a - (n - k)), min(k, n_a) + 1)}
    return sum(w for w in ways.values() if w <= ways[solved_a]) / comb(n, n_a)


def rank_sum(a, b):
    """Two-sided p of the exact rank-sum test (ties get their mean rank): of all ways to split the pooled values
    into groups of these sizes, the share whose rank sum is at least as far from its mean as a's."""
    pooled = sorted(a + b)
    doubled = {}  # value -> twice its mean rank (whole numbers)
    for v in set(pooled):
        first, last = pooled.index(v) + 1, len(pooled) - pooled[::-1].index(v)
        doubled[v] = first + last
    ways = [{0: 1}]  # ways[k][s]: subsets of k values with doubled rank sum s
    for v in pooled:
        for k in range(min(len(ways), len(a)), 0, -1):
            if k > len(ways) - 1:
                ways.append({})
            for s, w in ways[k - 1].items():
                ways[k][s + doubled[v]] = ways[k].get(s + doubled[v], 0) + w
    mean, seen = len(a) * (len(pooled) + 1), sum(doubled[v] for v in a)
    far = sum(w for s, w in ways[len(a)].items() if abs(s - mean) >= abs(seen - mean))
    return far / comb(len(pooled), len(a))


def steps_to_target(r):
    """The steps until the validation accuracy first reached SOLVED (its curve, every 100 steps), or infinity."""
    return next((row[0] for row in r["curve"] if row[3] >= SOLVED), float("inf"))


def median(values):
    v = sorted(values)
    mid = len(v) // 2
    return v[mid] if len(v) % 2 else (v[mid - 1] + v[mid]) / 2


def check(runs):
    """The runs, with an error naming the first that breaks 'trained alike' or repeats a run."""
    if not runs:
        raise results_file.ResultsError("no runs yet; python sweep.py makes them")
    seen = set()
    for r in runs:
        for k in SAME:
            if r.get(k) != runs[0].get(k):
                raise results_file.ResultsError("the runs were not trained alike: {} {!r} (the {} at T = {}, seed {})"
                                                " against {!r}".format(k, r.get(k), NAMES[r["model"]], r["length"],
                                                                       r["seed"], runs[0].get(k)))
        key = (r["model"], r["length"], r["seed"])
        if key in seen:
            raise results_file.ResultsError("the {} at T = {}, seed {} is there twice".format(NAMES[key[0]], *key[1:]))
        seen.add(key)
    return runs


def rows(runs):
    """Per length with both models: the measures and the verdict (a dict per length, by T)."""
    out = []
    for length in sorted({r["length"] for r in runs}):
        group = {m: [r for r in runs if r["model"] == m and r["length"] == length] for m in ("lstm", "rnn")}
        if not all(group.values()):
            continue
        row = dict(length=length)
        for m, g in group.items():
            row[m] = dict(n=len(g), solved=sum(r["test_accuracy"] >= SOLVED for r in g),
                          steps=median([steps_to_target(r) for r in g]),
                          accuracy=median([r["test_accuracy"] for r in g]), lowest=min(r["test_accuracy"] for r in g))
        lstm, rnn = row["lstm"], row["rnn"]
        row["p_solved"] = fisher(lstm["solved"], lstm["n"], rnn["solved"], rnn["n"])
        row["p_steps"] = rank_sum([steps_to_target(r) for r in group["lstm"]], [steps_to_target(r) for r in group["rnn"]])
        if row["p_solved"] < LEVEL:
            better = "lstm" if lstm["solved"] / lstm["n"] > rnn["solved"] / rnn["n"] else "rnn"
            row["verdict"], row["why"], row["short"] = better, "solves it more often", "solves more"
        elif row["p_steps"] < LEVEL:
            pairs = [(x > y) - (x < y) for x in map(steps_to_target, group["lstm"])
                     for y in map(steps_to_target, group["rnn"])]  # > 0: the LSTM's runs tend to need more steps
            row["verdict"], row["why"] = "rnn" if sum(pairs) > 0 else "lstm", "reaches the target in fewer steps"
            row["short"] = "fewer steps"
        else:
            row["verdict"], row["why"], row["short"] = "tie", "", "tie"
        out.append(row)
    return out


def _steps(value, budget):
    return "never (> {:,})".format(budget) if value == float("inf") else "{:,.0f}".format(value)


def report(runs):
    """The table and the verdict, in Markdown, from the runs alone."""
    runs = check(runs)
    table, budget = rows(runs), runs[0]["steps"]
    lines = ["| T | solved: LSTM | solved: RNN | median steps: LSTM | median steps: RNN | test accuracy, median "
             "(lowest): LSTM | test accuracy, median (lowest): RNN | p, solved | p, steps | verdict |",
             "|---" * 10 + "|"]
    for row in table:
        lstm, rnn = row["lstm"], row["rnn"]
        lines.append("| {} | {}/{} | {}/{} | {} | {} | {:.4f} ({:.4f}) | {:.4f} ({:.4f}) | {:.3g} | {:.3g} | {} |".format(
            row["length"], lstm["solved"], lstm["n"], rnn["solved"], rnn["n"], _steps(lstm["steps"], budget),
            _steps(rnn["steps"], budget), lstm["accuracy"], lstm["lowest"], rnn["accuracy"], rnn["lowest"],
            row["p_solved"], row["p_steps"], "tie" if row["verdict"] == "tie" else "{}: {}".format(NAMES[row["verdict"]], row["short"])))
    said = []
    for who in ("lstm", "rnn"):
        for why in ("solves it more often", "reaches the target in fewer steps"):
            at = [str(r["length"]) for r in table if r["verdict"] == who and r["why"] == why]
            if at:
                said.append("the {} {} at T = {}".format(NAMES[who], why, ", ".join(at)))
    ties = [str(r["length"]) for r in table if r["verdict"] == "tie"]
    if ties:
        said.append("the two tie at T = {}".format(", ".join(ties)))
    seeds = sorted({r["seed"] for r in runs})
    cpu = sum(r.get("cpu_seconds", 0) for r in runs)
    processors = sorted({r.get("machine", {}).get("processor", "an unrecorded processor") for r in runs})
    first = runs[0]
    setting = ("Each of the {} runs trained alike: {} hidden units, batch {}, RMSprop at {:g}, the gradient clipped at "
               "{:g}, at most {:,} steps, stopping when {:,} validation palindromes reach {:g} accuracy; seeds {}-{} of "
               "each model at each length; {:,} test palindromes per run. They ran on {} (one thread each), {:.0f} "
               "s of CPU time in all ({:.1f} h).".format(
                   len(runs), first["hidden"], first["batch_size"], first["learning_rate"], first["clip_norm"],
                   budget, first.get("validation_size", 2000), first["target"], seeds[0], seeds[-1],
                   first.get("test_size", 2000), " and ".join(processors), cpu, cpu / 3600))
    verdict = "By that rule, " + "; ".join(said) + "." if said else "No length has runs of both models."
    ratios = [median([r["cpu_seconds"] / r["steps_done"] for r in runs if r["model"] == "lstm" and r["length"] == n])
              / median([r["cpu_seconds"] / r["steps_done"] for r in runs if r["model"] == "rnn" and r["length"] == n])
              for n in (row["length"] for row in table)
              if all(r.get("cpu_seconds") and r["steps_done"] for r in runs if r["length"] == n)]
    if ratios:  # steps are not time: an LSTM step does four gates' work
        verdict += (" Steps are not time: per training step (its evaluations included), the LSTM's runs took {:.1f} "
                    "to {:.1f} times the CPU time of the vanilla RNN's (the ratio of the medians at each T).".format(
                        min(ratios), max(ratios)))
    return "\n".join(lines) + "\n\n" + verdict + "\n\n" + setting + "\n"


def draw(runs, path):
    """The figure of the runs against T: the seeds solved, each run's test accuracy, each run's steps to the
    target (medians joined by lines), written as a .png through a temporary file in its folder."""
    import io
    import tempfile
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    table = {row["length"]: row for row in rows(runs)}
    fig, axes = plt.subplots(3, 1, figsize=(7, 9), sharex=True)
    for k, (model, color, marker) in enumerate((("rnn", "tab:blue", "o"), ("lstm", "tab:red", "s"))):
        mine = [r for r in runs if r["model"] == model]
        lengths = sorted({r["length"] for r in mine})
        at = {n: [r for r in mine if r["length"] == n] for n in lengths}
        shift = (k - 0.5) * 0.4  # the two models' dots side by side
        axes[0].plot(lengths, [100.0 * sum(r["test_accuracy"] >= SOLVED for r in at[n]) / len(at[n]) for n in lengths],
                     color=color, marker=marker, label=NAMES[model])
        axes[1].scatter([r["length"] + shift for r in mine], [100 * r["test_accuracy"] for r in mine], color=color,
                        marker=marker, s=14, alpha=0.5)
        axes[1].plot(lengths, [100 * median([r["test_accuracy"] for r in at[n]]) for n in lengths], color=color,
                     label=NAMES[model] + ", median")
        reached = [r for r in mine if steps_to_target(r) < float("inf")]
        axes[2].scatter([r["length"] + shift for r in reached], [steps_to_target(r) for r in reached], color=color,
                        marker=marker, s=14, alpha=0.5)
        finite = [n for n in lengths if median(list(map(steps_to_target, at[n]))) < float("inf")]
        axes[2].plot(finite, [median(list(map(steps_to_target, at[n]))) for n in finite], color=color,
                     label=NAMES[model] + ", median of all seeds")
    for n, row in table.items():  # each T's verdict, in a row above the figure, clear of the points
        axes[0].annotate("{}:\n{}".format(NAMES[row["verdict"]], row["short"]) if row["verdict"] != "tie" else "tie",
                         (n, 1.02), xycoords=("data", "axes fraction"), ha="center", va="bottom", fontsize=7)
    axes[0].set_ylabel("seeds solved (%)\n(test accuracy >= {:g})".format(SOLVED))
    axes[1].set_ylabel("test accuracy (%)")
    axes[1].axhline(10, color="k", linewidth=0.8, linestyle=":")
    axes[1].annotate("chance (10%)", (0.99, 10), xycoords=("axes fraction", "data"), ha="right", va="bottom",
                     fontsize=7)
    axes[2].set_ylabel("steps to the target\n(runs that reached it)")
    axes[2].set_xlabel("palindrome length T")
    lengths_run = sorted({r["length"] for r in runs})
    axes[2].set_xticks(lengths_run)
    margin = max(2.5, 0.06 * (lengths_run[-1] - lengths_run[0]))  # room for the verdicts at the first and last T
    axes[2].set_xlim(lengths_run[0] - margin, lengths_run[-1] + margin)
    axes[0].set_ylim(-5, 105)
    axes[1].set_ylim(0, 105)
    axes[0].set_title("LSTM and vanilla RNN on palindromes ({} runs); the verdict at each T".format(len(runs)),
                      fontsize=10, pad=26)
    for ax in axes:
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-{}-".format(os.path.basename(path)))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(buffer.getvalue())
        os.chmod(tmp, results_file.mode_for(path))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def check_figure(path):
    """An error (one line) unless path can take a new figure without losing a file this program did not make."""
    if not path.lower().endswith(".png"):
        raise results_file.ResultsError("--figure={} must name a .png file".format(path))
    if os.path.isdir(path):
        raise results_file.ResultsError("--figure={} is a folder; give a .png file's name".format(path))
    if os.path.exists(path):
        with open(path, "rb") as f:
            if f.read(8) != b"\x89PNG\r\n\x1a\n":
                raise results_file.ResultsError("--figure={} exists and is not a PNG image; give another name".format(
                    path))
    if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        raise results_file.ResultsError("--figure={}: its folder does not exist".format(path))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.error = lambda message: parser.exit(2, "error: {}; --help lists the flags\n".format(message))
    parser.add_argument("--results", default=DEFAULT_RESULTS, help="sweep.py's runs")
    parser.add_argument("--figure", default=None, help="the .png to write (default: the results' name, .png)")
    parser.add_argument("--no_figure", action="store_true", help="print the table and the verdict only")
    args = parser.parse_args(argv)
    figure = args.figure or os.path.splitext(args.results)[0] + ".png"
    try:
        if not os.path.isfile(args.results):
            raise results_file.ResultsError("--results={} does not exist; python sweep.py makes it".format(
                args.results))
        try:
            runs = results_file.read(args.results)
        except results_file.ResultsError as e:
            raise results_file.ResultsError("--results={}".format(e))
        runs = check(runs)
        text = report(runs)
        if not args.no_figure:
            check_figure(figure)
            draw(runs, figure)
    except results_file.ResultsError as e:
        sys.stderr.write("error: {}\n".format(e))
        return 2
    except OSError as e:
        sys.stderr.write("error: cannot write --figure={} ({}); point --figure elsewhere\n".format(
            figure, e.strerror or e))
        return 1
    sys.stdout.write(text)
    if not args.no_figure:
        sys.stdout.write("\nThe figure: {}\n".format(figure))
    return 0


if __name__ == "__main__":
    sys.exit(main())
