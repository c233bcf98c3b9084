"""Report.pdf, the card's assignment on one page: at most four sentences made from the files, each comparison by
the rule, the parameter table and the plot; the long document is docs/technical_report.pdf."""
import os
import re
import shutil
import subprocess

import pytest

from conftest import ROOT
from core import plots
from tools.reporting import card


def result(model, hidden, correct, parameters=1000):
    return {"name": "{}_h{}".format(model, hidden), "model": model, "hidden_unit": hidden, "parameters": parameters,
            "test_accuracy": correct[0] / 10000.0, "config": {}, "trained_with": {"tensorflow": "2.21.0"},
            "seeds": {"n": len(correct), "test_mean": sum(correct) / 10000.0 / len(correct), "test_sd": 0.0,
                      "seeds": [(k + 1, c, 10000, 0.99) for k, c in enumerate(correct)]}}


def sentences_of(results, tmp_path, a3=None):
    return card.sentences(results, str(tmp_path), str(tmp_path), a3)


def test_the_shipped_report_is_one_page_of_at_most_four_sentences_made_from_the_files():
    results = plots.load_results(os.path.join(ROOT, "results"))
    text = card.sentences(results, os.path.join(ROOT, "results"), os.path.join(ROOT, "weights"))
    assert len(text) <= 4 and all(len(re.findall(r"[.!?](?:\s|$)", t)) == 1 for t in text), text
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pdf = subprocess.run(["pdftotext", os.path.join(ROOT, "Report.pdf"), "-"], stdout=subprocess.PIPE,
                         universal_newlines=True).stdout
    assert pdf.count("\f") == 1, "Report.pdf is not one page"
    flat = " ".join(pdf.split())
    for sentence in text:  # Report.pdf says what the files say now: python tools/make_report.py rewrites it
        assert " ".join(sentence.split()) in flat, sentence


def test_curves_and_cells_are_worded_by_the_rule(tmp_path):
    sizes = (32, 64, 128, 256)
    lstm = [result("lstm", h, [9900 + k + d for d in (-2, 0, 2)]) for k, h in enumerate(sizes)]  # +0.01 a step: ties
    gru = [result("gru", h, [9900 + 20 * k + d for d in (-2, 0, 2)]) for k, h in enumerate(sizes)]  # +0.20: rises
    text = sentences_of(lstm + gru, tmp_path)
    assert ("the LSTM ties at every doubling, and the GRU rises from 32 to 64 (+0.20 points, sds adding to 0.04) "
            "and from 64 to 128 (+0.20 points, sds adding to 0.04) and from 128 to 256 (+0.20 points, sds adding to "
            "0.04).") in text[0], text[0]  # the verb once for the whole run; no "tying" where nothing ties
    assert "the two cells differ at 3 of 4 sizes" in text[-2]
    one_seed = [result("lstm", h, [9900]) for h in sizes] + [result("gru", h, [9950]) for h in sizes]
    words = " ".join(sentences_of(one_seed, tmp_path))
    assert "rises" not in words and "differ at" not in words  # one run: no trend word, no verdict


def test_the_page_prints_at_the_precision_its_verdicts_hold_at(tmp_path):
    """LSTM 128 -> 256 rises by the rule on the raw values (gap 0.0967 > sds 0.0929), but at 2 decimals the table
    would show 99.32 +- 0.02 and 99.41 +- 0.08 (a tie): so text, table and plot print 3 decimals, and the gap and
    sds the text gives are the printed means' and sds' own."""
    sizes = (32, 64, 128, 256)
    lstm = [result("lstm", h, c) for h, c in zip(sizes, ([9906, 9930, 9905], [9933, 9922, 9917], [9933, 9932, 9930],
                                                         [9935, 9950, 9939]))]
    gru = [result("gru", h, [9900 + k + d for d in (-2, 0, 2)]) for k, h in enumerate(sizes)]
    results = lstm + gru
    for r in results:  # what the table reads beside the seeds: the shipped run and its recipe
        r.update(test_correct=r["seeds"]["seeds"][0][1], config={"learning_rate": 0.005, "lr_decay": 0.97,
                                                                 "batch_size": 128, "epochs": 60, "patience": 12,
                                                                 "seed": 1})
    assert card.decimals(results, str(tmp_path)) == 3
    text = sentences_of(results, tmp_path)
    assert ("the LSTM rises from 128 to 256 (+0.096 points, sds adding to 0.093), tying at the other two "
            "doublings") in text[0], text[0]
    rows = {row[0]: row for row in card.table(results, str(tmp_path))}
    assert rows["LSTM-128"][4] == "99.317 \u00b1 0.015% (3)" and rows["LSTM-256"][4] == "99.413 \u00b1 0.078% (3)"
    same = [result(m, h, [9900 + 20 * k + d for d in (-2, 0, 2)]) for m in ("lstm", "gru") for k, h in enumerate(sizes)]
    assert card.decimals(same, str(tmp_path)) == 2  # no verdict changes at 2 decimals: the usual 2


