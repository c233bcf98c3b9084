"""The NumPy LSTM's hand-written BPTT against finite differences, against TensorFlow's autodiff of cells.py,
and its dE/dC(t) recurrence against a nudge of C(t) itself."""
import numpy as np
import pytest

from conftest import assert_one_line_error, ROOT

from assignments.numpy_rnn import lstm


def problem(T, B, d, H, K, seed, dtype=np.float64):
    rng = np.random.RandomState(seed)
    params = lstm.init_params(d, H, K, seed=seed, dtype=dtype)
    return params, rng.randn(T, B, d).astype(dtype), rng.randn(T, B, K).astype(dtype)


def worst_relative_error(loss, params, grads, eps=1e-6):
    """{name: max |central difference - gradient| / max |central difference|} over every parameter entry."""
    errors = {}
    for name in params:
        numeric = np.zeros_like(params[name])
        for idx in np.ndindex(*params[name].shape):
            saved = params[name][idx]
            params[name][idx] = saved + eps
            up = loss(params)
            params[name][idx] = saved - eps
            down = loss(params)
            params[name][idx] = saved
            numeric[idx] = (up - down) / (2 * eps)
        errors[name] = np.abs(numeric - grads[name]).max() / max(np.abs(numeric).max(), 1e-12)
    return errors


@pytest.mark.parametrize("shape", [(3, 2, 4, 5, 3), (7, 3, 2, 4, 1), (5, 1, 6, 3, 2)])
def test_gradients_match_finite_differences(shape):
    params, xs, ys = problem(*shape, seed=sum(shape))
    _, grads = lstm.loss_and_grads(params, xs, ys)
    errors = worst_relative_error(lambda p: lstm.loss(p, xs, ys), params, grads)
    assert sorted(errors) == sorted(lstm.PARAMS) and max(errors.values()) < 1e-6, errors


def test_the_cell_state_recurrence_on_three_steps():
    """dE/dC(t) from the code equals the change of E when C(t) itself is nudged (and then flows on)."""
    params, xs, ys = problem(3, 2, 3, 4, 2, seed=5)
    _, _, dCs, _ = lstm.loss_and_grads(params, xs, ys, return_state_grads=True)
    eps = 1e-6
    for t in range(3):
        numeric = np.zeros_like(dCs[t])
        for idx in np.ndindex(*dCs[t].shape):
            nudge = np.zeros_like(dCs[t])
            nudge[idx] = eps
            numeric[idx] = (lstm.loss(params, xs, ys, (t, nudge)) - lstm.loss(params, xs, ys, (t, -nudge))) / (2 * eps)
        np.testing.assert_allclose(dCs[t], numeric, rtol=1e-6, atol=1e-9)
    # and the recurrence as written in the derivation, dE/dC(t) = dE/dh(t) o(t) tanh'(C(t)) + dE/dC(t+1) f(t+1):
    steps = lstm.forward(params, xs)
    _, _, dCs, dhs = lstm.loss_and_grads(params, xs, ys, return_state_grads=True)
    for t in range(3):
        carried = dCs[t + 1] * steps[t + 1]["f"] if t < 2 else 0.0
        np.testing.assert_allclose(dCs[t], dhs[t] * steps[t]["o"] * (1 - np.tanh(steps[t]["c"]) ** 2) + carried)


@pytest.mark.parametrize("shape", [(4, 3, 5, 6, 2), (9, 2, 28, 8, 10)])
def test_gradients_match_tensorflow_autodiff_of_cells_py(shape):
    from cells import LSTMCell
    from core.tfcompat import static_rnn, tf
    T, B, d, H, K = shape
    params, xs, ys = problem(*shape, seed=7, dtype=np.float32)
    _, grads = lstm.loss_and_grads(params, xs.astype(np.float64), ys.astype(np.float64))
    with tf.Graph().as_default():
        cell = LSTMCell(H, name="lstm")
        cell.build(d)
        W_y, b_y = tf.constant(params["W_y"]), tf.constant(params["b_y"])
        outputs, _ = static_rnn(cell, tf.unstack(tf.constant(xs)), dtype=tf.float32)  # [T, B, d] -> T x [B, d]
        E = tf.add_n([tf.reduce_sum(tf.square(tf.matmul(h, W_y) + b_y - y)) for h, y in zip(outputs, ys)])
        tf_grads = tf.gradients(E, [cell.W_x, cell.W_h, cell.b, W_y, b_y])
        with tf.Session() as session:
            for var, name in ((cell.W_x, "W_x"), (cell.W_h, "W_h"), (cell.b, "b")):
                var.load(params[name], session)
            values = session.run(tf_grads)
    for name, value in zip(("W_x", "W_h", "b", "W_y", "b_y"), values):
        error = np.abs(value - grads[name]).max() / np.abs(grads[name]).max()
        assert error < 1e-4, (name, error)


