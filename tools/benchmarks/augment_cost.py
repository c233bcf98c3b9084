"""What --augment costs per training epoch: the same runs with and without it, interleaved.

    python tools/benchmarks/augment_cost.py --data_dir=../shared/data/mnist [--configs=lstm:32,lstm:128]
                                      [--epochs=6] [--repeats=2] [--out=tools/benchmarks/augment_cost.jsonl]

Each repeat trains every configuration for --epochs epochs with --augment=0
and then --augment=1 (main.py's other defaults) into a temporary folder and
reads the epochs' seconds from log.csv. The first epoch waits for its
distortions (nothing trains before it to hide them behind); later epochs get
theirs from the thread that made them while the previous epoch trained, so
the steady-state cost is the median of epochs 2 and later. Appends one JSON
line per run to --out and prints a Markdown table of the medians.
"""
import argparse
import csv
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the project
sys.path.insert(0, ROOT)


def run(config, augment, epochs, data_dir, folder):
    model, hidden = config.split(":")
    weights = os.path.join(folder, "aug{}-{}".format(augment, config.replace(":", "")))
    subprocess.check_call([sys.executable, os.path.join(ROOT, "main.py"), "--model=" + model, "--train",
                           "--hidden_unit=" + hidden, "--epochs={}".format(epochs), "--augment={}".format(augment),
                           "--data_dir=" + data_dir, "--weights_dir=" + weights,
                           "--logs_dir=" + os.path.join(folder, "logs")], stdout=subprocess.DEVNULL)
    with open(os.path.join(weights, "{}_h{}".format(model, hidden), "log.csv")) as f:
        return [float(row["seconds"]) for row in csv.DictReader(f)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data_dir", default=os.path.join(os.path.dirname(ROOT), "data"))
    parser.add_argument("--configs", default="lstm:32,lstm:128")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out", default=os.path.join(ROOT, "tools", "benchmarks", "data", "augment_cost.jsonl"))
    args = parser.parse_args()
    from core.tfcompat import TF_VERSION
    steady = {}
    with tempfile.TemporaryDirectory() as folder:
        for repeat in range(args.repeats):
            for config in args.configs.split(","):
                for augment in (0, 1):
                    seconds = run(config, augment, args.epochs, args.data_dir, folder)
                    steady.setdefault((config, augment), []).extend(seconds[1:])
                    record = {"config": config, "augment": augment, "repeat": repeat, "epoch_seconds": seconds,
                              "tf": TF_VERSION, "cpu": platform.processor() or platform.machine()}
                    with open(args.out, "a") as f:
                        f.write(json.dumps(record) + "\n")
                    shutil.rmtree(os.path.join(folder, "aug{}-{}".format(augment, config.replace(":", ""))))  # afresh
    print("| configuration | epoch (s), no augmentation | with --augment=1 | cost |")
    print("|---|---|---|---|")
    for config in args.configs.split(","):
        plain, augmented = (statistics.median(steady[(config, a)]) for a in (0, 1))
        print("| {} | {:.2f} | {:.2f} | {:+.0%} |".format(config, plain, augmented, augmented / plain - 1))


if __name__ == "__main__":
    main()
