"""Nothing is plotted, tabled, exported or reused unchecked (#46): the mnist4 sweep's kept records, log.csv
(core/runs.py's RunDir.read_log) and result files (core/results.py) each go through one checked reader; a file
that does not fit is named in one line, and nothing is written."""
import json
import os
import shutil

import numpy as np
import pytest

from conftest import ROOT, assert_one_line_error, main_in_process, make_mnist, tree_digest
from test_plots_and_report import log_csv, write_results


# --- the mnist4 sweep's kept records ------------------------------------------------------------------------

def sweep_settings():
    from assignments.numpy_rnn import mnist4
    import argparse
    return mnist4._settings(argparse.Namespace(batch_size=64, seed=1, patience=10, max_epochs=1, clip_norm=0.0))


def a_record(partial, rate, **change):
    """A whole kept record of `rate`, as _keep writes it after train(): one epoch and this network's weights."""
    from assignments.numpy_rnn import mnist4, rnn
    curves = [dict({"epoch": 1, "train_loss": 0.9, "train_accuracy": 0.7, "val_loss": 0.5, "val_accuracy": 0.8,
                    "seconds": 1.5}, **change)]
    params = {k: v.astype(np.float32) for k, v in rnn.init_params(28, mnist4.HIDDEN, len(mnist4.CLASSES)).items()}
    mnist4._keep(partial, rate, sweep_settings(), curves, params, "reached the cap of 1 epochs")
    return os.path.join(partial, "rate_{!r}".format(rate))


def reused(partial, rate, capsys):
    """(what _finished gives for `rate`, its printed lines)."""
    from assignments.numpy_rnn import mnist4
    done = mnist4._finished(partial, rate, sweep_settings())
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return done, out.out.strip().splitlines()


def test_a_record_renamed_to_another_rate_is_not_taken_for_it(tmp_path, capsys):
    """The issue's case: rate_0.001's record renamed to rate_0.0005 was accepted as that rate's."""
    partial = str(tmp_path / "mnist4.partial")
    stem = a_record(partial, 0.001)
    assert reused(partial, 0.001, capsys)[0][2] == "reached the cap of 1 epochs"  # its own rate: reused
    for ending in (".json", ".npz"):
        os.rename(stem + ending, os.path.join(partial, "rate_0.0005" + ending))
    done, lines = reused(partial, 0.0005, capsys)
    assert done is None and len(lines) == 1, lines
    assert "rate 0.0005: the record" in lines[0] and "it is the record of rate 0.001" in lines[0]
    assert "training the rate again" in lines[0]


def _flip(path, at):
    data = bytearray(open(path, "rb").read())
    data[at] ^= 0xFF
    open(path, "wb").write(bytes(data))


