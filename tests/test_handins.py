"""The other assignments' hand-ins, each unpacked alone into an empty folder and run as its grader runs it (the
no-RNN-API one: tests/test_no_rnn_api_handin.py; CS324's: tests/test_cs324_handin.py)."""
import json
import os
import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT, assert_one_line_error

pytestmark = pytest.mark.slow


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


def test_an_unknown_assignment_is_one_line(tmp_path):
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "handin.py"), "--roll=R42",
                           "--assignment=nope", "--output=" + str(tmp_path / "x.zip")], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True)
    assert_one_line_error(proc.returncode, proc.stderr, "--assignment", "a4")
    assert not os.listdir(str(tmp_path))


def test_without_a_roll_the_handins_are_listed_with_their_names():
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "handin.py"), "--list"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert proc.returncode == 0, proc.stderr
    for name in ("Assignment4_<roll>.zip", "<roll>_assignment3.zip", "EE6123_<roll>.zip",
                 "<roll>_lstm_without_rnn_api.zip", "IE643_<roll>_scribingassignment.zip"):
        assert name in proc.stdout, proc.stdout


def test_the_ie643_handin_is_named_self_contained_and_its_notebook_runs_alone(tmp_path, real_mnist, http_server,
                                                                               monkeypatch):
    """Unpacked alone, with no MNIST on disk: the notebook fetches MNIST from a mirror (a local one standing in
    for the internet, after a mirror that sends a damaged file) and runs top to bottom in the reduced setting."""
    import shutil
    nbformat = pytest.importorskip("nbformat", reason="pip install -r tools/requirements-docs.txt")
    pytest.importorskip("nbclient", reason="pip install -r tools/requirements-docs.txt")
    folder, names = build(tmp_path, "ie643", roll="22B0042")
    stem = "IE643_22B0042_scribingassignment"
    assert folder.name == stem and sorted(n.split("/", 1)[1] for n in names) == sorted(
        ["README.md", stem + "_Ex1.pdf", stem + "_Ex3.ipynb"])
    readme = " ".join((folder / "README.md").read_text().split())
    assert "{" not in readme and "Ex2" not in readme and "project" not in readme and "map" not in readme
    # which file is which question, nothing more: the files' names and the PDF's own headings say the rest
    assert "Question 1 is `{0}_Ex1.pdf`".format(stem) in readme and "Question 3 is `{0}_Ex3.ipynb`".format(stem) in readme
    assert "(a)" not in readme and "Question 2 (the notebook the course posted for Part II) is not in this folder" in readme
    with open(os.path.join(ROOT, "results", "numpy_rnn", "mnist4.json")) as f:
        result = json.load(f)
    assert "{:.2f}%".format(100 * result["test_accuracy"]) in readme and "rate" in readme
    from test_derivation_pdf import parts_of, text_of
    text = text_of(folder / (stem + "_Ex1.pdf"))
    assert "IE643 scribing assignment, Question 1 - 22B0042" in text  # typeset or stamped, the roll is on it
    assert sorted(parts_of(text)) == ["a", "b", "c", "d"] and ".py" not in text and "tests/" not in text
    sys.path.insert(0, os.path.join(ROOT, "assignments", "numpy_rnn", "notebooks"))
    import build as notebooks
    nb = nbformat.read(str(folder / (stem + "_Ex3.ipynb")), as_version=4)
    assert "TEST ACCURACY" in notebooks.outputs_text(nb)  # stored executed
    for cell in (c for c in nb.cells if c.cell_type == "code"):  # run afresh, in the reduced setting CI can afford
        cell.outputs, cell.execution_count = [], None
        if "parameters" in cell.metadata.get("tags", []):
            cell.source = notebooks.QUICK
    import gzip
    routes = {}
    for name in os.listdir(real_mnist):
        if name.endswith(".gz"):
            with open(os.path.join(real_mnist, name), "rb") as f:
                routes["/good/" + name] = f.read()
            routes["/bad/" + name] = gzip.compress(b"not MNIST")
    server = http_server(routes)
    monkeypatch.setenv("MNIST_MIRROR", "{0}/bad/ {0}/good/".format(server.url))
    notebooks.execute(nb, str(folder))
    text = notebooks.outputs_text(nb)
    assert "TEST ACCURACY" in text and "does not match the standard file's SHA-256" in text, text[-2000:]
    assert sorted(os.listdir(str(folder / "mnist"))) == sorted(n for n in os.listdir(real_mnist) if n.endswith(".gz"))


