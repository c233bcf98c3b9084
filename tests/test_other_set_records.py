"""A result on a test set other than MNIST's never replaces an MNIST record (#46): not the shipped one, not yours
in runs/results/, not through --results_dir or a link; it goes to <results>/test-sets/<count>-<sha256>/, marked.
The same for plot_results.py --rows_until_known. A --predict image whose name is near the file system's limit
gets its --explain figure under a shortened name."""
import json
import os
import shutil

import pytest

from conftest import ROOT, assert_one_line_error, main_in_process, make_mnist

WEIGHTS = os.path.join(ROOT, "weights")


def files(folder):
    """{relative path: bytes} of every file under folder (links followed), to prove nothing changed."""
    found = {}
    for base, _, names in os.walk(folder, followlinks=True):
        for name in names:
            with open(os.path.join(base, name), "rb") as f:
                found[os.path.relpath(os.path.join(base, name), folder)] = f.read()
    return found


@pytest.fixture(scope="module")
def other_set(tmp_path_factory):
    """A set of 300 test images that is not MNIST's (and a few training images, as a data folder has)."""
    return make_mnist(str(tmp_path_factory.mktemp("other") / "data"), n_train=100, n_test=300)


@pytest.fixture
def records(tmp_path):
    """A copy of shipped MNIST records (two results and the rows-until-known summary)."""
    folder = tmp_path / "results"
    folder.mkdir()
    for name in ("lstm_h32.json", "gru_h32.json", "rows_until_known.json", "rows_until_known.png"):
        shutil.copy(os.path.join(ROOT, "results", name), str(folder))
    return str(folder)


def filed_apart(folder, name):
    """The one result of `name` on the 300-image set under folder/test-sets/, read."""
    found = [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(folder, "test-sets")) for f in fs if f == name]
    assert len(found) == 1 and os.path.basename(os.path.dirname(found[0])).startswith("300-"), found
    with open(found[0]) as f:
        return json.load(f)


def test_your_runs_record_stays_when_you_test_on_another_set(other_set, tmp_path, monkeypatch):
    """Your own run in runs/ is what --test uses; its MNIST record in runs/results/ is not replaced."""
    import core.common
    runs = tmp_path / "runs"
    shutil.copytree(os.path.join(WEIGHTS, "lstm_h32"), str(runs / "lstm_h32"))
    os.makedirs(str(runs / "results"))
    shutil.copy(os.path.join(ROOT, "results", "lstm_h32.json"), str(runs / "results"))
    monkeypatch.setattr(core.common, "RUNS_DIR", str(runs))
    before = files(str(runs))
    code, out, err = main_in_process(["--model=lstm", "--test", "--hidden_unit=32", "--data_dir=" + other_set])
    assert code == 0, err
    after = files(str(runs))
    assert {k: v for k, v in after.items() if not k.startswith("results/test-sets/")} == before
    result = filed_apart(str(runs / "results"), "lstm_h32.json")
    assert result["test_count"] == 300 and result["test_set"]["count"] == 300


def test_a_results_dir_that_links_to_the_records_does_not_reach_them(other_set, records, tmp_path):
    link = str(tmp_path / "link")
    os.symlink(records, link)
    before = files(records)
    code, out, err = main_in_process(["--model=gru", "--test", "--hidden_unit=32", "--data_dir=" + other_set,
                                      "--weights_dir=" + WEIGHTS, "--results_dir=" + link])
    assert code == 0, err
    after = files(records)
    assert {k: v for k, v in after.items() if not k.startswith("test-sets/")} == before
    assert filed_apart(records, "gru_h32.json")["test_set"]["count"] == 300


def test_a_set_folder_linked_back_onto_the_records_is_one_line(other_set, records, tmp_path):
    """Even where the set's own folder is a link to the MNIST records, their file is not replaced."""
    import data_loader
    found = data_loader.test_set_of(other_set)
    os.makedirs(os.path.join(records, "test-sets"))
    os.symlink(records, os.path.join(records, "test-sets", "300-" + found["sha256"][:12]))
    with open(os.path.join(records, "gru_h32.json"), "rb") as f:
        before = f.read()
    code, out, err = main_in_process(["--model=gru", "--test", "--hidden_unit=32", "--data_dir=" + other_set,
                                      "--weights_dir=" + WEIGHTS, "--results_dir=" + records])
    assert_one_line_error(code, err, "gru_h32.json", "MNIST's", "--results_dir", out=out)
    with open(os.path.join(records, "gru_h32.json"), "rb") as f:
        assert f.read() == before


def test_rows_until_known_on_another_set_leaves_the_mnist_summary_alone(other_set, records, tmp_path, capsys):
    import plot_results
    before = files(records)
    assert plot_results.main(["--rows_until_known", "--results_dir=" + records, "--weights_dir=" + WEIGHTS,
                              "--data_dir=" + other_set]) == 0
    after = files(records)
    assert {k: v for k, v in after.items() if not k.startswith("test-sets/")} == before
    summary = filed_apart(records, "rows_until_known.json")
    assert summary["images"] == 300 and summary["test_set"]["count"] == 300
    (folder,) = os.listdir(os.path.join(records, "test-sets"))
    assert os.path.isfile(os.path.join(records, "test-sets", folder, "rows_until_known.png"))
    # its folder linked back onto the MNIST summary: one line, nothing replaced
    shutil.rmtree(os.path.join(records, "test-sets", folder))
    os.symlink(records, os.path.join(records, "test-sets", folder))
    capsys.readouterr()
    status = plot_results.main(["--rows_until_known", "--results_dir=" + records, "--weights_dir=" + WEIGHTS,
                                "--data_dir=" + other_set])
    assert_one_line_error(status, capsys.readouterr().err, "rows_until_known.json", "MNIST's")
    with open(os.path.join(records, "rows_until_known.json"), "rb") as f:
        assert f.read() == before["rows_until_known.json"]


def test_an_image_name_near_the_limit_gets_its_figure_under_a_shorter_name(tmp_path, monkeypatch):
    """A 244-character image name: the --explain figure's name (the configuration's name before it) would pass
    the file system's 255 bytes; it is cut, with a digest that keeps two such names apart."""
    import evaluate
    import numpy as np
    from PIL import Image
    monkeypatch.setattr(evaluate, "EXPLAIN_DIR", str(tmp_path / "explain"))
    digit = np.zeros((28, 28), np.uint8)
    digit[5:23, 12:16] = 255  # a 1
    paths = []
    for end in "ab":
        paths.append(str(tmp_path / ("d" * 239 + end + ".png")))
        Image.fromarray(digit).save(paths[-1])
    stems = evaluate.figure_stems(paths)
    assert len(set(stems)) == 2 and all(len(s.encode()) <= 100 for s in stems)
    code, out, err = main_in_process(["--model=lstm", "--hidden_unit=32", "--weights_dir=" + WEIGHTS, "--explain",
                                      "--predict=" + paths[0]])
    assert code == 0, err
    (figure,) = os.listdir(str(tmp_path / "explain"))
    assert figure.startswith("lstm_h32_ddd") and figure in out
