"""The assignment that forbids TensorFlow's RNN API ("Assignment 3", an LSTM on MNIST read row by row): the
programs and the part of core/ they import, without the two unrollers that call TensorFlow's RNN function (so
`--unroll=loop`, a Python loop, is the only one there), and one loop-trained model per Part of the sheet, each
with its checkpoint, its result file, its timestamped log and its TensorBoard files.

Part 1's one-layer model is kept apart, in weights/no_rnn_api/ and results/no_rnn_api/: its name, lstm_h128,
is also that of Assignment 4's LSTM-128 in weights/, trained otherwise (fast unroller, shuffled split). The zip
packs it as weights/lstm_h128/, so `--test --hidden_unit=128` finds it there.
"""
import json
import os
from dataclasses import dataclass, fields

from core.common import PROJECT_DIR, UserError, relpath
from core.config import Arch, Config, Recipe
from core.runs import RUN_FILE
from tools.handins.common import HandIn, imported_modules, project_files, requirements_of

PROGRAMS = ("main.py", "cells.py", "model.py", "data_loader.py", "train.py", "evaluate.py")
LEFT_OUT = ("core/unroll_fast.py", "core/unroll_plain.py")  # the two unrollers that call TensorFlow's RNN function


@dataclass(frozen=True)
class Shipped:
    """A model the hand-in ships for one Part of the sheet: its architecture, the project folder holding its
    checkpoint folder <name>/, and the one holding its result <name>.json and <name>_training/ (the training
    log and TensorBoard files)."""
    part: str
    arch: Arch
    weights: str
    results: str
    # True where its train.log was written in another folder layout than the hand-in's, by earlier code: the
    # folders it names for MNIST and the checkpoint are those of the machine that trained it (a log is a record:
    # it is not edited). Part 1's was written in a folder laid out as the hand-in, by its README's command.
    logged_elsewhere: bool = False

    @property
    def name(self):
        return self.arch.name

    def result(self):
        with open(os.path.join(PROJECT_DIR, self.results, self.name + ".json")) as f:
            return json.load(f)

    def config(self):
        with open(os.path.join(PROJECT_DIR, self.weights, self.name, "config.json")) as f:
            return Config.from_json(json.load(f))


# Part 1's size was chosen on validation (tools/handins/no_rnn_api_choice.py wrote CHOICE; a test checks they agree).
CHOICE = "results/no_rnn_api/size_choice.json"
PART1 = Shipped("Basic implementation (Part 1)", Arch("lstm", (128,)), "weights/no_rnn_api", "results/no_rnn_api")
PART2 = Shipped("Additional features (Part 2)", Arch("lstm", (64, 64), crop_augment=True), "weights", "results",
                logged_elsewhere=True)
MODELS = (PART1, PART2)


def _checked(model):
    """The model's files [(path in the project, path in the zip)], or one UserError naming what is missing."""
    folder = os.path.join(model.weights, model.name)
    state_path = os.path.join(PROJECT_DIR, folder, "state.json")
    try:
        with open(state_path) as f:
            best = json.load(f).get("best")
    except (OSError, ValueError, AttributeError):
        best = None
    weights = project_files(folder, lambda p: RUN_FILE.match(os.path.basename(p))) if best else []
    logs = project_files(os.path.join(model.results, model.name + "_training"))
    needed = [os.path.join(folder, n) for n in ("config.json", "state.json", "log.csv")] + \
        ["{}/{}.index".format(folder, best)] if best else [state_path]
    needed.append(os.path.join(model.results, model.name + ".json"))
    absent = [p for p in needed if not os.path.isfile(os.path.join(PROJECT_DIR, p))]
    absent += [] if any("/events.out.tfevents" in p for p in logs) else [model.results + "/" + model.name +
                                                                         "_training/events.out.tfevents.*"]
    absent += [] if any(p.endswith("/train.log") for p in logs) else [model.results + "/" + model.name +
                                                                      "_training/train.log"]
    if absent or not any(".data-" in p for p in weights):
        raise UserError("the no-RNN-API hand-in ships {} for its {}, but {} is missing (or the folder has no best "
                        "checkpoint); train {} with --unroll=loop --validation_split=first --weights_dir={}, then "
                        "--test it with --weights_dir={} --results_dir={}".format(
                            model.name, model.part, relpath(os.path.join(PROJECT_DIR, absent[0] if absent else
                                                                         folder)), model.name, model.weights,
                            model.weights, model.results))
    return [(p, "weights/{}/{}".format(model.name, os.path.basename(p))) for p in weights] + \
        [(os.path.join(model.results, model.name + ".json"), "results/{}.json".format(model.name))] + \
        [(p, "training_logs/{}/{}".format(model.name, os.path.basename(p))) for p in logs]


