"""The model variants in the graph: vanilla RNN, stacked and bidirectional layers,
sequence_length, dropout and weight decay, each against an independent reference."""
import numpy as np
import pytest

import data_loader
from core.tfcompat import tf
from conftest import numpy_gru, numpy_lstm, numpy_rnn, net_of

B = 4


def final(model, xs, W_x, W_h, b):
    """The NumPy reference's outputs [B, T, H] and final h for one cell."""
    if model == "lstm":
        out, _, h = numpy_lstm(xs, W_x, W_h, b)
    else:
        out, h = {"gru": numpy_gru, "rnn": numpy_rnn}[model](xs, W_x, W_h, b)
    return out, h


def config(model="lstm", **options):
    return dict({"model": model, "hidden_unit": 5, "learning_rate": 0.01, "clip_norm": 5.0, "seed": 1}, **options)


def build(cfg, training=False, values=None):
    """A graph with the model (and, for training, an evaluation twin); returns (session, net, eval_net, values)."""
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(3)
        net = net_of(cfg, training=training, batch_size=B if training else None)
        eval_net = net_of(cfg) if training else net
        init = tf.global_variables_initializer()
    session = tf.Session(graph=graph)
    session.run(init)
    if values is not None:
        for var in net.model_variables:
            var.load(values[var.op.name], session)
    return session, net, eval_net, {v.op.name: session.run(v) for v in net.model_variables}


def images(seed=0):
    rng = np.random.RandomState(seed)
    return rng.rand(B, 28, 28).astype(np.float32), rng.randint(0, 10, B)


def logits_by_hand(cfg, values, xs, lengths=None):
    """The whole model in NumPy from its equations: layers, directions, last real step, classifier."""
    lengths = [28] * len(xs) if lengths is None else lengths
    layers = cfg.get("layers") or [cfg["hidden_unit"]]
    rows = []
    for k, x in enumerate(xs.astype(np.float64)):
        seq = x[None, :lengths[k]]  # [1, L, 28]: only the real steps
        for number in range(1, len(layers) + 1):
            suffix = "" if number == 1 else "_{}".format(number)
            names = [cfg["model"] + suffix] + ([cfg["model"] + "_bw" + suffix] if cfg.get("bidirectional") else [])
            outs, finals = [], []
            for direction, name in enumerate(names):
                params = [values[name + "/" + v] for v in ("W_x", "W_h", "b")]
                s = seq[:, ::-1] if direction else seq  # the backward cell reads the real steps last to first
                out, h = final(cfg["model"], s, *params)
                outs.append(out[:, ::-1] if direction else out)  # back in time order
                finals.append(h)
            seq = np.concatenate(outs, axis=2)
        rows.append(np.concatenate(finals, axis=1)[0] @ values["logits/W"] + values["logits/b"])
    return np.stack(rows)


VARIANTS = [
    ("rnn", {}),
    ("gru", {"layers": [5, 4], "hidden_unit": [5, 4]}),
    ("lstm", {"bidirectional": True}),
    ("gru", {"layers": [4, 3], "hidden_unit": [4, 3], "bidirectional": True}),
    ("lstm", {"crop_augment": True}),
    ("rnn", {"crop_augment": True, "bidirectional": True}),
]
IDS = ["rnn", "gru-2-layers", "lstm-bi", "gru-2-layers-bi", "lstm-crop", "rnn-bi-crop"]


