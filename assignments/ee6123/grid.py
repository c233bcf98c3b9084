"""Question 1's grid: the vanilla RNN, the LSTM and the GRU at 64, 128 and two layers of 64 hidden units, each
reading the 28 rows one way and both ways, three seeds each, every run trained alike (RECIPE; the cell's rate
in RATES). Each run is main.py in a subprocess, so a run killed half-way resumes from its last epoch:

    runs/ee6123/q1/seed<N>/<config>/       its checkpoints and log.csv (main.py --train)
    results/ee6123/q1/seed<N>/<config>.json its test result with the curves per epoch (main.py --test)

A run whose result is there is not trained again. The preset "tiny" (2 epochs on 2,000 images) keeps its own
folders (q1_tiny), so that a quick check never mixes with the real runs.
"""
import os
import subprocess
import sys

from core.common import UserError, log, relpath
from core.compare import MIN_SEEDS, spread, verdict
from core.config import Arch
from core.recipes import PRESETS
from core.results import read_if_there
from core.runs import RunDir

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # beside main.py
MODELS = ("rnn", "lstm", "gru")
LAYERS = ((64,), (128,), (64, 64))
SEEDS = (1, 2, 3)
# One fixed budget for every run: 10 epochs of batch 256, the rate rising over the first epoch and then falling
# to zero along a cosine; random distortions of the images and dropout 0.2; gradients clipped at norm 5.
RECIPE = {"epochs": 10, "batch_size": 256, "schedule": "cosine", "warmup": 1.0, "augment": 1.0, "dropout": 0.2,
          "clip_norm": 5.0, "l2": 0.0}
# Adam's peak rate per cell: LSTM and GRU 0.01, the rate this budget was set with for them beforehand (on
# validation); the vanilla RNN's chosen on validation here (q1.py --rates: one seed of the 128-unit one-way model).
RATES = {"rnn": 0.003, "lstm": 0.01, "gru": 0.01}
NAMES = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}


def rows():
    """[(model, layers, bidirectional)] in the report's order."""
    return [(m, layers, bi) for m in MODELS for layers in LAYERS for bi in (False, True)]


def title(model, layers, bidirectional):
    """'LSTM 64,64 bidirectional'."""
    return "{} {}{}".format(NAMES[model], ",".join(map(str, layers)), " bidirectional" if bidirectional else "")


def recipe(model, tiny=False):
    """The settings every run of this cell is trained with (as its result file records them)."""
    chosen = dict(RECIPE, learning_rate=RATES[model])
    if tiny:
        chosen.update(PRESETS["tiny"])
    return chosen


def folders(tiny=False):
    """(runs folder, results folder) of the grid, each holding seed<N>/."""
    part = "q1_tiny" if tiny else "q1"
    return os.path.join(ROOT, "runs", "ee6123", part), os.path.join(ROOT, "results", "ee6123", part)


def _arch_flags(model, layers, bidirectional):
    return ["--model=" + model, "--hidden_unit=" + ",".join(map(str, layers))] + (
        ["--bidirectional"] if bidirectional else [])


def train_flags(model, layers, bidirectional, seed, tiny=False, rate=None):
    """main.py's flags for one run: the whole recipe spelled out on top of the plain defaults."""
    settings = dict(RECIPE, learning_rate=RATES[model] if rate is None else rate)
    if tiny:
        del settings["epochs"]  # the preset's 2 epochs
    return _arch_flags(model, layers, bidirectional) + ["--train", "--recipe=plain", "--seed={}".format(seed)] + [
        "--{}={}".format(k, settings[k]) for k in sorted(settings)] + (["--preset=tiny"] if tiny else [])


def check(result, path, model, seed, tiny=False):
    """The result, if it was trained with this grid's recipe and seed; else a UserError naming the difference."""
    wanted = dict(recipe(model, tiny), seed=seed)
    config = result.get("config") if isinstance(result.get("config"), dict) else {}
    for key, value in sorted(wanted.items()):
        if config.get(key) != value:
            raise UserError("{} was trained with {}={!r}, not this grid's {!r}; move it out of {} (or train "
                            "into another folder) and run again".format(relpath(path), key, config.get(key), value,
                                                                       relpath(os.path.dirname(path))))
    return result


