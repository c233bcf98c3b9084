"""The floor under the time to accuracy: what one epoch costs, the rate the benchmark's runs reached, and the
fewest epochs that reached the goal.

    python tools/benchmarks/tta_floor.py --out=tools/benchmarks/data/tta_<date>_<processor>.jsonl

For each configuration with runs of --recipe in the benchmark's file (tools/benchmarks/time_to_accuracy.py),
from those runs' own log.csv (in the study's folders, where the benchmark trained them):
  - the arithmetic of one training epoch: 55,000 images x 28 steps x the gates' multiply-adds, two operations
    each, three times over with the backward pass (the classifier, the validation pass and the element-wise
    gate math are left out, so the rate below is a lower bound of the work done);
  - the median seconds of an epoch (the 2nd on; the first builds the graph) and the rate that makes;
  - the fewest epochs at which any of its seeds first reached the configuration's goal on validation;
  - the floor: those epochs at that epoch time, plus the start-up the runs measured (their --train seconds
    not spent in epochs). Below it only a recipe that reaches the goal in fewer epochs, or a faster epoch,
    goes.
"""
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))  # the project
sys.path[:0] = [ROOT, HERE]
from core import recipes, study  # noqa: E402
from core.common import ArgumentParser, UserError, guarded, read_json_lines, relpath  # noqa: E402
from core.config import Arch  # noqa: E402
from core.runs import RunDir  # noqa: E402
from time_to_accuracy import GOALS  # noqa: E402  (each configuration's goal, the report's)

TRAIN_IMAGES, STEPS, PIXELS = 55000, 28, 28
GATES = {"lstm": 4, "gru": 3}  # blocks of the fused matmul: i, f, g, o (LSTM); r, z, candidate (GRU)


def epoch_flop(arch):
    """Operations of one training epoch in the recurrent matmuls (forward and backward)."""
    hidden = arch.layers[0]
    forward = TRAIN_IMAGES * STEPS * (PIXELS + hidden) * GATES[arch.model] * hidden * 2
    return 3 * forward  # the backward pass: the gradients of the inputs and of the weights, a matmul each


def runs_of(record):
    """The run the benchmark trained `record` in: its weights_dir, or for records without one (the first
    benchmark's), the study's folder of its recipe, seed and runtime."""
    arch = Arch.parse(record["config"])
    if record.get("weights_dir"):
        return RunDir(os.path.join(ROOT, record["weights_dir"]), arch.name)
    settings = recipes.recipe_for(arch, record["recipe"])[1]
    runtime = "tf1.5" if record["runtime"]["tensorflow"].startswith("1.") else "tf2"
    return RunDir(study.run_folder(settings, record["seed"], runtime), arch.name)


def floor_table(path, recipe="budget"):
    if not os.path.isfile(path):
        raise UserError("{} does not exist; give --out=<a .jsonl the benchmark wrote>".format(relpath(path)))
    records = [r for r in read_json_lines(path) if not r.get("baseline") and r.get("recipe") == recipe]
    lines = ["| configuration | GFLOP an epoch | epoch (median) | GFLOP/s | fewest epochs to the goal | start-up | "
             "floor a seed | measured a seed |", "|---|---|---|---|---|---|---|---|"]
    for name in [n for n in recipes.BASIC_NAMES if any(r["config"] == n for r in records)]:
        arch, mine = Arch.parse(name), [r for r in records if r["config"] == name]
        epochs, reached, startup = [], [], []
        for record in mine:
            rows = runs_of(record).read_log()
            seconds = [float(row["seconds"]) for row in rows]
            epochs += seconds[1:]
            first = next((int(row["epoch"]) for row in rows if float(row["val_accuracy"]) >= GOALS[arch.layers[0]]),
                         None)
            if first:
                reached.append(first)
            startup.append(record["train_seconds"] - sum(seconds))
        epoch = statistics.median(epochs)
        fewest = min(reached) if reached else None
        floor = fewest * epoch + statistics.median(startup) if fewest else None
        # log.csv keeps seconds to one place: a tiny run's epoch can read 0.00 s, and has no rate
        rate = "{:.0f}".format(epoch_flop(arch) / epoch / 1e9) if epoch > 0 else "-"
        lines.append("| {} | {:.0f} | {:.2f} s | {} | {} | {:.0f} s | {} | {:.0f} s |".format(
            name, epoch_flop(arch) / 1e9, epoch, rate, fewest or "not reached",
            statistics.median(startup), "{:.0f} s".format(floor) if floor else "-",
            statistics.mean(r["train_seconds"] for r in mine)))
    return "\n".join(lines)


def main(argv=None):
    parser = ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="the benchmark's .jsonl")
    parser.add_argument("--recipe", default="budget")
    args = parser.parse_args(argv)
    return guarded(lambda: print(floor_table(args.out, args.recipe)) or 0)


if __name__ == "__main__":
    sys.exit(main())
