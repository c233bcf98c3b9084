"""Where the multi-seed runs stopped: best epoch / epochs run of every tested seed in results/study/.

    python tools/tuning/stopping.py [--results_dir=results/study]

A run that ends at the epoch limit with its best epoch near the end was still
improving (a longer schedule might help it); one that ends long before the
limit was stopped by the patience (12 epochs without a better validation
accuracy), which noisy validation can trigger early. Prints a Markdown table,
one row per configuration and recipe, read from the result files only.
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the project
sys.path.insert(0, ROOT)
from core.common import ArgumentParser, UserError, guarded, read_json, relpath  # noqa: E402


def folders(path):
    return sorted(n for n in os.listdir(path) if os.path.isdir(os.path.join(path, n)))


def stops(results_dir):
    """{(name, recipe label): {seed: (best epoch, epochs run, epoch limit)}} of every result file
    (<recipe>/<seed>/<name>.json; other files beside them are not results and are passed over)."""
    found = {}
    for label in folders(results_dir):
        for seed_dir in folders(os.path.join(results_dir, label)):
            folder = os.path.join(results_dir, label, seed_dir)
            for file_name in sorted(f for f in os.listdir(folder) if f.endswith(".json")):
                path = os.path.join(folder, file_name)
                r = read_json(path)
                try:
                    found.setdefault((r["name"], label), {})[r["config"]["seed"]] = (
                        r["best_epoch"], r["epochs_run"], r["config"]["epochs"])
                except (KeyError, TypeError) as e:
                    raise UserError("{} is not a training result (no {}); delete it or restore it from git".format(
                        relpath(path), e))
    return found


def main(argv=None):
    parser = ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results_dir", default=os.path.join(ROOT, "results", "study"))
    args = parser.parse_args(argv)
    return guarded(lambda: table(args.results_dir))


def table(results_dir):
    if not os.path.isdir(results_dir):
        raise UserError("no folder {}; run python tools/reproduce.py first, or pass --results_dir".format(
            relpath(results_dir)))
    found = stops(results_dir)
    if not found:
        raise UserError("no result files in {} (<recipe>/<seed>/<name>.json); run python tools/reproduce.py first, or "
                        "pass --results_dir".format(relpath(results_dir)))
    seeds = sorted({s for runs in found.values() for s in runs})
    print("| run | recipe | " + " | ".join("seed {}: best / run".format(s) for s in seeds) + " |")
    print("|---|---|" + "---|" * len(seeds))
    for (name, label), runs in sorted(found.items()):
        cells = []
        for s in seeds:
            best, run, limit = runs.get(s, (None, None, None))
            cells.append("-" if best is None else "{} / {}{}".format(best, run, " (limit)" if run == limit else ""))
        print("| {} | {} | {} |".format(name, label, " | ".join(cells)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
