"""Where the multi-seed runs stopped: best epoch / epochs run of every tested seed in results/study/.

    python tuning/stopping.py [--results_dir=results/study]

A run that ends at the epoch limit with its best epoch near the end was still
improving (a longer schedule might help it); one that ends long before the
limit was stopped by the patience (12 epochs without a better validation
accuracy), which noisy validation can trigger early. Prints a Markdown table,
one row per configuration and recipe, read from the result files only.
"""
import argparse
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def stops(results_dir):
    """{(name, recipe label): {seed: (best epoch, epochs run, epoch limit)}} of every result file."""
    found = {}
    for label in sorted(os.listdir(results_dir)):
        for seed_dir in sorted(os.listdir(os.path.join(results_dir, label))):
            folder = os.path.join(results_dir, label, seed_dir)
            for file_name in sorted(f for f in os.listdir(folder) if f.endswith(".json")):
                with open(os.path.join(folder, file_name)) as f:
                    r = json.load(f)
                found.setdefault((r["name"], label), {})[r["config"]["seed"]] = (
                    r["best_epoch"], r["epochs_run"], r["config"]["epochs"])
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results_dir", default=os.path.join(ROOT, "results", "study"))
    args = parser.parse_args()
    if not os.path.isdir(args.results_dir):
        return "error: no {}; run python reproduce.py first, or pass --results_dir".format(args.results_dir)
    found = stops(args.results_dir)
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
