"""Assignment 4 (the card): the folder Assignment4_<roll>/ with the card's programs, the core package they
import, weights/ of the eight configurations the report describes, the result files plot_results.py and the
report read (the seeds', the MLP and CNN baselines' and the TensorFlow 1.5 seeds' of LSTM-32),
<roll>_Report.pdf (made for this roll), a README for the grader and requirements.txt for Python 3.6 +
TensorFlow 1.5. The assignment keeps MNIST in ../data, beside the folder."""
import json
import os
import subprocess
import sys

from core import study
from core.common import PROJECT_DIR, RUNS_DIR, RESULTS_DIR, WEIGHTS_DIR, UserError, relpath
from core.config import Arch
from core.recipes import recipe_for
from core.results import of_checkpoint, read_result
from core.runs import RUN_FILE, RunDir, check_trained
from tools.handins.common import BASIC, CARD_PROGRAMS, HandIn, imported_modules, project_files, requirements_of

_files = project_files


def checked_run(folder, name, result):
    """The files of the trained configuration `name` in `folder` (paths in the project) that the hand-in packs:
    config.json, state.json, log.csv and the best checkpoint, after the checks --test makes with the same
    readers: config.json is of this configuration and records its training (check_trained), the checkpoint
    holds every variable with its shape and its data can be read (RunDir.read_checkpoint), and the result file
    `result` is the test of that checkpoint (core/results.py). Anything that does not fit is one UserError."""
    from core.explain import load_weights  # the best checkpoint's arrays, read and checked as --test reads them
    arch = Arch.parse(name)
    run = RunDir(os.path.join(PROJECT_DIR, folder), name)
    config, state = check_trained(run, arch)
    load_weights(run, state, config)
    tested = read_result(os.path.join(PROJECT_DIR, result))
    if not of_checkpoint(tested, state):
        raise UserError("{} is the test of another checkpoint of {} (best epoch {}, validation accuracy {}) than "
                        "the one in {} (best epoch {}, validation accuracy {}); test that one: {}".format(
                            result, name, tested.get("best_epoch"), tested.get("val_accuracy"), relpath(run.path),
                            state["best_epoch"], state["best_val_accuracy"], arch.command("test")))
    return [p for p in _files(os.path.join(folder, name), lambda p: RUN_FILE.match(os.path.basename(p)))
            if not os.path.basename(p).startswith("best-") or os.path.basename(p).startswith(state["best"] + ".")]


def assignment4_files(yours=()):
    """[(path in the project, path in the hand-in)] of Assignment 4, without its report and README: the
    programs, the modules of core/ they import, and for each configuration its checked run and result. The
    configurations in `yours` come from runs/ (their weights and their --test result), without seeds."""
    wanted = [(p, p) for p in CARD_PROGRAMS]
    wanted += [(p, p) for p in imported_modules(CARD_PROGRAMS)]
    runs = os.path.relpath(RUNS_DIR, PROJECT_DIR)
    for name in BASIC:
        folder, result = ((runs, os.path.join(runs, "results", name + ".json")) if name in yours else
                          ("weights", "results/{}.json".format(name)))
        if os.path.isfile(os.path.join(PROJECT_DIR, result)):  # else said below, with the other missing files
            wanted += [(p, "weights/{}/{}".format(name, os.path.basename(p)))
                       for p in checked_run(folder, name, result)]
        wanted.append((result, "results/{}.json".format(name)))
        if name in yours:
            continue
        arch = Arch.parse(name)  # the seeds behind the plot's mean
        recipe = study.recipe_of(arch.model, arch.layers[0])
        for seed in study.SEEDS:
            path = os.path.relpath(os.path.join(study.result_folder(recipe, seed), name + ".json"), PROJECT_DIR)
            wanted.append((path, path))
    wanted += [(p, p) for p in report_rows(yours)]
    wanted = [w for k, w in enumerate(wanted) if w not in wanted[:k]]  # a file two rows read, packed once
    missing = [p for p, _ in wanted if not os.path.isfile(os.path.join(PROJECT_DIR, p))]
    if missing:
        raise UserError("{} is missing (and {} more); {}".format(
            missing[0], len(missing) - 1, "test your run first: python main.py ... --test" if missing[0].startswith(
                "runs") else "restore it, or run python tools/reproduce.py --skip_training"))
    return wanted


def report_rows(yours=()):
    """The result files (paths in the project and in the hand-in alike) behind the report's rows and comparisons
    beyond the eight configurations' seeds, those there, as tools/reporting/card.py reads them; for a
    configuration in `yours` (your own run), none of the seeds it replaces."""
    from tools.reporting.card_runs import extra_files
    return [os.path.relpath(p, PROJECT_DIR).replace(os.sep, "/") for p in extra_files(RESULTS_DIR, yours)]