def no_rnn_api_files(yours=()):
    """The programs, the part of core/ they import (without the two unrollers that call TensorFlow's RNN
    function) and each Part's model."""
    core = [p for p in imported_modules(PROGRAMS) if p not in LEFT_OUT]
    wanted = [(p, p) for p in PROGRAMS + tuple(core)]
    for model in MODELS:
        wanted += _checked(model)
    if not os.path.isfile(os.path.join(PROJECT_DIR, CHOICE)):
        raise UserError("the no-RNN-API hand-in packs {}, which is missing; python tools/handins/no_rnn_api_choice.py "
                        "--runs=<its runs' folder> writes it".format(CHOICE))
    return wanted + [(CHOICE, "results/size_choice.json")]


def train_command(model):
    """The command that trained the model: --recipe=plain and the flag of every recipe field whose recorded
    value (its config.json) is not the plain default, so the command shows the whole recipe and reproduces
    it whatever recipe main.py records for the architecture."""
    config, plain = model.config(), Recipe()
    flags = ["--{}={}".format(f.name, _flag_value(getattr(config.recipe, f.name))) for f in fields(Recipe)
             if f.name not in ("towers", "train_examples") and getattr(config.recipe, f.name) != getattr(plain, f.name)]
    return " ".join(["python", "main.py"] + model.arch.main_args("train") + ["--unroll=" + config.unroll,
                                                                            "--recipe=plain"] + flags)


def _flag_value(value):
    return value if isinstance(value, str) else "{:g}".format(value)


def trained_with(model):
    """The recipe in words, from config.json: the optimiser and its schedule, the regularisation, and what
    validation reads."""
    from tools.reporting.card import optimiser
    from tools.reporting.text import augmentation
    config = model.config().to_json()
    words = [augmentation(config["augment"])] if config.get("augment") else []
    words += ["dropout {:g} on the non-recurrent connections".format(config["dropout"])] if config.get("dropout") else []
    words += ["weight decay {:g}".format(config["l2"])] if config.get("l2") else []
    return ("Trained with {}, gradients clipped at global norm {:g}; regularised by {}. Validation reads the "
            "{:,} validation images whole{}.").format(
        optimiser(config).replace("\n", " "), config["clip_norm"], "; ".join(words) or "nothing",
        config["validation_size"], ", uncropped (the crops are drawn for training only)" if config.get("crop_augment")
        else "")


def measured(model):
    """What the model's result file records, in a line."""
    r, machine = model.result(), model.result()["trained_with"].get("machine", {})
    line = ("test accuracy {:.2%} ({:,} of {:,}); the checkpoint is epoch {} of {}, chosen on validation: "
            "{:.2%} validation accuracy").format(r["test_accuracy"], r["test_correct"], r["test_count"],
                                                 r["best_epoch"], r["epochs_run"], r["val_accuracy"])
    if "crop_test_accuracy" in r:
        line += "; on the cropped test images, read as streams of 21-28 steps: {:.2%}".format(r["crop_test_accuracy"])
    return line + ". {:,} parameters, trained in {:.0f} s on {} (TensorFlow {}).".format(
        r["parameters"], r["train_seconds"], machine.get("processor", "a processor not recorded"),
        r["trained_with"]["tensorflow"])


