"""Every bad input through main.py: one clear line on stderr, a non-zero exit, no traceback, nothing changed."""
import gzip
import json
import os
import shutil

import pytest

from conftest import ROOT, assert_one_line_error, main_in_process, make_mnist, run_main, tree_digest, write_idx


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """Small fake data and one trained tiny configuration (lstm_h8) that the bad inputs must not touch."""
    root = str(tmp_path_factory.mktemp("ws"))
    data = make_mnist(os.path.join(root, "data"))
    weights, results = os.path.join(root, "weights"), os.path.join(root, "results")
    status, out, err = run_main("--model=lstm", "--train", "--hidden_unit=8", "--preset=tiny", "--recipe=plain",
                                "--validation_size=100", "--data_dir=" + data, "--weights_dir=" + weights)
    assert status == 0, err
    logs = os.path.join(str(tmp_path_factory.mktemp("logs")))  # outside root: TensorBoard files may appear
    return {"root": root, "data": data, "weights": weights, "results": results, "logs": logs}


def expect_failure(ws, args, words, status=None, new_files_allowed=False, subprocess=False):
    """Run main.py with args (plus the workspace's folders); check the one-line error and that nothing changed."""
    before = tree_digest(ws["root"])
    defaults = ["--data_dir=" + ws["data"], "--weights_dir=" + ws["weights"], "--results_dir=" + ws["results"]]
    given = set(a.split("=")[0] for a in args)
    full = args + [d for d in defaults if d.split("=")[0] not in given]
    code, out, err = run_main(*full) if subprocess else main_in_process(full + ["--logs_dir=" + ws["logs"]])
    assert code != 0 if status is None else code == status, (code, out, err)
    line = assert_one_line_error(code, err, *words, out=out)
    after = tree_digest(ws["root"])
    for path, digest in before.items():
        assert after.get(path) == digest, "{} was changed or removed".format(path)
    if not new_files_allowed:
        assert sorted(after) == sorted(before), "new files: {}".format(set(after) - set(before))
    return line


def broken_data(ws, name, mutate):
    """A copy of the workspace's data folder with one file replaced by mutate(path)."""
    folder = os.path.join(ws["root"], "broken-" + name)
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    shutil.copytree(ws["data"], folder)
    mutate(os.path.join(folder, name))
    return folder


TRAIN = ["--model=lstm", "--train", "--hidden_unit=8"]
TEST = ["--model=lstm", "--test", "--hidden_unit=8"]


def test_missing_data_folder(workspace):
    expect_failure(workspace, TRAIN + ["--data_dir=" + os.path.join(workspace["root"], "nowhere")],
                   ["nowhere", "does not exist", "--data_dir", "--download"], subprocess=True)


def test_missing_data_file(workspace):
    folder = broken_data(workspace, "t10k-labels-idx1-ubyte.gz", os.remove)
    expect_failure(workspace, TEST + ["--data_dir=" + folder], ["t10k-labels-idx1-ubyte", "missing"])


@pytest.mark.slow
def test_truncated_idx(workspace):
    def truncate(path):
        with gzip.open(path, "rb") as f:
            data = f.read()
        with gzip.open(path, "wb") as f:
            f.write(data[:-100])  # the header still promises 600 whole images
    folder = broken_data(workspace, "train-images-idx3-ubyte.gz", truncate)
    expect_failure(workspace, TRAIN + ["--data_dir=" + folder], ["train-images-idx3-ubyte.gz", "truncated"],
                   subprocess=True)


def test_corrupt_gzip(workspace):
    def corrupt(path):
        with open(path, "r+b") as f:
            f.seek(20)
            f.write(b"\xff" * 50)
    folder = broken_data(workspace, "t10k-images-idx3-ubyte.gz", corrupt)
    expect_failure(workspace, TEST + ["--data_dir=" + folder], ["t10k-images-idx3-ubyte.gz"])


def test_images_and_labels_disagree(workspace):
    folder = broken_data(workspace, "t10k-labels-idx1-ubyte.gz", lambda p: write_idx(p, [1] * 150))
    expect_failure(workspace, TEST + ["--data_dir=" + folder], ["200 images", "150 labels"])


@pytest.mark.parametrize("model", ["rnnx", "LSTMs", ""])
def test_unknown_model(workspace, model):
    expect_failure(workspace, ["--model=" + model, "--train", "--hidden_unit=8"], ["--model", "lstm, gru, rnn, mlp or cnn"])


