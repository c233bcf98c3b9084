"""Assignment 4's hand-in as its grader receives it: Assignment4_<roll>.zip, built without git, holding only
what the assignment needs; unpacked alone into an empty folder beside a ../data, it runs on TensorFlow 1.5
(the pinned leg of the suite): the eight card --test commands give the shipped counts, plot_results.py draws
the figure and --train --preset=tiny trains."""
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT, assert_one_line_error

HANDIN = os.path.join(ROOT, "tools", "handin.py")
CARD = [(m, h) for m in ("lstm", "gru") for h in (32, 64, 128, 256)]


def build(tmp_path, roll="TEST123", name=None, extra=(), root=ROOT):
    out = str(tmp_path / (name or "Assignment4_{}.zip".format(roll)))
    proc = subprocess.run([sys.executable, os.path.join(root, "tools", "handin.py"), "--roll=" + roll,
                           "--output=" + out] + list(extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)
    return proc, out


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory):
    """The zip, built from a copy of the project without .git, unpacked alone beside a ../data."""
    tmp = tmp_path_factory.mktemp("handin")
    copy = tmp / "project"
    shutil.copytree(ROOT, str(copy), ignore=shutil.ignore_patterns(".git", ".venv*", "runs", "logs", "__pycache__",
                                                                   "*.zip"))
    proc, out = build(tmp, root=str(copy))
    assert proc.returncode == 0, proc.stderr
    empty = tmp / "grader"
    empty.mkdir()
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        z.extractall(str(empty))
    return empty / "Assignment4_TEST123", names, proc.stdout


def test_the_zip_holds_the_card_and_nothing_else(unpacked):
    folder, names, stdout = unpacked
    assert all(n.startswith("Assignment4_TEST123/") for n in names)
    top = {n.split("/")[1] for n in names}
    assert top == {"main.py", "cells.py", "model.py", "data_loader.py", "train.py", "evaluate.py", "plot_results.py",
                   "download_weights.py", "core", "weights", "results", "README.md", "requirements.txt",
                   "TEST123_Report.pdf"}, top
    for left_out in ("tests", ".ci", "tools", "assignments", "web", "benchmarks", "tuning", "docs"):
        assert left_out not in top
    weights = {n.split("/")[2] for n in names if n.split("/")[1] == "weights" and n.count("/") > 2}
    assert weights == {"{}_h{}".format(m, h) for m, h in CARD}
    assert "tensorflow==1.5.0" in (folder / "requirements.txt").read_text()
    assert "weights packed: the shipped" in stdout


def test_the_report_in_the_zip_is_one_page_with_the_roll(unpacked):
    folder, _, _ = unpacked
    pdftotext = shutil.which("pdftotext")
    if not pdftotext:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = subprocess.run([pdftotext, str(folder / "TEST123_Report.pdf"), "-"], stdout=subprocess.PIPE,
                          universal_newlines=True).stdout
    assert text.count("\f") == 1 and "TEST123" in text  # one page


@pytest.mark.skipif(sys.version_info[:2] != (3, 6), reason="the grader's run is TensorFlow 1.5 on Python 3.6: the "
                    "pinned leg of make test runs it")
def test_the_grader_runs_it_on_tensorflow_15(unpacked, real_mnist):
    folder, _, _ = unpacked
    data = folder.parent / "data"
    data.mkdir()
    for name in os.listdir(real_mnist):  # the assignment's ../data, beside the folder
        os.symlink(os.path.join(real_mnist, name), str(data / name))

    def run(*args):
        return subprocess.run([sys.executable] + list(args), cwd=str(folder), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, timeout=900)
    for model, hidden in CARD:
        with open(os.path.join(ROOT, "results", "{}_h{}.json".format(model, hidden))) as f:
            shipped = json.load(f)["test_correct"]
        test = run("main.py", "--model=" + model, "--test", "--hidden_unit={}".format(hidden))
        assert test.returncode == 0, test.stderr
        assert "{:,} of 10,000".format(shipped) in test.stdout, (model, hidden, test.stdout)
    plot = run("plot_results.py")
    assert plot.returncode == 0 and (folder / "results" / "accuracy_vs_hidden.png").is_file(), plot.stderr
    train = run("main.py", "--model=lstm", "--train", "--hidden_unit=32", "--preset=tiny")
    assert train.returncode == 0 and "finished lstm_h32" in train.stdout, train.stderr


