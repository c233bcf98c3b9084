"""--explain: the NumPy re-reading of a checkpoint gives TensorFlow's numbers, and the figures get written."""
import json
import os

import numpy as np
import pytest

import data_loader
from conftest import main_in_process, ROOT
from core import explain
from core.runs import RunDir

WEIGHTS = os.path.join(ROOT, "weights")


def tensorflow_probabilities(run, config, state, images):
    """The softmax of the checkpoint's logits as the TensorFlow graph computes them: [N, 10]."""
    from core.tfcompat import tf
    from model import Model
    with tf.Graph().as_default():
        model = Model.of(config)(config)
        saver = tf.train.Saver(model.model_variables)
        with tf.Session() as session:
            run.restore(session, saver, state["best"], model.model_variables)
            return session.run(tf.nn.softmax(model.logits), {model.images: images})


@pytest.mark.parametrize("name", ["lstm_h32", "gru_h32", "rnn_h128"])
def test_the_numpy_reading_ends_in_tensorflows_logits(name, real_mnist):
    images, _ = data_loader.load_split(real_mnist, "test")
    images = images[:64]
    run = RunDir(WEIGHTS, name)
    config, state = run.load_config(), run.load_state()
    trace, p = explain.read_rows(config.arch.model, explain.load_weights(run, state, config), images)
    np.testing.assert_allclose(p[:, -1], tensorflow_probabilities(run, config, state, images), atol=1e-4)
    assert trace["h"].shape == (64, 28, config.arch.layers[0])
    assert set(trace) == set(explain.GATES[config.arch.model]) | ({"c", "h"} if config.arch.model == "lstm" else {"h"})


def test_rows_until_known_counts_right_and_staying_right():
    p = np.zeros((3, 4, 10))
    p[0, :, 1] = 1                    # right from row 1
    p[1, :2, 2], p[1, 2:, 1] = 1, 1   # right from row 3
    p[2, :, 1], p[2, 3, 1], p[2, 3, 5] = 1, 0, 1  # right, then wrong at the last row
    assert explain.rows_until_known(p, np.array([1, 1, 1])) == [1 / 3, 1 / 3, 2 / 3, 2 / 3]


def test_explain_writes_a_figure_for_a_test_image(real_mnist, tmp_path, monkeypatch):
    import evaluate
    monkeypatch.setattr(evaluate, "EXPLAIN_DIR", str(tmp_path))
    code, out, err = main_in_process(["--model=gru", "--hidden_unit=32", "--explain", "--test_image=3",
                                      "--data_dir=" + real_mnist, "--weights_dir=" + WEIGHTS])
    assert code == 0, err
    assert os.listdir(str(tmp_path)) == ["gru_h32_test3.png"] and (tmp_path / "gru_h32_test3.png").stat().st_size > 0


def test_explain_refuses_what_it_cannot_read_in_one_line(real_mnist):
    for args, words in ((["--model=lstm", "--hidden_unit=128", "--bidirectional"], "single-layer, forward"),
                        (["--model=lstm", "--hidden_unit=32", "--test_image=10000"], "--test_image")):
        code, out, err = main_in_process(args + ["--explain", "--data_dir=" + real_mnist, "--weights_dir=" + WEIGHTS])
        assert code == 1 and err.count("\n") == 1 and words in err, err


def test_the_shipped_summary_ends_at_each_models_test_accuracy():
    with open(os.path.join(ROOT, "results", "rows_until_known.json")) as f:
        known = json.load(f)
    for name, curve in known["curves"].items():
        with open(os.path.join(ROOT, "results", name + ".json")) as f:
            assert abs(curve[-1] - json.load(f)["test_accuracy"]) <= 2e-4, name  # float64 vs float32: a test image or two
        assert all(a <= b + 1e-12 for a, b in zip(curve, curve[1:]))  # known stays known


def test_explain_gives_each_image_its_own_figure(real_mnist, tmp_path, monkeypatch):
    """Two images of one name in two folders, and x.png beside x.jpg, get four figures, none replacing
    another (#28 item 7)."""
    import evaluate
    from PIL import Image
    import data_loader
    images, _ = data_loader.load_split(real_mnist, "test")
    paths = []
    for k, rel in enumerate(["a/d.png", "b/d.png", "x.png", "x.jpg"]):
        path = tmp_path / "in" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray((images[k] * 255).astype(np.uint8)).save(str(path))
        paths.append(str(path))
    out = tmp_path / "out"
    monkeypatch.setattr(evaluate, "EXPLAIN_DIR", str(out))
    code, _, err = main_in_process(["--model=gru", "--hidden_unit=32", "--explain", "--predict=" + ",".join(paths),
                                    "--weights_dir=" + WEIGHTS])
    assert code == 0, err
    assert sorted(os.listdir(str(out))) == ["gru_h32_d_png-2.png", "gru_h32_d_png.png", "gru_h32_x_jpg.png",
                                            "gru_h32_x_png.png"]