@pytest.mark.parametrize("model,options", VARIANTS, ids=IDS)
def test_logits_match_numpy(model, options):
    """Names, shapes and the forward pass of every layout, against logits_by_hand."""
    cfg = config(model, **options)
    session, net, _, values = build(cfg)
    k = {"lstm": 4, "gru": 3, "rnn": 1}[model]
    layers = options.get("layers", [5])
    directions = 2 if options.get("bidirectional") else 1
    expected_shapes, inputs = {}, 28
    for number, units in enumerate(layers, 1):
        for name in [model] + ([model + "_bw"] if directions == 2 else []):
            name += "" if number == 1 else "_{}".format(number)
            expected_shapes.update({name + "/W_x": (inputs, k * units), name + "/W_h": (units, k * units),
                                    name + "/b": (k * units,)})
        inputs = units * directions
    expected_shapes.update({"logits/W": (inputs, 10), "logits/b": (10,)})
    assert {n: v.shape for n, v in values.items()} == expected_shapes
    assert net.num_parameters() == sum(int(np.prod(s)) for s in expected_shapes.values())

    xs, _ = images()
    feed = {net.images: xs}
    lengths = None
    if net.lengths is not None:
        lengths = np.array([28, 21, 24, 27], np.int32)
        feed[net.lengths] = lengths
    got = session.run(net.logits, feed)
    assert got.shape == (B, 10)
    np.testing.assert_allclose(got, logits_by_hand(cfg, values, xs, lengths), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("bidirectional", [False, True], ids=["forward", "bidirectional"])
def test_sequence_length_ignores_the_padding(bidirectional):
    """Steps after an example's length change nothing: garbage there gives the same logits as zeros."""
    cfg = config("lstm", crop_augment=True, bidirectional=bidirectional)
    session, net, _, _ = build(cfg)
    lengths = np.array([21, 28, 23, 25], np.int32)
    zeros, _ = images(1)
    garbage = zeros.copy()
    for k, n in enumerate(lengths):
        zeros[k, n:] = 0.0
        garbage[k, n:] = np.random.RandomState(k).rand(28 - n, 28) * 5
    a, b = (session.run(net.logits, {net.images: x, net.lengths: lengths}) for x in (zeros, garbage))
    np.testing.assert_array_equal(a, b)
    # ... while without the lengths (all 28 steps count) the garbage does change them.
    c = session.run(net.logits, {net.images: garbage, net.lengths: np.full(B, 28, np.int32)})
    assert np.abs(c - b)[lengths < 28].min() > 1e-4


def test_dropout_only_while_training():
    cfg = config("gru", dropout=0.5, layers=[6, 6], hidden_unit=[6, 6])
    session, train_net, eval_net, values = build(cfg, training=True)
    xs, ys = images(2)
    # Evaluation: deterministic, and exactly the model without dropout.
    once, twice = (session.run(eval_net.logits, {eval_net.images: xs}) for _ in range(2))
    np.testing.assert_array_equal(once, twice)
    plain_session, plain, _, _ = build(config("gru", layers=[6, 6], hidden_unit=[6, 6]), values=values)
    np.testing.assert_allclose(once, plain_session.run(plain.logits, {plain.images: xs}), rtol=1e-5, atol=1e-6)
    # Training: about half of the classifier's inputs dropped (h = tanh(...) is never exactly 0 by
    # itself), the same masks for the same step (so a resumed run repeats them), new ones after a step.
    feed = {train_net.images: xs, train_net.labels: ys}
    noisy, again = (session.run(train_net.features, feed) for _ in range(2))
    np.testing.assert_array_equal(noisy, again)
    dropped = noisy == 0
    assert 0.25 < dropped.mean() < 0.75
    assert not (session.run(eval_net.features, {eval_net.images: xs}) == 0).any()
    with session.graph.as_default():
        session.run(train_net.global_step.assign_add(1))
    assert (session.run(train_net.features, feed) == 0).tolist() != dropped.tolist()


def test_l2_adds_the_squared_weights_of_the_matrices():
    cfg = config("lstm", l2=0.003)
    session, net, _, values = build(cfg, training=True)
    xs, ys = images(4)
    loss, objective = session.run([net.loss, net.objective], {net.images: xs, net.labels: ys})
    matrices = sum((v.astype(np.float64) ** 2).sum() for n, v in values.items() if not n.endswith("/b"))
    np.testing.assert_allclose(objective - loss, 0.003 * matrices, rtol=1e-4)


def test_random_crops_are_read_as_pixel_streams():
    rng = np.random.RandomState(0)
    pictures = rng.rand(300, 28, 28).astype(np.float32) + 1.0  # no zero pixels, so padding is visible
    streams, lengths = data_loader.random_crops(pictures, np.random.RandomState(5))
    assert streams.shape == (300, 28, 28) and lengths.dtype == np.int32
    assert lengths.min() == 21 and lengths.max() == 28  # ceil(24*24/28) .. 28 over 300 draws
    for k in range(300):
        pixels = int((streams[k] > 0).sum())
        assert 24 * 24 <= pixels <= 28 * 28 and lengths[k] == -(-pixels // 28)
        flat = streams[k].ravel()
        assert (flat[:pixels] > 0).all() and (flat[pixels:] == 0).all()
        # The stream is the crop read row-major: find it in the picture.
        first = flat[0]
        top, left = [int(i[0]) for i in np.where(pictures[k] == first)]
        for width in range(24, 29):
            if pixels % width == 0 and 24 <= pixels // width <= 28:
                crop = pictures[k, top:top + pixels // width, left:left + width]
                if crop.size == pixels and np.array_equal(crop.ravel(), flat[:pixels]):
                    break
        else:
            pytest.fail("example {} is not a crop read row by row".format(k))
    again, _ = data_loader.random_crops(pictures, np.random.RandomState(5))
    np.testing.assert_array_equal(streams, again)  # same seed, same crops


def test_the_mlp_baseline_has_its_stated_weights_and_no_recurrence():
    """--model=mlp: dense ReLU layers on all 784 pixels, the parameter count config.py states, and it learns
    through the same loss and training op (one step lowers the loss on a fixed batch)."""
    from core.config import Arch, ConfigError
    cfg = config("mlp", hidden_unit=103, layers=[103], learning_rate=0.01)
    session, net, _, values = build(cfg, training=True)
    assert sorted(values) == ["logits/W", "logits/b", "mlp/W", "mlp/b"]
    assert net.num_parameters() == Arch("mlp", (103,)).parameters() == 81895
    xs, ys = images(5)
    feed = {net.images: xs, net.labels: ys}
    before = session.run(net.loss, feed)
    for _ in range(5):
        session.run(net.train_op, feed)
    assert session.run(net.loss, feed) < before
    with pytest.raises(ConfigError, match="no --bidirectional"):
        Arch("mlp", (103,), bidirectional=True)
