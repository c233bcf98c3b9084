"""What --augment costs per training epoch: the same runs with and without it, interleaved.

    python tools/benchmarks/augment_cost.py --data_dir=../shared/data/mnist [--configs=lstm:32,lstm:128]
                                      [--epochs=6] [--repeats=2] [--out=tools/benchmarks/data/augment_cost.jsonl]

Each repeat trains every configuration for --epochs epochs with --augment=0
and then --augment=1 (main.py's other defaults) into a temporary folder and
reads the epochs' seconds from log.csv. The first epoch waits for its
distortions (nothing trains before it to hide them behind); later epochs get
theirs from the worker process that made them while the previous epoch trained, so
the steady-state cost is the median of epochs 2 and later. Appends one JSON
line per run to --out and prints a Markdown table of the medians.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the project
sys.path.insert(0, ROOT)
from core.common import ArgumentParser, UserError, append_line, guarded, machine, read_json_lines  # noqa: E402
from core.runs import RunDir  # noqa: E402


def run(config, augment, epochs, data_dir, folder):
    model, hidden = config.split(":")
    weights = os.path.join(folder, "aug{}-{}".format(augment, config.replace(":", "")))
    status = subprocess.call([sys.executable, os.path.join(ROOT, "main.py"), "--model=" + model, "--train",
                              "--hidden_unit=" + hidden, "--epochs={}".format(epochs), "--augment={}".format(augment),
                              "--data_dir=" + data_dir, "--weights_dir=" + weights,
                              "--logs_dir=" + os.path.join(folder, "logs")], stdout=subprocess.DEVNULL)
    if status:
        raise UserError("main.py --train --model={} --hidden_unit={} exited with status {}; run it alone to see "
                        "why".format(model, hidden, status))
    return [float(row["seconds"]) for row in RunDir(weights, "{}_h{}".format(model, hidden)).read_log()]


def benchmark(args):
    configs = args.configs.split(",")
    if not all(len(c.split(":")) == 2 and c.split(":")[1].isdigit() for c in configs):
        raise UserError("--configs={} is not a list like lstm:32,lstm:128".format(args.configs))
    read_json_lines(args.out)  # a bad --out is one line before anything trains
    from core.tfcompat import TF_VERSION
    steady = {}
    with tempfile.TemporaryDirectory() as folder:
        for repeat in range(args.repeats):
            for config in configs:
                for augment in (0, 1):
                    seconds = run(config, augment, args.epochs, args.data_dir, folder)
                    steady.setdefault((config, augment), []).extend(seconds[1:])
                    record = {"config": config, "augment": augment, "repeat": repeat, "epoch_seconds": seconds,
                              "tf": TF_VERSION, "machine": machine()}
                    append_line(args.out, json.dumps(record))
                    shutil.rmtree(os.path.join(folder, "aug{}-{}".format(augment, config.replace(":", ""))))  # afresh
    print("| configuration | epoch (s), no augmentation | with --augment=1 | cost |")
    print("|---|---|---|---|")
    for config in configs:
        plain, augmented = (statistics.median(steady[(config, a)]) for a in (0, 1))
        print("| {} | {:.2f} | {:.2f} | {:+.0%} |".format(config, plain, augmented, augmented / plain - 1))


def main():
    parser = ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data_dir", default=os.path.join(os.path.dirname(ROOT), "data"))
    parser.add_argument("--configs", default="lstm:32,lstm:128")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out", default=os.path.join(ROOT, "tools", "benchmarks", "data", "augment_cost.jsonl"))
    args = parser.parse_args()
    return guarded(lambda: benchmark(args))


if __name__ == "__main__":
    sys.exit(main())
