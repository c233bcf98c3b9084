"""assignments/memory/sequence_tasks.py: valid examples from each generator, short seeded runs that learn and stop on validation,
the cells' ablation options, one-line errors, damaged result files, figures."""
import json
import os

import numpy as np
import pytest

from conftest import assert_one_line_error

from assignments.memory import sequence_tasks as st  # noqa: E402
from assignments.memory import data, net
from assignments.memory import task_runs, tasks


def parse(*args):
    st.FLAGS.unparse_flags()
    st.FLAGS(["assignments/memory/sequence_tasks.py"] + list(args))


def settings(*args):
    parse(*args)
    return st.plan()


def test_palindromes_read_the_same_reversed():
    for encoding, width in (("onehot", 10), ("scalar", 1)):
        inputs, targets, lengths = data.palindromes(np.random.RandomState(0), 500, 7, encoding)
        assert inputs.shape == (500, 6, width) and (lengths == 6).all()
        digits = inputs.argmax(2) if encoding == "onehot" else inputs[:, :, 0].astype(int)
        full = np.concatenate([digits, targets[:, None]], axis=1)  # the T-1 inputs, then the answer
        assert (full == full[:, ::-1]).all() and (targets == full[:, 0]).all()
        assert len(set(map(tuple, full))) > 400  # random, not one palindrome repeated
    scalar = data.palindromes(np.random.RandomState(0), 50, 7, "scalar")[0]
    assert scalar.min() == 0 and scalar.max() == 9  # the digit's value, as the course's PalindromeDataset feeds it


def test_recall_answers_the_digit_at_the_position():
    inputs, targets, lengths = data.recall_sequences(np.random.RandomState(1), 300, 3, 9, 3)
    assert inputs.shape == (300, 9, 10) and lengths.min() >= 3 and lengths.max() <= 9
    for x, y, n in zip(inputs, targets, lengths):
        assert x[:n].sum(1).tolist() == [1.0] * n and x[n:].sum() == 0  # one-hot digits, then padding
        assert x[2].argmax() == y


def test_additions_are_right():
    inputs, targets, lengths = data.additions(np.random.RandomState(2), 400, 6, steps=21)
    place = 2 ** np.arange(21)
    a, b, total = (inputs[:, :, 0] * place).sum(1), (inputs[:, :, 1] * place).sum(1), (targets * place).sum(1)
    assert (a + b == total).all() and (lengths == 7).all() and a.max() < 64 and total.max() >= 64  # carries out
    inputs, targets, _ = data.additions(np.random.RandomState(2), 50, 40, steps=41)
    place = 2 ** np.arange(41, dtype=np.int64)  # 40-bit sums, exact in int64
    assert ((inputs[:, :, 0] * place).sum(1).astype(np.int64) + (inputs[:, :, 1] * place).sum(1).astype(np.int64)
            == (targets.astype(np.int64) * place).sum(1)).all()


def test_the_defaults_are_each_assignments_setting():
    (pal,) = settings("--task=palindrome")
    assert (pal["encoding"], pal["hidden"], pal["batch_size"], pal["optimizer"], pal["learning_rate"], pal["steps"],
            pal["clip_norm"], pal["length"]) == ("scalar", 128, 128, "rmsprop", 0.001, 10000, 10.0, 10)
    (rec,) = settings("--task=recall")
    assert (rec["optimizer"], rec["learning_rate"], rec["beta2"], rec["encoding"]) == ("adam", 0.01, 0.99, "onehot")
    runs = settings("--task=palindrome", "--model=RNN,lstm", "--keep_bias=0,1", "--encoding=scalar,onehot")
    assert sorted((r["model"], r["keep_bias"], r["encoding"]) for r in runs) == [
        ("lstm", 0.0, "onehot"), ("lstm", 0.0, "scalar"), ("lstm", 1.0, "onehot"), ("lstm", 1.0, "scalar"),
        ("rnn", None, "onehot"), ("rnn", None, "scalar")]  # the RNN has no keep gate: not one run per bias


