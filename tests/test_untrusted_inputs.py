"""Damaged files and hostile values read by the tools, each one error line naming the file and the field (#40)."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, assert_one_line_error
from test_sequence_tasks import fake, write


def _run_plot(capsys, args):
    import plot_results
    code = plot_results.main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _run_tasks_plot(capsys, folder):
    """assignments/memory/sequence_tasks.py --plot on the task results in `folder`."""
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "assignments", "memory", "sequence_tasks.py"), "--plot",
                           "--results_dir=" + str(folder)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.mark.parametrize("field, value, words", [
    ("test_correct", "many", ["test_correct", "whole number"]),
    ("parameters", -5, ["parameters", "whole number"]),
    ("test_correct", 20000, ["more images right"]),
])
def test_a_result_file_with_a_wrong_field_is_one_line(capsys, tmp_path, field, value, words):
    results = tmp_path / "results"
    shutil.copytree(os.path.join(ROOT, "results"), str(results), ignore=shutil.ignore_patterns("*.png"))
    path = results / "lstm_h32.json"
    data = json.loads(path.read_text())
    data[field] = value
    path.write_text(json.dumps(data))
    code, out, err = _run_plot(capsys, ["--results_dir=" + str(results)])
    assert_one_line_error(code, err, "lstm_h32.json", *words, out=out)
    assert not (results / "accuracy_vs_hidden.png").exists()


def test_a_result_file_nested_too_deep_is_one_line(capsys, tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    (results / "lstm_h32.json").write_text("[" * 100000 + "]" * 100000)
    code, out, err = _run_plot(capsys, ["--results_dir=" + str(results)])
    assert_one_line_error(code, err, "lstm_h32.json", out=out)


@pytest.mark.parametrize("changes, words", [
    ({"curve": [[100, "x", 2.3, 0.1]]}, ["'curve'", "finite numbers"]),
    ({"curve": [[100, float("inf"), 2.3, 0.1]]}, ["'curve'"]),
    ({"test_accuracy": float("nan")}, ["'test_accuracy'", "fraction"]),
])
def test_a_task_line_with_strings_inf_or_nan_is_one_line_and_draws_nothing(capsys, tmp_path, changes, words):
    tasks = tmp_path / "tasks"
    tasks.mkdir()
    write(tasks, "palindrome", [fake(seed=s) for s in (1, 2)] + [fake(seed=3, **changes)])
    code, out, err = _run_tasks_plot(capsys, tasks)
    assert_one_line_error(code, err, "palindrome.jsonl line 3", *words, out=out)
    assert not list(tasks.glob("*.png"))


@pytest.mark.parametrize("line, words", [("deadbeef\n", ["line 1"]), (b"\xff\xfe\n", ["not UTF-8"])])
def test_a_damaged_manifest_is_one_line(capsys, tmp_path, line, words):
    import download_weights
    manifest = tmp_path / "MANIFEST.sha256"
    manifest.write_bytes(line if isinstance(line, bytes) else line.encode())
    from core.common import UserError
    with pytest.raises(UserError, match=words[0]):
        download_weights.read_manifest(str(tmp_path))


def test_a_negative_download_limit_is_one_line(capsys):
    import download_weights
    assert download_weights.main(["--url=http://127.0.0.1:9/w.tar.gz", "--max_mb=-1"]) == 1
    assert_one_line_error(1, capsys.readouterr().err, "--max_mb")


def test_a_batch_of_zero_is_refused_not_replaced(capsys):
    from assignments.memory import sequence_tasks
    code = sequence_tasks.main(["sequence_tasks.py", "--task=recall", "--batch_size=0"])
    assert_one_line_error(code, capsys.readouterr().err, "--batch_size")


def test_a_readme_without_the_results_marker_is_one_line_and_nothing_is_written(capsys, tmp_path):
    from tools import make_report
    readme = tmp_path / "README.md"
    readme.write_text("no markers here\n")
    code = make_report.main(["--readme=" + str(readme), "--output=" + str(tmp_path / "r.pdf"), "--technical="])
    assert_one_line_error(code, capsys.readouterr().err, "results:begin", "--readme=''")
    assert not (tmp_path / "r.pdf").exists() and readme.read_text() == "no markers here\n"


def test_a_results_path_that_is_a_folder_is_named_before_any_run(capsys, tmp_path):
    from assignments.memory import sequence_tasks
    (tmp_path / "recall.jsonl").mkdir()
    code = sequence_tasks.main(["sequence_tasks.py", "--task=recall", "--results_dir=" + str(tmp_path)])
    assert_one_line_error(code, capsys.readouterr().err, "recall.jsonl", "is a folder")


def test_an_atomic_write_onto_a_folder_names_the_folder(tmp_path):
    from core.common import atomic_write_bytes, os_error_line
    (tmp_path / "lstm_h32.json").mkdir()
    with pytest.raises(OSError) as caught:
        atomic_write_bytes(str(tmp_path / "lstm_h32.json"), b"{}")
    line = os_error_line(caught.value)
    assert "lstm_h32.json" in line and ".tmp-" not in line and "it is a folder" in line


def test_results_on_two_test_sets_are_never_plotted_together(capsys, tmp_path):
    results = tmp_path / "results"
    shutil.copytree(os.path.join(ROOT, "results"), str(results), ignore=shutil.ignore_patterns("*.png"))
    path = results / "lstm_h32.json"
    data = json.loads(path.read_text())
    data.update(test_count=2000, test_correct=1980, test_set={"count": 2000, "sha256": "ab" * 32})
    path.write_text(json.dumps(data))
    code, out, err = _run_plot(capsys, ["--results_dir=" + str(results)])
    assert_one_line_error(code, err, "2 different test sets", out=out)