@pytest.mark.parametrize("hidden", ["abc", "0", "-3", "3.5", ""])
def test_bad_hidden_unit(workspace, hidden):
    expect_failure(workspace, ["--model=lstm", "--train", "--hidden_unit=" + hidden], ["--hidden_unit", "positive integer"])


@pytest.mark.parametrize("mode", [["--train", "--test"], [], ["--test", "--predict=x.png"]],
                         ids=["both", "neither", "test-and-predict"])
def test_train_and_test_together_or_neither(workspace, mode):
    expect_failure(workspace, ["--model=lstm", "--hidden_unit=8"] + mode,
                   ["exactly one of --train, --test, --predict=<image> or --explain"])


@pytest.mark.parametrize("args,words", [
    (["--dropout=1"], ["--dropout", "[0, 1)"]),
    (["--dropout=-0.1"], ["--dropout", "[0, 1)"]),
    (["--l2=-1e-4"], ["--l2", "zero or a positive number"]),
    (["--l2=nan"], ["--l2", "zero or a positive number"]),
    (["--l2=inf"], ["--l2", "zero or a positive number"]),
    (["--hidden_unit=8,8", "--num_layers=3"], ["2 layers but --num_layers=3"]),
    (["--num_layers=0"], ["--num_layers", "between 1 and 8"]),
    (["--hidden_unit=8,,8"], ["--hidden_unit", "one per layer"]),
    (["--hidden_unit=" + ",".join(["8"] * 126)], ["--hidden_unit lists 126 layers", "at most 8"]),
    (["--hidden_unit=4096", "--num_layers=8", "--bidirectional"], ["weights, more than the", "fewer or smaller"]),
    (["--augment=-0.5"], ["--augment must be between 0"]),
    (["--augment=nan"], ["--augment must be between 0"]),
], ids=["dropout-1", "dropout-negative", "l2-negative", "l2-nan", "l2-inf", "layers-mismatch", "no-layers",
        "empty-layer", "126-layers", "huge-model", "augment-negative", "augment-nan"])
def test_bad_variant_options(workspace, args, words):
    expect_failure(workspace, ["--model=lstm", "--train"] + args, words)


def test_testing_a_variant_that_was_not_trained(workspace):
    """The folder name carries the architecture, so the basic lstm_h8 weights are not taken for a bidirectional
    one; a recipe flag (--dropout) changes nothing when no folder of the old naming exists."""
    line = expect_failure(workspace, ["--model=lstm", "--test", "--hidden_unit=8", "--bidirectional", "--dropout=0.2"],
                          ["no trained weights for lstm_h8_bi "])
    assert "python main.py --model=lstm --train --hidden_unit=8 --bidirectional" in line


def test_test_without_weights(workspace):
    line = expect_failure(workspace, ["--model=gru", "--test", "--hidden_unit=16"], ["no trained weights for gru_h16"],
                          subprocess=True)
    assert "python main.py --model=gru --train --hidden_unit=16" in line


def test_test_of_a_shipped_configuration_in_another_weights_dir_points_at_the_shipped_weights(workspace):
    """The workspace's weights folder has no gru_h128, weights/ has: the line says where the shipped one is
    rather than listing gru_h128 among the shipped as if that contradicted the error."""
    line = expect_failure(workspace, ["--model=gru", "--test", "--hidden_unit=128"], ["no trained weights for gru_h128"])
    from core.common import WEIGHTS_DIR, relpath  # paths as typed from the current folder
    shipped = relpath(WEIGHTS_DIR)
    assert "trained ones are in {} (--weights_dir={} uses them)".format(
        os.path.join(shipped, "gru_h128"), shipped) in line, line
    assert "python main.py --model=gru --train --hidden_unit=128" in line and "shipped:" not in line


def _copy_run(ws, name, edit):
    """Copy the trained lstm_h8 folder to weights/<name> and edit its config.json."""
    target = os.path.join(ws["weights"], name)
    if os.path.isdir(target):
        shutil.rmtree(target)
    shutil.copytree(os.path.join(ws["weights"], "lstm_h8"), target)
    path = os.path.join(target, "config.json")
    config = json.load(open(path))
    edit(config)
    json.dump(config, open(path, "w"))