@pytest.mark.parametrize("roll", ["", "a b", "../x", "x" * 41])
def test_a_bad_roll_number_gets_one_line_and_no_zip(tmp_path, roll):
    proc, out = build(tmp_path, roll)
    assert_one_line_error(proc.returncode, proc.stderr, "roll number")
    assert not os.listdir(str(tmp_path))


def test_the_closing_line_says_what_the_zip_holds_and_when_its_name_is_not_the_assignments(tmp_path):
    proc, out = build(tmp_path, name="mine.zip")
    assert proc.returncode == 0, proc.stderr
    assert "the folder Assignment4_TEST123/ with TEST123_Report.pdf" in proc.stdout
    assert "the assignment wants it named Assignment4_TEST123.zip" in proc.stdout, proc.stdout


def test_your_assignment_3_figure_is_the_reports_comparison(tmp_path):
    proc, out = build(tmp_path, extra=["--a3=98.7"])
    assert proc.returncode == 0, proc.stderr
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        with zipfile.ZipFile(out) as z:
            z.extract("Assignment4_TEST123/TEST123_Report.pdf", str(tmp_path))
        text = subprocess.run([pdftotext, str(tmp_path / "Assignment4_TEST123" / "TEST123_Report.pdf"), "-"],
                              stdout=subprocess.PIPE, universal_newlines=True).stdout
        assert "98.70% you report for your own Assignment 3" in " ".join(text.split())
    bad = build(tmp_path, extra=["--a3=150"])[0]
    assert_one_line_error(bad.returncode, bad.stderr, "--a3")


