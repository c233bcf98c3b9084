"""Files the programs read are checked before anything acts on them (#40): checkpoints under --explain and
tools/export_weights.py as under --test, JSON nested too deep, a config.json missing a field, files the
program did not write, and the shipped weights/ folder as a training target."""
import json
import os
import shutil

import pytest

from conftest import ROOT, assert_one_line_error, main_in_process, make_mnist, tree_digest
from test_faults import NAME, TINY, folders

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("trained"))
    make_mnist(os.path.join(root, "data"))
    code, _, err = main_in_process(["--train"] + TINY[:-2] + ["--epochs=1"] + folders(root))
    assert code == 0, err
    return root


def _copy(trained, tmp_path):
    root = str(tmp_path / "r")
    shutil.copytree(trained, root)
    run = os.path.join(root, "weights", NAME)
    with open(os.path.join(run, "state.json")) as f:
        return root, run, json.load(f)["best"]


def _export(root):
    from tools import export_weights
    import io
    import sys
    err, real = io.StringIO(), sys.stderr
    sys.stderr = err
    try:
        code = export_weights.main(["--names=" + NAME, "--weights_dir=" + os.path.join(root, "weights"),
                                    "--out=" + os.path.join(root, "web")])
    finally:
        sys.stderr = real
    return code, err.getvalue()


@pytest.mark.parametrize("damage", ["no data file", "empty data file", "another cell's checkpoint"])
def test_explain_and_export_check_checkpoints_as_test_does(trained, tmp_path, damage):
    root, run, best = _copy(trained, tmp_path)
    data = os.path.join(run, best + ".data-00000-of-00001")
    if damage == "no data file":
        os.remove(data)
    elif damage == "empty data file":
        open(data, "w").close()
    else:  # a GRU's folder name and config over the LSTM's checkpoint
        os.rename(run, os.path.join(root, "weights", "gru_h6"))
        path = os.path.join(root, "weights", "gru_h6", "config.json")
        with open(path) as f:
            config = json.load(f)
        with open(path, "w") as f:
            json.dump(dict(config, model="gru", name="gru_h6"), f)
    model = "--model=gru" if damage.startswith("another") else "--model=lstm"
    before = tree_digest(os.path.join(root, "weights"))
    for args in (["--test"], ["--explain", "--test_image=3"]):
        code, out, err = main_in_process([model, "--hidden_unit=6"] + args + folders(root))
        assert_one_line_error(code, err, "checkpoint", out=out)
    if damage.startswith("another"):
        return  # export reads only the configurations it is named
    code, err = _export(root)
    assert_one_line_error(code, err, "checkpoint")
    assert tree_digest(os.path.join(root, "weights")) == before


def test_json_nested_too_deep_is_one_line(trained, tmp_path):
    root, run, _ = _copy(trained, tmp_path)
    with open(os.path.join(run, "config.json"), "w") as f:
        f.write("[" * 100000 + "]" * 100000)
    code, out, err = main_in_process(["--test"] + TINY[:2] + folders(root))
    assert_one_line_error(code, err, "config.json", out=out)


def test_a_config_missing_a_field_is_one_line_naming_it(trained, tmp_path):
    root, run, _ = _copy(trained, tmp_path)
    with open(os.path.join(run, "config.json"), "w") as f:
        json.dump({"model": "lstm", "layers": [6]}, f)
    code, out, err = main_in_process(["--test"] + TINY[:2] + folders(root))
    assert_one_line_error(code, err, "config.json", "'epochs'", out=out)


def test_files_the_program_did_not_write_are_moved_aside_not_deleted(trained, tmp_path):
    root, run, _ = _copy(trained, tmp_path)
    staged = run + ".new"
    os.makedirs(staged)
    for name in ("notes.txt", "mydata.gz"):
        with open(os.path.join(staged, name), "w") as f:
            f.write("mine")
    code, out, err = main_in_process(["--train"] + TINY[:-2] + ["--epochs=1", "--seed=7"] + folders(root))
    assert code == 0, err
    aside = [d for d in os.listdir(os.path.join(root, "weights")) if d.startswith(NAME + ".new.previous-")]
    assert len(aside) == 1 and sorted(os.listdir(os.path.join(root, "weights", aside[0]))) == ["mydata.gz",
                                                                                               "notes.txt"]


def test_training_into_the_shipped_weights_is_refused():
    before = tree_digest(os.path.join(ROOT, "weights"))
    code, out, err = main_in_process(["--model=lstm", "--train", "--hidden_unit=32", "--weights_dir=" +
                                      os.path.join(ROOT, "weights")])
    assert_one_line_error(code, err, "trained models that came with the code", "runs/", "--replace_weights", out=out)
    assert tree_digest(os.path.join(ROOT, "weights")) == before


def test_testing_while_the_configuration_trains_says_so(trained, tmp_path):
    import subprocess
    import sys
    import time
    root, run, _ = _copy(trained, tmp_path)
    args = ["--train"] + TINY[:-2] + ["--epochs=40", "--patience=40", "--seed=9"] + folders(root)
    proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "main.py")] + args, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        state = os.path.join(root, "weights", NAME, "state.json")
        while time.time() < deadline:  # the new run has taken the folder's place after its first epoch
            if os.path.isfile(state) and not json.load(open(state))["finished"]:
                break
            time.sleep(0.5)
        code, out, err = main_in_process(["--test"] + TINY[:2] + folders(root))
        assert code == 0, err
        assert "training is in progress (pid {})".format(proc.pid) in out, out
    finally:
        proc.kill()
        proc.wait()
