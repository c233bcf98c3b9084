"""A user's own --train and --test never change the shipped weights/ and results/ (the checkout stays clean)."""
import json
import os

from core import common
import main
from conftest import main_in_process, other_set_result, ROOT, tree_digest

SHIPPED = [os.path.join(ROOT, "weights"), os.path.join(ROOT, "results")]


def test_training_a_shipped_configuration_goes_to_runs(tmp_path, fake_mnist, monkeypatch):
    runs = str(tmp_path / "runs")
    monkeypatch.setattr(common, "RUNS_DIR", runs)  # where main.py puts a user's runs, here a scratch folder
    monkeypatch.setattr(main, "RUNS_DIR", runs)
    before = [tree_digest(folder) for folder in SHIPPED]
    logs = "--logs_dir=" + str(tmp_path / "logs")
    # The shipped lstm_h32's name, trained the way the card's command does, only smaller and shorter.
    # (--batch_size: the fake training set's 500 images are fewer than the recipe's batch of 512.)
    code, out, err = main_in_process(["--model=lstm", "--train", "--hidden_unit=32", "--preset=tiny", "--epochs=1",
                                      "--batch_size=100", "--validation_size=100", "--data_dir=" + fake_mnist, logs])
    assert code == 0, err
    assert os.path.isfile(os.path.join(runs, "lstm_h32", "state.json"))

    code, out, err = main_in_process(["--model=lstm", "--test", "--hidden_unit=32", "--data_dir=" + fake_mnist, logs])
    assert code == 0, err
    assert "(" + common.relpath(os.path.join(runs, "lstm_h32")) + ")" in out  # the log names the folder it tested
    # and says that the shipped run is there too, one flag away
    assert "testing your own run in {}/lstm_h32".format(common.relpath(runs)) in out, out
    assert "for the lstm_h32 in weights/, add --weights_dir=weights" in out, out
    assert "are for --train" not in out and "is for --train" not in out
    # A training setting given to --test is said to be ignored (the checkpoint's own settings build the model).
    code, out, err = main_in_process(["--model=lstm", "--test", "--hidden_unit=32", "--epochs=3", "--unroll=loop",
                                      "--data_dir=" + fake_mnist, logs])
    assert code == 0, err
    assert "note: --epochs, --unroll are for --train; --test builds the model its checkpoint records" in out, out
    with open(other_set_result(os.path.join(runs, "results"), "lstm_h32.json")) as f:
        assert json.load(f)["test_count"] == 200  # the fake test set, filed apart; not the shipped result
    accuracy = [line for line in out.splitlines() if "test accuracy of" in line or "cropped" in line]
    assert sum(line.count("%") for line in accuracy) == 1, out  # one headline test figure for whole images
    assert [tree_digest(folder) for folder in SHIPPED] == before


def test_without_a_run_of_its_own_test_uses_the_shipped_weights(tmp_path, monkeypatch):
    monkeypatch.setattr(common, "RUNS_DIR", str(tmp_path / "runs"))
    assert common.weights_dir_for_test("gru_h128") == common.WEIGHTS_DIR
    assert common.results_dir_for(common.WEIGHTS_DIR) == common.RESULTS_DIR
    assert common.results_dir_for(str(tmp_path / "elsewhere")) == os.path.join(str(tmp_path / "runs"), "results")
    os.makedirs(str(tmp_path / "runs" / "gru_h128"))
    with open(str(tmp_path / "runs" / "gru_h128" / "state.json"), "w") as f:
        json.dump({"best": None}, f)  # started, no checkpoint yet: still the shipped one
    assert common.weights_dir_for_test("gru_h128") == common.WEIGHTS_DIR
    with open(str(tmp_path / "runs" / "gru_h128" / "state.json"), "w") as f:
        json.dump({"best": "best-3"}, f)
    assert common.weights_dir_for_test("gru_h128") == str(tmp_path / "runs")


def test_crop_accuracy_gets_a_line_of_its_own_when_asked(tmp_path, fake_mnist):
    weights, results = str(tmp_path / "w"), str(tmp_path / "r")
    folders = ["--data_dir=" + fake_mnist, "--weights_dir=" + weights, "--results_dir=" + results,
               "--logs_dir=" + str(tmp_path / "logs")]
    code, _, err = main_in_process(["--model=gru", "--train", "--hidden_unit=4", "--preset=tiny", "--epochs=1",
                                    "--validation_size=100"] + folders)
    assert code == 0, err
    code, out, err = main_in_process(["--model=gru", "--test", "--hidden_unit=4", "--crop_test"] + folders)
    assert code == 0, err
    lines = [line for line in out.splitlines() if "%" in line and "validation" not in line]  # the test figures
    assert len(lines) == 2 and "test accuracy of gru_h4" in lines[0] and "randomly cropped" in lines[1]
    with open(other_set_result(results, "gru_h4.json")) as f:
        result = json.load(f)
    assert "{:.2%}".format(result["crop_test_accuracy"]) in lines[1]
    assert "{:.2%}".format(result["test_accuracy"]) in lines[0]