def report_pdf(roll, a3=None, files=()):
    """Report.pdf made for this hand-in (the roll number on the page; --a3 when given), in memory, from the
    results and logs the hand-in packs (with the baselines and the pinned runtime's seeds of results/)."""
    import shutil
    from core.outputs import dies_with_us, scratch_folder  # removed on every exit; a killed build's, by the next
    with scratch_folder("handin") as scratch:
        results, weights = os.path.join(scratch, "results"), os.path.join(scratch, "weights")
        shutil.copytree(os.path.join(PROJECT_DIR, "results"), results)
        for name in BASIC:  # only what the hand-in packs stands for these configurations, on either runtime
            arch = Arch.parse(name)
            recipe = study.recipe_of(arch.model, arch.layers[0])
            for seed in study.SEEDS:
                for runtime in study.RUNTIMES:
                    stale = os.path.join(study.result_folder(recipe, seed, results, runtime=runtime), name + ".json")
                    if os.path.isfile(stale):
                        os.remove(stale)
        for source, name in files:
            if name.startswith("results/") or name.endswith("/log.csv"):
                os.makedirs(os.path.dirname(os.path.join(scratch, name)), exist_ok=True)
                shutil.copy(os.path.join(PROJECT_DIR, source), os.path.join(scratch, name))
        out = os.path.join(scratch, "Report.pdf")
        args = [sys.executable, os.path.join(PROJECT_DIR, "tools", "make_report.py"), "--output=" + out,
                "--technical=", "--readme=", "--roll=" + roll, "--results_dir=" + results,
                "--weights_dir=" + weights] + (["--a3={}".format(a3)] if a3 is not None else [])
        proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                              preexec_fn=dies_with_us)
        if proc.returncode:
            raise UserError("the report could not be made: {}".format(proc.stderr.strip().splitlines()[-1]
                                                                       if proc.stderr.strip() else proc.returncode))
        with open(out, "rb") as f:
            return f.read()


README_A4 = """# Assignment 4: LSTM and GRU cells from scratch on row-by-row MNIST ({roll})

Hand-written LSTM and GRU cells (`cells.py`, variables through `tf.get_variable`, math through matmuls)
unrolled with `static_rnn` over the 28 rows of each image. The report is `{roll}_Report.pdf`.

## Install (Python 3.6, TensorFlow 1.5)

    python3.6 -m venv venv && . venv/bin/activate
    pip install pip==21.3.1 && pip install -r requirements.txt

MNIST's four IDX files (`.gz` or not) go in `../data`, beside this folder, or pass `--data_dir=<folder>`.

## Commands

    python main.py --model=gru --test --hidden_unit=128       # test a model in weights/ (any of 32, 64, 128, 256)
    python main.py --model='lstm' --train --hidden_unit=32    # train: writes runs/lstm_h32/, not weights/
    python main.py --model='lstm' --test --hidden_unit=32     # after --train: tests YOUR run in runs/lstm_h32/
    python main.py --model='lstm' --test --hidden_unit=32 --weights_dir=weights   # the model in weights/, always
    python plot_results.py                                    # results/accuracy_vs_hidden.png, validation_curves.png

**Which weights `--test` uses.** The trained models are in `weights/<config>/` (`weights/lstm_h32/` ...).
`--train` writes `runs/<config>/` and resumes there after an interruption; it leaves `weights/` alone. Once
`runs/<config>/` holds a checkpoint, `--test` tests that run (your own) and writes `runs/results/<config>.json`;
before, or with `--weights_dir=weights`, it tests the model in `weights/` and writes `results/<config>.json`.
`python main.py --help` lists every flag.

Each configuration was trained with three seeds; `weights/` holds the seed with the best validation
accuracy (chosen before testing), and `--test` prints its test accuracy (the report lists it, and its seed,
beside the mean over the seeds). The seeds in `weights/`: {seeds}. `--seed=<N>` trains that seed's run again, e.g.
`python main.py --model=lstm --train --hidden_unit=128 --seed={lstm128_seed}`. Training each model in `weights/`
took (TensorFlow 1.5, 2 cores shared by two trainings at a time): {times}.

{versions}

## The other result files, and the commands that make them

{result_files}

{crops}
## Files

| file | what it holds |
|---|---|
| `main.py` | the entry point and its flags |
| `cells.py` | `LSTMCell`, `GRUCell` (and a vanilla `RNNCell`), written from scratch |
| `model.py` | the cells unrolled with `static_rnn`, the classifier, loss, accuracy and train op; the MLP and CNN baselines |
| `data_loader.py` | MNIST from `../data` (or `--data_dir`), checked; the train/validation split |
| `train.py`, `evaluate.py` | training, validating every epoch and keeping the best one; the test accuracy |
| `plot_results.py` | the accuracy-against-hidden-size figure and the validation curves |
| `download_weights.py` | installs a weights archive, verified by SHA-256 |
| `core/` | what these import: the TensorFlow version switch, the unrollers, the configuration, run folders |
| `weights/` | one checkpoint folder per configuration (LSTM and GRU at 32, 64, 128, 256 units) |
| `results/` | their test results, and the files above; `plot_results.py` draws its figures here |
| `{roll}_Report.pdf` | the report |
"""