def test_cells_take_the_ablations_initialisation():
    from core.tfcompat import tf
    from cells import GRUCell, LSTMCell, RNNCell
    with tf.Graph().as_default():
        lstm, gru = LSTMCell(8, "lstm", keep_bias=0.0), GRUCell(8, "gru", recurrent_init="gaussian", keep_bias=1.0)
        for cell in (lstm, gru):
            cell.build(3, seed=1)
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            b_lstm, b_gru, w_gru = session.run([lstm.b, gru.b, gru.W_h])
    assert (b_lstm == 0).all()  # the forget gate's 1.0 moved to 0
    assert (b_gru[8:16] == 1).all() and (b_gru[:8] == 0).all() and (b_gru[16:] == 0).all()  # z only
    assert 0.005 < w_gru.std() < 0.015  # N(0, 0.01^2), not orthogonal (whose entries have sd 1/sqrt(8))
    assert LSTMCell(4, "x")._bias_init()[4:8].tolist() == [1.0] * 4  # the MNIST models' default is unchanged
    with pytest.raises(ValueError):
        RNNCell(4, "rnn", keep_bias=1.0)


def test_an_lstm_learns_the_palindrome_and_stops_on_validation():
    (s,) = settings("--task=palindrome", "--hidden=32", "--length=5", "--learning_rate=0.003", "--steps=2000",
                    "--validation_size=500", "--test_size=500", "--encoding=onehot")
    record = net.train(s)
    assert record["stopped"] == "target" and record["validation_accuracy"] >= 0.99, record
    assert record["curve"][-1][3] == record["validation_accuracy"] and record["steps_done"] < 2000
    assert record["test_accuracy"] >= 0.97, record  # measured once, after stopping
    assert len(record["input_gradient_norms"]) == 4 and record["machine"]["processor"]


def test_an_lstm_learns_binary_addition_and_is_tested_up_to_40_bits():
    (s,) = settings("--task=binary_addition", "--test_size=500", "--validation_size=500")
    record = net.train(s)
    assert record["validation_bit_accuracy"] == 1.0 and record["test_bit_accuracy_by_length"]["5"] >= 0.99, record
    assert set(record["test_bit_accuracy_by_length"]) == {str(n) for n in range(1, 41)}


@pytest.mark.parametrize("args,words", [
    (["--task=sorting"], ["--task", "palindrome, recall or binary_addition"]),
    (["--model=lstm,cnn"], ["--model", "'cnn'"]),
    (["--length=1"], ["--length", "between 2 and"]),
    (["--hidden=abc"], ["--hidden", "whole numbers"]),
    (["--task=binary_addition", "--loss=l1"], ["--loss", "ce or mse"]),
    (["--task=recall", "--position=7", "--min_length=5"], ["--position <= --min_length"]),
    (["--steps=150"], ["--steps", "multiple of 100"]),
    (["--steps=1"], ["--steps", "between 100"]),
    (["--learning_rate=-1"], ["--learning_rate"]),
    (["--target=2"], ["--target"]),
    (["--batch_size=2000000000"], ["--batch_size", "65536"]),
    (["--test_size=2000000000"], ["--test_size"]),
    (["--encoding=binary"], ["--encoding", "scalar or onehot"]),
    (["--recurrent_init=zeros"], ["--recurrent_init", "orthogonal or gaussian"]),
    (["--keep_bias=x"], ["--keep_bias", "numbers"]),
    (["--lenght=5"], ["lenght", "--help"]),
], ids=["task", "model", "length", "hidden", "loss", "position", "steps-odd", "steps-few", "lr", "target", "batch", "test-size", "encoding",
                           "init", "keep-bias", "unknown-flag"])
def test_bad_flags_are_one_line(args, words, capsys, tmp_path):
    status = st.main(["assignments/memory/sequence_tasks.py", "--results_dir=" + str(tmp_path)] + args)
    err = capsys.readouterr().err
    assert status in (1, 2)
    assert_one_line_error(status, err)
    for word in words:
        assert word in err, (word, err)
    assert os.listdir(str(tmp_path)) == []


