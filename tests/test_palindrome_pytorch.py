"""assignments/palindrome_pytorch/: the course skeleton's interface in PyTorch. Its dataset at any length, its LSTM from
the equations (the same outputs as cells.LSTMCell on the same weights), train.py's defaults learning T = 5, its
results file (checked, appended atomically, no temporary file left), the resumable sweep and the comparison's
statistics and verdicts. PyTorch is optional (assignments/palindrome_pytorch/requirements.txt); in CI it is
installed and these tests must run."""
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
from torch.utils.data import DataLoader  # noqa: E402

from assignments.palindrome_pytorch import compare, results_file, sweep, train  # noqa: E402
from assignments.palindrome_pytorch.dataset import PalindromeDataset  # noqa: E402
from assignments.palindrome_pytorch.lstm import LSTM  # noqa: E402
from assignments.palindrome_pytorch.vanilla_rnn import VanillaRNN  # noqa: E402


def test_importing_the_folder_as_a_package_leaves_the_projects_train_py_alone():
    """The package's modules import each other relatively: sys.path does not get the folder, so `import train`
    elsewhere (main.py's, in the same process) is still the project's train.py, not the palindrome's."""
    here = os.path.join(PROJECT_DIR, "assignments", "palindrome_pytorch")
    assert here not in sys.path
    for name in ("train", "results_file", "dataset", "lstm", "vanilla_rnn"):
        module = sys.modules.get(name)
        assert module is None or not os.path.abspath(module.__file__).startswith(here + os.sep), name
    import train as project_train
    assert os.path.dirname(os.path.abspath(project_train.__file__)) == PROJECT_DIR


@pytest.mark.parametrize("length", [2, 5, 10, 25, 200])
def test_the_dataset_yields_palindromes_at_any_length(length):
    data = PalindromeDataset(length, seed=3)
    inputs, target = data[0]
    assert inputs.shape == (length - 1,) and isinstance(target, int)
    full = np.append(inputs, target)
    assert (full == full[::-1]).all() and full.min() >= 0 and full.max() <= 9
    batch_inputs, batch_targets = next(iter(DataLoader(data, batch_size=64)))  # as train.py samples them
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
    assert model(next(iter(DataLoader(PalindromeDataset(10, seed=1), batch_size=4)))[0]).shape == (4, 10)


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
    (["--device=meta"], "--device=meta cannot train"),
    (["--num_hidden=4096", "--batch_size=65536", "--input_length=999"], "GB of memory"),
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


TINY = ["--input_length=2", "--num_hidden=8", "--train_steps=100", "--validation_size=100", "--test_size=100",
        "--device=cpu"]