def readme():
    """README_A4 with the recipe folders' names, from core/study.py and core/recipes.py ({roll} stays for the
    builder)."""
    folders = {}
    for model in ("lstm", "gru"):
        for hidden in (32, 64, 128, 256):
            folders.setdefault(study.label(study.recipe_of(model, hidden)), []).append(
                "{}-{}".format(model.upper(), hidden))
    recipes = "; ".join("`{}` for {}".format(label, ", ".join(names)) for label, names in sorted(
        folders.items(), key=lambda item: -len(item[1])))
    general = sorted({study.label(recipe_for(Arch(m, tuple(layers)))[1]) for m, layers in study.BASELINES})
    return README_A4.format(roll="{roll}", versions=versions_text(), result_files=result_files_text(
                                recipes, "|".join(general)), crops=crop_note(),
                            seeds=", ".join("{}-{} seed {}".format(m.upper(), h, shipped_seed(m, h))
                                            for m in ("lstm", "gru") for h in (32, 64, 128, 256)),
                            lstm128_seed=shipped_seed("lstm", 128), times=training_times())


TF_NAMES = {"tf2": "TensorFlow 2.21 (the same code, through `tf.compat.v1`)", "tf1.5": "TensorFlow 1.5"}


def versions_text():
    """Which TensorFlow trained the shipped models and the report's seeds, and what the other one's runs are."""
    from tools.reporting.card_runs import other_runtime
    if study.WEIGHTS_RUNTIME == "tf1.5":
        return ("**TensorFlow versions.** The models in `weights/` and every seed behind the report's table were trained "
                "with TensorFlow 1.5, this `requirements.txt`, as the report's runtime column says. The same settings "
                "were also trained, 3 seeds each, with {}: the runtime column compares the two by the report's "
                "rule. The baselines were trained with TensorFlow 2.21.".format(TF_NAMES[other_runtime()]))
    return ("**TensorFlow versions.** The models in `weights/` were trained with TensorFlow 2.21 (through `tf.compat.v1`; "
            "the same code runs on 1.5), as the report's runtime column says. On TensorFlow 1.5 with this "
            "`requirements.txt`, `--test` of each of the eight models in `weights/` prints the same count of correct test "
            "images as the report's weights/ column (checked for all eight). Only LSTM-32 has also been trained on "
            "TensorFlow 1.5 (three seeds: the report's TF 1.5.0 row).")


def _under(runtime):
    """The folder of a runtime's seed runs below study/: none for TensorFlow 2's, tf1.5/ for 1.5's."""
    return "" if runtime == "tf2" else runtime + "/"


