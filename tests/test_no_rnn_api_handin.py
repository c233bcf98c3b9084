"""The no-RNN-API hand-in as its grader gets it: built from a copy of the project without .git, unpacked alone
into an empty folder (MNIST in ../data beside it), grepped for TensorFlow's RNN functions, and run there with
this runtime's Python (the modern `.venv` or the pinned `.venv36`): Part 1's one-layer LSTM must test at 97% or
more, with the numbers its result file and the README give."""
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT, assert_one_line_error
from tools.handins import no_rnn_api

pytestmark = pytest.mark.slow
FORBIDDEN = (b"static_rnn", b"dynamic_rnn", b"contrib.rnn")  # what a grader greps for, in any file
PART1, PART2 = no_rnn_api.PART1.name, no_rnn_api.PART2.name


def copy_project(tmp_path, leave_out=()):
    """The project as a downloaded archive has it (no .git, no runs or virtual environments), less `leave_out`."""
    copy = tmp_path / "project"
    shutil.copytree(ROOT, str(copy), ignore=shutil.ignore_patterns(".git", ".venv*", "runs", "logs", "__pycache__",
                                                                   "*.zip", ".pytest_cache"))
    for path in leave_out:
        shutil.rmtree(str(copy / path))
    return copy


def build(copy, output):
    return subprocess.run([sys.executable, os.path.join(str(copy), "tools", "handin.py"), "--roll=R42",
                           "--assignment=no-rnn-api", "--output=" + output], cwd=str(copy), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=600)


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory):
    """(the hand-in's folder, [(name in the folder, bytes)]), unpacked alone into an empty folder."""
    tmp = tmp_path_factory.mktemp("no_rnn_api")
    out = str(tmp / "handin.zip")
    proc = build(copy_project(tmp), out)
    assert proc.returncode == 0, proc.stderr
    grader = tmp / "grader"
    grader.mkdir()
    with zipfile.ZipFile(out) as z:
        z.extractall(str(grader))
        files = [(n.split("/", 1)[1], z.read(n)) for n in z.namelist() if not n.endswith("/")]
    (folder,) = os.listdir(str(grader))
    return grader / folder, files


def run(folder, *args):
    return subprocess.run([sys.executable, "main.py"] + list(args), cwd=str(folder), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=900)


def test_no_file_in_the_zip_names_tensorflows_rnn_functions(unpacked):
    folder, files = unpacked
    assert folder.name == "R42_lstm_without_rnn_api"
    named = [(name, word) for name, data in files for word in FORBIDDEN if word in data.lower()]
    assert not named, named  # checkpoints, logs and TensorBoard files included: a grader's grep reads them too
    assert not {"core/unroll_fast.py", "core/unroll_plain.py"} & {name for name, _ in files}
    # nor, in its code and text, the unrollers it lacks, TensorFlow's RNN function or its sequence_length
    absent = (b"rnn function", b"sequence_length", b"unroll_fast", b"unroll_plain", b"--unroll=fast",
              b"--unroll=plain")
    named = [(name, word) for name, data in files if name.endswith((".py", ".md")) for word in absent
             if word in data.lower()]
    assert not named, named


def test_every_path_the_zips_files_name_is_inside_it(unpacked):
    from test_handin_paths import missing  # the one reader of named paths, shared by every hand-in's check
    assert not missing(unpacked[1])


