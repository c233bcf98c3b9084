"""Reproduce the shipped results: train what is missing, test, plot, write the report.

    python tools/reproduce.py [--data_dir=../data] [--skip_training | --train_only] [--variants] [--jobs=2] [--retest]

Each configuration runs through main.py exactly as a user would: `--train`
for any run that has not finished (an interrupted one resumes), then
`--test` for all of them (the test set is used only here, after all
training), then plot_results.py and tools/make_report.py. The eight basic
configurations (LSTM and GRU, 32-256 units) always, each as 3 seeds of its
recipe in core/study.py, in runs/study/, of which the one with the best
validation accuracy is copied to weights/ before testing. Then the ablation's seeds (LSTM-128,
core/study.py), and with --variants the variant table of the report's
appendix. Every step is logged with its wall time. --jobs=2 trains two runs
at a time, each in its own main.py (measured: tools/benchmarks/README.md). A seed
run whose result file is already of its best checkpoint is not tested again
(--retest does).
"""
import dataclasses
import os
import signal
import subprocess
import sys
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the project root, for its core package
import time

from core import recipes, study
from core.runs import RunDir
from core.common import (ArgumentParser, PROJECT_DIR, SHIPPED_RESULTS_DIR, SHIPPED_WEIGHTS_DIR, format_duration, guarded,
                         log, print_error, relpath, UserError)
from core.config import Arch, Recipe

MODELS = ("lstm", "gru")
HIDDEN = (32, 64, 128, 256)

# The variants' shipped runs predate --towers and unrolled each batch as one chain. Two towers train the
# same model about as well but round differently, so their exact shipped numbers need --towers=1. (The
# basic configurations' seeds train with main.py's default, two towers.)
VARIANT_TOWERS = 1
# With --jobs above 1, each training's progress goes here instead of to the terminal.
TRAIN_LOGS = os.path.join(PROJECT_DIR, "runs", "reproduce")

# The appendix: one change at a time against the basic 128-unit models, main.py's default settings
# except for the vanilla RNN, for which 0.005 is unstable and 0.001 won on validation (tools/tuning/README.md).
VARIANTS = [
    (Arch("rnn", (128,)), {"learning_rate": 0.001}),
    (Arch("lstm", (64, 64)), {}),
    (Arch("lstm", (128,), bidirectional=True), {}),
    (Arch("lstm", (128,), crop_augment=True), {}),
]
RECIPE_ORDER = [f.name for f in dataclasses.fields(Recipe)]


def _args(arch, settings=None):
    """main.py's flags of a run without --train/--test (added per step): the architecture's, then each recipe
    setting given, in the recipe's order."""
    return [a for a in arch.main_args("train") if a != "--train"] + [
        "--{}={}".format(k, settings[k]) for k in RECIPE_ORDER if k in (settings or {})]


def _study_args(arch, settings):
    """A seed run's training flags: its recipe is given whole, on top of main.py's plain defaults."""
    return _args(arch, settings) + ["--recipe=plain"]


def configurations(with_variants):
    """(folder name, main.py arguments without --train/--test) of each single-run configuration in weights/:
    the appendix's variants, if with_variants (the basic configurations are seed runs, below)."""
    for arch, settings in VARIANTS if with_variants else []:
        # trained before the recipes, from the plain defaults
        yield arch.name, _args(arch, dict(settings, towers=VARIANT_TOWERS)) + ["--recipe=plain"]


def seed_runs(runtime="tf2", which="shipped"):
    """(folder name, recipe, seed, training arguments, test arguments) of every run of several seeds: the
    retrained basic configurations smallest first, the ablation's among them (each run once; on TensorFlow 2
    only)."""
    runs, seen = [], set()
    chosen = [((m, h), study.recipe_of(m, h, which)) for h in HIDDEN for m in MODELS]
    # The ablation before the 256-unit models, the slowest (on TensorFlow 2, with the shipped recipes).
    ablation = [(study.ABLATION_CONFIG, r) for _, r in study.ABLATION] if (runtime, which) == ("tf2", "shipped") \
        else []
    ordered = [c for c in chosen if c[0][1] < 256] + ablation + [c for c in chosen if c[0][1] >= 256]
    for (model, hidden), recipe in ordered:
        for seed in study.SEEDS:
            arch = Arch(model, (hidden,))
            key = (arch.name, study.label(recipe), seed)
            if key not in seen:
                seen.add(key)
                runs.append((arch.name, recipe, seed, _study_args(arch, dict(recipe, seed=seed)), _args(arch)))
    return runs


