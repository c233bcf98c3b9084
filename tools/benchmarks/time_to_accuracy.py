"""Time to accuracy (DAWNBench-style): each configuration's card `--train` end to end, then `--test`, timed.

    python tools/benchmarks/time_to_accuracy.py --data_dir=../shared/data/mnist [--configs=lstm_h32,gru_h256]
        [--seeds=1,2,3] [--recipe=budget] [--baseline=early-stop] [--out=tools/benchmarks/data/tta_<date>_<cpu>.jsonl]

For every configuration and seed, `main.py --train --recipe=<recipe> --seed=<seed>` runs whole (the
configuration's goal as the validation target), then `main.py --test` on its kept checkpoint. The runs go where
tools/reproduce.py keeps the seed runs of that recipe on this runtime (runs/study/..., results/study/...), so
`make results` finds them trained and tested instead of training them again (training is deterministic per
processor). One JSON line per run: the wall time of both commands, the epochs, the seconds at which validation
first reached the target (from log.csv's per-epoch seconds), the best validation accuracy, the test accuracy,
the runtime, the processor and the load average before and after (a loaded machine is visible in the record).

The baseline recipe (today's, early stopping) is not trained whole: in the same run, on the same machine, its
epoch time is measured over --baseline_epochs epochs (the first one dropped as warm-up) and multiplied by the
epochs its shipped seeds logged (results/study/<its label>/seed<N>/<config>.json, `epochs_run`), as the issue
that asked for this benchmark (#44) prescribes. A run already in --out is skipped, so a stopped benchmark goes on.
"""
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the project
sys.path.insert(0, ROOT)
from core import recipes, study  # noqa: E402
from core.common import (ArgumentParser, UserError, append_line, guarded, log, machine, read_json,  # noqa: E402
                         read_json_lines, relpath)
from core.config import Arch  # noqa: E402
from core.runs import RunDir  # noqa: E402

GOALS = {32: 0.988, 64: 0.991, 128: 0.993, 256: 0.993}  # tools/reporting/text.py's, the report's goals
BASIC = [Arch(m, (h,)).name for m in ("lstm", "gru") for h in (32, 64, 128, 256)]


def _main(args, weights, results, data_dir):
    """main.py's command for one step."""
    return [sys.executable, os.path.join(ROOT, "main.py")] + args + [
        "--data_dir=" + data_dir, "--weights_dir=" + weights, "--results_dir=" + results,
        "--logs_dir=" + os.path.join(weights, "logs")]