def fake(task="palindrome", model="lstm", length=20, seed=1, acc=0.99, **changes):
    """A result line as assignments/memory/sequence_tasks.py writes it (only what the readers use)."""
    record = dict(task=task, model=model, hidden=128, length=length, seed=seed, test_accuracy=acc,
                  validation_accuracy=acc, stopped="target" if acc >= 0.99 else "budget", steps=10000,
                  steps_done=2000 if acc >= 0.99 else 10000,
                  encoding="scalar", recurrent_init="orthogonal", keep_bias=None if model == "rnn" else 1.0,
                  curve=[[100, 2.3, 2.3, 0.1], [200, 0.5, 0.4, acc]], input_gradient_norms=[0.1, 0.2, 0.3])
    record.update(changes)
    return record


def write(folder, task, records):
    with open(os.path.join(str(folder), task + ".jsonl"), "w") as f:
        f.write("".join(json.dumps(r) + "\n" for r in records))


def test_a_run_appends_its_json_line_and_the_figures_follow(tmp_path, capsys):
    assert st.main(["assignments/memory/sequence_tasks.py", "--task=palindrome", "--model=lstm,rnn", "--hidden=16", "--length=4",
                    "--steps=200", "--test_size=200", "--validation_size=200", "--results_dir=" + str(tmp_path)]) == 0
    out = capsys.readouterr().out
    printed = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    with open(str(tmp_path / "palindrome.jsonl")) as f:
        stored = [json.loads(line) for line in f]
    assert printed == stored and [r["model"] for r in stored] == ["lstm", "rnn"]
    assert all(len(r["input_gradient_norms"]) == 3 and r["encoding"] == "scalar" for r in stored)
    write(tmp_path, "recall", [fake("recall", hidden=5, seed=s, acc=a) for s, a in ((1, 0.5), (2, 0.5), (3, 0.5))])
    write(tmp_path, "binary_addition", [fake("binary_addition", length=3, seed=s, loss=loss,
                                             test_bit_accuracy_by_length={"1": 1.0, "2": acc})
                                        for s in (1, 2, 3) for loss, acc in (("ce", 0.9 + s / 100), ("mse", 0.7))])
    written = tasks.plot_tasks(str(tmp_path))
    assert sorted(os.path.basename(p) for p in written) == [
        "README.md", "binary_addition.png", "binary_addition_curves.png", "palindrome.png", "palindrome_curves.png",
        "palindrome_gradients.png", "recall.png", "recall_curves.png"]
    summary = tasks.task_summaries(str(tmp_path))
    assert "5 units 50.0% +- 0.0" in summary["recall"]
    assert "cross-entropy: L = 3 92.0% +- 1.0" in summary["binary_addition"]  # bit accuracy at the longest length
    assert "cross-entropy is higher than squared error" in summary["binary_addition"]
    lstm, rnn = stored
    assert "LSTM {}/1".format(int(lstm["stopped"] == "target")) in summary["palindrome"]