def grid_runs():
    """The same tuples for the related assignments' grid, the L2 comparison and the best row-reader
    (core/study.py; --grid), leaving out runs the basic configurations already have."""
    basic = {(name, study.label(recipe), seed) for name, recipe, seed, _, _ in seed_runs()}
    runs = []
    for name, model, layers, bidirectional, recipe, seeds in study.grid():
        for seed in seeds:
            arch = Arch(model, tuple(layers), bidirectional)
            if (name, study.label(recipe), seed) not in basic:
                runs.append((name, recipe, seed, _study_args(arch, dict(recipe, seed=seed)), _args(arch)))
    return runs


class StepFailed(Exception):
    """A step of the reproduction exited non-zero (it has printed its own error line)."""


def _failed(args, status, detail=""):
    return StepFailed("{} exited with status {}{}; fix what it reported and run tools/reproduce.py again (finished "
                      "trainings are kept, an interrupted one resumes)".format(" ".join(args[:3]), status, detail))


def run(args):
    started = time.time()
    status = subprocess.call([sys.executable] + args, cwd=PROJECT_DIR)
    if status:
        raise _failed(args, status)
    return time.time() - started


def _last_line(path):
    with open(path, errors="replace") as f:
        lines = [line.strip() for line in f if line.strip()]
    return lines[-1] if lines else ""


@dataclasses.dataclass
class Step:
    """One training: main.py's arguments, what it is (for the log), its log file with --jobs above 1, and where
    its run is (weights folder and configuration name), which the progress line reads."""
    args: list
    what: str
    log_path: str
    weights: str
    name: str

    def epochs(self):
        """(finished epochs, planned epochs, [seconds of each finished epoch]) from the run's own files."""
        from core.config import Config
        run = RunDir(self.weights, self.name)
        config = run.load_config() if os.path.isfile(os.path.join(run.path, "config.json")) else None
        rows = run.read_log() if os.path.isfile(run.log_path) else []
        planned = config.recipe.epochs if config else _planned(self.args)
        return len(rows), planned, [float(r["seconds"]) for r in rows]


def _planned(args):
    """The epochs a training's arguments plan, before it has a config.json: main.py's own recipe resolution."""
    from core.config import Config
    flags = dict(a[2:].split("=", 1) for a in args if a.startswith("--") and "=" in a)
    arch = Arch(flags.get("model", "lstm"), tuple(int(n) for n in flags.get("hidden_unit", "128").split(",")),
                "--bidirectional" in args, "--crop_augment" in args)
    overrides = {k: type(getattr(Recipe(), k))(v) for k, v in flags.items() if k in RECIPE_ORDER and k != "train_examples"}
    return Config.make(arch, overrides, recipe=flags.get("recipe", "shipped")).recipe.epochs


def progress(steps, done, running, jobs):
    """One line: runs done and left, each running run's epoch, and the time left from measured epoch times (an
    upper bound for early-stopping recipes, which may stop before their planned epochs)."""
    seconds = {}  # measured seconds per epoch, by configuration name (any of its runs)
    states = {}
    for step in steps:
        try:
            states[id(step)] = step.epochs()
        except Exception:  # a run being written just now: its numbers next time
            states[id(step)] = (0, None, [])
        times = states[id(step)][2]
        if times:
            seconds.setdefault(step.name, []).extend(times[1:] or times)  # the first epoch warms up
    left, unknown = 0.0, []
    for step in steps:
        if step in done:
            continue
        finished, planned, _ = states[id(step)]
        if step.name not in seconds or planned is None:
            unknown.append(step.name)
            continue
        left += (planned - finished) * sum(seconds[step.name]) / len(seconds[step.name])
    now = "; ".join("{} epoch {}/{}".format(step.what, states[id(step)][0] + 1, states[id(step)][1])
                    for step in running)
    eta = format_duration(left / jobs) if not unknown else "unknown until {} has a finished epoch".format(
        sorted(set(unknown))[0])
    return "progress: {} of {} trainings done, {} left{}; about {} left".format(
        len(done), len(steps), len(steps) - len(done), "; now " + now if now else "", eta)


