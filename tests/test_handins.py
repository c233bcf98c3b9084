"""The other assignments' hand-ins, each unpacked alone into an empty folder and run as its grader runs it."""
import json
import os
import re
import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT, assert_one_line_error

pytestmark = pytest.mark.slow
RNN_API_CALL = re.compile(r"\b(static_rnn|dynamic_rnn|static_bidirectional_rnn|bidirectional_dynamic_rnn)\s*\(")


def build(tmp_path, assignment, roll="R42"):
    out = str(tmp_path / "handin.zip")
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "handin.py"), "--roll=" + roll,
                           "--assignment=" + assignment, "--output=" + out], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True)
    assert proc.returncode == 0, proc.stderr
    empty = tmp_path / "grader"
    empty.mkdir()
    with zipfile.ZipFile(out) as z:
        z.extractall(str(empty))
        names = z.namelist()
    (folder,) = {n.split("/")[0] for n in names}
    return empty / folder, names


def beside_data(folder, real_mnist):
    data = folder.parent / "data"
    data.mkdir()
    for name in os.listdir(real_mnist):  # the assignment's ../data, beside the folder
        os.symlink(os.path.join(real_mnist, name), str(data / name))


def run(folder, *args):
    return subprocess.run([sys.executable] + list(args), cwd=str(folder), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=900)


def test_the_no_rnn_api_handin_calls_no_rnn_function_and_runs_its_loop_trained_model(tmp_path, real_mnist):
    folder, names = build(tmp_path, "no-rnn-api")
    assert folder.name == "R42_lstm_without_rnn_api"
    for name in names:
        if name.endswith(".py"):
            text = (tmp_path / "grader" / name).read_text()
            assert not RNN_API_CALL.search(text), name
    assert not (folder / "core" / "fast.py").exists() and not (folder / "core" / "static.py").exists()
    with open(str(folder / "weights" / "lstm_h64-64_crop" / "config.json")) as f:
        config = json.load(f)
    assert config["unroll"] == "loop" and config["validation_split"] == "first" and config["crop_augment"]
    assert (folder / "training_logs" / "train.log").is_file()
    assert any(n.split("/")[-1].startswith("events.out.tfevents") for n in names)
    beside_data(folder, real_mnist)
    with open(os.path.join(ROOT, "results", "lstm_h64-64_crop.json")) as f:
        shipped = json.load(f)
    test = run(folder, "main.py", "--model=lstm", "--hidden_unit=64,64", "--crop_augment", "--test")
    assert test.returncode == 0, test.stderr
    assert "{:,} of 10,000".format(shipped["test_correct"]) in test.stdout and "validation error" in test.stdout
    train = run(folder, "main.py", "--model=lstm", "--hidden_unit=8,8", "--crop_augment", "--train",
                "--preset=tiny", "--validation_split=first")
    assert train.returncode == 0 and "finished lstm_h8-8_crop" in train.stdout, train.stderr
    with open(str(folder / "runs" / "lstm_h8-8_crop" / "config.json")) as f:
        assert json.load(f)["unroll"] == "loop"  # the default of a copy without the RNN API's unrollers
    fast = run(folder, "main.py", "--model=lstm", "--hidden_unit=8", "--train", "--preset=tiny", "--unroll=fast")
    assert_one_line_error(fast.returncode, fast.stderr, "--unroll=loop")


def test_an_unknown_assignment_is_one_line(tmp_path):
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "handin.py"), "--roll=R42",
                           "--assignment=nope", "--output=" + str(tmp_path / "x.zip")], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True)
    assert_one_line_error(proc.returncode, proc.stderr, "--assignment", "a4")
    assert not os.listdir(str(tmp_path))