def result_files_text(recipes, general):
    """The table of the result files behind the report, and the commands that make one seed's."""
    from tools.reporting.card_runs import TF15_DIR, other_runtime
    here, other = _under(study.WEIGHTS_RUNTIME), _under(other_runtime())
    lstm64 = study.label(study.recipe_of("lstm", 64))
    baselines = ", ".join("`{}.json`".format(Arch(m, tuple(layers)).name) for m, layers in study.BASELINES)
    rows = ["| `results/study/{}<recipe>/seed<N>/<config>.json` | seed N (1, 2, 3) of a configuration, the "
            "report's table; `<recipe>` names its training settings: {} |".format(here, recipes),
            "| `results/study/{}/seed<N>/`: {} | the baselines at about LSTM-128's size, trained alike: an MLP (one "
            "dense ReLU layer of 103 units on all 784 pixels) and a CNN (two 3x3 convolutions, then 48 dense "
            "units) |".format(general, baselines)]
    if study.WEIGHTS_RUNTIME == "tf2":
        rows.append("| `results/{}/seed<N>/lstm_h32.json` | LSTM-32 trained on TensorFlow 1.5 |".format(TF15_DIR))
    else:
        rows.append("| `results/study/{}/seed<N>/lstm_h128.json` | LSTM-128 trained as the baselines were "
                    "(TensorFlow 2.21): what they are compared with |".format(general))
        rows.append("| `results/study/{}<recipe>/seed<N>/<config>.json` | the same settings on {}: the runtime "
                    "column's comparison |".format(other, TF_NAMES[other_runtime()]))
    text = ("The report rests on these files, each the `--test` of one run:\n\n| file | the run |\n|---|---|\n" +
            "\n".join(rows) + "\n\nSeed 2 of LSTM-64, for example; every seed run is made alike (`--train` takes "
            "the configuration's settings, and `--model=mlp --hidden_unit=103` or `--model=cnn --hidden_unit=48` the "
            "baselines'):\n\n"
            "    python main.py --model=lstm --train --hidden_unit=64 --seed=2 --weights_dir=runs/study/{0}{1}/seed2\n"
            "    python main.py --model=lstm --test --hidden_unit=64 --weights_dir=runs/study/{0}{1}/seed2 \\\n"
            "        --results_dir=results/study/{0}{1}/seed2").format(here, lstm64)
    if study.WEIGHTS_RUNTIME == "tf2":
        text += ("\n\nThose files were made with TensorFlow 2.21, as each records (`trained_with`); with this "
                 "`requirements.txt` the same commands train runs of TensorFlow 1.5 of their own. The TensorFlow 1.5 "
                 "seeds of LSTM-32, seed 1 for example:\n\n"
                 "    python main.py --model=lstm --train --hidden_unit=32 --seed=1 --weights_dir=runs/{0}/seed1\n"
                 "    python main.py --model=lstm --test --hidden_unit=32 --weights_dir=runs/{0}/seed1 \\\n"
                 "        --results_dir=results/{0}/seed1").format(TF15_DIR)
    else:
        text += ("\n\nEach records the TensorFlow that trained it (`trained_with`); with this `requirements.txt` "
                 "these commands train on TensorFlow 1.5.")
    return text


def training_times():
    """Each model in weights/: its --train wall time, from its result file ('LSTM-32 7 min, ...')."""
    times = []
    for model in ("lstm", "gru"):
        for hidden in (32, 64, 128, 256):
            result = read_result(os.path.join(RESULTS_DIR, study.basic_name(model, hidden) + ".json"))
            times.append("{}-{} {:.0f} min".format(model.upper(), hidden, result["train_seconds"] / 60.0))
    return ", ".join(times)


def shipped_seed(model, hidden):
    """The seed of the shipped run of a basic configuration, from its weights/<config>/config.json."""
    path = os.path.join(WEIGHTS_DIR, study.basic_name(model, hidden), "config.json")
    try:
        with open(path) as f:
            seed = json.load(f)["seed"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise UserError("{} cannot be read for its seed ({}); restore weights/ (download_weights.py)".format(
            relpath(path), e))
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise UserError("{}: seed {!r} is not a whole number; restore weights/ (download_weights.py)".format(
            relpath(path), seed))
    return seed


def crop_note():
    """The README's word on `crop_test_accuracy`, which the seeds' files of the recurrent models hold: its range
    in the files packed, and what it measures (data_loader.random_crops); '' where no packed file holds it."""
    import data_loader
    found = []
    for name in BASIC:
        arch = Arch.parse(name)
        found += [r["crop_test_accuracy"] for r in study.seed_results(study.recipe_of(arch.model, arch.layers[0]),
                                                                        name) if "crop_test_accuracy" in r]
    if not found:
        return ""
    return ("The seeds' files of the recurrent models also hold `crop_test_accuracy` ({:.2f}-{:.2f}): the same model "
            "on a fixed random crop of each test image ({}-{} pixels a side), its pixels read {} at a time from the "
            "crop's first row on, so that a step is no longer a row of the image (`--test --crop_test`). These models "
            "were not trained on such input, and the report does not use that figure.\n".format(
                min(found), max(found), data_loader.MIN_SIDE, data_loader.MAX_SIDE, data_loader.SIDE))


HANDIN = HandIn("a4", "Assignment 4, the card: LSTM and GRU from scratch, weights, <roll>_Report.pdf",
                "Assignment4_{roll}.zip", "Assignment4_{roll}", assignment4_files, readme,
                report="{roll}_Report.pdf", requirements=lambda: requirements_of("requirements-tf1.5.txt"))