def test_each_part_ships_a_loop_trained_model_on_tensorflows_split_with_its_logs(unpacked):
    folder, files = unpacked
    names = {name for name, _ in files}
    with open(str(folder / "results" / "size_choice.json")) as f:
        chosen = json.load(f)["chosen"]  # Part 1's size, chosen on validation
    for name, layers, crops in ((PART1, [chosen], False), (PART2, [64, 64], True)):
        with open(str(folder / "weights" / name / "config.json")) as f:
            config = json.load(f)
        assert (config["layers"], config["crop_augment"]) == (layers, crops), name
        assert (config["unroll"], config["validation_split"], config["validation_size"]) == ("loop", "first", 5000)
        assert "training_logs/{}/train.log".format(name) in names
        assert any(n.startswith("training_logs/{}/events.out.tfevents".format(name)) for n in names), name
        assert "results/{}.json".format(name) in names
    with open(str(folder / "weights" / PART1 / "state.json")) as f:
        best = json.load(f)["best"]
    with open(str(folder / "training_logs" / PART1 / "train.log")) as f:
        log = f.read()
    assert re.match(r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] ", log) and "epoch 1/" in log and "validation" in log
    assert "best validation accuracy" in log and best.startswith("best-")


def test_each_log_names_the_handins_folders_or_the_readme_says_whose_they_are(unpacked):
    """A log is a record, never edited: a model trained in the hand-in's own layout, by its README's command, has a
    log naming ../data and runs/<model> (where --train writes; the README says the checkpoint was copied from there
    to weights/), no unroller the folder lacks, and the closing hint main.py prints now; one trained elsewhere is
    said so, in one README sentence."""
    folder, _ = unpacked
    readme = " ".join((folder / "README.md").read_text().split())
    for model in no_rnn_api.MODELS:
        with open(str(folder / "training_logs" / model.name / "train.log")) as f:
            log = f.read()
        data, weights = re.findall(r"MNIST from (\S+?),", log), re.findall(r"weights in (\S+)$", log, re.M)
        here = data == ["../data"] and weights == ["runs/" + model.name]
        assert here != model.logged_elsewhere, (model.name, data, weights)
        assert not here or "fast" not in log, model.name
        assert not here or log.rstrip().endswith("next: " + model.arch.command("test")), model.name
        said = "`training_logs/{}/train.log` was written where that model was trained".format(model.name) in readme
        assert said == model.logged_elsewhere, model.name
    assert not no_rnn_api.PART1.logged_elsewhere  # Part 1 was trained again in the hand-in's layout
    assert "copied from `runs/<model>/` to `weights/<model>/`" in readme


def test_part1_tests_at_97_percent_or_more_where_unpacked_with_the_readmes_numbers(unpacked, real_mnist):
    folder, _ = unpacked
    data = folder.parent / "data"
    if not data.exists():
        data.mkdir()
        for name in os.listdir(real_mnist):  # the assignment's ../data, beside the folder
            os.symlink(os.path.join(real_mnist, name), str(data / name))
    readme = (folder / "README.md").read_text()
    tests = [line.strip().split()[2:] for line in readme.splitlines() if line.strip().startswith("python main.py")
             and " --test" in line]
    assert len(tests) == 2, tests  # one per Part, run as the README gives them
    for args, name in zip(tests, (PART1, PART2)):
        with open(str(folder / "results" / (name + ".json"))) as f:
            shipped = json.load(f)
        proc = run(folder, *args)
        assert proc.returncode == 0, proc.stderr
        with open(str(folder / "results" / (name + ".json"))) as f:
            measured = json.load(f)  # --test writes the shipped folder's record (unchanged if equal)
        assert measured["test_correct"] == shipped["test_correct"], (name, measured["tested_with"])
        assert "{:.2%}".format(measured["test_accuracy"]) in proc.stdout
        assert "{:.2%} validation accuracy".format(shipped["val_accuracy"]) in proc.stdout
        assert "test accuracy {:.2%} ({:,} of 10,000)".format(shipped["test_accuracy"], shipped["test_correct"]) \
            in readme
    with open(str(folder / "results" / (PART1 + ".json"))) as f:
        assert json.load(f)["test_accuracy"] >= 0.97


