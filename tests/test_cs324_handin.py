"""CS324's hand-in as its grader gets it: built, unpacked alone into an empty folder and run there with the
README's commands (the quick sweep, the comparison, train.py at T = 5 and with the skeleton's defaults). Its
table and verdict are compare.py's text from the results file it holds; every path its files name is in it."""
import json
import os
import re
import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT
from test_handin_paths import missing

pytestmark = pytest.mark.slow
RESULTS = os.path.join(ROOT, "assignments", "palindrome_pytorch", "results", "lstm_vs_rnn.jsonl")
PROJECT_WORDS = ("project", "tests/", "tools/", "assignments/", "results/tasks", "cells.py", "the card", " CI",
                 "comparison rule", "issue", "#45", "#46")


def build(tmp_path):
    out = str(tmp_path / "12345678_assignment3.zip")
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "handin.py"), "--roll=12345678",
                           "--assignment=cs324", "--output=" + out], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)
    assert proc.returncode == 0, proc.stderr
    grader = tmp_path / "grader"
    grader.mkdir()
    with zipfile.ZipFile(out) as z:
        z.extractall(str(grader))
        files = [(n.split("/", 1)[1], z.read(n)) for n in z.namelist() if not n.endswith("/")]
    return grader / "12345678_assignment3", files


def run(folder, *args):
    return subprocess.run([sys.executable] + list(args), cwd=str(folder), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=900)


def third_party(folder):
    """The top-level modules the folder's .py files import that neither Python nor the folder has."""
    import ast
    local = {p[:-3] for p in os.listdir(str(folder)) if p.endswith(".py")}
    stdlib = set(getattr(sys, "stdlib_module_names", ())) | set(sys.builtin_module_names)
    found = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return found - local - stdlib


def test_the_cs324_handin_holds_its_runs_and_figure_and_runs_alone(tmp_path):
    pytest.importorskip("torch", reason="PyTorch is optional (CI installs it in the modern runtime)")
    if sys.version_info < (3, 10):
        pytest.skip("sys.stdlib_module_names (the imports check) needs Python 3.10")
    folder, files = build(tmp_path)
    assert sorted(name for name, _ in files) == [
        "README.md", "compare.py", "dataset.py", "lstm.py", "requirements.txt", "results/lstm_vs_rnn.jsonl",
        "results/lstm_vs_rnn.png", "results_file.py", "sweep.py", "train.py", "vanilla_rnn.py"]
    listed = {re.split(r"[<>=]", line)[0].strip() for line in (folder / "requirements.txt").read_text().splitlines()
              if line.strip() and not line.startswith("#")}
    assert third_party(folder) <= listed, (third_party(folder), listed)
    readme = (folder / "README.md").read_text()
    assert readme.index("## 1.1 Task 1") < readme.index("## 1.2 Task 2")  # the sheet's own labels, in its order
    for name, data in files:
        if name.endswith((".py", ".md", ".txt")):
            for word in PROJECT_WORDS:
                assert word not in data.decode("utf-8"), (name, word)

    # The table and the verdict are compare.py's text from the results file the zip holds ...
    shown = run(folder, "compare.py", "--no_figure")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() and shown.stdout.strip() in readme
    # ... whose solved counts are those of the runs themselves, seeds solving at test accuracy >= 0.99.
    with open(str(folder / "results" / "lstm_vs_rnn.jsonl")) as f:
        runs = [json.loads(line) for line in f]
    for length in sorted({r["length"] for r in runs}):
        counts = ["{}/{}".format(sum(r["test_accuracy"] >= 0.99 for r in g), len(g)) for g in (
            [r for r in runs if r["length"] == length and r["model"] == m] for m in ("lstm", "rnn"))]
        assert "| {} | {} | {} |".format(length, *counts) in readme, (length, counts)
    assert len({r["machine"]["processor"] for r in runs}) == 1 and runs[0]["machine"]["processor"] in readme

    # The README's commands, in the unpacked folder: the figure again, the quick sweep and its comparison.
    before = (folder / "results" / "lstm_vs_rnn.png").stat().st_mtime
    again = run(folder, "compare.py")
    assert again.returncode == 0, again.stderr
    assert (folder / "results" / "lstm_vs_rnn.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (folder / "results" / "lstm_vs_rnn.png").stat().st_mtime >= before
    quick = run(folder, "sweep.py", "--quick")
    assert quick.returncode == 0, quick.stderr
    assert len((folder / "quick.jsonl").read_text().splitlines()) == 4 and "done: 4 runs" in quick.stdout
    compared = run(folder, "compare.py", "--results=quick.jsonl")
    assert compared.returncode == 0 and "| 5 | 2/2 | 2/2 |" in compared.stdout, compared.stdout + compared.stderr
    assert (folder / "quick.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for args, length in ((["--input_length=4"], 5), ([], 11)):  # Task 2's T = 5, then the skeleton's defaults
        trained = run(folder, "train.py", "--model_type=LSTM", *args)
        assert trained.returncode == 0, trained.stderr
        with open(str(folder / "results.jsonl")) as f:
            record = [json.loads(line) for line in f][-1]
        assert record["length"] == length and record["stopped"] == "target" and record["test_accuracy"] >= 0.99

    # Every path its files name is in it (or, for results.jsonl and quick.jsonl, written by its commands), and
    # nothing temporary is left behind, in the folder or beside it.
    assert missing(files) == []
    for name in ("results.jsonl", "quick.jsonl"):
        assert name in readme + (folder / "train.py").read_text() + (folder / "sweep.py").read_text()
        assert (folder / name).is_file()
    left = [os.path.join(here, n) for here, _, names in os.walk(str(tmp_path)) for n in names if n.startswith(".tmp-")]
    assert not left, left
