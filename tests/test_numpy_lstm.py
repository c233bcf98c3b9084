"""The NumPy LSTM's hand-written BPTT against finite differences, against TensorFlow's autodiff of cells.py,
and its dE/dC(t) recurrence against a nudge of C(t) itself; the NumPy RNN's MNIST sweep (mnist4.py): its fair budget,
divergence, resumption, errors and result file."""
import os

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
    from core.unroll_plain import static_rnn
    from core.tfcompat import tf
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
    assert mnist4.main(["--data_dir=" + real_mnist, "--max_epochs=1", "--rates=0.01,0.0001", "--clip_norm=5",
                        "--out=" + str(tmp_path)]) == 0
    with open(str(tmp_path / "mnist4.json")) as f:
        result = json.load(f)
    assert sorted(result["curves"]) == ["0.0001", "0.01"] and result["best_rate"] == "0.01"  # 1e-4 learns far less
    assert result["stopped"] == {"0.01": "reached the cap of 1 epochs", "0.0001": "reached the cap of 1 epochs"}
    assert result["clip_norm"] == 5 and result["machine"]["processor"] and not (tmp_path / "mnist4.partial").exists()
    assert result["test_count"] == 980 + 892 + 958 + 1009  # the test images of digits 0, 5, 6 and 9
    assert result["test_accuracy"] > 0.8 and (tmp_path / "mnist4.png").stat().st_size > 0


def test_mnist4_bad_flags_are_one_line(capsys):
    from assignments.numpy_rnn import mnist4
    assert mnist4.main(["--rates=fast"]) == 1
    err = capsys.readouterr().err
    assert_one_line_error(1, err, "--rates")


@pytest.mark.parametrize("flag,words", [("--seed=-1", ["--seed=-1", "--seed=1"]), ("--max_epochs=0", ["--max_epochs"]),
                                        ("--patience=0", ["--patience"]), ("--clip_norm=-1", ["--clip_norm"]),
                                        ("--rates=0.1,0.1", ["--rates"])])
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


@pytest.mark.parametrize("name, content, words", [
    ("mnist4.json", b'{"my": "notes"}', ["mnist4.json", "not this program's result"]),
    ("mnist4.json", b"not json", ["mnist4.json"]),
    ("mnist4.png", b"# my notes", ["mnist4.png", "not a PNG image"]),
    ("mnist4.partial", b"a file", ["mnist4.partial", "is a file"])])
def test_mnist4_out_holding_files_it_did_not_write_is_refused_before_training(capsys, tmp_path, name, content,
                                                                             words):
    """--out may hold only what an earlier run wrote under the names this program writes; anything else there is
    one line before any data are read, and stays as it was."""
    from assignments.numpy_rnn import mnist4
    (tmp_path / name).write_bytes(content)
    status = mnist4.main(["--out=" + str(tmp_path), "--data_dir=" + str(tmp_path / "no_data")])
    assert_one_line_error(status, capsys.readouterr().err, *words)
    assert (tmp_path / name).read_bytes() == content and os.listdir(str(tmp_path)) == [name]


def test_mnist4_sigterm_is_one_line_and_writes_nothing(tmp_path, real_mnist):
    import signal
    import subprocess
    import sys
    import time
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "assignments.numpy_rnn.mnist4", "--data_dir=" + real_mnist, "--max_epochs=50",
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
    assert not (out / "mnist4.json").exists() and not (out / "mnist4.png").exists()
    kept = sorted(p.name for p in out.glob("mnist4.partial/*")) if out.exists() else []
    assert kept in ([], ["rate_0.01.json", "rate_0.01.npz"]), kept  # only whole records of finished rates (0.01 diverges)


def _small_sets(real_mnist, n=640):
    import data_loader
    from assignments.numpy_rnn import mnist4
    images, labels = data_loader.load_split(real_mnist, "train")
    x, y = mnist4.four_classes(images[:4 * n], labels[:4 * n])
    return (x[:n], y[:n]), (x[n:n + 300], y[n:n + 300])


def test_mnist4_stops_a_rate_when_validation_stops_improving(real_mnist):
    """The fair budget: a rate stops `patience` epochs after its last new best validation accuracy or loss, and
    keeps the parameters of its best validation accuracy."""
    from assignments.numpy_rnn import mnist4
    train_set, val_set = _small_sets(real_mnist)
    curves, params, stop = mnist4.train(train_set, val_set, 0.001, 64, 1, patience=2, max_epochs=60)
    assert stop == "no new best validation accuracy or loss for 2 epochs", (stop, len(curves))
    last, best_acc, low = 0, -1.0, float("inf")
    for row in curves:  # the rule, recomputed from the curves
        if row["val_accuracy"] > best_acc or row["val_loss"] < low:
            last = row["epoch"]
        best_acc, low = max(best_acc, row["val_accuracy"]), min(low, row["val_loss"])
    assert len(curves) == last + 2 < 60
    assert abs(mnist4.evaluate(params, *val_set)[1] - best_acc) < 1e-9


