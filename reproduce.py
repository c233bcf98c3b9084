"""Reproduce the shipped results: train what is missing, test all eight, plot, write the report.

    python reproduce.py [--data_dir=../data] [--skip_training]

Each configuration runs through main.py with its default settings, exactly
as a user would: `--train` for any of the eight whose weights/<config>/ has
no finished run (an interrupted one resumes), then `--test` for all eight
(the test set is used only here, after all training), then plot_results.py
and make_report.py. Every step is logged with its wall time.
"""
import argparse
import os
import subprocess
import sys
import time

from checkpoint import RunDir
from common import PROJECT_DIR, config_name, format_duration, log

MODELS = ("lstm", "gru")
HIDDEN = (32, 64, 128, 256)


def run(args):
    started = time.time()
    subprocess.check_call([sys.executable] + args, cwd=PROJECT_DIR)
    return time.time() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data_dir", default=None, help="passed on to main.py (default: its own, ../data)")
    parser.add_argument("--skip_training", action="store_true", help="only test, plot and report")
    args = parser.parse_args()
    data = ["--data_dir=" + args.data_dir] if args.data_dir else []
    weights = os.path.join(PROJECT_DIR, "weights")
    started = time.time()
    for hidden in HIDDEN:  # smallest first: the quick ones are done early
        for model in MODELS:
            state = RunDir(weights, config_name(model, hidden)).load_state()
            if args.skip_training or (state and state.get("finished")):
                continue
            seconds = run(["main.py", "--model=" + model, "--train", "--hidden_unit={}".format(hidden)] + data)
            log("trained {} in {}".format(config_name(model, hidden), format_duration(seconds)))
    for model in MODELS:
        for hidden in HIDDEN:
            run(["main.py", "--model=" + model, "--test", "--hidden_unit={}".format(hidden)] + data)
    run(["plot_results.py"])
    run(["make_report.py"])
    log("reproduce.py finished in {}".format(format_duration(time.time() - started)))


if __name__ == "__main__":
    main()