def _handin(tmp_path, *flags):
    return subprocess.run([sys.executable, os.path.join(ROOT, "tools", "handin.py"), "--roll=22B0042"] + list(flags),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=600)


def test_ie643_question2_is_packed_from_ie643_q2_and_named_only_when_given(tmp_path):
    """Question 2's notebook (the course's, not public) is the student's: --ie643_q2 packs it under the sheet's
    name and the README's table gains its row; without it the zip has no such file, its README names none, and
    the build says in one line how to add it."""
    notebook = tmp_path / "my q2.ipynb"
    notebook.write_bytes(json.dumps({"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# Q2 é"]}],
                                     "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode("utf-8"))
    stem = "IE643_22B0042_scribingassignment"
    for given in (True, False):
        out = tmp_path / "given.zip" if given else tmp_path / "not_given.zip"
        proc = _handin(tmp_path, "--assignment=ie643", "--output=" + str(out),
                       *(["--ie643_q2=" + str(notebook)] if given else []))
        assert proc.returncode == 0, proc.stderr
        with zipfile.ZipFile(str(out)) as z:
            names = sorted(n.split("/", 1)[1] for n in z.namelist())
            readme = z.read(stem + "/README.md").decode("utf-8")
            packed = z.read("{0}/{0}_Ex2.ipynb".format(stem)) if given else None
        notes = [line for line in (proc.stdout + proc.stderr).splitlines() if "Question 2" in line]
        if given:
            assert names == sorted(["README.md", stem + "_Ex1.pdf", stem + "_Ex2.ipynb", stem + "_Ex3.ipynb"])
            assert packed == notebook.read_bytes() and not notes, notes
            assert "Question 2 is `{}_Ex2.ipynb`".format(stem) in readme
            assert readme.index("_Ex1.pdf") < readme.index("_Ex2.ipynb") < readme.index("_Ex3.ipynb")
        else:
            assert names == sorted(["README.md", stem + "_Ex1.pdf", stem + "_Ex3.ipynb"])
            assert "Ex2" not in readme and "Question 2 (the notebook the course posted for Part II) is not in this " \
                "folder" in readme
            assert len(notes) == 1 and "--ie643_q2=" in notes[0] and stem + "_Ex2.ipynb" not in notes[0], notes
            assert "IE643_<roll>_scribingassignment_Ex2.ipynb" in notes[0]


@pytest.mark.parametrize("what,words", [("missing.ipynb", ["no file", "missing.ipynb"]),
                                        ("notes.txt", ["not a notebook", ".ipynb"]),
                                        ("broken.ipynb", ["cannot read", "broken.ipynb"]),
                                        ("list.ipynb", ["not a notebook", "cells"]),
                                        ("a4", ["--assignment=ie643"])])
def test_a_bad_ie643_q2_is_one_error_line_and_no_zip(tmp_path, what, words):
    (tmp_path / "notes.txt").write_text('{"cells": []}')
    (tmp_path / "broken.ipynb").write_text('{"cells": [')
    (tmp_path / "list.ipynb").write_text("[1, 2]")
    (tmp_path / "ok.ipynb").write_text('{"cells": []}')
    out = tmp_path / "out.zip"
    flags = ["--assignment=a4", "--ie643_q2=" + str(tmp_path / "ok.ipynb")] if what == "a4" else \
        ["--assignment=ie643", "--ie643_q2=" + str(tmp_path / what)]
    proc = _handin(tmp_path, "--output=" + str(out), *flags)
    assert_one_line_error(proc.returncode, proc.stderr, *words)
    assert not out.exists()


