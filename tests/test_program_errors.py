"""Every program a user runs: a flag it does not know or cannot parse, and an output it cannot write (a folder
under a file, a full disk), are one error line that names what is wrong and what to do, a non-zero status, no
traceback, and no file changed."""
import errno
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, assert_one_line_error, tree_digest


def run(script, *args):
    proc = subprocess.run([sys.executable, os.path.join(ROOT, script)] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, cwd=ROOT, timeout=300)
    return proc.returncode, proc.stderr


PROGRAMS = ["plot_results.py", "tools/make_report.py", "tools/export_weights.py", "download_weights.py", "tools/handin.py",
            "tools/reproduce.py", "assignments/numpy_rnn/build_pdf.py", "assignments/numpy_rnn/notebooks/build.py", "assignments/numpy_rnn/mnist4.py", "tools/tuning/sweep.py",
            "tools/tuning/stopping.py", "assignments/palindrome_pytorch/train.py", "tools/benchmarks/augment_cost.py",
            "tools/benchmarks/parallel_jobs.py", "tools/benchmarks/time_to_accuracy.py"]


@pytest.mark.parametrize("script", PROGRAMS)
def test_an_unknown_or_unparsable_flag_is_one_line(script):
    required = ["--data_dir=.", "--out=sweep.jsonl"] if script == "tools/tuning/sweep.py" else []
    status, err = run(script, "--no_such_flag=1", *required)
    assert status == 2
    assert_one_line_error(status, err, "--no_such_flag", "--help lists the flags")
    status, err = run(script, "--help")
    assert status == 0 and err == ""


@pytest.mark.parametrize("script, flag", [("tools/reproduce.py", "--jobs=x"), ("assignments/numpy_rnn/mnist4.py", "--max_epochs=many"),
                                          ("assignments/palindrome_pytorch/train.py", "--num_hidden=1.5")])
def test_a_flag_value_of_the_wrong_type_is_one_line(script, flag):
    status, err = run(script, flag)
    assert_one_line_error(status, err, "invalid", flag.split("=")[1], "--help lists the flags")


@pytest.fixture
def blocked(tmp_path):
    """A path whose folder cannot be made: its parent is a file."""
    (tmp_path / "a_file").write_text("x")
    return str(tmp_path / "a_file" / "sub")


@pytest.mark.parametrize("script, args, words", [
    ("tools/make_report.py", ["--output={}/Report.pdf", "--readme="], ["--output"]),
    ("tools/export_weights.py", ["--names=gru_h128", "--out={}"], ["--out"]),
    ("download_weights.py", ["--pack", "--output={}/weights.tar.gz"], ["weights/ is unchanged"]),
    ("tools/tuning/sweep.py", ["--data_dir=.", "--out={}/sweep.jsonl", "--grid", "learning_rate=0.1"], ["--out"]),
    ("assignments/numpy_rnn/mnist4.py", ["--out={}"], ["--out", "a file"]),  # also: it runs as a script, not only with -m
])
def test_an_output_that_cannot_be_written_is_one_line(blocked, script, args, words):
    before = tree_digest(os.path.join(ROOT, "weights")), tree_digest(os.path.join(ROOT, "results"))
    status, err = run(script, *[a.format(blocked) for a in args])
    assert_one_line_error(status, err, "a_file", *words)
    assert (tree_digest(os.path.join(ROOT, "weights")), tree_digest(os.path.join(ROOT, "results"))) == before


@pytest.mark.skipif(not (shutil.which("pandoc") and (shutil.which("chromium") or shutil.which("chromium-browser")))
                    and os.environ.get("CI") != "true", reason="the derivation's PDF needs pandoc and chromium")
def test_the_derivation_pdf_to_a_folder_that_cannot_be_made_is_one_line(blocked):
    status, err = run("assignments/numpy_rnn/build_pdf.py", "--output={}/lstm_bptt.pdf".format(blocked))
    assert_one_line_error(status, err, "a_file", "--output")


@pytest.mark.parametrize("script", ["tools/benchmarks/augment_cost.py", "tools/benchmarks/parallel_jobs.py",
                                    "tools/benchmarks/time_to_accuracy.py"])
@pytest.mark.parametrize("name, text, words", [
    ("README.md", "# notes\n", ["README.md", "not a .jsonl file"]),
    ("old.jsonl", "not json\n", ["old.jsonl line 1", "not a JSON line"]),
    ("list.jsonl", "[1, 2]\n", ["list.jsonl record 1", "not a JSON object"])])
def test_a_benchmarks_out_that_is_not_its_records_is_one_line_before_any_training(tmp_path, script, name, text, words):
    out = tmp_path / name
    out.write_text(text)
    status, err = run(script, "--data_dir=" + str(tmp_path), "--out=" + str(out))
    assert_one_line_error(status, err, *words)
    assert out.read_text() == text and sorted(os.listdir(str(tmp_path))) == [name]  # no lock file, nothing trained


def test_plots_on_a_full_disk_are_one_line(tmp_path, capsys, monkeypatch):
    import plot_results
    results = str(tmp_path / "results")
    shutil.copytree(os.path.join(ROOT, "results"), results)
    before = tree_digest(results)

    def full(fig, path, dpi=130):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
    monkeypatch.setattr(plot_results, "save_png", full)
    status = plot_results.main(["--results_dir=" + results])
    assert_one_line_error(status, capsys.readouterr().err, "No space left on device", "--results_dir")
    assert tree_digest(results) == before


def test_a_kill_stops_a_guarded_program_like_ctrl_c(capsys):
    import signal
    import time
    from core.common import guarded
    before = signal.getsignal(signal.SIGTERM)
    cleaned = []

    def work():
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(10)  # the kill lands here
            return 0
        finally:
            cleaned.append(True)
    started = time.time()
    status = guarded(work, "interrupted; nothing was written")
    assert status == 130 and time.time() - started < 5 and cleaned == [True]
    assert capsys.readouterr().err == "error: interrupted; nothing was written\n"
    assert signal.getsignal(signal.SIGTERM) == before  # the program's own handler is back afterwards


def test_write_errors_name_the_users_file_and_what_blocks_it(tmp_path, monkeypatch):
    import tempfile
    from core.common import atomic_write_bytes, os_error_line
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(OSError) as blocked_by_file:
        atomic_write_bytes(str(tmp_path / "a_file" / "sub" / "out.json"), b"{}")
    line = os_error_line(blocked_by_file.value, "pass another --out")
    assert "cannot make the folder" in line and line.endswith("a_file is a file; pass another --out"), line

    def refused(dir, prefix):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.path.join(dir, prefix + "x1y2"))
    monkeypatch.setattr(tempfile, "mkstemp", refused)
    with pytest.raises(PermissionError) as caught:
        atomic_write_bytes(str(tmp_path / "out.json"), b"{}")
    assert caught.value.filename == str(tmp_path / "out.json")  # the user's file, not our temporary one