def test_the_numpy_rnn_gradients_match_finite_differences():
    from assignments.numpy_rnn import rnn
    rng = np.random.RandomState(3)
    params = rnn.init_params(4, (5, 6), 3, seed=3)
    params = {k: v + 0.05 * rng.randn(*v.shape) for k, v in params.items()}  # off the identity, so every path counts
    xs, labels = rng.rand(4, 6, 4), rng.randint(0, 3, 4)
    _, grads, _ = rnn.loss_and_grads(params, xs, labels)
    errors = worst_relative_error(lambda p: rnn.loss(p, xs, labels), params, grads)
    assert sorted(errors) == sorted(rnn.PARAMS) and max(errors.values()) < 1e-5, errors


@pytest.mark.slow
def test_mnist4_runs_the_sweep_and_records_its_choice(real_mnist, tmp_path):
    import json
    from assignments.numpy_rnn import mnist4
    assert mnist4.main(["--data_dir=" + real_mnist, "--epochs=1", "--rates=0.01,0.0001", "--out=" + str(tmp_path)]) == 0
    with open(str(tmp_path / "mnist4.json")) as f:
        result = json.load(f)
    assert sorted(result["curves"]) == ["0.0001", "0.01"] and result["best_rate"] == "0.01"  # 1e-4 learns far less
    assert result["test_count"] == 980 + 892 + 958 + 1009  # the test images of digits 0, 5, 6 and 9
    assert result["test_accuracy"] > 0.8 and (tmp_path / "mnist4.png").stat().st_size > 0


def test_mnist4_bad_flags_are_one_line(capsys):
    from assignments.numpy_rnn import mnist4
    assert mnist4.main(["--rates=fast"]) == 1
    err = capsys.readouterr().err
    assert_one_line_error(1, err, "--rates")


@pytest.mark.parametrize("flag,words", [("--seed=-1", ["--seed=-1", "--seed=1"]), ("--epochs=0", ["--epochs"])])
def test_mnist4_bad_seed_or_epochs_is_one_line_before_reading_data(capsys, tmp_path, flag, words):
    from assignments.numpy_rnn import mnist4
    status = mnist4.main([flag, "--data_dir=" + str(tmp_path / "no_data")])
    assert_one_line_error(status, capsys.readouterr().err, *words)


def test_mnist4_batch_larger_than_the_training_set_is_one_line(capsys, real_mnist):
    from assignments.numpy_rnn import mnist4
    status = mnist4.main(["--batch_size=100000000", "--data_dir=" + real_mnist])
    assert_one_line_error(status, capsys.readouterr().err, "--batch_size=100,000,000", "training images")


def test_mnist4_out_under_a_file_is_refused_before_training(capsys, tmp_path, real_mnist):
    """The --out check comes before the data are even read (an unreadable --data_dir does not hide it),
    so a typo costs no training; the file in the way is untouched."""
    from assignments.numpy_rnn import mnist4
    blocker = tmp_path / "notes.txt"
    blocker.write_text("mine")
    status = mnist4.main(["--out=" + str(blocker / "x"), "--data_dir=" + str(tmp_path / "no_data")])
    assert_one_line_error(status, capsys.readouterr().err, "is a file")
    assert blocker.read_text() == "mine"


def test_mnist4_sigterm_is_one_line_and_writes_nothing(tmp_path, real_mnist):
    import signal
    import subprocess
    import sys
    import time
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "assignments.numpy_rnn.mnist4", "--data_dir=" + real_mnist, "--epochs=50",
                             "--out=" + str(out)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True)
    deadline = time.time() + 120
    while time.time() < deadline:  # wait until it trains: its first log line
        line = proc.stdout.readline()
        if "training" in line or not line:
            break
    time.sleep(1)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert_one_line_error(proc.returncode, err, "interrupted")
    assert not out.exists()