def test_weights_of_another_configuration(workspace):
    _copy_run(workspace, "lstm_h16", lambda c: None)  # a folder copied by hand, config says hidden 8
    expect_failure(workspace, ["--model=lstm", "--test", "--hidden_unit=16"],
                   ["another configuration", "layers=[8] (flags: [16])"])


@pytest.mark.slow
def test_checkpoint_shapes_do_not_match(workspace):
    _copy_run(workspace, "lstm_h12", lambda c: c.update(hidden_unit=12, layers=[12], name="lstm_h12"))  # config edited, checkpoint is h8
    expect_failure(workspace, ["--model=lstm", "--test", "--hidden_unit=12"], ["lstm/W_x", "[28, 32]", "[28, 48]"],
                   subprocess=True)


def test_checkpoint_of_another_cell(workspace):
    _copy_run(workspace, "gru_h8", lambda c: c.update(model="gru", name="gru_h8"))
    expect_failure(workspace, ["--model=gru", "--test", "--hidden_unit=8"], ["gru/W_x", "another kind of model"])


def test_damaged_config(workspace):
    target = os.path.join(workspace["weights"], "gru_h9")
    os.makedirs(target, exist_ok=True)
    with open(os.path.join(target, "config.json"), "w") as f:
        f.write("{not json")
    with open(os.path.join(target, "state.json"), "w") as f:
        f.write("{}")
    expect_failure(workspace, ["--model=gru", "--test", "--hidden_unit=9"], ["config.json", "not valid JSON"])


@pytest.mark.slow
def test_loss_becomes_nan(workspace):
    expect_failure(workspace, ["--model=lstm", "--train", "--hidden_unit=10", "--learning_rate=1e38",
                               "--preset=tiny", "--validation_size=100"],
                   ["diverged", "--learning_rate"], new_files_allowed=True)


@pytest.mark.parametrize("args,words", [
    (["--hiden_unit=8"], ["hiden_unit", "--help"]),
    (["--epochs=many"], ["epochs", "--help"]),
], ids=["unknown-flag", "not-an-integer"])
def test_flag_syntax(workspace, args, words):
    expect_failure(workspace, TRAIN + args, words, status=2, subprocess=args == ["--hiden_unit=8"])


@pytest.mark.parametrize("args,words", [
    (["--batch_size=0"], ["--batch_size must be a positive number"]),
    (["--learning_rate=-1"], ["--learning_rate must be a positive number"]),
    (["--learning_rate=inf"], ["--learning_rate must be a positive number, not inf"]),
    (["--clip_norm=inf"], ["--clip_norm must be a positive number, not inf"]),
    (["--lr_decay=1e300"], ["--lr_decay must be at most 1"]),
    (["--seed=-1"], ["--seed must be between 0 and 2147483647"]),
    (["--towers=1024", "--batch_size=1024"], ["--towers=1024", "at most 8"]),
    (["--preset=huge"], ["--preset", "tiny"]),
    (["extra"], ["unexpected argument 'extra'"]),
    (["--towers=-1"], ["--towers must be positive"]),
    (["--batch_size=100", "--towers=3"], ["--batch_size=100 must be a multiple of --towers=3"]),
], ids=["batch", "lr", "lr-inf", "clip-inf", "decay-huge", "seed-negative", "towers-huge", "preset", "positional",
        "towers", "towers-batch"])
def test_bad_settings(workspace, args, words):
    expect_failure(workspace, TRAIN + args, words)


def test_help(workspace):
    code, out, err = run_main("--help")
    assert code == 0 and "--hidden_unit" in out and "--train" in out


def test_data_dir_with_a_tilde_is_the_home_folder(real_mnist, tmp_path, monkeypatch):
    """--data_dir=~/mnist: a shell leaves a ~ after "=" as it is, so the program expands it (#28 item 14)."""
    home = tmp_path / "home"
    home.mkdir()
    os.symlink(os.path.abspath(real_mnist), str(home / "mnist"))
    monkeypatch.setenv("HOME", str(home))
    code, out, err = main_in_process(["--model=gru", "--hidden_unit=32", "--test", "--data_dir=~/mnist",
                                      "--weights_dir=" + os.path.join(ROOT, "weights"),
                                      "--results_dir=" + str(tmp_path / "results")])
    assert code == 0, err
    assert "10,000 images" in out
