"""A grid search over training settings, judged on the validation split only.

    python tuning/sweep.py --data_dir=../shared/data/mnist --models=lstm,gru --hidden=32 \
        --grid learning_rate=0.002,0.005 lr_decay=0.93,0.97 --out=tuning/sweep.jsonl

Every combination trains through main.py, exactly as a user would, into its
own scratch folder (--scratch, default /tmp/sweep), and appends one JSON line
to --out with its settings and the best validation accuracy from the run's
state.json. The test set is never touched. Combinations already in --out are
skipped, so an interrupted sweep continues where it stopped.
"""
import argparse
import itertools
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from project.common import format_duration, log, read_json  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data_dir", required=True)
    parser.add_argument("--models", default="lstm,gru")
    parser.add_argument("--hidden", default="32")
    parser.add_argument("--grid", nargs="+", default=[], metavar="FLAG=V1,V2",
                        help="main.py flags and the values to try")
    parser.add_argument("--fixed", nargs="*", default=[], metavar="FLAG=V", help="main.py flags set in every run")
    parser.add_argument("--out", required=True, help="JSON lines, one per finished combination")
    parser.add_argument("--scratch", default="/tmp/sweep")
    args = parser.parse_args()

    axes = [(name, values.split(",")) for name, values in (g.split("=", 1) for g in args.grid)]
    fixed = dict(f.split("=", 1) for f in args.fixed)
    done = set()
    if os.path.exists(args.out):
        with open(args.out) as f:
            done = {json.loads(line)["tag"] for line in f if line.strip()}
    for model in args.models.split(","):
        for hidden in args.hidden.split(","):
            for values in itertools.product(*[v for _, v in axes]):
                flags = dict(fixed, **dict(zip([n for n, _ in axes], values)))
                tag = "{}_h{}_".format(model, hidden) + "_".join("{}={}".format(k, v) for k, v in sorted(flags.items()))
                if tag in done:
                    continue
                weights = os.path.join(args.scratch, tag)
                cmd = [sys.executable, os.path.join(ROOT, "main.py"), "--model=" + model, "--train",
                       "--hidden_unit=" + hidden, "--data_dir=" + args.data_dir, "--weights_dir=" + weights]
                cmd += ["--{}={}".format(k, v) for k, v in sorted(flags.items())]
                log("sweep: " + tag)
                started = time.time()
                subprocess.check_call(cmd, stdout=subprocess.DEVNULL)
                folder = os.path.join(weights, "{}_h{}".format(model, hidden))
                state = read_json(os.path.join(folder, "state.json"))
                record = {"tag": tag, "model": model, "hidden_unit": int(hidden), "flags": flags,
                          "best_val_accuracy": state["best_val_accuracy"], "best_epoch": state["best_epoch"],
                          "epochs_run": state["epoch"], "seconds": round(time.time() - started, 1)}
                with open(args.out, "a") as f:
                    f.write(json.dumps(record, sort_keys=True) + "\n")
                log("sweep: {} -> {:.2%} at epoch {} of {} ({})".format(
                    tag, state["best_val_accuracy"], state["best_epoch"], state["epoch"],
                    format_duration(record["seconds"])))


if __name__ == "__main__":
    main()
