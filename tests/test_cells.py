"""The cells against an independent NumPy implementation, and the model's gradients against finite differences."""
import numpy as np
import pytest

from cells import GRUCell, LSTMCell, RNNCell
from conftest import numpy_gru, numpy_lstm, numpy_rnn, net_of
from core.unroll_plain import static_rnn
from core.tfcompat import tf

B, T, D, H = 3, 5, 4, 6


def run_cell(cell_class, xs, preprojected, params=None):
    """Unroll the cell with static_rnn over xs [B, T, D]; returns (outputs [B,T,H], final state, variables)."""
    with tf.Graph().as_default():
        tf.set_random_seed(0)
        cell = cell_class(H, name="cell")
        inputs = tf.constant(xs, tf.float32)
        if preprojected:
            cell.build(D)
            xw = tf.reshape(tf.matmul(tf.reshape(inputs, [-1, D]), cell.W_x) + cell.b, [B, T, -1])  # -> [B, T, kH]
            state, outputs = cell.zero_state(B, tf.float32), []
            for xw_t in tf.unstack(xw, axis=1):  # the pure step function on its own: [B, kH] per step
                output, state = cell.step(xw_t, state, cell.W_h)
                outputs.append(output)
        else:
            outputs, state = static_rnn(cell, tf.unstack(inputs, axis=1), dtype=tf.float32)
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            if params is not None:
                for var, value in zip((cell.W_x, cell.W_h, cell.b), params):
                    var.load(value, session)
            names = sorted(v.op.name for v in tf.global_variables())
            out, st, values = session.run([tf.stack(outputs, 1), state, (cell.W_x, cell.W_h, cell.b)])
    return out, st, values, names


@pytest.mark.parametrize("preprojected", [False, True], ids=["call", "preprojected"])
@pytest.mark.parametrize("cell_class,k", [(LSTMCell, 4), (GRUCell, 3), (RNNCell, 1)], ids=["lstm", "gru", "rnn"])
def test_forward_matches_numpy(cell_class, k, preprojected):
    rng = np.random.RandomState(1)
    xs = rng.randn(B, T, D)
    params = (rng.randn(D, k * H) * 0.5, rng.randn(H, k * H) * 0.5, rng.randn(k * H) * 0.5)
    out, state, _, names = run_cell(cell_class, xs, preprojected, params)
    scope = "cell/" if preprojected else "rnn/cell/"  # built by the model, or lazily inside static_rnn's scope
    assert names == [scope + "W_h", scope + "W_x", scope + "b"]
    if cell_class is LSTMCell:
        ref_out, ref_c, ref_h = numpy_lstm(xs, *params)
        np.testing.assert_allclose(state[0], ref_c, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(state[1], ref_h, rtol=1e-4, atol=1e-5)
    else:
        ref_out, ref_h = (numpy_gru if cell_class is GRUCell else numpy_rnn)(xs, *params)
        np.testing.assert_allclose(state, ref_h, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(out, ref_out, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("cell_class,k", [(LSTMCell, 4), (GRUCell, 3), (RNNCell, 1)], ids=["lstm", "gru", "rnn"])
def test_initialisation(cell_class, k):
    _, _, (W_x, W_h, b), _ = run_cell(cell_class, np.zeros((B, T, D)), False)
    assert W_x.shape == (D, k * H) and W_h.shape == (H, k * H) and b.shape == (k * H,)
    for block in np.split(W_h, k, axis=1):  # each recurrent gate block is orthogonal
        np.testing.assert_allclose(block.T @ block, np.eye(H), atol=1e-5)
    limit = np.sqrt(6.0 / (D + H))  # Glorot-uniform bound of one [D, H] block
    assert np.abs(W_x).max() <= limit and np.abs(W_x).max() > 0.5 * limit
    expected_bias = np.zeros(k * H)
    if cell_class is LSTMCell:
        expected_bias[H:2 * H] = 1.0  # forget gate, second block of [i, f, o, g]
    np.testing.assert_array_equal(b, expected_bias)


@pytest.mark.parametrize("model", ["lstm", "gru", "rnn"])
def test_gradients_match_finite_differences(model):
    """tf.gradients of the whole model's loss against central differences, in every variable."""
    config = {"model": model, "hidden_unit": 5, "learning_rate": 0.01, "clip_norm": 5.0}
    rng = np.random.RandomState(2)
    images, labels = rng.rand(4, 28, 28).astype(np.float32), rng.randint(0, 10, 4)
    with tf.Graph().as_default():
        tf.set_random_seed(3)
        net = net_of(config, training=True)
        grads = net.gradients  # what training applies: W_h's gradient summed in one matmul
        feed = {net.images: images, net.labels: labels}
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            for var, grad in zip(net.model_variables, session.run(grads, feed)):
                value = session.run(var)
                for _ in range(3):  # a few random coordinates of each variable
                    idx = tuple(rng.randint(0, n) for n in value.shape)
                    eps = 1e-2
                    losses = []
                    for sign in (1, -1):
                        shifted = value.copy()
                        shifted[idx] += sign * eps
                        var.load(shifted, session)
                        losses.append(session.run(net.loss, feed))
                    var.load(value, session)
                    numeric = (losses[0] - losses[1]) / (2 * eps)
                    assert abs(numeric - grad[idx]) <= 2e-3 + 2e-2 * abs(grad[idx]), (var.op.name, idx)


@pytest.mark.parametrize("model,k", [("lstm", 4), ("gru", 3)])
def test_training_and_evaluation_models_share_variables(model, k):
    """The checkpoint names and shapes, and that both instances compute the same thing."""
    config = {"model": model, "hidden_unit": 6, "learning_rate": 0.01, "clip_norm": 5.0}
    rng = np.random.RandomState(6)
    images, labels = rng.rand(4, 28, 28).astype(np.float32), rng.randint(0, 10, 4)
    with tf.Graph().as_default():
        train_net = net_of(config, training=True, batch_size=4)
        eval_net = net_of(config)
        shapes = {v.op.name: v.shape.as_list() for v in tf.trainable_variables()}
        assert shapes == {model + "/W_x": [28, k * 6], model + "/W_h": [6, k * 6], model + "/b": [k * 6],
                          "logits/W": [6, 10], "logits/b": [10]}
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            losses = [session.run(net.loss, {net.images: images, net.labels: labels}) for net in (train_net, eval_net)]
    assert abs(losses[0] - losses[1]) < 1e-6
