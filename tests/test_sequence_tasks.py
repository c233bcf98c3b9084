"""sequence_tasks.py: valid examples from each generator, short seeded runs that learn, one-line errors, figures."""
import json
import os

import numpy as np
import pytest

from conftest import assert_one_line_error

import sequence_tasks as st  # noqa: E402
from reporting import tasks


def parse(*args):
    st.FLAGS.unparse_flags()
    st.FLAGS(["sequence_tasks.py"] + list(args))


def test_palindromes_read_the_same_reversed():
    inputs, targets, lengths = st.palindromes(np.random.RandomState(0), 500, 7)
    assert inputs.shape == (500, 6, 10) and (lengths == 6).all()
    full = np.concatenate([inputs.argmax(2), targets[:, None]], axis=1)  # the T-1 inputs, then the answer
    assert (full == full[:, ::-1]).all() and (targets == full[:, 0]).all()
    assert len(set(map(tuple, full))) > 400  # random, not one palindrome repeated


def test_recall_answers_the_digit_at_the_position():
    parse("--task=recall", "--min_length=3", "--position=3")
    inputs, targets, lengths = st.recall_sequences(np.random.RandomState(1), 300, 3, 9, 3)
    assert inputs.shape == (300, 9, 10) and lengths.min() >= 3 and lengths.max() <= 9
    for x, y, n in zip(inputs, targets, lengths):
        assert x[:n].sum(1).tolist() == [1.0] * n and x[n:].sum() == 0  # one-hot digits, then padding
        assert x[2].argmax() == y


def test_additions_are_right():
    inputs, targets, lengths = st.additions(np.random.RandomState(2), 400, 6, steps=21)
    place = 2 ** np.arange(21)
    a, b, total = (inputs[:, :, 0] * place).sum(1), (inputs[:, :, 1] * place).sum(1), (targets * place).sum(1)
    assert (a + b == total).all() and (lengths == 7).all() and a.max() < 64 and total.max() >= 64  # carries out


def test_an_lstm_learns_the_palindrome_at_length_5():
    parse("--task=palindrome", "--test_size=500")
    record = st.run_one("palindrome", "lstm", 32, 5, 1, 0.003, 2000)
    assert record["accuracy"] >= 0.99, record


def test_an_lstm_learns_binary_addition_at_5_bits():
    parse("--task=binary_addition", "--test_size=500")
    record = st.run_one("binary_addition", "lstm", 5, 5, 1, 0.01, 3000)
    assert record["bit_accuracy"] >= 0.99 and record["bit_accuracy_by_length"]["5"] >= 0.99, record
    assert set(record["bit_accuracy_by_length"]) == {str(n) for n in range(1, 21)}


@pytest.mark.parametrize("args,words", [
    (["--task=sorting"], ["--task", "palindrome, recall or binary_addition"]),
    (["--model=lstm,cnn"], ["--model", "'cnn'"]),
    (["--length=1"], ["--length", "between 2 and"]),
    (["--hidden=abc"], ["--hidden", "whole numbers"]),
    (["--task=binary_addition", "--loss=l1"], ["--loss is ce or mse"]),
    (["--task=recall", "--position=7", "--min_length=5"], ["--position <= --min_length"]),
    (["--learning_rate=-1"], ["--learning_rate"]),
    (["--target=2"], ["--target"]),
    (["--lenght=5"], ["lenght", "--help"]),
], ids=["task", "model", "length", "hidden", "loss", "position", "lr", "target", "unknown-flag"])
def test_bad_flags_are_one_line(args, words, capsys, tmp_path):
    status = st.main(["sequence_tasks.py", "--results_dir=" + str(tmp_path)] + args)
    err = capsys.readouterr().err
    assert status in (1, 2)
    assert_one_line_error(status, err)
    for word in words:
        assert word in err, (word, err)
    assert os.listdir(str(tmp_path)) == []


def test_a_run_appends_its_json_line_and_the_figures_follow(tmp_path, capsys):
    assert st.main(["sequence_tasks.py", "--task=palindrome", "--model=lstm,rnn", "--hidden=16", "--length=4",
                    "--steps=200", "--test_size=200", "--gradients", "--results_dir=" + str(tmp_path)]) == 0
    out = capsys.readouterr().out
    printed = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    with open(str(tmp_path / "palindrome.jsonl")) as f:
        stored = [json.loads(line) for line in f]
    assert printed == stored and [r["model"] for r in stored] == ["lstm", "rnn"]
    assert all(len(r["input_gradient_norms"]) == 3 for r in stored)
    for task, record in (("recall", {"task": "recall", "model": "lstm", "hidden": 5, "accuracy": 0.5, "position": 2}),
                         ("binary_addition", {"task": "binary_addition", "model": "lstm", "hidden": 5, "length": 3,
                                              "loss": "ce", "bit_accuracy_by_length": {"1": 1.0, "2": 0.9}})):
        with open(str(tmp_path / (task + ".jsonl")), "w") as f:
            f.write(json.dumps(record) + "\n")
    written = tasks.plot_tasks(str(tmp_path))
    assert sorted(os.path.basename(p) for p in written) == ["README.md", "binary_addition.png", "palindrome.png",
                                                            "palindrome_gradients.png", "recall.png"]
    summary = tasks.task_summaries(str(tmp_path))
    assert "recall" in summary and "5 units 50.0% +- 0.0" in summary["recall"]
    assert "cross-entropy: L = 3 90.0%" in summary["binary_addition"]  # bit accuracy at the longest test length
    lstm, rnn = stored
    assert "LSTM {}/1".format(int(lstm["accuracy"] >= 0.99)) in summary["palindrome"]