def result_path(results_dir, seed, name):
    return os.path.join(results_dir, "seed{}".format(seed), name + ".json")


def done(model, layers, bidirectional, seed, tiny=False):
    """The run's checked result, or None while it is still to train or test. A result older than its run's
    best checkpoint (the run was trained on after it was tested) counts as not there."""
    runs_dir, results_dir = folders(tiny)
    name = Arch(model, tuple(layers), bidirectional).name
    path = result_path(results_dir, seed, name)
    result = read_if_there(path)
    if result is None:
        return None
    run = RunDir(os.path.join(runs_dir, "seed{}".format(seed)), name)
    state = run.load_state() if os.path.isdir(run.path) else None
    if state and (not state.get("finished") or state.get("best_epoch") != result.get("best_epoch")):
        return None
    return check(result, path, model, seed, tiny)


CHILD_GRACE = 10  # seconds main.py has to stop by itself after a Ctrl-C, before it is told to


def _main(args):
    """main.py with these flags, its output shown as it comes. If it fails or is interrupted, this program ends
    with its status and adds nothing: main.py's one error line says what happened and what to do."""
    child = subprocess.Popen([sys.executable, os.path.join(ROOT, "main.py")] + args, cwd=ROOT)
    try:
        status = child.wait()
    except KeyboardInterrupt:
        # Ctrl-C reaches main.py too, which stops at once and says so; a kill of this program alone is passed on.
        try:
            status = child.wait(timeout=CHILD_GRACE)
        except subprocess.TimeoutExpired:
            child.terminate()
            status = child.wait()
        status = status if status > 0 else 130
    if status:
        raise SystemExit(status)


def run(model, layers, bidirectional, seed, data_dir, tiny=False):
    """Train (or resume) and test one seed of one row, unless its result is already there."""
    if done(model, layers, bidirectional, seed, tiny):
        return False
    runs_dir, results_dir = folders(tiny)
    name = Arch(model, tuple(layers), bidirectional).name
    weights = os.path.join(runs_dir, "seed{}".format(seed))
    where = ["--data_dir=" + data_dir, "--weights_dir=" + weights]
    state = RunDir(weights, name).load_state() if os.path.isdir(os.path.join(weights, name)) else None
    what = "{} seed {}".format(title(model, layers, bidirectional), seed)
    if not (state and state.get("finished")):
        log("training {}".format(what))
        _main(train_flags(model, layers, bidirectional, seed, tiny) + where +
              ["--logs_dir=" + os.path.join(weights, "logs")])
    log("testing {}".format(what))
    _main(_arch_flags(model, layers, bidirectional) + ["--test", "--results_dir=" + os.path.join(
        results_dir, "seed{}".format(seed))] + where)
    return True


def rates_file(tiny=False):
    return os.path.join(folders(tiny)[1] + "_rates.json")


