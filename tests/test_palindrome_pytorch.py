"""assignments/palindrome_pytorch/: the course skeleton's interface in PyTorch. Its dataset at any length, its LSTM from
the equations (the same outputs as cells.LSTMCell on the same weights), and train.py's defaults learning T = 5.
PyTorch is optional (assignments/palindrome_pytorch/requirements.txt); in CI it is installed and these tests must run."""
import json
import os
import sys

import numpy as np
import pytest

from conftest import assert_one_line_error
from core.common import PROJECT_DIR

# CI installs PyTorch into the modern runtime only; the pinned Python 3.6 leg has none.
if os.environ.get("CI") != "true" or sys.version_info < (3, 8):
    pytest.importorskip("torch", reason="PyTorch is optional: pip install -r assignments/palindrome_pytorch/requirements.txt")
import torch  # noqa: E402

from assignments.palindrome_pytorch import train  # noqa: E402
from assignments.palindrome_pytorch.dataset import PalindromeDataset  # noqa: E402
from assignments.palindrome_pytorch.lstm import LSTM  # noqa: E402
from assignments.palindrome_pytorch.vanilla_rnn import VanillaRNN  # noqa: E402


@pytest.mark.parametrize("length", [2, 5, 10, 25, 200])
def test_the_dataset_yields_palindromes_at_any_length(length):
    data = PalindromeDataset(length, seed=3)
    inputs, target = data[0]
    assert inputs.shape == (length - 1,) and isinstance(target, int)
    full = np.append(inputs, target)
    assert (full == full[::-1]).all() and full.min() >= 0 and full.max() <= 9
    batch_inputs, batch_targets = data.batch(64)
    assert batch_inputs.shape == (64, length - 1) and batch_targets.dtype == torch.int64
    assert (batch_targets.numpy() == batch_inputs.numpy()[:, 0]).all()  # the T-th digit is the first
    assert len({tuple(row) for row in batch_inputs.numpy()}) > (1 if length == 2 else 30)


def test_no_ready_recurrent_module_is_used():
    import ast
    for name in ("lstm.py", "vanilla_rnn.py", "train.py"):
        with open(os.path.join(PROJECT_DIR, "assignments", "palindrome_pytorch", name)) as f:
            tree = ast.parse(f.read())  # the code, not the docstrings that name what it avoids
        banned = [node for node in ast.walk(tree) if isinstance(node, ast.Attribute) and
                  node.attr in ("LSTM", "LSTMCell", "RNN", "RNNCell", "GRU", "GRUCell") and
                  isinstance(node.value, ast.Name) and node.value.id == "nn"]
        imported = [alias.name for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                    for alias in node.names if alias.name in ("LSTM", "LSTMCell", "RNN", "GRU") and
                    getattr(node, "module", "") in ("torch.nn", "torch.nn.modules.rnn")]
        assert not banned and not imported, name


def test_the_lstm_matches_cells_lstmcell_on_the_same_weights():
    from core.tfcompat import tf
    from cells import LSTMCell
    T, B, H = 7, 5, 6
    rng = np.random.RandomState(0)
    x = rng.randint(0, 10, (B, T)).astype(np.float32)
    with tf.Graph().as_default():
        cell = LSTMCell(H, "lstm")
        cell.build(1, seed=4)
        W_p = tf.constant(rng.randn(H, 10).astype(np.float32))
        b_p = tf.constant(rng.randn(10).astype(np.float32))
        state = cell.zero_state(B, tf.float32)
        inputs = tf.constant(x)
        for t in range(T):
            _, state = cell(inputs[:, t:t + 1], state)  # [B, 1] per step
        logits = tf.matmul(state.h, W_p) + b_p
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            expected, W_x, W_h, b, Wp, bp = session.run([logits, cell.W_x, cell.W_h, cell.b, W_p, b_p])
    model = LSTM(T, 1, H, 10)
    with torch.no_grad():
        for k, gate in enumerate("ifog"):  # cells.py's gate order [i, f, o, g] -> the assignment's matrices
            block = slice(k * H, (k + 1) * H)
            getattr(model, "W_{}x".format(gate)).copy_(torch.from_numpy(W_x[:, block].T))  # [d, H] -> [H, d]
            getattr(model, "W_{}h".format(gate)).copy_(torch.from_numpy(W_h[:, block].T))  # [H, H] transposed
            getattr(model, "b_{}".format(gate)).copy_(torch.from_numpy(b[block][:, None]))  # [H] -> [H, 1]
        model.W_ph.copy_(torch.from_numpy(Wp.T))
        model.b_p.copy_(torch.from_numpy(bp[:, None]))
        got = model(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, expected, atol=1e-5)
    b_f, b_i = model.b_f.detach(), model.b_i.detach()
    assert float(b_f.mean()) == 1.0 and float(b_i.abs().sum()) == 0.0  # both frameworks start alike