def _timed(cmd, log_path):
    started = time.time()
    with open(log_path, "a") as out:
        status = subprocess.call(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    if status:
        raise UserError("{} exited with status {}; its output is in {}".format(" ".join(cmd[1:4]), status,
                                                                              relpath(log_path)))
    return time.time() - started


def _curve(weights, name):
    """[(epoch, validation accuracy, cumulative seconds)] of the run, through the checked log reader."""
    total, out = 0.0, []
    for row in RunDir(weights, name).read_log():
        total += float(row["seconds"])
        out.append((int(row["epoch"]), float(row["val_accuracy"]), total))
    return out


def measure(name, seed, recipe, data_dir, log_path, extra=(), scratch=None):
    """One run of the recipe, end to end, into the study's folders of this runtime (or `scratch`)."""
    arch = Arch.parse(name)
    settings, runtime = recipes.recipe_for(arch, recipe)[1], study.current_runtime()
    weights, results = study.run_folder(settings, seed, runtime), study.result_folder(settings, seed, runtime=runtime)
    if scratch:
        weights, results = (os.path.join(scratch, "seed{}".format(seed), f) for f in ("weights", "results"))
    run = RunDir(weights, name)
    if os.path.isdir(run.path):
        state = run.load_state()
        if state and state.get("finished"):
            raise UserError("{} is a finished run this benchmark has no record of; it times whole runs only, so move "
                            "that folder away (or delete it) and run again".format(relpath(run.path)))
        shutil.rmtree(run.path)  # a run this benchmark started and was stopped in: timed again from the start
    load_before = os.getloadavg()[0]
    train = _timed(_main(arch.main_args("train") + ["--recipe=" + recipe, "--seed={}".format(seed)] + list(extra),
                         weights, results, data_dir), log_path)
    test = _timed(_main(arch.main_args("test"), weights, results, data_dir), log_path)
    curve = _curve(weights, name)
    state = run.load_state()
    result = read_json(os.path.join(results, name + ".json"))
    target = GOALS[arch.layers[0]]
    reached = next((seconds for _, val, seconds in curve if val >= target), None)
    return {"config": name, "seed": seed, "recipe": recipe, "settings": study.label(settings),
            "wall_seconds": round(train + test, 1),
            "train_seconds": round(train, 1), "test_seconds": round(test, 1), "epochs": len(curve),
            "best_epoch": state["best_epoch"], "best_val_accuracy": state["best_val_accuracy"],
            "target": target, "seconds_to_target": None if reached is None else round(reached, 1),
            "test_accuracy": result["test_accuracy"], "load_before": round(load_before, 2),
            "load_after": round(os.getloadavg()[0], 2), "runtime": _runtime(), "machine": machine(),
            "weights_dir": _in_project(weights)}


def baseline(name, recipe, epochs, data_dir, log_path, extra=()):
    """Today's recipe: its epoch time measured here, now, times the epochs its shipped seeds logged."""
    arch = Arch.parse(name)
    logged = _logged_epochs(arch, recipe)
    scratch = tempfile.mkdtemp(prefix="tta-")
    try:
        load_before = os.getloadavg()[0]
        _timed(_main(arch.main_args("train") + ["--recipe=" + recipe, "--epochs={}".format(epochs)] + list(extra),
                     os.path.join(scratch, "weights"), os.path.join(scratch, "results"), data_dir), log_path)
        curve = _curve(os.path.join(scratch, "weights"), name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    steady = [b[2] - a[2] for a, b in zip(curve, curve[1:])] or [curve[0][2]]  # the first epoch warms up
    epoch_seconds = sum(steady) / len(steady)
    return {"config": name, "recipe": recipe, "baseline": True, "epoch_seconds": round(epoch_seconds, 2),
            "logged_epochs": logged, "estimated_seconds_per_seed": round(epoch_seconds * sum(logged) / len(logged), 1),
            "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2), "runtime": _runtime(),
            "machine": machine()}


# The early-stop recipes' seeds, whose logged epochs and test accuracies are the baseline, were trained on
# TensorFlow 2 only (core/study.py: the shipped runtime is now another), so they are read there.
BASELINE_RUNTIME = "tf2"


def _logged_epochs(arch, recipe):
    settings = recipes.recipe_for(arch, recipe)[1]
    logged = []
    for seed in study.SEEDS:
        path = os.path.join(study.result_folder(settings, seed, runtime=BASELINE_RUNTIME), arch.name + ".json")
        if not os.path.isfile(path):
            raise UserError("{} is missing: the baseline's logged epochs come from its seeds' result files".format(
                relpath(path)))
        logged.append(int(read_json(path)["epochs_run"]))
    return logged


def _in_project(path):
    """A path for a record: relative to the project when inside it (the record stays true in a fresh clone)."""
    inside = os.path.relpath(os.path.abspath(path), ROOT)
    return os.path.abspath(path) if inside.startswith(os.pardir) else inside


def _runtime():
    from core.tfcompat import TF_VERSION
    return {"tensorflow": TF_VERSION, "python": sys.version.split()[0]}


def _done(path):
    """The (configuration, seed, recipe) of the records already in --out (checked: one line if it is not ours)."""
    rows = read_json_lines(path)
    if any(not {"config", "recipe"} <= set(r) for r in rows):
        raise UserError("{} holds records that are not this benchmark's; give a new --out".format(relpath(path)))
    return {(r["config"], r.get("seed"), r["recipe"]) for r in rows}


def run(args):
    if not args.data_dir:
        raise UserError("the benchmark trains on MNIST: pass --data_dir=<the folder with its four IDX files>")
    configs = args.configs.split(",") if args.configs else BASIC
    unknown = [c for c in configs if c not in BASIC]
    if unknown:
        raise UserError("--configs: {} is not one of the eight basic configurations ({})".format(
            unknown[0], ",".join(BASIC)))
    try:
        seeds = [int(s) for s in args.seeds.split(",")]
    except ValueError:
        raise UserError("--seeds takes whole numbers separated by commas, like 1,2,3, not {!r}".format(args.seeds))
    out = args.out or os.path.join(ROOT, "tools", "benchmarks", "data", "tta_{}_{}.jsonl".format(
        datetime.date.today().isoformat(), _cpu_tag()))
    log_path = re.sub(r"\.jsonl$", "", out) + ".log"
    done = _done(out)
    extra = args.main_args.split()
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    for name in configs:
        if args.baseline and (name, None, args.baseline) not in done:
            log("{}: the baseline ({}), {} epochs for its epoch time".format(name, args.baseline, args.baseline_epochs))
            row = baseline(name, args.baseline, args.baseline_epochs, args.data_dir, log_path, extra)
            append_line(out, json.dumps(row, sort_keys=True))
            log("{}: baseline {:.1f} s/epoch x {} logged epochs = {:.0f} s a seed".format(
                name, row["epoch_seconds"], row["logged_epochs"], row["estimated_seconds_per_seed"]))
        for seed in seeds:
            if (name, seed, args.recipe) in done:
                continue
            log("{}: {} seed {}".format(name, args.recipe, seed))
            row = measure(name, seed, args.recipe, args.data_dir, log_path, extra, args.scratch)
            append_line(out, json.dumps(row, sort_keys=True))
            log("{}: seed {}: --train in {:.0f} s ({} epochs), validation {:.2%} best, target {:.2%} at {} s, "
                "test {:.2%}".format(name, seed, row["train_seconds"], row["epochs"], row["best_val_accuracy"], row["target"],
                row["seconds_to_target"], row["test_accuracy"]))
    log("results in {}".format(relpath(out)))
    return 0


def table(path, recipe="budget", baseline_recipe="early-stop"):
    """The benchmark's Markdown table, from its JSON lines: per configuration the baseline's estimated seconds a
    seed, the recipe's measured ones (mean over its seeds), their ratio, both recipes' test accuracy over their
    seeds (the baseline's from its shipped seeds' result files) and the verdict of the comparison rule
    (core/compare.py), and whether the mean meets the goal."""
    from core import compare
    if not os.path.isfile(path):
        raise UserError("{} does not exist; give --out=<a .jsonl this benchmark wrote>".format(relpath(path)))
    _done(path)  # one line if the file is not this benchmark's
    rows = read_json_lines(path)
    lines = ["| configuration | today: s a seed (estimated) | new: `--train` s a seed (measured whole) | today / new | "
             "today: test | new: test | new against today | goal |", "|---|---|---|---|---|---|---|---|"]
    for name in BASIC:
        base = [r for r in rows if r["config"] == name and r.get("baseline") and r["recipe"] == baseline_recipe]
        new = [r for r in rows if r["config"] == name and not r.get("baseline") and r["recipe"] == recipe]
        if not base and not new:
            continue
        arch = Arch.parse(name)
        today = [r["test_accuracy"] for r in study.seed_results(recipes.recipe_for(arch, baseline_recipe)[1], name,
                                                                 runtime=BASELINE_RUNTIME)]
        ours = [r["test_accuracy"] for r in new]
        est = base[-1]["estimated_seconds_per_seed"] if base else None
        took = sum(r["train_seconds"] for r in new) / len(new) if new else None  # --train end to end, as timed

        def acc(values):
            if not values:
                return "-"
            mean, sd = study.spread(values)
            return "{:.2f} ± {:.2f}% ({})".format(100 * mean, 100 * sd, len(values))
        verdict = compare.verdict(ours, today) if ours and today else "-"
        goal = GOALS[arch.layers[0]]
        lines.append("| {} | {} | {} | {} | {} | {} | {} | {} |".format(
            name, "{:.0f}".format(est) if est else "-", "{:.0f}".format(took) if took else "-",
            "{:.2f}x".format(est / took) if est and took else "-", acc(today), acc(ours),
            {"tie": "tie", "higher": "higher", "lower": "lower", "one run": "fewer than 3 seeds"}.get(verdict, verdict),
            "-" if not ours else ("met" if study.spread(ours)[0] >= goal else "missed") + " ({:.2f}%)".format(
                100 * goal)))
    return "\n".join(lines)


def print_table(args):
    if not args.out:
        raise UserError("--table reads --out=<the benchmark's .jsonl>")
    print(table(args.out, args.recipe, args.baseline))
    return 0


def _cpu_tag():
    processor = machine()["processor"]
    match = re.search(r"family (\d+), model (\d+)", processor)
    vendor = "amd" if "AMD" in processor else "intel" if "Intel" in processor else "cpu"
    return "{}_f{}m{}".format(vendor, *match.groups()) if match else vendor


def main(argv=None):
    parser = ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data_dir", default="", help="MNIST's folder (required to run the benchmark)")
    parser.add_argument("--configs", default="", help="comma-separated names (default: the eight basic ones)")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--recipe", default="budget", help="the recipe timed whole (main.py --recipe)")
    parser.add_argument("--baseline", default="early-stop", help="the recipe estimated from its epoch time ('' "
                        "for none)")
    # 8: the first is dropped, and 7 timed epochs hold this VM's drift better than 2 did (GRU-32's epoch: 2.05 s over
    # epochs 2-3, 3.21 s over 2-8, minutes apart; tools/benchmarks/README.md)
    parser.add_argument("--baseline_epochs", type=int, default=8, help="epochs of the baseline recipe to time (the "
                        "first is dropped as warm-up)")
    parser.add_argument("--out", default="")
    parser.add_argument("--scratch", default="", help="train into this folder instead of the study's (timing only)")
    parser.add_argument("--main_args", default="", help="more main.py flags for every training (tests: "
                        "--preset=tiny)")
    parser.add_argument("--table", action="store_true", help="print --out's records as a Markdown table instead")
    args = parser.parse_args(argv)
    if args.table:
        return guarded(lambda: print_table(args), "interrupted")
    return guarded(lambda: run(args), "interrupted; run the same command again to go on after the finished runs",
                   fix="point --out at a file in a folder you can write")


if __name__ == "__main__":
    sys.exit(main())
