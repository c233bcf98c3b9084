"""A grid search over training settings, judged on the validation split only.

    python tools/tuning/sweep.py --data_dir=../shared/data/mnist --models=lstm,gru --hidden=32 \
        --grid learning_rate=0.002,0.005 lr_decay=0.93,0.97 --out=tools/tuning/sweep.jsonl

Every combination trains through main.py, exactly as a user would, into its
own scratch folder (--scratch, default /tmp/sweep), and appends one JSON line
to --out with its settings and the best validation accuracy from the run's
state.json. The test set is never touched. Combinations already in --out are
skipped, so an interrupted sweep continues where it stopped.
"""
import itertools
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the project
sys.path.insert(0, ROOT)
from core.common import (ArgumentParser, UserError, append_line, format_duration, guarded, log,  # noqa: E402
                            machine, read_json, relpath)
from core.runs import RunDir  # noqa: E402


def pairs(items, flag):
    """FLAG=VALUE words as (flag, value) pairs; a word without "=" is a UserError naming --grid or --fixed."""
    out = []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            raise UserError("{} takes FLAG=VALUE words like learning_rate=0.002,0.005, not {!r}".format(flag, item))
        out.append((name.lstrip("-"), value))
    return out


def finished(path):
    """The tags already in the sweep's .jsonl (an interrupted sweep continues after them)."""
    if not os.path.exists(path):
        return set()
    with open(path) as f:
        lines = [line for line in f if line.strip()]
    try:
        return {json.loads(line)["tag"] for line in lines}
    except (ValueError, KeyError, TypeError):
        raise UserError("{} is not a sweep's JSON lines; give another --out or restore it".format(relpath(path)))


def run_state(weights):
    """The state.json of the one run main.py trained into `weights` (its folder is named by the architecture)."""
    found = [os.path.join(weights, n, "state.json") for n in sorted(os.listdir(weights)) if ".previous-" not in n]
    found = [p for p in found if os.path.isfile(p)]
    if len(found) != 1:
        raise UserError("expected one run in {}, found {}; delete that folder and run again".format(
            relpath(weights), len(found)))
    return found[0]


def curve(log_csv):
    """The run's validation accuracy and seconds per epoch, [[epoch, val_accuracy, seconds], ...], from its
    log.csv (read through the one checked reader), so that time-to-accuracy can be read off any target later."""
    folder = os.path.dirname(log_csv)
    rows = RunDir(os.path.dirname(folder), os.path.basename(folder)).read_log()
    return [[int(row["epoch"]), float(row["val_accuracy"]), float(row["seconds"])] for row in rows]


def run(args):
    if not args.data_dir:
        raise UserError("a sweep needs MNIST: pass --data_dir=<the folder with its four IDX files>")
    axes = [(name, values.split(",")) for name, values in pairs(args.grid, "--grid")]
    fixed = dict(pairs(args.fixed, "--fixed"))
    done = finished(args.out)
    for folder in (os.path.dirname(os.path.abspath(args.out)), args.scratch):  # before the first run, not after it
        os.makedirs(folder, exist_ok=True)
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
                child = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                if child.returncode:
                    errors = [line[len("error: "):] for line in child.stderr.decode("utf-8", "replace").splitlines()
                              if line.startswith("error: ")]  # main.py's own one line
                    raise UserError("the run {} failed: {}; the finished combinations in {} are kept".format(
                        tag, errors[-1] if errors else "main.py's status {}".format(child.returncode),
                        relpath(args.out)))
                state_path = run_state(weights)
                state = read_json(state_path)
                record = {"tag": tag, "model": model, "hidden_unit": hidden if "," in hidden else int(hidden),
                          "flags": flags, "best_val_accuracy": state["best_val_accuracy"],
                          "best_epoch": state["best_epoch"], "epochs_run": state["epoch"],
                          "seconds": round(time.time() - started, 1),
                          "curve": curve(os.path.join(os.path.dirname(state_path), "log.csv")),
                          "machine": machine()}
                append_line(args.out, json.dumps(record, sort_keys=True))
                log("sweep: {} -> {:.2%} at epoch {} of {} ({})".format(
                    tag, state["best_val_accuracy"], state["best_epoch"], state["epoch"],
                    format_duration(record["seconds"])))
    return 0


def table(path, fixed_out=()):
    """A Markdown table of a sweep's JSON lines: per run its settings (those that vary), the best validation
    accuracy (best epoch / epochs run), and where the run recorded its curve, the first epoch at which
    validation reached the configuration's goal (tools/benchmarks/time_to_accuracy.py's targets)."""
    goals = {32: 0.988, 64: 0.991, 128: 0.993, 256: 0.993}
    with open(path) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    keys = sorted({k for r in rows for k in r["flags"]})
    varying = [k for k in keys if len({r["flags"].get(k) for r in rows}) > 1 and k not in fixed_out]
    lines = ["| configuration | {} | best validation (epoch / run) | goal reached at epoch |".format(
        " | ".join(varying)), "|---|{}---|---|".format("---|" * len(varying))]
    for r in rows:
        goal = goals.get(r["hidden_unit"]) if isinstance(r["hidden_unit"], int) else None
        first = next((e for e, v, _ in r.get("curve", []) if goal and v >= goal), None)
        lines.append("| {}-{} | {} | {:.2%} ({}/{}) | {} |".format(
            r["model"].upper(), r["hidden_unit"], " | ".join(str(r["flags"].get(k, "")) for k in varying),
            r["best_val_accuracy"], r["best_epoch"], r["epochs_run"],
            "-" if "curve" not in r else first or "not reached"))
    return "\n".join(lines)


def main(argv=None):
    parser = ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data_dir", default="", help="MNIST's folder (required to run a sweep)")
    parser.add_argument("--models", default="lstm,gru")
    parser.add_argument("--hidden", default="32")
    parser.add_argument("--grid", nargs="+", default=[], metavar="FLAG=V1,V2",
                        help="main.py flags and the values to try")
    parser.add_argument("--fixed", nargs="*", default=[], metavar="FLAG=V", help="main.py flags set in every run")
    parser.add_argument("--out", required=True, help="JSON lines, one per finished combination")
    parser.add_argument("--scratch", default="/tmp/sweep")
    parser.add_argument("--table", action="store_true", help="print --out's runs as a Markdown table instead")
    args = parser.parse_args(argv)
    if args.table:
        return guarded(lambda: print(table(args.out)) or 0, "interrupted")
    return guarded(lambda: run(args), "interrupted; run the same command again to go on after the finished "
                   "combinations in " + relpath(args.out), fix="point --out and --scratch at folders you can write")


if __name__ == "__main__":
    sys.exit(main())