def test_mnist4_records_a_diverged_rate_and_chooses_among_the_rest(real_mnist, tmp_path, capsys):
    """Plain SGD at rate 0.01 overflows on the identity-started ReLU RNN within the first batches: the sweep
    records it and goes on; if every rate diverges, that is one line."""
    from assignments.numpy_rnn import mnist4
    train_set, val_set = _small_sets(real_mnist)
    curves, params, stop = mnist4.train(train_set, val_set, 0.01, 64, 1, patience=1, max_epochs=1)
    assert stop.startswith("diverged in epoch 1, batch") and params is None and curves == []
    status = mnist4.main(["--data_dir=" + real_mnist, "--rates=5,9", "--out=" + str(tmp_path / "out")])
    from conftest import assert_one_line_error
    assert_one_line_error(status, capsys.readouterr().err, "every learning rate diverged", "--rates=")
    assert not (tmp_path / "out" / "mnist4.json").exists()


def test_mnist4_resumes_at_the_first_rate_it_had_not_finished(real_mnist, tmp_path, capsys):
    """A stopped sweep keeps each finished rate in mnist4.partial/; a rerun with the same settings takes them
    from there, and one with other settings trains them again."""
    import json
    from assignments.numpy_rnn import mnist4
    out = tmp_path / "out"
    args = ["--data_dir=" + real_mnist, "--max_epochs=1", "--out=" + str(out)]
    assert mnist4.main(args + ["--rates=0.001"]) == 0
    with open(str(out / "mnist4.json")) as f:
        first = json.load(f)
    settings = {k: first[k] for k in ("classes", "hidden", "batch_size", "seed", "stop_rule", "patience",
                                      "max_epochs", "clip_norm")}
    planted = [dict(first["curves"]["0.001"][0], val_accuracy=0.999)]  # marks the record as the one reused
    from assignments.numpy_rnn import rnn
    params = {k: v.astype(np.float32) for k, v in rnn.init_params(28, mnist4.HIDDEN, len(mnist4.CLASSES)).items()}
    mnist4._keep(str(out / "mnist4.partial"), 0.0001, settings, planted, params, "planted")
    capsys.readouterr()
    assert mnist4.main(args + ["--rates=0.001,0.0001"]) == 0
    assert "rate 0.0001: finished by an earlier run (planted)" in capsys.readouterr().out
    with open(str(out / "mnist4.json")) as f:
        second = json.load(f)
    assert second["curves"]["0.0001"] == planted and second["stopped"]["0.0001"] == "planted"
    timeless = lambda rows: [{k: v for k, v in r.items() if k != "seconds"} for r in rows]  # noqa: E731
    assert timeless(second["curves"]["0.001"]) == timeless(first["curves"]["0.001"])  # retrained: same seed, same numbers
    for damage in ({"settings": dict(settings, seed=7)}, {"params": dict(params, Wo=params["Wo"][:3])},
                   {"curves": [{"epoch": "1"}]}, {"json": "[1, 2"}):  # another sweep's, or damaged: retrained
        mnist4._keep(str(out / "mnist4.partial"), 0.0001, damage.get("settings", settings),
                     damage.get("curves", planted), damage.get("params", params), "planted")
        if "json" in damage:
            (out / "mnist4.partial" / "rate_0.0001.json").write_text(damage["json"])
        capsys.readouterr()
        assert mnist4.main(args + ["--rates=0.0001"]) == 0, damage
        assert "is another sweep's or damaged; training the rate again" in capsys.readouterr().out
        with open(str(out / "mnist4.json")) as f:
            assert json.load(f)["stopped"]["0.0001"] == "reached the cap of 1 epochs", damage


@pytest.mark.parametrize("damage, words", [
    (lambda r: "[1, 2]", ["not a result object"]),
    (lambda r: dict(r, best_rate=0.01), ["best_rate is not a str"]),
    (lambda r: {k: v for k, v in r.items() if k != "test_correct"}, ["test_correct is missing"]),
    (lambda r: dict(r, best_rate="7"), ["curves do not hold best_rate 7"]),
    (lambda r: dict(r, stopped={"0.01": 3}), ["stopped holds"]),
    (lambda r: dict(r, best_epoch=999), ["to its best_epoch"]),
    (lambda r: dict(r, patience=True), ["patience is not a int"]),
    (lambda r: "{not json", ["not valid JSON"]),
], ids=["list", "rate-type", "missing", "rate-absent", "stopped", "epoch", "bool", "syntax"])
def test_a_damaged_mnist4_result_is_one_named_error(tmp_path, damage, words):
    """What the report's page and the IE643 README read: checked field by field, one line naming the fix."""
    import json
    from assignments.numpy_rnn import mnist4_result
    from core.common import UserError
    with open(os.path.join(ROOT, "results", "numpy_rnn", "mnist4.json")) as f:
        good = json.load(f)
    assert mnist4_result.read_result(os.path.join(ROOT, "results", "numpy_rnn", "mnist4.json"), new=True)["curves"]
    path = tmp_path / "mnist4.json"
    damaged = damage(good)
    path.write_text(damaged if isinstance(damaged, str) else json.dumps(damaged))
    with pytest.raises(UserError) as e:
        mnist4_result.read_result(str(path), new=True)
    assert all(w in str(e.value) for w in words) and "\n" not in str(e.value), str(e.value)
    old = {k: v for k, v in good.items() if k not in mnist4_result.NEW_FIELDS}  # before the fair budget: the report reads it
    path.write_text(json.dumps(old))
    assert mnist4_result.read_result(str(path))["best_rate"] == good["best_rate"]
    with pytest.raises(UserError, match="stopped is missing"):
        mnist4_result.read_result(str(path), new=True)