README = """# An LSTM in TensorFlow without its RNN API ({roll})

Hand-written LSTM cells (`cells.py`: variables through `tf.get_variable`, gates through matmuls) unrolled by a
plain Python loop over the time steps (`core/unroll.py`'s `Loop`, `--unroll=loop`, the only unroller here): no
file in this folder uses TensorFlow's RNN API. MNIST's four IDX files go in `../data`; the first 5,000 training
images validate (`--validation_split=first`): the 5,000 that TensorFlow's own MNIST reader holds out
(TensorFlow 1.5's `tensorflow.examples.tutorials.mnist.input_data.read_data_sets(..., validation_size=5000)`
gives the same 55,000 training and 5,000 validation images). The model is validated after every epoch and the
best checkpoint on validation is kept. The loss is the cross entropy of
the softmax over the 10 classes, trained on minibatches with Adam.

    pip install -r requirements.txt

## 3 {part1}

A one-layer LSTM reads the image row by row (28 steps of 28 pixels); its last hidden state goes through a
linear layer to the 10 classes' logits. `weights/{name1}/` is its checkpoint. Its size was chosen on validation
alone: {choice}

    {test1}
    {train1}

{trained1}

Measured: {measured1}

## 4 {part2}

Random crops of 24-28 pixels a side, each read as one stream of pixels cut into steps of 28 (the last step
zero-padded: 21-28 steps, `--crop_augment`); the hidden state at each example's last real step is the one
classified. The LSTM is deep: `--hidden_unit` takes one size per layer (`64,64`), or one size with
`--num_layers=N`. `weights/{name2}/` is its checkpoint.

    {test2}
    {train2}

{trained2}

Measured: {measured2}

## 5 Logs

`--train` prints a log with timestamps (train and validation loss and accuracy per epoch) and writes the
checkpoints to `runs/<model>/`, the same per epoch as a table to `runs/<model>/log.csv` and TensorBoard files to
`logs/<model>/`. For each model here, `training_logs/<model>/train.log` is that printed log, saved with
`2>&1 | tee train.log` when it was trained with the settings of the command above, and `training_logs/<model>/` also holds its TensorBoard
files; its checkpoint folder was then copied from `runs/<model>/` to `weights/<model>/`
(`weights/MANIFEST.sha256` lists each weights file's SHA-256: `cd weights && sha256sum -c MANIFEST.sha256`
checks them). `--test` prints the kept
checkpoint's validation error beside the test accuracy; once you have trained a model yourself, `--test` reads
your run in `runs/` (it says so), and `--weights_dir=weights` tests the one here. `tensorboard --logdir training_logs` shows the
training and validation loss and accuracy, the gradient norm and the learning rate.{elsewhere}

## 7 Additional solution features

Gradient clipping by global norm (`--clip_norm`, the norm in TensorBoard), dropout on the non-recurrent
connections only (`--dropout`, as in arXiv 1409.2329), deep bidirectional LSTMs (`--bidirectional`).
`python main.py --help` lists every flag.
"""


def choice_text():
    """The size choice in words, from its record."""
    with open(os.path.join(PROJECT_DIR, CHOICE)) as f:
        c = json.load(f)
    sizes = sorted({r["hidden_unit"] for r in c["runs"]})
    seeds = sorted({r["seed"] for r in c["runs"]})
    return ("{} seeds each of {} units (`results/size_choice.json`, each run `{}`); {}. Mean validation "
            "accuracy: {}. Chosen: {} units, "
            "the smallest size that does not differ from the best (two sizes differ only when their means are "
            "further apart than their two standard deviations added); the model here is its seed 1, trained "
            "again.").format(
        len(seeds), ", ".join(str(s) for s in sizes), c["command"], c["verdict"],
        ", ".join("{} units {:.2%}".format(s, c["mean_val_accuracy"][str(s)]) for s in sizes), c["chosen"])


def readme():
    elsewhere = [m for m in MODELS if m.logged_elsewhere]
    text = {"choice": choice_text(), "elsewhere": "".join(
        " `training_logs/{0}/train.log` was written where that model was trained, by an earlier version of this "
        "code: the folders it names for MNIST and the checkpoint are that machine's (here `../data` and "
        "`weights/{0}/`), and some lines differ in wording from what `--train` prints now.".format(m.name)
        for m in elsewhere)}
    for k, model in enumerate(MODELS, 1):
        text.update({"part{}".format(k): model.part, "name{}".format(k): model.name,
                     "test{}".format(k): model.arch.command("test"), "train{}".format(k): train_command(model),
                     "measured{}".format(k): measured(model), "trained{}".format(k): trained_with(model)})
    return README.replace("{roll}", "\0").format(**text).replace("\0", "{roll}")


HANDIN = HandIn("no-rnn-api", "the TensorFlow LSTM without TensorFlow's RNN API: Part 1's one-layer LSTM and "
                "Part 2's deep crop model, both loop-trained", "{roll}_lstm_without_rnn_api.zip",
                "{roll}_lstm_without_rnn_api", no_rnn_api_files, readme,
                requirements=lambda: requirements_of("requirements.txt"))