def test_an_empty_results_flag_is_one_line_and_leaves_nothing_in_any_folder(tmp_path, capsys, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(str(work))
    status = train.main(TINY + ["--results="])
    assert_one_line_error(status, capsys.readouterr().err, "--results is empty")
    assert os.listdir(str(tmp_path)) == ["work"] and os.listdir(str(work)) == []  # no .tmp- in the parent either


def test_a_results_flag_naming_another_kind_of_file_changes_nothing(tmp_path, capsys):
    other = tmp_path / "main.py"
    other.write_text("print('a program, not results')\n")
    status = train.main(TINY + ["--results=" + str(other)])
    assert_one_line_error(status, capsys.readouterr().err, "main.py", "not a result of train.py")
    assert other.read_text() == "print('a program, not results')\n"


def test_running_out_of_memory_mid_run_is_one_line(tmp_path, capsys, monkeypatch):
    def exhausted(args):
        raise RuntimeError("[enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: not enough memory: you "
                           "tried to allocate 1099511627776 bytes.")
    monkeypatch.setattr(train, "train", exhausted)
    status = train.main(TINY + ["--results=" + str(tmp_path / "r.jsonl")])
    assert_one_line_error(status, capsys.readouterr().err, "out of memory", "--batch_size")
    assert os.listdir(str(tmp_path)) == []


def test_a_write_that_fails_leaves_the_file_as_it_was_and_no_temporary_file(tmp_path, capsys, monkeypatch):
    results = tmp_path / "r.jsonl"
    assert train.main(TINY + ["--results=" + str(results)]) == 0
    before = results.read_bytes()

    def full(src, dst):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(results_file.os, "replace", full)
    status = train.main(TINY + ["--seed=2", "--results=" + str(results)])
    assert_one_line_error(status, capsys.readouterr().err, "cannot write --results", "No space left")
    assert results.read_bytes() == before and os.listdir(str(tmp_path)) == ["r.jsonl"]


def test_a_killed_writers_temporary_file_is_removed_by_the_next_append(tmp_path):
    import subprocess
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    stale = tmp_path / ".tmp-r.jsonl-{}-x1".format(gone.pid)
    alive = tmp_path / ".tmp-r.jsonl-{}-x2".format(os.getpid())  # a writer still at work keeps its file
    stale.write_text("half a line")
    alive.write_text("being written")
    results_file.append(str(tmp_path / "r.jsonl"), json.dumps({"a": 1}))
    assert not stale.exists() and alive.exists()
    assert (tmp_path / "r.jsonl").read_text() == '{"a": 1}\n'


def test_two_writers_at_once_lose_no_line(tmp_path):
    import subprocess
    path = str(tmp_path / "r.jsonl")
    code = ("import json, sys; sys.path.insert(0, {!r}); import results_file\n"
            "for k in range(25): results_file.append({!r}, json.dumps(dict(writer=sys.argv[1], k=k)))").format(
                os.path.dirname(results_file.__file__), path)
    writers = [subprocess.Popen([sys.executable, "-c", code, w]) for w in "ab"]
    assert [w.wait() for w in writers] == [0, 0]
    with open(path) as f:
        lines = [json.loads(line) for line in f]
    assert sorted((d["writer"], d["k"]) for d in lines) == [(w, k) for w in "ab" for k in range(25)]
    assert os.listdir(str(tmp_path)) == ["r.jsonl"]


def test_the_sweep_goes_on_after_its_finished_runs_and_refuses_runs_trained_otherwise(tmp_path, capsys):
    results = str(tmp_path / "s.jsonl")
    flags = ["--lengths=3", "--train_steps=100", "--results=" + results]
    assert sweep.main(flags + ["--seeds=1"]) == 0
    first = open(results).read()
    assert sweep.main(flags + ["--seeds=2"]) == 0
    out = capsys.readouterr().out
    assert "4 runs in all, 2 finished before, 2 to go" in out and '"curve"' not in out  # the lines are in the file
    runs = results_file.read(results)
    assert open(results).read().startswith(first)
    assert sorted((r["model"], r["length"], r["seed"]) for r in runs) == [(m, 3, s) for m in ("lstm", "rnn")
                                                                          for s in (1, 2)]
    status = sweep.main(["--lengths=3", "--seeds=2", "--train_steps=200", "--results=" + results])
    assert_one_line_error(status, capsys.readouterr().err, "trained otherwise", "steps")


def test_a_killed_sweep_run_again_finishes_each_run_once(tmp_path):
    import signal
    import subprocess
    import time
    results = tmp_path / "s.jsonl"
    command = [sys.executable, sweep.__file__, "--lengths=3,4", "--seeds=2", "--results=" + str(results)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    deadline = time.time() + 300
    while time.time() < deadline and (not results.exists() or not results.read_text().strip()):
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out, err)
    assert "the same command goes on after them" in out
    kept = results.read_text()
    again = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                           timeout=900)
    assert again.returncode == 0, again.stderr
    assert "{} finished before".format(len(kept.splitlines())) in again.stdout
    runs = results_file.read(str(results))
    assert results.read_text().startswith(kept) and len(runs) == 8
    assert len({(r["model"], r["length"], r["seed"]) for r in runs}) == 8
    assert [n for n in os.listdir(str(tmp_path)) if n.startswith(".tmp-")] == []


def test_the_exact_tests_give_the_textbook_values():
    assert abs(compare.fisher(3, 4, 1, 4) - 0.4857142857) < 1e-9  # Fisher's tea-tasting table, two-sided
    assert abs(compare.fisher(10, 10, 0, 10) - 2 / 184756) < 1e-15
    assert compare.fisher(10, 10, 10, 10) == 1.0
    assert abs(compare.rank_sum([1, 2, 3], [4, 5, 6]) - 0.1) < 1e-12  # 2 of the C(6, 3) = 20 splits
    inf = float("inf")
    assert compare.rank_sum([inf, inf], [inf, inf]) == 1.0  # all failed: nothing to tell apart
    assert abs(compare.rank_sum([1, 1, 2], [2, 3, 3]) - 0.2) < 1e-12  # with mean ranks for ties: 4 of 20 as far out


