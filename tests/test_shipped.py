"""The shipped results: each model reproduces its recorded test accuracy, and the docs agree with the files."""
import json
import os
import re
import zlib

import pytest

import download_weights
from conftest import ROOT

WEIGHTS = os.path.join(ROOT, "weights")
RESULTS = os.path.join(ROOT, "results")
CONFIGS = [(m, h) for m in ("lstm", "gru") for h in (32, 64, 128, 256)]


def recorded(model, hidden):
    path = os.path.join(RESULTS, "{}_h{}.json".format(model, hidden))
    if not os.path.isfile(path):
        pytest.fail("the shipped result {} is missing; run python reproduce.py".format(path))
    with open(path) as f:
        return json.load(f)


@pytest.mark.parametrize("model,hidden", CONFIGS)
def test_shipped_model_reproduces_its_test_accuracy(model, hidden, real_mnist, tmp_path):
    import evaluate
    spec = {"name": "{}_h{}".format(model, hidden), "model": model, "hidden_unit": hidden}  # what the flags give
    result = evaluate.evaluate(spec, real_mnist, WEIGHTS, str(tmp_path))
    expected = recorded(model, hidden)
    assert (result["test_correct"], result["test_count"]) == (expected["test_correct"], 10000)
    assert result["parameters"] == expected["parameters"] and result["val_accuracy"] == expected["val_accuracy"]


def test_manifest_matches_the_shipped_files():
    manifest = download_weights.read_manifest(WEIGHTS)
    assert sorted(manifest) == download_weights.shipped_files(WEIGHTS)
    assert {name.split("/")[0] for name in manifest} == {"{}_h{}".format(m, h) for m, h in CONFIGS}
    for name, digest in manifest.items():
        assert download_weights.sha256_file(os.path.join(WEIGHTS, name)) == digest, name
    size = sum(os.path.getsize(os.path.join(WEIGHTS, name)) for name in manifest)
    assert size < 8e6, "the shipped weights grew to {:.1f} MB".format(size / 1e6)


def test_readme_table_agrees_with_results():
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    rows = re.findall(r"^\| (LSTM|GRU) \| (\d+) \| ([\d,]+) \| ([\d.]+)% \(([\d,]+)\) \| ([\d.]+)% \|", readme, re.M)
    assert len(rows) == 8, "the README results table should have one row per configuration"
    for cell, hidden, params, test_acc, correct, val_acc in rows:
        r = recorded(cell.lower(), int(hidden))
        assert int(params.replace(",", "")) == r["parameters"]
        assert int(correct.replace(",", "")) == r["test_correct"]
        assert test_acc == "{:.2f}".format(100 * r["test_accuracy"])
        assert val_acc == "{:.2f}".format(100 * r["val_accuracy"])


def test_report_pdf_agrees_with_results():
    with open(os.path.join(ROOT, "Report.pdf"), "rb") as f:
        data = f.read()
    text = b"".join(zlib.decompress(m) for m in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S))
    for model, hidden in CONFIGS:
        r = recorded(model, hidden)
        assert "({:.2f}%) Tj".format(100 * r["test_accuracy"]).encode() in text, (model, hidden)
        assert "(\\({:,}\\)) Tj".format(r["test_correct"]).encode() in text, (model, hidden)
        assert "({:,}) Tj".format(r["parameters"]).encode() in text, (model, hidden)
