"""Wall time of one full training epoch (55,000 images + validation) per configuration.

    python tools/benchmarks/epoch_time.py --data_dir=../shared/data/mnist [--hidden=32,64,128,256] [--models=lstm,gru]
                                    [--towers=N]

Runs main.py --train --epochs=1 for each configuration (with main.py's
--towers unless given) into a temporary weights folder and reads the
epoch's seconds from its log.csv. Prints a
Markdown table and one JSON object per configuration.
"""
import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the project
sys.path.insert(0, ROOT)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data_dir", default=os.path.join(os.path.dirname(ROOT), "data"))
    parser.add_argument("--hidden", default="32,64,128,256")
    parser.add_argument("--models", default="lstm,gru")
    parser.add_argument("--towers", type=int, default=None, help="passed to main.py (default: its own)")
    args = parser.parse_args()
    from core.unroll_fast import default_towers
    from core.tfcompat import TF_VERSION
    from core.common import machine
    processor = machine()["processor"]
    towers = args.towers or default_towers()[0]  # main.py's own
    rows = []
    with tempfile.TemporaryDirectory() as weights:
        for model in args.models.split(","):
            for hidden in args.hidden.split(","):
                cmd = [sys.executable, os.path.join(ROOT, "main.py"), "--model=" + model, "--train",
                       "--hidden_unit=" + hidden, "--epochs=1", "--data_dir=" + args.data_dir,
                       "--weights_dir=" + weights, "--logs_dir=" + os.path.join(weights, "logs"),
                       "--towers={}".format(towers)]
                subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
                with open(os.path.join(weights, "{}_h{}".format(model, hidden), "log.csv")) as f:
                    row = next(csv.DictReader(f))
                rows.append({"model": model, "hidden": int(hidden), "epoch_seconds": float(row["seconds"]),
                             "val_accuracy": float(row["val_accuracy"]), "towers": towers, "tensorflow": TF_VERSION,
                             "python": platform.python_version(), "processor": processor})
                print(json.dumps(rows[-1]), flush=True)
    print("\n| model | hidden | one epoch (s) | validation accuracy after it |\n|---|---|---|---|")
    for r in rows:
        print("| {model} | {hidden} | {epoch_seconds:.1f} | {val_accuracy:.2%} |".format(**r))


if __name__ == "__main__":
    main()