def fake(model, length, seed, solved=True, steps=500):
    """A run of train.py as sweep.py makes it: its validation accuracy first reaches 0.99 after `steps`."""
    curve = [[100 * k, 2.0, 2.0, 0.2] for k in range(1, steps // 100)] + [[steps, 0.1, 0.1, 0.991],
                                                                          [steps + 100, 0.1, 0.1, 0.996]]
    return dict(task="palindrome", model=model, length=length, seed=seed, steps=10000, target=0.995,
                curve=curve if solved else [[100 * k, 2.0, 2.0, 0.2] for k in range(1, 101)],
                steps_done=steps + 100 if solved else 10000, stopped="target" if solved else "budget",
                test_accuracy=0.995 if solved else 0.2, hidden=128, batch_size=128, learning_rate=0.001,
                clip_norm=10.0, rmsprop_start=0.0, validation_size=2000, test_size=2000, cpu_seconds=1.0,
                machine={"processor": "a test processor"})


def test_the_verdict_follows_the_solved_counts_then_the_steps_and_says_tie_otherwise():
    runs = [fake("lstm", 30, s) for s in range(1, 11)] + [fake("rnn", 30, s, solved=s <= 3) for s in range(1, 11)]
    runs += [fake("lstm", 10, s, steps=300) for s in range(1, 11)] + [fake("rnn", 10, s, steps=800)
                                                                       for s in range(1, 11)]
    runs += [fake(m, 5, s, steps=300 + 100 * (s % 2)) for m in ("lstm", "rnn") for s in range(1, 11)]
    rows = {row["length"]: row for row in compare.rows(runs)}
    assert (rows[30]["verdict"], rows[30]["rnn"]["solved"], rows[30]["rnn"]["steps"]) == ("lstm", 3, float("inf"))
    assert rows[30]["p_solved"] < 0.05 and (rows[10]["verdict"], rows[10]["p_solved"]) == ("lstm", 1.0)
    assert rows[5]["verdict"] == "tie" and rows[5]["p_steps"] == 1.0
    text = compare.report(runs)
    assert ("the LSTM solves it more often at T = 30; the LSTM reaches the target in fewer steps at T = 10; the two "
            "tie at T = 5.") in text
    assert "| 30 | 10/10 | 3/10 | 500 | never (> 10,000) |" in text and "a test processor" in text


def test_runs_not_trained_alike_or_repeated_are_refused():
    with pytest.raises(results_file.ResultsError, match="not trained alike: learning_rate"):
        compare.check([fake("lstm", 5, 1), dict(fake("rnn", 5, 1), learning_rate=0.01)])
    with pytest.raises(results_file.ResultsError, match="there twice"):
        compare.check([fake("lstm", 5, 1), fake("lstm", 5, 1)])


def test_compare_writes_its_figure_atomically_and_never_over_another_kind_of_file(tmp_path, capsys):
    results = tmp_path / "r.jsonl"
    results.write_text("".join(json.dumps(fake(m, n, s)) + "\n" for m in ("lstm", "rnn") for n in (5, 10)
                               for s in (1, 2, 3)))
    notes = tmp_path / "notes.png"
    notes.write_text("not an image")
    status = compare.main(["--results=" + str(results), "--figure=" + str(notes)])
    assert_one_line_error(status, capsys.readouterr().err, "not a PNG image")
    assert notes.read_text() == "not an image"
    assert compare.main(["--results=" + str(results)]) == 0
    assert (tmp_path / "r.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "the two tie at T = 5, 10" in capsys.readouterr().out
    assert sorted(os.listdir(str(tmp_path))) == ["notes.png", "r.jsonl", "r.png"]
    status = compare.main(["--results=" + str(tmp_path / "none.jsonl")])
    assert_one_line_error(status, capsys.readouterr().err, "does not exist", "sweep.py")
