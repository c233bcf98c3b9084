"""make submission: the zip's name and folder, what it holds and leaves out, and that the card's --test
command runs from the unpacked folder with a ../data beside it and gets the shipped count."""
import json
import os
import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT, assert_one_line_error


def build(tmp_path, roll="TEST123", name=None):
    out = str(tmp_path / (name or "Assignment4_{}.zip".format(roll)))
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools/make_submission.py"), "--roll=" + roll,
                           "--output=" + out], stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    return proc, out


def test_the_zip_unpacks_to_a_folder_that_passes_the_cards_test(tmp_path, real_mnist):
    proc, out = build(tmp_path)
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        z.extractall(str(tmp_path))
    assert all(n.startswith("Assignment4_TEST123/") for n in names)
    folder = tmp_path / "Assignment4_TEST123"
    for wanted in ("main.py", "cells.py", "model.py", "README.md", "TEST123_Report.pdf", "weights/gru_h128/config.json"):
        assert (folder / wanted).is_file(), wanted
    assert not any(part in n.split("/") for n in names for part in (".venv", "runs", "logs", "__pycache__", "data"))
    assert not any(n.endswith((".pyc", "idx3-ubyte.gz", "idx1-ubyte.gz")) for n in names)
    (tmp_path / "data").mkdir()
    for name in os.listdir(real_mnist):  # the assignment's ../data, beside the folder
        os.symlink(os.path.join(real_mnist, name), str(tmp_path / "data" / name))
    test = subprocess.run([sys.executable, "main.py", "--model=gru", "--test", "--hidden_unit=128",
                           "--logs_dir=" + str(tmp_path / "logs")], cwd=str(folder), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=600)
    assert test.returncode == 0, test.stderr
    with open(os.path.join(ROOT, "results", "gru_h128.json")) as f:
        shipped = json.load(f)
    with open(str(folder / "results" / "gru_h128.json")) as f:
        assert json.load(f)["test_correct"] == shipped["test_correct"]
    assert "{:,} of 10,000".format(shipped["test_correct"]) in test.stdout


@pytest.mark.parametrize("roll", ["", "a b", "../x", "x" * 41])
def test_a_bad_roll_number_gets_one_line_and_no_zip(tmp_path, roll):
    proc, out = build(tmp_path, roll)
    assert_one_line_error(proc.returncode, proc.stderr, "roll number")
    assert not os.listdir(str(tmp_path))


def test_the_closing_line_says_what_the_zip_holds_and_when_its_name_is_not_the_assignments(tmp_path):
    proc, out = build(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "the folder Assignment4_TEST123/ with TEST123_Report.pdf" in proc.stdout
    assert "wants it named" not in proc.stdout
    proc, out = build(tmp_path, name="mine.zip")
    assert proc.returncode == 0 and "the assignment wants it named Assignment4_TEST123.zip" in proc.stdout, proc.stdout