def train_all(steps, jobs, every=60.0):
    """Run each training Step, `jobs` of them at a time, with a progress line at every start and end and every
    `every` seconds (runs done and left, the epoch of each running one, an ETA from measured epoch times).

    One at a time, a step's progress shows here. With more, each step's output goes to its log file
    (two trainings' lines would interleave) and only starts and ends show here. A failed step stops new
    ones from starting; the others run to their end. A stop (Ctrl-C, SIGTERM) stops them all, resumably."""
    pending, running, done, failure, last = list(steps), {}, [], None, time.time()
    try:
        while running or (pending and failure is None):
            while pending and len(running) < jobs and failure is None:
                step = pending.pop(0)
                out = None
                if jobs > 1:
                    os.makedirs(os.path.dirname(step.log_path), exist_ok=True)
                    out = open(step.log_path, "a")
                    log("training {}; progress in {}".format(step.what, relpath(step.log_path)))
                # Its own session: a Ctrl-C reaches only this process, which passes it on once, below.
                proc = subprocess.Popen([sys.executable] + step.args, cwd=PROJECT_DIR, stdout=out,
                                        stderr=subprocess.STDOUT if out else None, start_new_session=True)
                running[proc] = (step, out, time.time())
                log(progress(steps, done, [s for s, _, _ in running.values()], jobs))
                last = time.time()
            time.sleep(0.2)
            for proc in [p for p in running if p.poll() is not None]:
                step, out, started = running.pop(proc)
                if out is not None:
                    out.close()
                if proc.returncode == 0:
                    done.append(step)
                    log("trained {} in {}".format(step.what, format_duration(time.time() - started)))
                    log(progress(steps, done, [s for s, _, _ in running.values()], jobs))
                    last = time.time()
                elif failure is None:
                    failure = _failed(step.args, proc.returncode, ": " + _last_line(step.log_path) if out else "")
                    if running:
                        log("{} failed; waiting for the {} other training(s) to end".format(step.what, len(running)))
            if running and time.time() - last >= every:
                log(progress(steps, done, [s for s, _, _ in running.values()], jobs))
                last = time.time()
    finally:
        for proc in running:  # only after an interruption: main.py stops as on Ctrl-C, resumably
            proc.send_signal(signal.SIGTERM)
        for proc, (_, out, _) in running.items():
            proc.wait()
            if out is not None:
                out.close()
    if failure is not None:
        raise failure


def main():
    parser = ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data_dir", default=None, help="passed on to main.py (default: its own, ../data)")
    parser.add_argument("--skip_training", action="store_true", help="only test, plot and report")
    parser.add_argument("--train_only", action="store_true", help="only train what has not finished (resumable; "
                        "for a long run in the background)")
    parser.add_argument("--variants", action="store_true", help="also the variants of the report's appendix")
    parser.add_argument("--grid", action="store_true", help="also the related assignments' grid (RNN, LSTM, GRU at 64, "
                        "128 and 64,64, both directions), the L2 comparison and the best row-reader: hours")
    parser.add_argument("--missing", action="store_true", help="only the seed runs that have no result file in "
                        "results/study/ yet (a clean clone has the results but not the runs, so without this flag "
                        "it trains every run again)")
    parser.add_argument("--retest", action="store_true", help="test every finished seed run again, also those "
                        "whose result file is of that same checkpoint")
    parser.add_argument("--recipes", default="shipped", choices=["shipped"] + sorted(recipes.SETS),
                        help="the set of recipes whose seeds to train (another than the shipped one: with "
                        "--train_only)")
    parser.add_argument("--jobs", type=int, default=1, help="trainings at a time; 2 on two cores finish 1.2-1.35x "
                        "as fast (tools/benchmarks/README.md); their progress then goes to runs/reproduce/")
    args = parser.parse_args()
    if args.jobs < 1:
        return print_error("--jobs must be 1 or more, not {}; 1 trains one run at a time".format(args.jobs), 2)
    # A kill stops like Ctrl-C; the next run goes on where this one stopped.
    return guarded(lambda: _reproduce_or_stop(args), interrupted="interrupted; run tools/reproduce.py again to go on where it "
                                                        "stopped")


def _reproduce_or_stop(args):
    """A failed step has printed its own error line; ours only says where it stopped, in the log (one error
    line in all)."""
    try:
        return reproduce(args)
    except StepFailed as e:
        log("stopped: {}".format(e))
        return 1


