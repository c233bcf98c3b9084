"""The no-RNN-API hand-in's Part 1: which size of one-layer LSTM, chosen on validation only.

    python tools/handins/no_rnn_api_choice.py --runs=<scratch folder> [--train]

Each size (64, 128, 256 units) is trained on 3 seeds with one recipe, the loop unroller and the first 5,000
training images for validation (--train trains the runs not finished yet, one at a time, as main.py
processes; an interrupted run resumes). The runs' best validation accuracies are then written to
results/no_rnn_api/size_choice.json with the verdict of core/compare.py's rule: the size with the highest mean,
or the smallest size that ties with it. The test set is not read.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))  # the project

from core.common import ArgumentParser, PROJECT_DIR, UserError, atomic_write_json, guarded, log, relpath  # noqa
from core.compare import curve, verdict  # noqa: E402
from core.study import spread  # noqa: E402

SIZES, SEEDS = (64, 128, 256), (1, 2, 3)
RECIPE = ["--unroll=loop", "--validation_split=first", "--schedule=cosine", "--warmup=1", "--epochs=10",
          "--batch_size=256", "--learning_rate=0.01"]
OUTPUT = os.path.join(PROJECT_DIR, "results", "no_rnn_api", "size_choice.json")


def arguments(size, seed):
    return ["--model=lstm", "--train", "--hidden_unit={}".format(size), "--seed={}".format(seed)] + RECIPE


def folder(runs, size, seed):
    return os.path.join(runs, "h{}_e10_s{}".format(size, seed))


def read_run(runs, size, seed):
    """(state, config) of a finished run, or None."""
    path = os.path.join(folder(runs, size, seed), "lstm_h{}".format(size))
    try:
        with open(os.path.join(path, "state.json")) as f:
            state = json.load(f)
        with open(os.path.join(path, "config.json")) as f:
            config = json.load(f)
    except (OSError, ValueError):
        return None
    return (state, config) if isinstance(state, dict) and state.get("finished") else None


def choose(means_and_runs):
    """The size with the highest mean validation accuracy, or the smallest size that ties with it."""
    best = max(means_and_runs, key=lambda s: spread(means_and_runs[s])[0])
    return min(s for s in means_and_runs if s == best or verdict(means_and_runs[s], means_and_runs[best]) == "tie")


def main(argv=None):
    parser = ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", required=True, help="the folder of the runs (outside weights/)")
    parser.add_argument("--data_dir", default="", help="MNIST's folder, passed to main.py")
    parser.add_argument("--train", action="store_true", help="train the runs not finished yet, one at a time")
    args = parser.parse_args(argv)
    return guarded(lambda: record(args))


def record(args):
    runs = os.path.abspath(args.runs)
    if os.path.commonpath([runs, os.path.join(PROJECT_DIR, "weights")]) == os.path.join(PROJECT_DIR, "weights"):
        raise UserError("--runs={} is inside weights/; choose a scratch folder".format(relpath(runs)))
    for size in SIZES:
        for seed in SEEDS:
            if args.train and read_run(runs, size, seed) is None:
                log("training LSTM-{} seed {} into {}".format(size, seed, relpath(folder(runs, size, seed))))
                extra = ["--data_dir=" + args.data_dir] if args.data_dir else []
                with open(folder(runs, size, seed) + ".log", "ab") as out:
                    status = subprocess.call([sys.executable, os.path.join(PROJECT_DIR, "main.py")] + arguments(
                        size, seed) + extra + ["--weights_dir=" + folder(runs, size, seed),
                                               "--logs_dir=" + folder(runs, size, seed) + "_logs"], stdout=out)
                if status:
                    raise UserError("training LSTM-{} seed {} failed; its log is {}.log".format(
                        size, seed, relpath(folder(runs, size, seed))))
    found = {(size, seed): read_run(runs, size, seed) for size in SIZES for seed in SEEDS}
    missing = [k for k, v in found.items() if v is None]
    if missing:
        raise UserError("{} of the {} runs are not finished in {} (first: LSTM-{} seed {}); add --train".format(
            len(missing), len(found), relpath(runs), *missing[0]))
    accuracies = {size: [found[size, seed][0]["best_val_accuracy"] for seed in SEEDS] for size in SIZES}
    chosen = choose(accuracies)
    result = {
        "what": "one-layer LSTM, best validation accuracy (first 5,000 training images) per size and seed",
        "command": "python main.py " + " ".join(arguments("<size>", "<seed>")),
        "runs": [{"hidden_unit": size, "seed": seed, "val_accuracy": state["best_val_accuracy"],
                  "best_epoch": state["best_epoch"], "train_seconds": round(state["train_seconds"], 1),
                  "machine": config.get("machine")} for (size, seed), (state, config) in sorted(found.items())],
        "mean_val_accuracy": {str(size): round(spread(accuracies[size])[0], 5) for size in SIZES},
        "verdict": "validation accuracy " + curve(list(SIZES), [accuracies[s] for s in SIZES]),
        "chosen": chosen,
    }
    atomic_write_json(OUTPUT, result)
    log("{}; chosen: {} units; written to {}".format(result["verdict"], chosen, relpath(OUTPUT)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