def _truncate(path):
    data = open(path, "rb").read()
    open(path, "wb").write(data[:len(data) // 2])


def _flip_and_rehash(stem):
    """A bit flipped inside the weights, the record's digest updated to match: numpy's zip check is what meets it
    (it raised BadZipFile 'Bad CRC-32' as a traceback)."""
    import hashlib
    _flip(stem + ".npz", 200)
    record = json.load(open(stem + ".json"))
    record["npz_sha256"] = hashlib.sha256(open(stem + ".npz", "rb").read()).hexdigest()
    json.dump(record, open(stem + ".json", "w"))


@pytest.mark.parametrize("damage, words", [
    (lambda stem, partial: a_record(partial, 0.001, val_accuracy=float("nan")), "val_accuracy is nan"),
    (lambda stem, partial: a_record(partial, 0.001, val_accuracy=1.5), "val_accuracy is 1.5"),
    (lambda stem, partial: a_record(partial, 0.001, epoch=2), "row 1 is not epoch 1"),
    (lambda stem, partial: _truncate(stem + ".npz"), "not the weights file written with it"),
    (lambda stem, partial: _flip(stem + ".npz", 200), "not the weights file written with it"),
    (lambda stem, partial: _flip_and_rehash(stem), "unreadable"),
    (lambda stem, partial: os.remove(stem + ".npz"), "unreadable"),
    (lambda stem, partial: open(stem + ".json", "w").write("[1, 2"), "unreadable"),
    (lambda stem, partial: open(stem + ".json", "w").write("[1, 2]"), "not a record object"),
], ids=["nan-accuracy", "accuracy-above-1", "epochs", "truncated-npz", "bit-flipped-npz", "bad-crc", "no-npz",
        "not-json", "a-list"])
def test_a_damaged_kept_record_is_one_line_and_trained_again(tmp_path, capsys, damage, words):
    partial = str(tmp_path / "mnist4.partial")
    stem = a_record(partial, 0.001)
    damage(stem, partial)
    done, lines = reused(partial, 0.001, capsys)
    assert done is None and len(lines) == 1, lines
    assert words in lines[0] and lines[0].endswith("training the rate again"), lines[0]


def test_the_sweep_trains_a_damaged_or_renamed_rate_again(tmp_path, capsys):
    """The whole program on a small stand-in for MNIST: the truncated weights of one rate and another rate's
    renamed record are said in a line each and trained again; the result holds the new runs, no NaN."""
    from assignments.numpy_rnn import mnist4, mnist4_result
    data = make_mnist(str(tmp_path / "data"), n_train=5400, n_test=100)
    out = tmp_path / "out"
    partial = str(out / "mnist4.partial")
    _truncate(a_record(partial, 0.001) + ".npz")
    stem = a_record(partial, 0.01, val_accuracy=0.999)  # would win the choice if it were taken for 0.0001's
    for ending in (".json", ".npz"):
        os.rename(stem + ending, os.path.join(partial, "rate_0.0001" + ending))
    args = ["--data_dir=" + data, "--rates=0.001,0.0001", "--max_epochs=1", "--out=" + str(out)]
    assert mnist4.main(args) == 0
    printed = capsys.readouterr()
    assert "Traceback" not in printed.out + printed.err
    assert sum("training the rate again" in line for line in printed.out.splitlines()) == 2, printed.out
    result = mnist4_result.read_result(str(out / "mnist4.json"), new=True)
    assert result["stopped"] == {"0.001": "reached the cap of 1 epochs", "0.0001": "reached the cap of 1 epochs"}
    assert result["best_val_accuracy"] < 0.999 and not os.path.exists(partial)


@pytest.mark.parametrize("change, words", [
    (lambda r: dict(r, best_val_accuracy=float("nan")), "best_val_accuracy nan"),
    (lambda r: dict(r, test_accuracy=float("nan")), "test_accuracy nan"),
    (lambda r: dict(r, curves=dict(r["curves"], **{"0.001": [dict(row, val_accuracy=float("nan")) for row in
                                                                   r["curves"]["0.001"]]})), "val_accuracy is nan"),
], ids=["best", "test", "curve"])
def test_a_nan_in_the_sweeps_result_is_one_error_not_nan_percent(tmp_path, change, words):
    """What the report's page and the IE643 README print: 'validation nan%' before."""
    from assignments.numpy_rnn import mnist4_result
    from core.common import UserError
    with open(os.path.join(ROOT, "results", "numpy_rnn", "mnist4.json")) as f:
        good = json.load(f)
    path = tmp_path / "mnist4.json"
    path.write_text(json.dumps(change(good)))
    with pytest.raises(UserError) as e:
        mnist4_result.read_result(str(path), new=True)
    assert words in str(e.value) and "\n" not in str(e.value), str(e.value)


# --- log.csv: one checked reader for plots and reports ------------------------------------------------------

GOOD_LOG = log_csv([0.91, 0.92, 0.93])


def _cut_mid_row(text):
    return text[:text.rindex(",0.93000") + len(",0.")]  # the last row ends in "0." (it used to plot as 0)


@pytest.mark.parametrize("log, words", [
    (_cut_mid_row(GOOD_LOG), "last row is cut off"),
    (GOOD_LOG.replace("0.92000", "abc"), "abc"),
    (GOOD_LOG.replace("val_accuracy", "val_acc"), "its header is not"),
    (GOOD_LOG.encode("utf-8").replace(b"0.92000", b"0.92\xff00"), "not UTF-8 text: byte 216 is 0xff"),
    (GOOD_LOG.replace("0.92000", "nan"), "val_accuracy is nan"),
    (GOOD_LOG.replace("0.92000", "1.5"), "val_accuracy is 1.5"),
    (GOOD_LOG.replace("0.92000,", "0.92000,7,"), "more fields"),
], ids=["cut-mid-row", "not-a-number", "renamed-column", "0xff-byte", "nan", "above-1", "extra-field"])
def test_a_damaged_log_is_one_line_in_plots_and_report_and_nothing_is_written(tmp_path, capsys, log, words):
    import plot_results
    from tools import make_report
    results, weights = str(tmp_path / "results"), str(tmp_path / "weights")
    os.makedirs(results)
    write_results(results, weights)
    path = os.path.join(weights, "gru_h64", "log.csv")
    with open(path, "wb") as f:
        f.write(log if isinstance(log, bytes) else log.encode("utf-8"))
    before = tree_digest(str(tmp_path))
    report, readme = str(tmp_path / "Report.pdf"), str(tmp_path / "README.md")
    with open(readme, "w") as f:
        f.write("<!-- results:begin -->\n<!-- results:end -->\n")
    before = tree_digest(str(tmp_path))
    for program, args in ((plot_results, []), (make_report, ["--output=" + report, "--readme=" + readme])):
        status = program.main(["--results_dir=" + results, "--weights_dir=" + weights] + args)
        out = capsys.readouterr()
        line = assert_one_line_error(status, out.err, os.path.join("gru_h64", "log.csv"), words, out=out.out)
        assert "train the configuration again" in line
    assert tree_digest(str(tmp_path)) == before  # no figure, no PDF, the README as it was


def test_the_log_reader_takes_what_train_writes(tmp_path):
    from core.runs import RunDir
    os.makedirs(str(tmp_path / "lstm_h8"))
    (tmp_path / "lstm_h8" / "log.csv").write_text(GOOD_LOG)
    assert [r["val_accuracy"] for r in RunDir(str(tmp_path), "lstm_h8").curves()] == [0.91, 0.92, 0.93]
    for name in os.listdir(os.path.join(ROOT, "weights")):  # every shipped log
        if os.path.isfile(os.path.join(ROOT, "weights", name, "log.csv")):
            assert RunDir(os.path.join(ROOT, "weights"), name).read_log()


# --- result files: one checked reader for plots, tables and the page's weights -------------------------------

def test_a_backup_result_file_is_left_out_and_named(tmp_path, capsys):
    """A backup results/lstm_h32.old.json added a second LSTM-32 row ('50.00% (5,000)') to the README table."""
    from core import plots
    from tools import make_report
    results, weights = str(tmp_path / "results"), str(tmp_path / "weights")
    os.makedirs(results)
    write_results(results, weights)
    with open(os.path.join(results, "lstm_h32.json")) as f:
        backup = dict(json.load(f), test_accuracy=0.5, test_correct=5000)
    with open(os.path.join(results, "lstm_h32.old.json"), "w") as f:
        json.dump(backup, f)
    assert [r["name"] for r in plots.load_results(results)].count("lstm_h32") == 1
    readme = str(tmp_path / "README.md")
    with open(readme, "w") as f:
        f.write("<!-- results:begin -->\n<!-- results:end -->\n")
    assert make_report.main(["--results_dir=" + results, "--weights_dir=" + weights, "--readme=" + readme,
                             "--output=" + str(tmp_path / "Report.pdf")]) == 0
    text = open(readme).read()
    assert text.count("| LSTM | 32 |") == 1 and "50.00%" not in text
    notes = [line for line in capsys.readouterr().out.splitlines() if "lstm_h32.old.json" in line]
    assert len(notes) == 1 and "left out" in notes[0], notes


@pytest.mark.parametrize("change, words", [
    (lambda r: dict(r, hidden_unit=5000), "'hidden_unit' 5000"),
    (lambda r: dict(r, name="gru_h32", model="gru"), "holds the result of gru_h32"),
    (lambda r: dict(r, model="gru"), "not a configuration this program trains"),
    (lambda r: dict(r, history=[{"epoch": 1, "train_loss": 0.1, "train_accuracy": 0.9, "val_loss": float("nan"),
                                 "val_accuracy": 0.9}]), "'history' epoch 1's val_loss nan"),
], ids=["hidden-5000", "another-configurations-file", "model-and-name-disagree", "nan-in-history"])
def test_a_result_that_does_not_fit_its_name_is_one_line(tmp_path, capsys, change, words):
    """hidden_unit 5000 was a ConfigError traceback in plot_results.py and make_report.py."""
    import plot_results
    from tools import make_report
    results, weights = str(tmp_path / "results"), str(tmp_path / "weights")
    os.makedirs(results)
    write_results(results, weights)
    path = os.path.join(results, "lstm_h32.json")
    with open(path) as f:
        good = json.load(f)
    with open(path, "w") as f:
        json.dump(change(good), f)
    before = tree_digest(str(tmp_path))
    for program, args in ((plot_results, []), (make_report, ["--output=" + str(tmp_path / "r.pdf"), "--readme="])):
        status = program.main(["--results_dir=" + results, "--weights_dir=" + weights] + args)
        out = capsys.readouterr()
        assert_one_line_error(status, out.err, "lstm_h32.json", words, out=out.out)
    assert tree_digest(str(tmp_path)) == before


@pytest.mark.parametrize("content, words", [
    (b"not json at all", "is not valid JSON"),
    (b"[0.99]", "holds list where a result object belongs"),
    (None, "'test_accuracy' '99%'"),
], ids=["not-json", "a-list", "percent-string"])
def test_the_pages_weights_take_only_a_checked_test_accuracy(tmp_path, capsys, monkeypatch, content, words):
    """tools/export_weights.py read results/<config>.json unchecked: a traceback, or '99%' in the page's file."""
    import core.common
    from tools import export_weights
    weights, runs, web = tmp_path / "w", tmp_path / "runs", tmp_path / "web"
    shutil.copytree(os.path.join(ROOT, "weights", "lstm_h32"), str(weights / "lstm_h32"))
    os.makedirs(str(runs / "results"))
    with open(os.path.join(ROOT, "results", "lstm_h32.json")) as f:
        good = json.load(f)
    (runs / "results" / "lstm_h32.json").write_bytes(content or json.dumps(dict(good, test_accuracy="99%")).encode())
    monkeypatch.setattr(core.common, "RUNS_DIR", str(runs))  # the result of weights outside weights/ is there
    before = tree_digest(str(tmp_path))
    status = export_weights.main(["--names=lstm_h32", "--weights_dir=" + str(weights), "--out=" + str(web)])
    out = capsys.readouterr()
    assert_one_line_error(status, out.err, "lstm_h32.json", words, out=out.out)
    assert tree_digest(str(tmp_path)) == before and not web.exists()


def test_explaining_a_test_image_past_the_end_of_a_small_test_set_is_one_line(tmp_path):
    """--explain --test_image=600 on a 500-image test set was an IndexError."""
    data = make_mnist(str(tmp_path / "data"), n_train=100, n_test=500)
    code, out, err = main_in_process(["--model=lstm", "--hidden_unit=32", "--explain", "--test_image=600",
                                      "--data_dir=" + data, "--weights_dir=" + os.path.join(ROOT, "weights")])
    assert_one_line_error(code, err, "--test_image=600", "500 images", "from 0 to 499", out=out)