def test_your_own_runs_are_packed_when_asked_and_named_either_way(tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(ROOT, str(copy), ignore=shutil.ignore_patterns(".git", ".venv*", "runs", "logs", "__pycache__",
                                                                   "*.zip"))
    shutil.copytree(str(copy / "weights" / "lstm_h32"), str(copy / "runs" / "lstm_h32"))  # as if trained here
    with open(str(copy / "results" / "lstm_h32.json")) as f:
        mine = dict(json.load(f), test_correct=9900, test_accuracy=0.99)
    (copy / "runs" / "results").mkdir()
    with open(str(copy / "runs" / "results" / "lstm_h32.json"), "w") as f:
        json.dump(mine, f)
    proc, out = build(tmp_path, root=str(copy))
    assert proc.returncode == 0 and "runs/ holds your own lstm_h32" in proc.stdout + proc.stderr, proc.stdout
    proc, out = build(tmp_path, root=str(copy), extra=["--weights=yours"])
    assert proc.returncode == 0, proc.stderr
    assert "yours from runs/ lstm_h32; the shipped " in proc.stdout
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        packed = json.loads(z.read("Assignment4_TEST123/results/lstm_h32.json").decode("utf-8"))
    assert packed["test_correct"] == 9900
    assert not [n for n in names if "/study/" in n and n.endswith("/lstm_h32.json")]  # no seeds of another run


@pytest.mark.parametrize("roll", ["AB`touch pwned`12", "AB$(touch pwned)12", "AB$$(touch pwned)12", "AB$12",
                                  'AB"12', 'AB12" --output="elsewhere.zip', "AB'12"])
def test_make_hands_the_roll_to_the_program_as_typed_and_no_shell_runs_it(tmp_path, roll):
    """make submission/handin pass ROLL, A3, ASSIGNMENT, AUTHOR and WEIGHTS through the environment: the program gets the
    exact text typed (and rejects it), nothing in it runs. The Makefile is run as it is; .venv/bin/python stands in
    as a recorder of its arguments."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    for name in ("Makefile", "requirements.txt"):
        shutil.copy(os.path.join(ROOT, name), str(tmp_path / name))
    venv = tmp_path / ".venv" / "bin"
    venv.mkdir(parents=True)
    recorder = venv / "python"
    recorder.write_text("#!/bin/sh\nexec '{}' -c 'import json, sys; open(\"argv.json\", \"a\").write("
                        "json.dumps(sys.argv[2:]) + chr(10))' x \"$@\"\n".format(sys.executable))
    recorder.chmod(0o755)
    (tmp_path / ".venv" / "installed").write_text("")
    for target, extra, expected in [
            ("submission", ["A3=" + roll], ["--roll=" + roll, "--a3=" + roll]),
            ("handin", ["ASSIGNMENT=" + roll, "AUTHOR=" + roll, "IE643_Q2=" + roll],
             ["--roll=" + roll, "--author=" + roll, "--assignment=" + roll, "--ie643_q2=" + roll]),
            ("submission", ["WEIGHTS=" + roll], ["--roll=" + roll, "--weights=" + roll])]:
        proc = subprocess.run([make, "-s", target, "ROLL=" + roll] + extra, cwd=str(tmp_path),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        assert proc.returncode == 0, proc.stderr
        with open(str(tmp_path / "argv.json")) as f:
            assert json.loads(f.read().splitlines()[-1])[1:] == expected, (target, roll)
    assert sorted(os.listdir(str(tmp_path))) == [".venv", "Makefile", "argv.json", "requirements.txt"]


def test_a_roll_with_shell_text_is_refused_by_the_program_itself(tmp_path):
    proc, out = build(tmp_path, "AB$(touch pwned)12")
    assert_one_line_error(proc.returncode, proc.stderr, "roll number")
    assert not os.listdir(str(tmp_path))


def _copy_project(tmp_path):
    copy = tmp_path / "project"
    shutil.copytree(ROOT, str(copy), ignore=shutil.ignore_patterns(".git", ".venv*", "runs", "logs", "__pycache__",
                                                                   "*.zip"))
    return copy


def _as_your_run(copy, source="lstm_h32", name="lstm_h32", **result_changes):
    """runs/<name>/ as if trained here, a copy of the shipped `source`, and its --test result in runs/results/."""
    shutil.copytree(str(copy / "weights" / source), str(copy / "runs" / name))
    with open(str(copy / "results" / (source + ".json"))) as f:
        result = dict(json.load(f), **result_changes)
    (copy / "runs" / "results").mkdir()
    with open(str(copy / "runs" / "results" / (name + ".json")), "w") as f:
        json.dump(result, f)


def _best(folder):
    with open(str(folder / "state.json")) as f:
        return json.load(f)["best"]


def _without_data(folder):
    for path in folder.glob(_best(folder) + ".data-*"):
        path.unlink()


def _retrained(folder):
    """The result file beside `folder` is of the run before: one epoch earlier, another validation accuracy."""
    with open(str(folder / "state.json")) as f:
        state = json.load(f)
    return dict(best_epoch=state["best_epoch"] - 1, val_accuracy=state["best_val_accuracy"] - 0.001)


def _case_your_run_without_data(copy):
    _as_your_run(copy)
    _without_data(copy / "runs" / "lstm_h32")
    return ["--weights=yours"], ["cannot read the checkpoint", "runs/lstm_h32/best-"]


def _case_a_gru_in_the_lstm_folder(copy):
    _as_your_run(copy, source="gru_h32", name="lstm_h32")
    return ["--weights=yours"], ["runs/lstm_h32 holds weights of another configuration", "model=gru"]


def _case_your_retrained_run_beside_the_old_result(copy):
    _as_your_run(copy, **_retrained(copy / "weights" / "lstm_h32"))
    return ["--weights=yours"], ["runs/results/lstm_h32.json is the test of another checkpoint", "runs/lstm_h32",
                                 "--test"]


def _case_shipped_weights_beside_an_older_result(copy):
    with open(str(copy / "results" / "gru_h64.json")) as f:
        result = dict(json.load(f), **_retrained(copy / "weights" / "gru_h64"))
    with open(str(copy / "results" / "gru_h64.json"), "w") as f:
        json.dump(result, f)
    return [], ["results/gru_h64.json is the test of another checkpoint", "weights/gru_h64"]


def _case_a_shipped_checkpoint_without_its_data(copy):
    _without_data(copy / "weights" / "gru_h128")
    return [], ["cannot read the checkpoint", "weights/gru_h128/best-"]


@pytest.mark.parametrize("case", [_case_your_run_without_data, _case_a_gru_in_the_lstm_folder,
                                  _case_your_retrained_run_beside_the_old_result,
                                  _case_shipped_weights_beside_an_older_result,
                                  _case_a_shipped_checkpoint_without_its_data], ids=lambda c: c.__name__[6:])
def test_the_handin_refuses_a_run_that_test_would_refuse_or_a_result_of_other_weights(tmp_path, case):
    """Each run is checked by the readers --test uses (check_trained, the checkpoint's reader, the result
    reader) before anything is packed: what does not fit is one error line naming it, and no zip."""
    copy = _copy_project(tmp_path)
    extra, words = case(copy)
    out = tmp_path / "out"
    out.mkdir()
    proc, _ = build(out, extra=extra, root=str(copy))
    assert_one_line_error(proc.returncode, proc.stderr, *words)
    assert not os.listdir(str(out)) and not list(copy.glob("*.zip"))


def test_the_zip_holds_only_the_modules_its_programs_import_and_the_best_checkpoint(unpacked):
    folder, names, _ = unpacked
    assert not (folder / "core" / "compare.py").exists()  # the report's rule; nothing in the zip imports it
    for weights in (folder / "weights").iterdir():
        if weights.is_dir():
            best = _best(weights)
            assert all(p.name.startswith(best + ".") for p in weights.glob("best-*")), weights


def test_every_option_plot_results_offers_in_the_zip_runs_there(unpacked, real_mnist, tmp_path):
    """What plot_results.py offers runs, in a copy of the unpacked folder beside a ../data; it offers no
    other assignment's figures (those are drawn by their own programs)."""
    folder, _, _ = unpacked
    grader = tmp_path / "grader"
    shutil.copytree(str(folder), str(grader / folder.name))
    folder = grader / folder.name
    data = grader / "data"
    data.mkdir()
    for name in os.listdir(real_mnist):
        os.symlink(os.path.join(real_mnist, name), str(data / name))

    def run(*args):
        return subprocess.run([sys.executable, "plot_results.py"] + list(args), cwd=str(folder),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=900)
    import re
    help_text = run("--help").stdout
    offered = set(re.findall(r"--(\w+)", help_text))
    values = {"results_dir": "results", "weights_dir": "weights", "data_dir": "../data"}
    assert "grid" not in offered and "tasks" not in offered, help_text
    assert set(values) <= offered, help_text
    for option in sorted(offered - {"help"}):
        proc = run("--{}={}".format(option, values[option]) if option in values else "--" + option)
        assert proc.returncode == 0 and "wrote" in proc.stdout, (option, proc.stderr)
    assert (folder / "results" / "accuracy_vs_hidden.png").is_file()
    assert (folder / "results" / "rows_until_known.png").is_file()
    unknown = run("--grid")
    assert unknown.returncode != 0 and "Traceback" not in unknown.stderr


def test_the_readme_names_each_shipped_seed_as_its_config_records_it(unpacked):
    folder, _, _ = unpacked
    readme = (folder / "README.md").read_text()
    for model, hidden in CARD:
        with open(str(folder / "weights" / "{}_h{}".format(model, hidden) / "config.json")) as f:
            seed = json.load(f)["seed"]
        assert "{}-{} seed {}".format(model.upper(), hidden, seed) in readme