def test_the_ie643_question3_notebook_carries_the_question_and_the_roll_and_else_the_stored_bytes():
    """Question 3's notebook is the stored, executed one with "Question 3" in its title and the roll (and name)
    under it: only its first markdown cell's source changes; every other byte, the outputs too, is the stored
    file's."""
    sys.path.insert(0, ROOT)
    from tools.handins import ie643
    with open(ie643.NOTEBOOK, encoding="utf-8") as f:
        stored = f.read()
    made = ie643.ie643_notebook("22B0042", "A. Student").decode("utf-8")
    first = next(c for c in json.loads(made)["cells"] if c["cell_type"] == "markdown")
    title = next(c for c in json.loads(stored)["cells"] if c["cell_type"] == "markdown")["source"][0]
    assert first["source"][:3] == ["# Question 3: " + title[2:], "\n", "IE643 scribing assignment - 22B0042, "
                                                                           "A. Student\n"]
    # The stored text up to the title line, then the new lines, then the stored text from the title's next line on.
    line = "    " + json.dumps(title, ensure_ascii=False) + ",\n"
    assert stored.count(line) == 1
    before, after = stored.split(line)
    inserted = "".join("    {},\n".format(json.dumps(l, ensure_ascii=False)) for l in first["source"][:3])
    assert made == before + inserted + after
    assert "22B0042" not in stored and ie643.ie643_notebook("22B0042").decode("utf-8").count("22B0042") == 1


