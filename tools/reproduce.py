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
import subprocess
import sys
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the project root, for its core package
import time

from core import recipes, study
from core.runs import RunDir
from core.common import (ArgumentParser, PROJECT_DIR, RESULTS_DIR, WEIGHTS_DIR, format_duration, guarded,
                         log, print_error, relpath, UserError)
from core.config import Arch, Recipe
from tools.train_queue import Step, StepFailed, step_failed, train_all

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


def seed_runs(runtime="tf2", which="recorded"):
    """(folder name, recipe, seed, training arguments, test arguments) of every run of several seeds: the
    retrained basic configurations smallest first, the ablation's among them (each run once; on TensorFlow 2
    only)."""
    runs, seen = [], set()
    chosen = [((m, h), study.recipe_of(m, h, which)) for h in HIDDEN for m in MODELS]
    # The ablation before the 256-unit models, the slowest (on TensorFlow 2, with the shipped recipes).
    ablation = [(study.ABLATION_CONFIG, r) for _, r in study.ABLATION] if (runtime, which) == ("tf2", "recorded") \
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


def run(args):
    started = time.time()
    status = subprocess.call([sys.executable] + args, cwd=PROJECT_DIR)
    if status:
        raise step_failed(args, status)
    return time.time() - started


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
    parser.add_argument("--recipes", default="recorded", choices=["recorded"] + sorted(recipes.SETS),
                        help="the set of recipes whose seeds to train (another than the shipped one: with "
                        "--train_only)")
    parser.add_argument("--jobs", type=int, default=1, help="trainings at a time; 2 on two cores finished 1.2-1.35x "
                        "as fast with the early-stop recipes, about as fast as 1 with the budget ones on TensorFlow 2 "
                        "(tools/benchmarks/README.md); their progress then goes to runs/reproduce/")
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
    shipped = data + ["--weights_dir=" + WEIGHTS_DIR, "--results_dir=" + RESULTS_DIR]
    weights = WEIGHTS_DIR
    started = time.time()
    runtime = study.current_runtime()  # the pinned runtime's seed runs sit apart (core/study.py)
    if args.recipes != "recorded" and not args.train_only:
        raise UserError("--recipes={} trains another set of recipes than the shipped one: add --train_only (the "
                        "shipped runs, weights/ and the report stay as they are)".format(args.recipes))
    todo, seeds = list(configurations(args.variants)), seed_runs(runtime, args.recipes) + (
        grid_runs() if args.grid else [])
    if args.missing:
        seeds = [run for run in seeds if not study.has_result(run[1], run[2], run[0], runtime=runtime)]
        todo = [(name, flags) for name, flags in todo if not os.path.isfile(os.path.join(RESULTS_DIR,
                                                                                         name + ".json"))]
        log("--missing: {} seed run(s) without a result file".format(len(seeds)))
    steps = []
    for name, flags in todo:
        state = RunDir(weights, name).load_state()
        if not (args.skip_training or (state and state.get("finished"))):
            steps.append(Step(["main.py", "--train", "--replace_weights"] + flags + shipped, name,
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
            if runtime != study.WEIGHTS_RUNTIME:
                pass  # the shipped runs are the other runtime's (core/study.py); these are a comparison
            elif all(study.finished(recipe, seed, name, runtime) for seed in study.SEEDS):
                seed = study.best_seed(recipe, name, runtime=runtime)  # by validation accuracy, before testing
                study.copy_run(recipe, seed, name, weights, runtime)
                log("shipping {}: seed {} of {} ({})".format(name, seed, len(study.SEEDS), study.label(recipe)))
            shipped_basic.append((name, _args(Arch(model, (hidden,)))))
    if runtime != study.WEIGHTS_RUNTIME:
        log("the seeds of {} are trained and tested ({}); the shipped runs, weights/ and the report are {}'s "
            "(core/study.py WEIGHTS_RUNTIME), so they are left as they are".format(
                runtime, relpath(study.results_of(runtime)), study.WEIGHTS_RUNTIME))
        return 0
    for name, flags in shipped_basic + todo:
        run(["main.py", "--test"] + flags + shipped)
    run(["tools/export_weights.py"])  # the draw-a-digit page's copy of the shipped weights
    run(["download_weights.py", "--pack", "--output=" + os.path.join(PROJECT_DIR, "runs", "weights.tar.gz")])
    run(["plot_results.py"])
    run(["plot_results.py", "--rows_until_known"] + data)  # the report's "rows until it knows" page
    if args.grid:
        run(["-m", "tools.reporting.grid"])
    run(["tools/make_report.py"])
    log("tools/reproduce.py finished in {}".format(format_duration(time.time() - started)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