def test_the_ablation_changes_one_factor_and_words_follow_the_rule(tmp_path):
    runs = [fake(model="rnn", seed=s, acc=0.1 + s / 100) for s in (1, 2, 3)]  # fails in the assignment's setting
    runs += [fake(model="rnn", seed=s, acc=1.0, encoding="onehot") for s in (1, 2, 3)]  # one-hot rescues it
    runs += [fake(model="lstm", seed=s, acc=0.99 + s / 1000) for s in (1, 2, 3)]
    runs += [fake(model="lstm", seed=s, acc=a, keep_bias=0.0) for s, a in ((1, 0.988), (2, 0.992), (3, 0.995))]  # tie
    runs += [fake(model="lstm", seed=1, acc=0.5, keep_bias=0.0, encoding="onehot")]  # two factors: not in it
    write(tmp_path, "palindrome", runs)
    text = tasks.task_summaries(str(tmp_path))["palindrome"]
    assert "T = 20: LSTM is higher than the vanilla RNN" in text
    assert "one-hot digits instead of scalars: 3/3 succeed, 100.0% +- 0.0; the change is higher" in text
    assert "keep-gate bias 0 instead of 1: 2/3 succeed" in text and "the change and the assignment's setting tie" in text
    assert "50.0%" not in text  # the run that changed two factors is no evidence for either
    # where every run reached the target, the steps it took are compared, not where each happened to stop
    assert task_runs.versus("A", [fake(steps_done=900 + s) for s in (1, 2, 3)], "B",
                        [fake(steps_done=3000 + 50 * s) for s in (1, 2, 3)]) == \
        "A reaches the target in fewer steps than B (902 against 3,100 steps on average)"
    path = str(tmp_path / "palindrome_ablation.png")
    from core.figures import png
    records = task_runs.load_task(str(tmp_path), "palindrome")
    assert png(lambda fig, box: tasks.draw_palindrome_ablation(records, fig, box), path, (6.4, 4.2)) == path
    assert os.path.getsize(path) > 0


@pytest.mark.parametrize("line,words", [
    ('{"task": "palindrome", "mod', "line 2 is not valid JSON"),
    ("[]", "must be a JSON object"),
    (json.dumps(dict(fake(), test_accuracy="99%")), "'test_accuracy' must be a number"),
    (json.dumps(dict(fake(), test_accuracy=None)), "'test_accuracy' must be a number"),
    (json.dumps({k: v for k, v in fake().items() if k != "model"}), "'model' must be a string"),
    (json.dumps({"task": "palindrome", "model": "lstm", "accuracy": 0.9}), "older version of these tasks"),
    (json.dumps(fake(task="recall")), "does not belong here"),
], ids=["truncated", "list", "string-accuracy", "null-accuracy", "no-model", "old-schema", "other-task"])
def test_a_damaged_result_line_is_one_error_naming_it(tmp_path, capsys, line, words):
    path = tmp_path / "palindrome.jsonl"
    path.write_text(json.dumps(fake()) + "\n" + line + "\n")
    before = sorted(os.listdir(str(tmp_path)))
    status = st.main(["assignments/memory/sequence_tasks.py", "--plot", "--results_dir=" + str(tmp_path)])
    err = capsys.readouterr().err
    assert_one_line_error(status, err)
    assert words in err and "palindrome.jsonl" in err, err
    assert sorted(os.listdir(str(tmp_path))) == before  # nothing drawn from a half-read folder


def test_non_utf8_result_file_is_one_error(tmp_path, capsys):
    (tmp_path / "recall.jsonl").write_bytes(b"\xff\xfe{}\n")
    status = st.main(["assignments/memory/sequence_tasks.py", "--plot", "--results_dir=" + str(tmp_path)])
    err = capsys.readouterr().err
    assert_one_line_error(status, err)
    assert "not UTF-8" in err


def test_concurrent_appends_all_land(tmp_path):
    import multiprocessing
    from core.common import append_line
    path = str(tmp_path / "x.jsonl")
    with multiprocessing.Pool(4) as pool:
        pool.starmap(append_line, [(path, json.dumps({"n": n})) for n in range(40)])
    with open(path) as f:
        assert sorted(json.loads(line)["n"] for line in f) == list(range(40))