def reproduce(args):
    # The shipped folders, not main.py's default runs/: reproducing means regenerating what is shipped.
    data = ["--data_dir=" + args.data_dir] if args.data_dir else []
    shipped = data + ["--weights_dir=" + SHIPPED_WEIGHTS_DIR, "--results_dir=" + SHIPPED_RESULTS_DIR]
    weights = SHIPPED_WEIGHTS_DIR
    started = time.time()
    runtime = study.current_runtime()  # the pinned runtime's seed runs sit apart (core/study.py)
    if args.recipes != "shipped" and not args.train_only:
        raise UserError("--recipes={} trains another set of recipes than the shipped one: add --train_only (the "
                        "shipped runs, weights/ and the report stay as they are)".format(args.recipes))
    todo, seeds = list(configurations(args.variants)), seed_runs(runtime, args.recipes) + (
        grid_runs() if args.grid else [])
    if args.missing:
        seeds = [run for run in seeds if not study.has_result(run[1], run[2], run[0], runtime=runtime)]
        todo = [(name, flags) for name, flags in todo if not os.path.isfile(os.path.join(SHIPPED_RESULTS_DIR,
                                                                                         name + ".json"))]
        log("--missing: {} seed run(s) without a result file".format(len(seeds)))
    steps = []
    for name, flags in todo:
        state = RunDir(weights, name).load_state()
        if not (args.skip_training or (state and state.get("finished"))):
            steps.append(Step(["main.py", "--train", "--replace_shipped"] + flags + shipped, name,
                          os.path.join(TRAIN_LOGS, name + ".log"), weights, name))
    for name, recipe, seed, flags, _ in seeds:
        if args.skip_training or study.finished(recipe, seed, name, runtime):
            continue
        folder = study.run_folder(recipe, seed, runtime)
        what = "{} ({}, seed {}{})".format(name, study.label(recipe), seed, "" if runtime == "tf2" else ", " + runtime)
        steps.append(Step(["main.py", "--train"] + flags + data + ["--weights_dir=" + folder,
                                                                   "--logs_dir=" + os.path.join(folder, "logs")],
                          what, os.path.join(TRAIN_LOGS, "{}-{}-seed{}{}.log".format(
                              name, study.label(recipe), seed, "" if runtime == "tf2" else "-" + runtime)),
                          folder, name))
    train_all(steps, args.jobs)
    if args.train_only:
        return 0
    for name, recipe, seed, _, flags in seeds:  # a clean clone has the results but not the runs
        # A result of that very checkpoint would only be written again (testing is deterministic).
        if study.finished(recipe, seed, name, runtime) and (args.retest or not study.tested(
                recipe, seed, name, runtime=runtime)):
            run(["main.py", "--test"] + flags + data + [
                "--weights_dir=" + study.run_folder(recipe, seed, runtime),
                "--results_dir=" + study.result_folder(recipe, seed, runtime=runtime)])
    shipped_basic = []
    for hidden in HIDDEN:
        for model in MODELS:
            recipe, name = study.recipe_of(model, hidden), study.basic_name(model, hidden)
            # Until all its seeds have finished, weights/ keeps the configuration's earlier shipped run.
            if runtime != study.SHIPPED_RUNTIME:
                pass  # the shipped runs are the other runtime's (core/study.py); these are a comparison
            elif all(study.finished(recipe, seed, name, runtime) for seed in study.SEEDS):
                seed = study.best_seed(recipe, name, runtime=runtime)  # by validation accuracy, before testing
                study.ship(recipe, seed, name, weights, runtime)
                log("shipping {}: seed {} of {} ({})".format(name, seed, len(study.SEEDS), study.label(recipe)))
            shipped_basic.append((name, _args(Arch(model, (hidden,)))))
    if runtime != study.SHIPPED_RUNTIME:
        log("the seeds of {} are trained and tested (results/study/{}/); the shipped runs, weights/ and the report "
            "are {}'s (core/study.py SHIPPED_RUNTIME), so they are left as they are".format(runtime, runtime,
                                                                                           study.SHIPPED_RUNTIME))
        return 0
    for name, flags in shipped_basic + todo:
        run(["main.py", "--test"] + flags + shipped)
    run(["tools/export_weights.py"])  # the draw-a-digit page's copy of the shipped weights
    run(["download_weights.py", "--pack", "--output=" + os.path.join(PROJECT_DIR, "runs", "weights.tar.gz")])
    run(["plot_results.py"])
    run(["plot_results.py", "--rows_until_known"] + data)  # the report's "rows until it knows" page
    if args.grid:
        run(["plot_results.py", "--grid"])
    run(["tools/make_report.py"])
    log("tools/reproduce.py finished in {}".format(format_duration(time.time() - started)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