def test_the_rnn_runs_on_scalar_digits():
    model = VanillaRNN(9, 1, 16, 10)
    assert model(PalindromeDataset(10, seed=1).batch(4)[0]).shape == (4, 10)


def test_train_py_defaults_learn_length_5_and_write_one_line(tmp_path, capsys):
    results = str(tmp_path / "r.jsonl")
    assert train.main(["--model_type=LSTM", "--input_length=4", "--results=" + results, "--device=cpu",
                       "--validation_size=500", "--test_size=500"]) == 0
    out = capsys.readouterr().out
    with open(results) as f:
        (record,) = [json.loads(line) for line in f]
    assert json.loads(out.strip().splitlines()[-1]) == record
    assert (record["length"], record["input_length"]) == (5, 4)  # the skeleton's meaning: input digits, then one
    assert record["stopped"] == "target" and record["validation_accuracy"] >= 0.99, record
    assert record["test_accuracy"] >= 0.97 and record["steps_done"] <= 2000
    assert (record["hidden"], record["batch_size"], record["learning_rate"], record["clip_norm"]) == (128, 128, 0.001,
                                                                                                     10.0)


@pytest.mark.parametrize("args,words", [
    (["--model_type=GRU"], "--model_type is RNN or LSTM"),
    (["--input_length=0"], "--input_length"),
    (["--input_dim=3"], "--input_dim must be 1"),
    (["--batch_size=0"], "--batch_size"),
    (["--seed=-1"], "--seed"),
    (["--device=toaster"], "--device=toaster cannot be used here"),
])
def test_bad_flags_are_one_line(args, words, capsys, tmp_path):
    status = train.main(args + ["--results=" + str(tmp_path / "r.jsonl")])
    assert_one_line_error(status, capsys.readouterr().err, words)
    assert not os.path.exists(str(tmp_path / "r.jsonl"))


def test_the_skeletons_cuda_default_falls_back_to_the_cpu_where_cuda_is_missing(tmp_path, capsys):
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    results = str(tmp_path / "r.jsonl")
    assert train.main(["--train_steps=100", "--validation_size=100", "--test_size=100", "--results=" + results]) == 0
    assert "CUDA is not available here; training on the CPU" in capsys.readouterr().out
    with open(results) as f:
        assert json.loads(f.readline())["device"] == "cpu"


def test_a_results_file_that_cannot_be_written_is_one_line_before_training(capsys, tmp_path):
    (tmp_path / "a_file").write_text("x")
    status = train.main(["--train_steps=1000000", "--device=cpu", "--results=" + str(tmp_path / "a_file" / "r.jsonl")])
    assert_one_line_error(status, capsys.readouterr().err, "a_file", "--results")  # at once, not after the run


def test_a_results_path_that_is_a_folder_is_one_line_before_training(capsys, tmp_path):
    status = train.main(["--device=cpu", "--results=" + str(tmp_path)])
    assert_one_line_error(status, capsys.readouterr().err, "--results", "is a folder")