def test_a_reason_is_offered_only_where_size_bought_little(tmp_path):
    sizes = (32, 64, 128, 256)
    small = [result(m, h, [9900 + 10 * k + d for d in (-2, 0, 2)]) for m in ("lstm", "gru") for k, h in enumerate(sizes)]
    assert "a likely reason, which these runs do not test" in sentences_of(small, tmp_path)[1]
    large = [result(m, h, [9000 + 300 * k + d for d in (-2, 0, 2)]) for m in ("lstm", "gru") for k, h in enumerate(sizes)]
    assert "reason" not in sentences_of(large, tmp_path)[1]  # 90% -> 99%: size bought most of the errors


def test_your_assignment_3_figure_replaces_the_baselines(tmp_path):
    sizes = (32, 64, 128, 256)
    results = [result(m, h, [9900, 9910, 9920]) for m in ("lstm", "gru") for h in sizes]
    last = sentences_of(results, tmp_path, a3=98.7)[-1]
    assert "98.70% you report for your own Assignment 3" in last and "no verdict" in last
    assert "have no results here yet" in sentences_of(results, tmp_path)[-1]


def test_each_row_gives_what_test_prints_and_the_seed_shipped_in_the_courses_words():
    """Beside a configuration's mean over seeds, the shipped run's figure (what main.py --test prints for it) and
    its seed; augmentation named for what it does; no claim about overfitting, which would need the training
    images' accuracy without distortions and dropout; where the processor is not recorded, what is."""
    folder = os.path.join(ROOT, "results")
    results = plots.load_results(folder)
    rows = card.table(results, folder)
    assert len(card.HEADER) == len(card.WIDTHS) == len(rows[0])
    column = card.HEADER.index("in weights/: what\n--test prints (seed)")
    for r in results:
        row = next(x for x in rows if x[0] == "{}-{}".format(r["model"].upper(), r["hidden_unit"]))
        assert row[column] == "{:.2f}% ({:,})\nseed {}".format(100 * r["test_accuracy"], r["test_correct"],
                                                              r["config"]["seed"]), row
    words = " ".join(card.sentences(results, folder, os.path.join(ROOT, "weights")) + [card.footnote(results, folder)]
                     + [cell for row in rows for cell in row])
    assert "random affine distortions" in words and "rotated by up to \u00b110 degrees" in words
    for gone in ("distortions 1", "unrecorded", "overfit", "distorted training"):
        assert gone not in words, gone
    if shutil.which("pdftotext"):
        pdf = " ".join(subprocess.run(["pdftotext", os.path.join(ROOT, "Report.pdf"), "-"], stdout=subprocess.PIPE,
                                      universal_newlines=True).stdout.split())
        for r in results:
            assert "{:.2f}% ({:,}) seed {}".format(100 * r["test_accuracy"], r["test_correct"], r["config"]["seed"]) \
                in pdf, r["name"]
        assert "distortions 1" not in pdf and "unrecorded" not in pdf and "overfit" not in pdf


def test_the_optimiser_column_reads_both_kinds_of_schedule_in_words():
    budget = {"learning_rate": 0.02, "schedule": "cosine", "warmup": 1.0, "batch_size": 512, "epochs": 40}
    assert card.optimiser(budget) == "Adam 0.02, cosine to 0 (warm-up 1 epoch),\nbatch 512, 40 epochs"
    early = {"learning_rate": 0.005, "lr_decay": 0.97, "batch_size": 128, "epochs": 120, "patience": 20}
    assert card.optimiser(early) == "Adam 0.005, x0.97 an epoch,\nbatch 128, max 120 epochs, patience 20"
    assert card.optimiser(dict(early, schedule="exponential")) == card.optimiser(early)  # older results lack it


def _write_seed(results_dir, recipe, seed, name, accuracy, runtime, tf_version):
    import json
    from core import study
    folder = study.result_folder(recipe, seed, results_dir, runtime=runtime)
    os.makedirs(folder, exist_ok=True)
    model, hidden = name.split("_h")
    with open(os.path.join(folder, name + ".json"), "w") as f:
        json.dump({"name": name, "model": model, "hidden_unit": int(hidden), "parameters": 8138,
                   "test_accuracy": accuracy, "test_correct": int(round(accuracy * 10000)), "test_count": 10000,
                   "val_accuracy": 0.99, "config": {"seed": seed}, "trained_with": {"tensorflow": tf_version}}, f)


