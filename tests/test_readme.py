"""Every number the README states outside its generated tables is checked against the file or code it comes from."""
import json
import os
import re

import pytest

from conftest import ROOT


def readme_prose(name="README.md"):
    """README.md (or another page) without the tables tools/make_report.py writes (tests/test_shipped.py checks
    those) and code blocks."""
    with open(os.path.join(ROOT, name)) as f:
        text = f.read()
    text = re.sub(r"<!-- (\w+):begin -->.*?<!-- \1:end -->", "", text, flags=re.S)
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return re.sub(r"\s+", " ", text)  # phrases may wrap across lines


def read(name):
    with open(os.path.join(ROOT, name)) as f:
        return f.read()


def facts():
    """(phrase with {} where numbers go, the numbers it must show) for every number the prose states."""
    import data_loader
    from assignments.numpy_rnn import mnist4
    from cells import GRUCell, LSTMCell, RNNCell
    from model import INPUT_SIZE, NUM_CLASSES, NUM_STEPS
    from core import study

    tf_modern = re.search(r"^tensorflow-cpu==(\d+\.\d+)\.\d+$", read("requirements.txt"), re.M).group(1)
    py_modern = re.search(r"tested on (\d+\.\d+)\.\d+", read("requirements.txt")).group(1)
    pinned = read("requirements-tf1.5.txt")
    tf_pinned = re.search(r"^tensorflow==(\d+\.\d+)\.0$", pinned, re.M).group(1)
    py_pinned = re.search(r"tested on (\d+\.\d+\.\d+)", pinned).group(1)
    pip_pinned = re.search(r"pip install -q pip==([\d.]+)", read("Makefile")).group(1)
    forget = LSTMCell(4, "x")._bias_init()[4:8]
    assert set(forget) == {1.0}
    with open(os.path.join(ROOT, "results", "numpy_rnn", "mnist4.json")) as f:
        numpy_epoch = int(round(json.load(f)["seconds_per_epoch"]))  # the median epoch of the recorded sweep
    from tools import reproduce
    study_runs = [json.loads(read(os.path.join(study.result_folder(recipe, seed), name + ".json")))
                  for name, recipe, seed, _, _ in reproduce.seed_runs(study.WEIGHTS_RUNTIME)]  # the shipped runtime's
    card = [json.loads(read(os.path.join("results", "card", run, "lstm_h32.json"))) for run in ("run1", "run2")]
    assert card[0]["history"] == card[1]["history"] and card[0]["test_correct"] == card[1]["test_correct"]
    card_processor = card[0]["trained_with"]["machine"]["processor"]  # "Intel(R) Xeon(R) Processor (family 6, ..."
    shipped32 = json.loads(read(os.path.join("results", "lstm_h32.json")))
    seeds32 = [json.loads(read(os.path.join(study.result_folder(study.RECIPES[("lstm", 32)], seed), "lstm_h32.json")))
               ["test_correct"] for seed in study.SEEDS]
    return [
        ("it got {:,} ({:.2f}%, best validation {:.2f}% at epoch {} of {})", [
            card[0]["test_correct"], 100 * card[0]["test_accuracy"], 100 * card[0]["val_accuracy"],
            card[0]["best_epoch"], card[0]["epochs_run"]]),
        ("Here ({}, family {} model {}, TensorFlow {};", [card_processor.split(" (")[0].replace("(R)", "").replace(
            " Processor", "")] + [int(n) for n in re.findall(r"\d+", card_processor)] +
         [card[0]["trained_with"]["tensorflow"][0]]),
        ("shipped run's {:,} (TensorFlow {}, seed {}) and its seeds' {:,}-{:,}", [
            shipped32["test_correct"], shipped32["trained_with"]["tensorflow"][:3], shipped32["config"]["seed"],
            min(seeds32), max(seeds32)]),
        ("the same recipes on TensorFlow {}, the report's comparison", [[r for r in study.RUNTIMES
                                                                         if r != study.WEIGHTS_RUNTIME][0][2:]]),
        ("twice: {:,} both times", [card[1]["test_correct"]]),
        ("each {}x{} image as {} rows of {} pixels", [NUM_STEPS, INPUT_SIZE, NUM_STEPS, INPUT_SIZE]),
        ("TensorFlow {}.x (through", [2]), ("TensorFlow {}.x style", [1]),
        ("pinned TensorFlow {} (Python {})", [tf_pinned, py_pinned[:3]]),
        ("on the {} test images", ["10,000"]),
        ("row x ({} pixels)", [INPUT_SIZE]), ("logits = h({}) W", [NUM_STEPS]),
        ("forget gate at {}", ["1.0"]),
        ("k gate blocks: {} LSTM, {} GRU, {} RNN", [LSTMCell.NUM_BLOCKS, GRUCell.NUM_BLOCKS, RNNCell.NUM_BLOCKS]),
        ("`lstm/W_x` [{}, kH]", [INPUT_SIZE]), ("`logits/W` [H, {}], `logits/b` [{}]", [NUM_CLASSES, NUM_CLASSES]),
        ("a random crop of {}-{} pixels a side", [data_loader.MIN_SIDE, data_loader.MAX_SIDE]),
        ("cut into steps of {}", [data_loader.SIDE]),
        ("RNN, LSTM, GRU at {}, {}, {}", [",".join(map(str, layers)) for layers in study.GRID_LAYERS]),
        ("Modern (default): Python {}, `tensorflow-cpu` {} via", [py_modern, tf_modern]),
        ("Pinned: Python {}, TensorFlow {},", [py_pinned[:3], tf_pinned]),
        ("takes Python {} from `pyenv install {}`", [py_pinned[:3], py_pinned]),
        ("installs pip {} first", [pip_pinned]),
        ("on digits {} by plain SGD, each rate until validation stalls ({} s an epoch)", ["/".join(map(str, mnist4.CLASSES)), numpy_epoch]),
        ("A retrained configuration is {} seeds of", [len(study.SEEDS)]),
        ("What distortions and dropout buy on {}-{} (early stopping, TensorFlow {}):", [
            study.ABLATION_CONFIG[0].upper(), study.ABLATION_CONFIG[1], study.STUDIES_RUNTIME[2:]]),
        ("The {} seed runs' training times add up to {:.1f} hours", [len(study_runs), sum(
            r["train_seconds"] for r in study_runs) / 3600]),
        ("trained on TensorFlow {}, on the", [".".join(shipped32["trained_with"]["tensorflow"].split(".")[:2])]),
    ]