def test_the_pytorch_runs_sit_beside_tensorflows_through_the_rule(tmp_path):
    """palindrome_pytorch.jsonl's runs are counted per length and compared with TensorFlow's runs of the same
    cell and length; a damaged PyTorch line is one error naming that file."""
    write(tmp_path, "palindrome", [fake(model="rnn", seed=s, acc=0.2 + s / 100) for s in (1, 2, 3)] +
          [fake(model="lstm", seed=s, acc=0.995) for s in (1, 2, 3)])
    write(tmp_path, "palindrome_pytorch", [dict(fake(model="rnn", seed=s, acc=1.0), framework="pytorch")
                                           for s in (1, 2, 3)])
    text = tasks.task_summaries(str(tmp_path))["palindrome"]
    assert "The same setting in PyTorch, on the course skeleton (assignments/palindrome_pytorch/; 3 seeds)" in text
    assert "T = 20: vanilla RNN 3/3." in text
    assert "vanilla RNN T = 20: PyTorch is higher than TensorFlow" in text
    assert "the optimiser's start" not in text  # no ablation runs yet
    with open(str(tmp_path / "palindrome_pytorch.jsonl"), "a") as f:  # the optimiser's ablation: TensorFlow's start
        f.write("".join(json.dumps(dict(fake(model="rnn", seed=s, acc=0.2 + s / 100), framework="pytorch",
                                        rmsprop_start=1.0)) + "\n" for s in (1, 2, 3)))
    text = tasks.task_summaries(str(tmp_path))["palindrome"]
    assert "T = 20: vanilla RNN 3/3." in text  # the ablation's runs are not counted as the main runs
    assert ("vanilla RNN T = 20: 0/3 succeed, 22.0% +- 1.0; started at 1 is lower than PyTorch's default") in text
    assert "started at 1 and TensorFlow tie" in text
    with open(str(tmp_path / "palindrome_pytorch.jsonl"), "a") as f:
        f.write('{"task": "palindrome", "mod\n')
    with pytest.raises(tasks.UserError, match="palindrome_pytorch.jsonl line 7"):
        tasks.task_summaries(str(tmp_path))


def test_the_findings_open_with_what_gates_and_initialisation_buy(tmp_path):
    runs = []
    for length, rnn_acc in ((10, 0.995), (20, 0.15)):
        runs += [fake(model="rnn", length=length, seed=s, acc=rnn_acc + s / 1000) for s in (1, 2, 3)]
        runs += [fake(model=m, length=length, seed=s, acc=0.995 + s / 1000) for m in ("lstm", "gru") for s in (1, 2, 3)]
    runs += [fake(model="rnn", length=20, seed=s, acc=0.10 + s / 1000, recurrent_init="gaussian") for s in (1, 2, 3)]
    runs += [fake(model="lstm", length=20, seed=s, acc=0.998 - s / 1000, recurrent_init="gaussian") for s in (1, 2, 3)]
    write(tmp_path, "palindrome", runs)
    text = tasks.task_summaries(str(tmp_path))["palindrome"]
    assert text.startswith("What gates buy here: both gated cells' test accuracy is higher than the vanilla RNN's at "
                           "T = 20 (by the comparison rule); at the other lengths tried (10) the three tie")
    assert ("What initialisation buys: at T = 20, W_h from N(0, 0.01^2) instead of orthogonal lowers the vanilla "
            "RNN's test accuracy; leaves the LSTM's as it was (a tie).") in text


def test_groups_with_more_seeds_are_named(tmp_path):
    """Ten more seeds for one group must not be read as every group's count, in the text or the figure."""
    from assignments.memory.palindrome import seed_counts
    groups = {("lstm", 20): [fake()] * 5, ("rnn", 20): [fake(model="rnn")] * 5, ("rnn", 30): [fake(model="rnn")] * 15}
    assert seed_counts(groups) == "5 seeds; 15 for the vanilla RNN at T = 30"
    assert seed_counts({("lstm", 5): [fake()] * 3}) == "3 seeds"
    write(tmp_path, "palindrome", [fake(model="rnn", length=20, seed=s) for s in (1, 2, 3)] +
          [fake(model="rnn", length=30, seed=s, acc=0.2) for s in range(1, 7)])
    write(tmp_path, "palindrome_pytorch", [dict(fake(model="rnn", length=30, seed=s, acc=1.0), framework="pytorch")
                                           for s in range(1, 7)])
    text = tasks.task_summaries(str(tmp_path))["palindrome"]
    assert "vanilla RNN 3/3, 0/6" in text and "(assignments/palindrome_pytorch/; 6 seeds)" in text
