"""The one check that the unrollers agree: fast (with and without towers) and loop against plain static_rnn,
logits, loss and every gradient, on every layout; and that the loop uses no TensorFlow RNN function."""
import numpy as np
import pytest

import model as model_module
from conftest import net_of
from core.unroll_fast import default_towers
from core.tfcompat import IS_TF1, tf

B = 4
LENGTHS = np.array([28, 21, 24, 27], np.int32)  # the crop layouts: a different length in each half-batch
LAYOUTS = {
    "lstm": ("lstm", {}),
    "gru": ("gru", {}),
    "rnn-2-layers": ("rnn", {"hidden_unit": [5, 5]}),
    "lstm-2-layers-bi-l2-dropout": ("lstm", {"hidden_unit": [5, 4], "bidirectional": True, "l2": 0.01,
                                              "dropout": 0.3}),
    "gru-2-layers-bi-l2": ("gru", {"hidden_unit": [5, 4], "bidirectional": True, "l2": 0.01}),
    "lstm-crop": ("lstm", {"crop_augment": True}),
    "gru-bi-crop": ("gru", {"crop_augment": True, "bidirectional": True}),
    "rnn-2-layers-bi-crop": ("rnn", {"hidden_unit": [4, 3], "bidirectional": True, "crop_augment": True}),
}


def training_outputs(cfg, unroll, values=None, batch=B):
    """Logits, loss and gradients of one batch, and the weights (the first call's initial ones, loaded again)."""
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(3)
        net = net_of(cfg, training=True, batch_size=batch, unroll=unroll)
        session = tf.Session(graph=graph)
        session.run(tf.global_variables_initializer())
        values = values or session.run(net.model_variables)
        for var, value in zip(net.model_variables, values):
            var.load(value, session)
        rng = np.random.RandomState(0)
        feed = {net.images: rng.rand(batch, 28, 28).astype(np.float32), net.labels: rng.randint(0, 10, batch)}
        if net.lengths is not None:
            feed[net.lengths] = LENGTHS
        return session.run([net.logits, net.loss] + net.gradients, feed), values, net.towers


# The bidirectional and stacked layouts take 20-40 s each to build on two cores: the slow tier.
@pytest.mark.parametrize("layout", [pytest.param(name, marks=pytest.mark.slow) if "bi" in name or "2-layers" in name
                                    else name for name in sorted(LAYOUTS)])
def test_every_unroller_gives_the_plain_paths_logits_and_gradients(layout):
    model, options = LAYOUTS[layout]
    cfg = dict({"model": model, "hidden_unit": 5, "learning_rate": 0.01, "clip_norm": 5.0, "seed": 1}, **options)
    plain, values, _ = training_outputs(dict(cfg, towers=1), "plain")
    for unroll, towers in (("fast", 1), ("fast", 2), ("loop", 1)):
        other, _, used = training_outputs(dict(cfg, towers=towers), unroll, values)
        assert used == towers
        for got, want in zip(other, plain):
            assert np.abs(want).max() > 0
            np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6, err_msg="{} x{}".format(unroll, towers))


def test_towers_that_do_not_divide_the_28_steps_slice_time_unevenly():
    """Three towers: the input projection and its gradients in three slices of 9, 9 and 10 steps (core/unroll_fast.py,
    lever 6), still the plain path's numbers."""
    cfg = {"model": "gru", "hidden_unit": [5, 4], "learning_rate": 0.01, "clip_norm": 5.0, "seed": 1, "batch_size": 6}
    plain, values, _ = training_outputs(dict(cfg, towers=1), "plain", batch=6)
    other, _, used = training_outputs(dict(cfg, towers=3), "fast", values, batch=6)
    assert used == 3
    for got, want in zip(other, plain):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)


def test_the_loop_calls_no_rnn_function(monkeypatch):
    """--unroll=loop must not reach static_rnn, static_bidirectional_rnn or dynamic_rnn (the rule of the
    assignment that forbids TensorFlow's RNN API): each is replaced by a trap while its graph is built."""
    import core.unroll_fast
    import core.unroll_plain

    def trap(*args, **kwargs):
        raise AssertionError("an RNN API function was called")
    for module in (core.unroll_plain, core.unroll_fast):
        monkeypatch.setattr(module, "static_rnn", trap)
    monkeypatch.setattr(tf.nn, "dynamic_rnn", trap)
    cfg = {"model": "lstm", "hidden_unit": [4, 3], "bidirectional": True, "crop_augment": True,
           "learning_rate": 0.01, "clip_norm": 5.0}
    with tf.Graph().as_default():
        net_of(cfg, training=True, batch_size=B, unroll="loop")
        net_of(cfg, unroll="loop")
        with pytest.raises(AssertionError, match="RNN API"):
            net_of(cfg, unroll="plain")
    assert "static_rnn" not in model_module.__dict__


def test_towers_need_a_batch_they_divide():
    from core.config import ConfigError
    cfg = {"model": "gru", "hidden_unit": 5, "learning_rate": 0.01, "clip_norm": 5.0, "towers": 3}
    with pytest.raises(ConfigError, match="--batch_size=128 must be a multiple of --towers=3"):
        net_of(cfg, training=True, batch_size=B)
    with tf.Graph().as_default():
        assert net_of(dict(cfg, towers=2)).towers == 1  # evaluation: any batch size, one tower


def test_the_default_towers_follow_the_measured_rule():
    """One chain on TensorFlow 1.5, where it measured faster; two towers on TensorFlow 2, where they measured
    faster for every model (tools/benchmarks/README.md, "Towers per processor")."""
    chosen, why = default_towers()
    assert chosen == (1 if IS_TF1 else 2)
    assert why.startswith("one chain" if IS_TF1 else "two towers")


def test_training_says_which_towers_it_chose_and_why(tmp_path, real_mnist):
    from conftest import main_in_process
    code, out, err = main_in_process(["--train", "--model=gru", "--hidden_unit=6", "--preset=tiny", "--epochs=1",
                                      "--validation_size=100", "--data_dir=" + real_mnist,
                                      "--weights_dir=" + str(tmp_path / "w"), "--logs_dir=" + str(tmp_path / "l")])
    assert code == 0, err
    line = next(l for l in out.splitlines() if "towers: " in l)
    assert ("towers: 1 (one chain" if IS_TF1 else "towers: 2 (two towers") in line, line
    import json
    with open(str(tmp_path / "w" / "gru_h6" / "config.json")) as f:
        assert json.load(f)["towers"] == (1 if IS_TF1 else 2)