def test_the_unpacked_folder_trains_with_the_loop_only(unpacked, real_mnist):
    folder, _ = unpacked
    train = run(folder, "--model=lstm", "--hidden_unit=8,8", "--crop_augment", "--train", "--preset=tiny",
                "--validation_split=first", "--data_dir=" + real_mnist)
    assert train.returncode == 0 and "finished lstm_h8-8_crop" in train.stdout, train.stderr
    with open(str(folder / "runs" / "lstm_h8-8_crop" / "config.json")) as f:
        assert json.load(f)["unroll"] == "loop"  # the default, and the only unroller there
    helped = run(folder, "--help")
    assert helped.returncode == 0
    unroll = helped.stdout[helped.stdout.index("--unroll:"):].split("(default")[0]
    offered = re.findall(r"(\w+) \(", unroll.replace("\n", " "))  # "loop (a plain Python loop ...)"
    assert offered == ["loop"], unroll
    fast = run(folder, "--model=lstm", "--hidden_unit=8", "--train", "--preset=tiny", "--unroll=fast")
    assert_one_line_error(fast.returncode, fast.stderr, "unknown --unroll='fast'; the unrollers here are loop")


@pytest.mark.parametrize("gone", ["weights/" + PART2, "weights/no_rnn_api/" + PART1,
                                  "results/no_rnn_api/{}_training".format(PART1)])
def test_a_missing_model_is_one_error_line_and_no_zip(tmp_path, gone):
    copy = copy_project(tmp_path, leave_out=[gone])
    out = tmp_path / "handin.zip"
    proc = build(copy, str(out))
    assert_one_line_error(proc.returncode, proc.stderr, gone.split("/")[-1].replace("_training", ""))
    assert not out.exists()


def test_the_first_split_is_the_one_tensorflows_own_mnist_reader_holds_out(real_mnist):
    """Where the runtime has TensorFlow's MNIST reader (TensorFlow 1.5): its 5,000 validation images and labels,
    and the 55,000 it trains on, are the project's --validation_split=first."""
    pytest.importorskip("tensorflow.examples.tutorials.mnist", reason="TensorFlow 2 has no MNIST reader")
    import data_loader
    from core.tfcompat import tf  # noqa: F401  (TensorFlow's notices silenced first)
    from tensorflow.examples.tutorials.mnist import input_data
    theirs = input_data.read_data_sets(real_mnist, validation_size=5000)
    images, labels = data_loader.load_split(real_mnist, "train")
    (train_x, train_y), (val_x, val_y) = data_loader.train_validation_split(images, labels, 5000, "first")
    for ours_x, ours_y, split in ((train_x, train_y, theirs.train), (val_x, val_y, theirs.validation)):
        assert (ours_y == split.labels).all()
        assert abs(ours_x.reshape(len(ours_x), 784) - split.images).max() < 1e-6


@pytest.mark.parametrize("model", no_rnn_api.MODELS, ids=lambda m: m.name)
def test_the_readmes_training_command_gives_the_recorded_recipe_and_its_words_say_it(model):
    from dataclasses import fields
    from core.config import Arch, Config, Recipe
    command = no_rnn_api.train_command(model).split()
    flags = dict(f[2:].split("=", 1) for f in command if f.startswith("--") and "=" in f)
    assert flags.pop("recipe") == "plain" and flags.pop("unroll") == "loop"
    types = {f.name: f.type for f in fields(Recipe)}
    overrides = {k: types[k](v) for k, v in flags.items() if k in types}
    made = Config.make(Arch.parse(model.name), overrides, recipe="plain", unroll="loop").recipe
    recorded = model.config().recipe
    for f in fields(Recipe):
        if f.name not in ("towers", "train_examples"):
            assert getattr(made, f.name) == getattr(recorded, f.name), f.name
    words = no_rnn_api.trained_with(model)
    assert ("dropout {:g}".format(recorded.dropout) in words) == bool(recorded.dropout)
    assert ("random affine distortions" in words) == bool(recorded.augment)
    assert ("uncropped" in words) == model.arch.crop_augment