def test_all_five_handins_are_built_from_a_tree_without_git_each_under_its_name(tmp_path):
    """make handin ROLL=<roll>: from a copy of the project without .git, every zip in its top folder, each holding
    one folder named as its assignment names it."""
    import shutil
    copy = tmp_path / "project"
    shutil.copytree(ROOT, str(copy), ignore=shutil.ignore_patterns(".git", ".venv*", "runs", "logs", "__pycache__",
                                                                   "*.zip"))
    proc = subprocess.run([sys.executable, os.path.join(str(copy), "tools", "handin.py"), "--roll=R42",
                           "--assignment=all"], cwd=str(copy), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    folders = {"Assignment4_R42.zip": "Assignment4_R42", "R42_assignment3.zip": "R42_assignment3",
               "EE6123_R42.zip": "EE6123_R42", "R42_lstm_without_rnn_api.zip": "R42_lstm_without_rnn_api",
               "IE643_R42_scribingassignment.zip": "IE643_R42_scribingassignment"}
    assert sorted(p.name for p in copy.glob("*.zip")) == sorted(folders)
    for name, folder in folders.items():
        with zipfile.ZipFile(str(copy / name)) as z:
            assert {n.split("/")[0] for n in z.namelist()} == {folder}, name
            assert "{}/README.md".format(folder) in z.namelist()


@pytest.mark.parametrize("tools", ["pandoc and chromium", "neither"])
def test_the_roll_is_on_the_ie643_pdf_with_and_without_pandoc(tools, monkeypatch, capsys, tmp_path):
    """Typeset with the roll under the title where pandoc and Chromium are there; where they are not, the stored
    PDF with the roll stamped at the top of its first page (pure Python), and a line saying which."""
    import shutil
    sys.path.insert(0, ROOT)
    from assignments.numpy_rnn import build_pdf
    from tools.handins import ie643
    from test_derivation_pdf import parts_of, text_of
    with open(build_pdf.OUTPUT, "rb") as f:
        stored = f.read()
    if tools == "neither":
        which = shutil.which
        monkeypatch.setattr(build_pdf.shutil, "which", lambda name: None if name in ("pandoc", "chromium",
                            "chromium-browser", "google-chrome") else which(name))
    elif not (shutil.which("pandoc") and build_pdf.browser()) and os.environ.get("CI") != "true":
        pytest.skip("typesetting needs pandoc and chromium (CI installs them)")
    made = ie643.ie643_pdf("22B0042")
    out = capsys.readouterr().out
    (tmp_path / "ex1.pdf").write_bytes(made)
    text = text_of(tmp_path / "ex1.pdf")
    assert "IE643 scribing assignment, Question 1 - 22B0042" in text and sorted(parts_of(text)) == list("abcd")
    if tools == "neither":
        assert made.startswith(stored) and len(made) - len(stored) < 4000  # the stored PDF, then only the stamp
        assert "needs pandoc and chromium" in out and "with your roll number stamped" in out
    else:
        assert not made.startswith(stored) and "stamped" not in out


def test_every_path_the_ie643_handin_names_is_inside_it(tmp_path):
    """The README, the notebook's cells and the PDF's text name only files the zip holds (a folder outside it,
    like ../data, or a web address is the user's)."""
    import re
    from test_derivation_pdf import text_of
    folder, names = build(tmp_path, "ie643", roll="22B0042")
    held = {n.split("/", 1)[1] for n in names}
    texts = [(folder / "README.md").read_text(), text_of(folder / "IE643_22B0042_scribingassignment_Ex1.pdf")]
    with open(str(folder / "IE643_22B0042_scribingassignment_Ex3.ipynb")) as f:
        texts += ["".join(cell["source"]) for cell in json.load(f)["cells"]]
    ending = re.compile(r"\.(py|md|pdf|ipynb|json|jsonl|txt|csv|png|npz|sh|zip|gz)$")
    folders = {n for n in os.listdir(ROOT) if os.path.isdir(os.path.join(ROOT, n))}
    named, outside = set(), set()
    for text in texts:  # a word that starts after a space, quote or bracket: "∂E/∂h" is not a path, tests/ is
        for m in re.finditer(r"(?:^|(?<=[\s`'\"(\[]))([A-Za-z0-9_./<>{}*-]+)", text, re.M):
            token = m.group(1).rstrip(".,;:")
            if token.startswith(("../", "/")) or "://" in text[m.start(1):m.end(1) + 3]:
                outside.add(token)
            elif ending.search(token) and not token.startswith(".") or "/" in token and (
                    token.endswith("/") or token.split("/")[0] in folders):
                named.add(token[2:] if token.startswith("./") else token)
    assert named <= held, sorted(named - held)
    assert "IE643_22B0042_scribingassignment_Ex1.pdf" in named and "../data" in outside  # the check sees mentions


def test_the_a4_readme_and_files_follow_the_runtime_and_recipes_that_ship(monkeypatch):
    """Shipping TensorFlow 1.5 runs of the budget recipes (as now): the README says so, names their folders, and
    the hand-in packs the TensorFlow 2 runs the report compares them with (same settings) and the baselines' own
    LSTM-128; were TensorFlow 2's early-stop runs to ship again, the old pinned LSTM-32 seeds instead."""
    from core import recipes, study
    from tools.handins import a4
    assert (study.WEIGHTS_RUNTIME, recipes.RECORDED) == ("tf1.5", "budget")
    text = a4.readme()
    assert "trained with TensorFlow 1.5, this `requirements.txt`" in text
    assert "`results/study/tf1.5/<recipe>/seed<N>/<config>.json`" in text
    assert "--weights_dir=runs/study/tf1.5/{}/seed2".format(study.label(study.recipe_of("lstm", 64))) in text
    assert "results/tf1.5/seed" not in text
    rows = a4.report_rows()
    alike = "results/study/{}/seed1/lstm_h32.json".format(study.label(recipes.SETS["budget"]["lstm_h32"]))
    assert alike in rows and not any(r.startswith("results/tf1.5/") for r in rows)
    assert "results/study/augment1_dropout0.2/seed1/lstm_h128.json" in rows  # the baselines' reference
    monkeypatch.setattr(study, "WEIGHTS_RUNTIME", "tf2")
    monkeypatch.setattr(recipes, "RECORDED", "early-stop")
    monkeypatch.setattr(study, "RECIPES", {k: recipes.SETS["early-stop"][study.basic_name(*k)] for k in study.RECIPES})
    before = a4.readme()
    assert "trained with TensorFlow 2.21" in before and "results/tf1.5/seed<N>/lstm_h32.json" in before
    assert "results/tf1.5/seed1/lstm_h32.json" in a4.report_rows()
