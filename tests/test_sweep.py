"""tools/tuning/sweep.py: the validation grid search trains through main.py, records one line per combination,
continues after the finished ones, and reports bad input in one line."""
import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT, assert_one_line_error, make_mnist

SWEEP = os.path.join(ROOT, "tools", "tuning", "sweep.py")


def sweep(*args):
    proc = subprocess.run([sys.executable, SWEEP] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, cwd=ROOT, timeout=600)
    return proc.returncode, proc.stdout, proc.stderr


def test_a_sweep_records_each_combination_once_and_continues_after_them(tmp_path):
    data = make_mnist(str(tmp_path / "data"))
    out = str(tmp_path / "sweep.jsonl")
    args = ["--data_dir=" + data, "--models=gru", "--hidden=6", "--scratch=" + str(tmp_path / "scratch"),
            "--out=" + out, "--grid", "learning_rate=0.01,0.02",
            "--fixed", "preset=tiny", "validation_size=100", "epochs=1", "logs_dir=" + str(tmp_path / "logs")]
    status, stdout, stderr = sweep(*args)
    assert status == 0, stderr
    with open(out) as f:
        records = [json.loads(line) for line in f]
    assert [r["flags"]["learning_rate"] for r in records] == ["0.01", "0.02"]
    for r in records:
        state = os.path.join(str(tmp_path / "scratch"), r["tag"], "gru_h6", "state.json")
        with open(state) as f:
            assert r["best_val_accuracy"] == json.load(f)["best_val_accuracy"]  # read from the run, not invented
        assert r["epochs_run"] == 1 and r["hidden_unit"] == 6
        assert [e for e, _, _ in r["curve"]] == [1] and r["curve"][0][1] == r["best_val_accuracy"]  # its log.csv
        assert r["machine"]["processor"]
    status, table, stderr = sweep("--out=" + out, "--table")
    assert status == 0, stderr
    assert "| GRU-6 | 0.01 | {:.2%} (1/1) |".format(records[0]["best_val_accuracy"]) in table, table
    status, stdout, stderr = sweep(*args)  # everything done: nothing trains again, nothing is added
    assert status == 0 and "sweep: gru" not in stdout, stdout
    with open(out) as f:
        assert len(f.readlines()) == 2


@pytest.mark.parametrize("args, words", [
    (["--grid", "learning_rate"], ["--grid", "FLAG=VALUE", "'learning_rate'"]),
    (["--grid", "no_such_flag=1"], ["the run", "no_such_flag", "kept"]),
])
def test_bad_sweeps_are_one_line(tmp_path, args, words):
    out = str(tmp_path / "sweep.jsonl")
    status, stdout, stderr = sweep("--data_dir=" + str(tmp_path), "--models=gru", "--out=" + out,
                                   "--scratch=" + str(tmp_path / "scratch"), *args)
    assert_one_line_error(status, stderr, *words)
    assert not os.path.exists(out)


def test_a_damaged_sweep_file_is_one_line_and_kept(tmp_path):
    out = tmp_path / "sweep.jsonl"
    out.write_text("not json\n")
    status, stdout, stderr = sweep("--data_dir=" + str(tmp_path), "--out=" + str(out), "--grid", "learning_rate=1")
    assert_one_line_error(status, stderr, "sweep.jsonl", "not a sweep")
    assert out.read_text() == "not json\n"


def test_a_killed_sweep_is_one_line_and_leaves_no_line_half_done(tmp_path):
    import signal
    data = make_mnist(str(tmp_path / "data"))
    out = tmp_path / "sweep.jsonl"
    proc = subprocess.Popen([sys.executable, SWEEP, "--data_dir=" + data, "--models=gru", "--hidden=6",
                             "--scratch=" + str(tmp_path / "scratch"), "--out=" + str(out), "--grid",
                             "learning_rate=0.01", "--fixed", "preset=tiny", "validation_size=100", "epochs=500",
                             "patience=500", "logs_dir=" + str(tmp_path / "logs")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, cwd=ROOT)
    assert "sweep: gru_h6" in proc.stdout.readline()  # the run has started
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert_one_line_error(proc.returncode, stderr, "interrupted", "run the same command again")
    assert not out.exists()