def try_rate(model, layers, bidirectional, seed, rate, data_dir, tiny=False, before=None):
    """Train one row at another peak rate, on validation only (its test images are never read), and record its
    best validation accuracy in results/ee6123/q1_rates.json (a rate already there is not trained again)."""
    from core.common import atomic_write_json, read_json
    path = rates_file(tiny)
    kept = read_json(path) if os.path.isfile(path) else []
    key = dict(model=model, layers=list(layers), bidirectional=bidirectional, seed=seed, learning_rate=rate)
    if not isinstance(kept, list) or not all(isinstance(k, dict) for k in kept):
        raise UserError("{} is not a list of records; delete it and run again".format(relpath(path)))
    if any(all(k.get(f) == v for f, v in key.items()) for k in kept):
        return False
    if before:
        before()  # e.g. the caller's check of the data folder, only where something is trained
    name = Arch(model, tuple(layers), bidirectional).name
    weights = os.path.join(folders(tiny)[0] + "_rates", "rate{:g}".format(rate), "seed{}".format(seed))
    what = "{} seed {} at rate {:g}".format(title(model, layers, bidirectional), seed, rate)
    run = RunDir(weights, name)
    if not (os.path.isdir(run.path) and (run.load_state() or {}).get("finished")):
        log("training " + what)
        _main(train_flags(model, layers, bidirectional, seed, tiny, rate) + [
            "--data_dir=" + data_dir, "--weights_dir=" + weights, "--logs_dir=" + os.path.join(weights, "logs")])
    state, config = run.load_state(), run.load_config()
    if config.recipe.learning_rate != rate or config.recipe.seed != seed:
        raise UserError("{} holds a run at rate {:g}, seed {}; move it aside and run again".format(
            relpath(run.path), config.recipe.learning_rate, config.recipe.seed))
    kept.append(dict(key, val_accuracy=state["best_val_accuracy"], best_epoch=state["best_epoch"],
                     train_seconds=round(state["train_seconds"], 1), recipe=config.recipe.recorded(),
                     machine=config.trained.machine, tensorflow=config.trained.tf_version))
    atomic_write_json(path, sorted(kept, key=lambda k: (k["model"], k["layers"], k["seed"], -k["learning_rate"])))
    return True


def load_rates(tiny=False):
    """The records of the rates tried (try_rate), highest rate first; [] before any."""
    from core.common import read_json
    path = rates_file(tiny)
    kept = read_json(path) if os.path.isfile(path) else []
    if not isinstance(kept, list) or not all(isinstance(k, dict) and isinstance(k.get("val_accuracy"), float)
                                             for k in kept):
        raise UserError("{} is not a list of rate records; delete it and run q1.py --rates again".format(
            relpath(path)))
    return kept


def load(tiny=False):
    """[{"model", "layers", "bidirectional", "name", "title", "runs": the checked results of the seeds tested}]
    for every row, in rows() order; only seeds of SEEDS and any further seed<N> folders count."""
    _, results_dir = folders(tiny)
    seeds = sorted(set(SEEDS) | {int(d[4:]) for d in (os.listdir(results_dir) if os.path.isdir(results_dir) else [])
                                 if d.startswith("seed") and d[4:].isdigit()})
    entries = []
    for model, layers, bi in rows():
        name = Arch(model, layers, bi).name
        runs = []
        for seed in seeds:
            path = result_path(results_dir, seed, name)
            result = read_if_there(path)
            if result is not None:
                runs.append(check(result, path, model, seed, tiny))
        entries.append({"model": model, "layers": layers, "bidirectional": bi, "name": name,
                        "title": title(model, layers, bi), "runs": runs})
    return entries


def accuracies(entry, key="test_accuracy"):
    return [r[key] for r in entry["runs"]]


def ranked(entries):
    """The rows with at least MIN_SEEDS seeds, best mean test accuracy first, each with its rank: one more than
    the number of rows higher than it by the comparison rule (rows no rule separates share a rank)."""
    full = [e for e in entries if len(e["runs"]) >= MIN_SEEDS]
    out = []
    for e in full:
        above = [o["title"] for o in full if o is not e and verdict(accuracies(o), accuracies(e)) == "higher"]
        out.append(dict(e, rank=1 + len(above), above=above, mean=spread(accuracies(e))[0]))
    return sorted(out, key=lambda e: (e["rank"], -e["mean"]))


def missing(entries):
    """[(row title, seeds still to train)] of the rows with fewer than MIN_SEEDS seeds tested."""
    return [(e["title"], [s for s in SEEDS if s not in {r["config"]["seed"] for r in e["runs"]}])
            for e in entries if len(e["runs"]) < MIN_SEEDS]


def command(model, layers, bidirectional):
    """The command that trains and tests one row, as the README and the report give it."""
    return "python3 q1.py --model {} --bi {} -l {}".format(NAMES[model], int(bidirectional),
                                                          ",".join(map(str, layers)))
