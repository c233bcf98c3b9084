"""What `tools/reproduce.py --jobs=2` buys: two trainings at once against the same two one after the other.

    python tools/benchmarks/parallel_jobs.py --data_dir=../shared/data/mnist [--configs=lstm:32,lstm:128,gru:256]
                                       [--epochs=3] [--out=tools/benchmarks/data/parallel_jobs.jsonl]

For each configuration, with the retraining's recipe (core/study.py:
--augment=1 --dropout=0.2), seeds 1 and 2 train for --epochs epochs one
after the other, then side by side, each into a temporary folder. An
epoch's seconds come from log.csv; the steady state is the median of epochs
2 and later (the first builds the graph). Two runs side by side each take
`together` seconds an epoch where one alone takes `alone`, so two at a time
finish 2 x alone / together times as fast. Appends one JSON line per
configuration to --out and prints a Markdown table. Meant for a quiet
machine: anything else running takes its share of the cores.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the project
sys.path.insert(0, ROOT)
from core.common import ArgumentParser, UserError, append_line, guarded, machine, read_json_lines  # noqa: E402
from core.runs import RunDir  # noqa: E402


def start(config, seed, epochs, data_dir, folder):
    model, hidden = config.split(":")
    weights = os.path.join(folder, "{}-seed{}".format(config.replace(":", ""), seed))
    from core import study
    recipe = ["--{}={}".format(k, v) for k, v in sorted(study.REGULARISED.items())]
    proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "main.py"), "--model=" + model, "--train",
                             "--hidden_unit=" + hidden, "--epochs={}".format(epochs), "--seed={}".format(seed),
                             "--data_dir=" + data_dir, "--weights_dir=" + weights,
                             "--logs_dir=" + os.path.join(folder, "logs")] + recipe, stdout=subprocess.DEVNULL)
    return proc, RunDir(weights, "{}_h{}".format(model, hidden))


def seconds(procs):
    """Wait for the runs; the epoch seconds of each, from its checked log."""
    failed = [proc.returncode for proc, _ in procs if proc.wait()]
    if failed:
        raise UserError("a training exited with status {}; run it alone to see why".format(failed[0]))
    return [[float(row["seconds"]) for row in run.read_log()] for _, run in procs]


def benchmark(args):
    configs = args.configs.split(",")
    if not all(len(c.split(":")) == 2 and c.split(":")[1].isdigit() for c in configs):
        raise UserError("--configs={} is not a list like lstm:32,gru:256".format(args.configs))
    read_json_lines(args.out)  # a bad --out is one line before anything trains
    from core.tfcompat import TF_VERSION
    rows = []
    for config in configs:
        with tempfile.TemporaryDirectory() as folder:
            alone = []
            for seed in (1, 2):  # one after the other
                alone += seconds([start(config, seed, args.epochs, args.data_dir, os.path.join(folder, "alone"))])
            together = seconds([start(config, seed, args.epochs, args.data_dir, os.path.join(folder, "together"))
                                for seed in (1, 2)])
        steady_alone = statistics.median(s for run in alone for s in run[1:])
        steady_together = statistics.median(s for run in together for s in run[1:])
        record = {"config": config, "epochs": args.epochs, "alone_epoch_seconds": alone,
                  "together_epoch_seconds": together, "speedup": 2 * steady_alone / steady_together,
                  "tf": TF_VERSION, "machine": machine()}
        append_line(args.out, json.dumps(record))
        rows.append((config, steady_alone, steady_together, record["speedup"]))
    print("| configuration | epoch alone (s) | epoch, two side by side (s) | two at a time finish |")
    print("|---|---|---|---|")
    for config, a, t, speedup in rows:
        print("| {} | {:.1f} | {:.1f} | {:.2f}x as fast |".format(config, a, t, speedup))


def main():
    parser = ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data_dir", default=os.path.join(os.path.dirname(ROOT), "data"))
    parser.add_argument("--configs", default="lstm:32,lstm:128,gru:256")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--out", default=os.path.join(ROOT, "tools", "benchmarks", "data", "parallel_jobs.jsonl"))
    args = parser.parse_args()
    return guarded(lambda: benchmark(args))


if __name__ == "__main__":
    sys.exit(main())