# Numbers that are notation or examples, not facts about the project.
NOTATION = ["mnist4", "1.x", "2.x", "(1 - z)", "Cho et al. 2014", "Layer n > 1", "layer 2)", "after row 1", "kill -9",
            "SHA-256", "--towers=1", "HIDDEN=128", "64,64", "`lstm_bw_2/", "`lstm_2/", "`lstm_3/", "tf1.5",
            "RUNTIME=tf1.5", "python3.6", "3.6/bin", "AVX-512", "LSTM-32", "A3=98.7", "Assignment 3",
            "Assignment4_"]


def flag_rows(prose):
    return [(names, default.strip()) for names, default in
            re.findall(r"\| ((?:`--\w+`(?:, | / )?)+) \|([^|]*)\|", prose)]


def test_every_stated_fact_matches_its_source():
    prose = readme_prose()
    for phrase, values in facts():
        wanted = phrase.format(*values)
        assert wanted in prose, "README should say {!r}".format(wanted)


def test_every_number_in_the_prose_is_a_checked_fact():
    prose = readme_prose()
    covered = []
    for phrase, values in facts():
        wanted = phrase.format(*values)
        covered += [(m.start(), m.end()) for m in re.finditer(re.escape(wanted), prose)]
    for word in NOTATION:
        covered += [(m.start(), m.end()) for m in re.finditer(re.escape(word), prose)]
    for row in flag_rows(prose):  # the flags table, checked against main.py below
        covered += [(m.start(), m.end()) for m in re.finditer(re.escape(row[0]) + r" \| *" + re.escape(row[1]), prose)]
    loose = [m for m in re.finditer(r"(?<![\w.])\d[\d,.]*\d|(?<![\w.])\d(?![\w])", prose)
             if not any(a <= m.start() and m.end() <= b for a, b in covered)]
    assert not loose, "numbers the tests do not check: " + "; ".join(
        repr(prose[max(0, m.start() - 30):m.end() + 10]) for m in loose)


def test_flags_table_lists_every_flag_with_its_default():
    import main
    prose = readme_prose(os.path.join("docs", "flags.md"))
    listed = {}
    for names, default in flag_rows(prose):
        flags_ = re.findall(r"`--(\w+)`", names)
        defaults = re.findall(r"`([^`]*)`", default) or [""]
        for k, name in enumerate(flags_):
            listed[name] = defaults[min(k, len(defaults) - 1)]
    assert set(listed) == {f.name for f in main.FLAGS.get_key_flags_for_module(main)}
    for name, shown in listed.items():
        default = main.FLAGS[name].default
        if isinstance(default, bool):
            continue  # booleans show "off" or nothing
        if name in ("data_dir", "logs_dir"):
            assert os.path.relpath(default, ROOT) == shown, name
        elif isinstance(default, float):
            assert float(shown) == default, name
        else:
            assert shown == str(default), (name, shown, default)


@pytest.mark.parametrize("size_limit", [12000])
def test_readme_stays_short(size_limit):
    assert len(read("README.md").encode("utf-8")) < size_limit
