"""Train then test through main.py on real MNIST; reproducibility; resume after a kill."""
import csv
import json
import os
import signal
import subprocess
import sys

import pytest

from conftest import ROOT, run_main

SAME_RESULT = ("epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "best")


def folders(tmp_path, name):
    return ["--weights_dir=" + str(tmp_path / name / "weights"), "--results_dir=" + str(tmp_path / name / "results"),
            "--logs_dir=" + str(tmp_path / name / "logs")]


def read_log(tmp_path, name, config):
    with open(str(tmp_path / name / "weights" / config / "log.csv")) as f:
        return [{k: row[k] for k in SAME_RESULT} for row in csv.DictReader(f)]


def test_train_then_test(tmp_path, real_mnist):
    args = ["--model=gru", "--hidden_unit=16", "--preset=tiny", "--data_dir=" + real_mnist] + folders(tmp_path, "a")
    code, out, err = run_main("--train", *args)
    assert code == 0, err
    assert "epoch 2/2" in out and "finished gru_h16" in out
    run = tmp_path / "a" / "weights" / "gru_h16"
    config = json.load(open(str(run / "config.json")))
    assert (config["model"], config["layers"], config["train_examples"]) == ("gru", [16], 2000)
    from core.config import Config
    assert Config.from_json(config).to_json() == config  # config.json round-trips through the typed configuration
    state = json.load(open(str(run / "state.json")))
    assert state["finished"] and state["resume"] is None and state["epoch"] == 2
    assert sorted(os.listdir(str(run))) == sorted(
        ["config.json", "state.json", "log.csv", state["best"] + ".index", state["best"] + ".data-00000-of-00001"])

    code, out, err = run_main("--test", *args)
    assert code == 0, err
    result = json.load(open(str(tmp_path / "a" / "results" / "gru_h16.json")))
    assert result["test_count"] == 10000
    assert abs(result["test_correct"] / 10000.0 - result["test_accuracy"]) < 1e-12
    assert result["test_accuracy"] > 0.15  # 32 small steps already beat chance (10%) clearly
    assert "{:,} of 10,000".format(result["test_correct"]) in out
    assert result["val_accuracy"] == state["best_val_accuracy"] and result["parameters"] == config["parameters"]


def test_same_seed_same_numbers(tmp_path, real_mnist):
    args = ["--train", "--model=lstm", "--hidden_unit=16", "--preset=tiny", "--epochs=1", "--data_dir=" + real_mnist]
    for name in ("a", "b"):
        code, _, err = run_main(*(args + folders(tmp_path, name)))
        assert code == 0, err
    code, _, err = run_main(*(args + ["--seed=2"] + folders(tmp_path, "c")))
    assert code == 0, err
    assert read_log(tmp_path, "a", "lstm_h16") == read_log(tmp_path, "b", "lstm_h16")
    assert read_log(tmp_path, "a", "lstm_h16") != read_log(tmp_path, "c", "lstm_h16")


def _start(args):
    return subprocess.Popen([sys.executable, os.path.join(ROOT, "main.py")] + args, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, universal_newlines=True, cwd=ROOT)


def _wait_for_line(proc, text):
    for line in proc.stdout:
        if text in line:
            return line
    raise AssertionError("training ended before printing {!r}: {}".format(text, proc.stderr.read()))


@pytest.mark.parametrize("variant,name", [([], "lstm_h16"), (["--dropout=0.3", "--crop_augment", "--augment=1"], "lstm_h16_crop")],
                         ids=["basic", "dropout-distortions-and-crops"])
def test_resume_after_kill_gives_the_same_run(tmp_path, real_mnist, variant, name):
    """SIGKILL mid-training, run again: it resumes and ends exactly as an uninterrupted run (random
    distortions, crops and dropout masks included: they come from the seed and the epoch or step, not from
    state)."""
    args = ["--train", "--model=lstm", "--hidden_unit=16", "--preset=tiny", "--epochs=4", "--patience=4",
            "--data_dir=" + real_mnist] + variant
    code, _, err = run_main(*(args + folders(tmp_path, "whole")))
    assert code == 0, err

    proc = _start(args + folders(tmp_path, "killed"))
    _wait_for_line(proc, "epoch 2/4")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    state = json.load(open(str(tmp_path / "killed" / "weights" / name / "state.json")))
    assert 2 <= state["epoch"] < 4 and not state["finished"], state

    code, out, err = run_main(*(args + folders(tmp_path, "killed")))
    assert code == 0, err
    assert "resuming " + name + " after epoch {}".format(state["epoch"]) in out
    assert read_log(tmp_path, "killed", name) == read_log(tmp_path, "whole", name)
    assert [r["epoch"] for r in read_log(tmp_path, "killed", name)] == [str(e) for e in range(1, 5)]
    leftovers = [n for n in os.listdir(str(tmp_path / "killed" / "weights" / name)) if n.startswith("resume")]
    assert leftovers == []


def test_a_variant_trains_tests_and_logs(tmp_path, real_mnist):
    """Two bidirectional GRU layers with random crops, dropout and weight decay, through main.py."""
    args = ["--model=gru", "--hidden_unit=8,6", "--bidirectional", "--crop_augment", "--dropout=0.2", "--l2=1e-5",
            "--preset=tiny", "--data_dir=" + real_mnist] + folders(tmp_path, "v")
    code, out, err = run_main("--train", *args)
    assert code == 0, err
    name = "gru_h8-6_bi_crop"  # the architecture; the recipe (dropout, L2) is in config.json
    run = tmp_path / "v" / "weights" / name
    config = json.load(open(str(run / "config.json")))
    assert (config["layers"], config["bidirectional"], config["crop_augment"], config["dropout"], config["l2"]) == \
        ([8, 6], True, True, 0.2, 1e-5)
    with open(str(run / "log.csv")) as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2 and all(float(r["grad_norm"]) > 0 for r in rows)
    assert all(float(r["grad_norm_max"]) >= float(r["grad_norm"]) for r in rows)
    events = os.listdir(str(tmp_path / "v" / "logs" / name))
    assert len(events) == 1 and events[0].startswith("events.out.tfevents")
    from core.tfcompat import tf
    scalars = {}
    for event in tf.train.summary_iterator(str(tmp_path / "v" / "logs" / name / events[0])):
        for value in event.summary.value:
            scalars.setdefault(value.tag, []).append((event.step, value.simple_value))
    assert sorted(scalars) == ["train/accuracy", "train/grad_norm", "train/grad_norm_max", "train/learning_rate",
                               "train/loss", "validation/accuracy", "validation/loss"]
    assert [step for step, _ in scalars["validation/accuracy"]] == [1, 2]
    assert abs(scalars["train/grad_norm"][0][1] - float(rows[0]["grad_norm"])) < 1e-3
    assert "next: python main.py --model=gru --test --hidden_unit=8,6 --bidirectional --crop_augment" in out
    (next_line,) = [line for line in out.splitlines() if "next: " in line]  # it tests this run, not the default's
    from core.common import relpath
    weights = [a.split("=", 1)[1] for a in args if a.startswith("--weights_dir=")][0]
    assert next_line.endswith(" --data_dir={} --weights_dir={}".format(relpath(real_mnist), relpath(weights)))

    code, out, err = run_main("--test", *args)
    assert code == 0, err
    result = json.load(open(str(tmp_path / "v" / "results" / (name + ".json"))))
    assert result["test_count"] == 10000 and 0 < result["crop_test_correct"] <= 10000
    assert result["config"]["layers"] == [8, 6] and result["config"]["crop_augment"]
    assert "randomly cropped test images" in out


def test_ctrl_c_says_how_to_resume(tmp_path, real_mnist):
    args = ["--train", "--model=gru", "--hidden_unit=8", "--preset=tiny", "--epochs=50", "--patience=50",
            "--data_dir=" + real_mnist] + folders(tmp_path, "t")
    proc = _start(args)
    _wait_for_line(proc, "epoch 1/50")
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate()
    assert proc.returncode == 130, err
    assert err.strip() == "error: interrupted; run the same command again to resume training from the last finished epoch"
    state = json.load(open(str(tmp_path / "t" / "weights" / "gru_h8" / "state.json")))
    assert state["resume"] and not state["finished"]


def test_retraining_moves_the_old_run_aside(tmp_path, real_mnist):
    args = ["--train", "--model=gru", "--hidden_unit=8", "--preset=tiny", "--epochs=1",
            "--data_dir=" + real_mnist] + folders(tmp_path, "m")
    assert run_main(*args)[0] == 0
    weights = tmp_path / "m" / "weights"
    first = open(str(weights / "gru_h8" / "config.json")).read()
    code, out, err = run_main(*args)
    assert code == 0, err
    aside = [n for n in os.listdir(str(weights)) if n.startswith("gru_h8.previous-")]
    assert len(aside) == 1 and "moved it to" in out
    assert open(str(weights / aside[0] / "config.json")).read() == first