def test_each_row_is_compared_with_its_recipe_on_the_other_runtime_and_baselines_with_their_own_lstm(
        tmp_path, monkeypatch):
    """Where the shipped runs are TensorFlow 1.5's, each row's runtime cell compares them, by the rule, with the
    same recipe's seeds on TensorFlow 2; the baselines (TensorFlow 2, the general recipe) are compared with the
    LSTM-128 seeds trained as they were, named apart when they are not the table's row."""
    from core import recipes, study
    monkeypatch.setattr(study, "WEIGHTS_RUNTIME", "tf1.5")
    results_dir = str(tmp_path)
    row = result("lstm", 32, [9900, 9910, 9920])
    row.update(trained_with={"tensorflow": "1.5.0"}, test_correct=9900, config={
        "seed": 1, "learning_rate": 0.02, "schedule": "cosine", "warmup": 1.0, "batch_size": 512, "epochs": 40})
    recipe = study.recipe_of("lstm", 32)
    for seed, acc in zip(study.SEEDS, (0.9950, 0.9960, 0.9970)):
        _write_seed(results_dir, recipe, seed, "lstm_h32", acc, "tf2", "2.21.0")
    runtime = [r for r in card.table([row], results_dir) if r[0] == "LSTM-32"][0][-1]
    assert runtime == "TF 1.5.0:\nbelow TF 2.21.0", runtime
    assert card.tf15_runs(results_dir) == []  # the old pinned row is not a row once the shipped runs are 1.5's
    for seed, acc in zip(study.SEEDS, (0.9930, 0.9932, 0.9934)):
        _write_seed(results_dir, dict(recipes.GENERAL["lstm"]), seed, "lstm_h128", acc, "tf2", "2.21.0")
    assert [r["test_accuracy"] for r in card.reference_runs(results_dir)] == [0.9930, 0.9932, 0.9934]
    for name, model in (("mlp_h103", "mlp"), ("cnn_h48", "cnn")):
        for seed, acc in zip(study.SEEDS, (0.9830, 0.9832, 0.9834)):
            _write_seed(results_dir, dict(recipes.GENERAL[model]), seed, name, acc, "tf2", "2.21.0")
    table_128 = result("lstm", 128, [9950, 9951, 9952])  # the table's LSTM-128: other runs than the reference
    sentence = card.a3_sentence([row, table_128], results_dir)
    assert "trained the same way as an LSTM-128 on TensorFlow 2.21.0 at about its size" in sentence, sentence
    assert "99.32%" in sentence and "below it" in sentence, sentence


def test_the_footnote_says_which_configurations_each_processor_trained(tmp_path, monkeypatch):
    """Runs trained on two processors: the footnote names the configurations of each but the one that trained
    most, which it calls the other runs; one processor is named alone."""
    import json
    from core import study
    monkeypatch.setattr(study, "WEIGHTS_RUNTIME", "tf1.5")
    results_dir = str(tmp_path)
    rows = []
    for name, processor in (("lstm_h32", "AMD EPYC (family 25, model 17)"),
                            ("gru_h32", "Intel(R) Xeon(R) Processor (family 6, model 167)"),
                            ("lstm_h64", "Intel(R) Xeon(R) Processor (family 6, model 167)")):
        model, hidden = name.split("_h")
        rows.append(result(model, int(hidden), [9900, 9910, 9920]))
        for seed in study.SEEDS:
            _write_seed(results_dir, study.recipe_of(model, int(hidden)), seed, name, 0.99, "tf1.5", "1.5.0")
            path = os.path.join(study.result_folder(study.recipe_of(model, int(hidden)), seed, results_dir,
                                                    runtime="tf1.5"), name + ".json")
            with open(path) as f:
                found = json.load(f)
            found["trained_with"]["machine"] = {"processor": processor}
            with open(path, "w") as f:
                json.dump(found, f)
    assert card.processors(rows, results_dir) == ("trained on AMD EPYC (family 25, model 17) for LSTM-32, the other "
                                                  "runs on Intel(R) Xeon(R) Processor (family 6, model 167)")
    assert card.processors(rows[1:], results_dir) == "trained on Intel(R) Xeon(R) Processor (family 6, model 167)"
