"""The shipped results: each model reproduces its recorded test accuracy, and the docs agree with the files."""
import dataclasses
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
        pytest.fail("the shipped result {} is missing; run python tools/reproduce.py".format(path))
    with open(path) as f:
        return json.load(f)


def shipped_results():
    """Every results/<config>.json: the eight basic configurations and the variants."""
    names = sorted(n[:-5] for n in os.listdir(RESULTS) if n.endswith(".json"))
    return [n for n in names if re.match(r"^(lstm|gru|rnn)_h", n)]


@pytest.mark.parametrize("name", shipped_results())
def test_shipped_model_reproduces_its_test_accuracy(name, real_mnist, tmp_path):
    import evaluate
    with open(os.path.join(RESULTS, name + ".json")) as f:
        expected = json.load(f)
    from core.config import Arch
    arch = Arch.parse(name)
    # Testing an unchanged model must leave its result file as it is (a git checkout stays clean).
    recorded_copy = tmp_path / (name + ".json")
    with open(os.path.join(RESULTS, name + ".json"), "rb") as f:
        recorded_bytes = f.read()
    recorded_copy.write_bytes(recorded_bytes)
    crops = bool(expected["config"].get("crop_augment"))  # main.py --test measures the crops only for these
    result = evaluate.evaluate(arch, real_mnist, WEIGHTS, str(tmp_path), show_crops=crops)  # as main.py --test
    assert recorded_copy.read_bytes() == recorded_bytes, "--test rewrote the result of an unchanged model"
    assert (result["test_correct"], result["test_count"]) == (expected["test_correct"], 10000)
    assert ("crop_test_correct" in result) == crops
    if crops:
        assert result["crop_test_correct"] == expected["crop_test_correct"]
    assert result["parameters"] == expected["parameters"] and result["val_accuracy"] == expected["val_accuracy"]


def test_every_shipped_config_has_the_full_schema():
    """Every shipped config.json reads as a typed configuration, with what trained it; written back, it holds the
    same fields and values, plus the newer ones (recipe, unroll, validation_split, schedule, warmup) at their
    defaults (schedule and warmup: the per-epoch decay every shipped run trained with, no warm-up)."""
    from core.config import Config
    for name in shipped_results():
        with open(os.path.join(WEIGHTS, name, "config.json")) as f:
            stored = json.load(f)
        config = Config.from_json(stored)
        assert config.name == name and config.trained is not None, name
        again = config.to_json()
        assert {k: again[k] for k in stored} == stored, name
        assert set(again) - set(stored) <= {"recipe", "unroll", "validation_split", "schedule", "warmup"}, name
        assert (again["schedule"], float(again["warmup"])) == (stored.get("schedule", "exponential"),
                                                                float(stored.get("warmup", 0))), name


def test_every_basic_configuration_is_shipped():
    assert set("{}_h{}".format(m, h) for m, h in CONFIGS) <= set(shipped_results())


def test_manifest_matches_the_shipped_files():
    manifest = download_weights.read_manifest(WEIGHTS)
    assert sorted(manifest) == sorted(download_weights.weight_files(WEIGHTS))
    assert {name.split("/")[0] for name in manifest} == set(shipped_results())
    for name, digest in manifest.items():
        assert download_weights.sha256_file(os.path.join(WEIGHTS, name)) == digest, name
    size = sum(os.path.getsize(os.path.join(WEIGHTS, name)) for name in manifest)
    assert size < 8e6, "the shipped weights grew to {:.1f} MB".format(size / 1e6)


def test_readme_table_agrees_with_results():
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    rows = re.findall(r"^\| (LSTM|GRU) \| (\d+) \| ([\d,]+) \| ([\d.]+)% \(([\d,]+)\) \| (\d+) \| ([\d.]+)% \|", readme,
                      re.M)
    assert len(rows) == 8, "the README results table should have one row per configuration"
    for cell, hidden, params, test_acc, correct, seed, val_acc in rows:
        r = recorded(cell.lower(), int(hidden))
        assert int(seed) == r["config"]["seed"]
        assert int(params.replace(",", "")) == r["parameters"]
        assert int(correct.replace(",", "")) == r["test_correct"]
        assert test_acc == "{:.2f}".format(100 * r["test_accuracy"])
        assert val_acc == "{:.2f}".format(100 * r["val_accuracy"])


def test_readme_best_row_reader_agrees_with_its_seed_files():
    """The README's best row-reader line is what tools.reporting.grid makes of results/study/ now, and its mean is
    the mean of the three seed files' test accuracies."""
    from core import study
    from tools.reporting import grid
    with open(os.path.join(ROOT, "README.md")) as f:
        block = f.read().split("<!-- grid:begin -->\n", 1)[1].split("<!-- grid:end -->", 1)[0]
    assert block == grid.readme_line(grid.load())
    runs = study.seed_results(study.REGULARISED, "lstm_h128-128_bi", runtime=study.STUDIES_RUNTIME)  # the general
    # recipe it was trained with, on TensorFlow 2
    assert len(runs) == 3
    mean = 100 * sum(r["test_accuracy"] for r in runs) / 3
    assert "{:.2f}%".format(mean) in block


def _inflated(stream):
    """A content stream's text; the embedded figures' image streams (binary, not text) give nothing."""
    try:
        return zlib.decompress(stream)
    except zlib.error:
        return b""


def test_report_pdf_agrees_with_results():
    with open(os.path.join(ROOT, "Report.pdf"), "rb") as f:
        data = f.read()
    text = b"".join(_inflated(m) for m in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S))
    from core import study
    from core.plots import load_results
    from tools.reporting.card import decimals
    places = decimals(load_results(RESULTS), RESULTS)  # the report prints as many decimals as its verdicts need
    for model, hidden in CONFIGS:  # the parameter table: each configuration's weights and its seeds' mean
        r = recorded(model, hidden)
        assert "({:,}) Tj".format(r["parameters"]).encode() in text, (model, hidden)
        seeds = study.summary(model, hidden, RESULTS)
        assert "({:.{}f} ".format(100 * seeds["test_mean"], places).encode() in text, (model, hidden)


def same_setting(a, b):
    """Two values of a recipe setting (a flag's string or default, a config.json's value) are the same setting:
    equal numbers, or equal words (--schedule)."""
    try:
        return float(a) == float(b)
    except ValueError:
        return str(a) == str(b)


def full_config(name):
    """The shipped config.json of `name` with every field, the newer ones at their defaults (core.config)."""
    from core.config import Config
    with open(os.path.join(WEIGHTS, name, "config.json")) as f:
        return Config.from_json(json.load(f)).to_json()


def test_reproduce_passes_the_settings_each_shipped_model_was_trained_with():
    """tools/reproduce.py's flags plus main.py's defaults give exactly each shipped config.json's settings."""
    import main  # noqa: F401  (defines the flags and their defaults)
    from tools import reproduce
    from core.config import Recipe
    from main import FLAGS
    for name, args in reproduce.configurations(with_variants=True):
        path = os.path.join(WEIGHTS, name, "config.json")
        if not os.path.isfile(path):
            pytest.fail("{} is in tools/reproduce.py but not shipped".format(name))
        config = full_config(name)
        given = dict(a[2:].split("=", 1) for a in args if "=" in a)
        for key in [f.name for f in dataclasses.fields(Recipe)]:
            if key not in ("train_examples", "validation_split"):  # no number; the shipped runs used the default
                assert same_setting(given.get(key, FLAGS[key].default), config[key]), (name, key)


def test_each_retrained_model_ships_its_best_validation_seed_with_its_recipe():
    """Every basic configuration has all its seeds tested and ships the one with the best validation accuracy,
    and its config.json holds the recipe core/study.py gives it (main.py's defaults for the rest)."""
    import main  # noqa: F401  (defines the flags and their defaults)
    from core import study
    from core.config import Recipe
    from main import FLAGS
    for (model, hidden), recipe in sorted(study.RECIPES.items()):
        seeds = study.summary(model, hidden, RESULTS)
        # every seed of the recipe tested: the shipped run is one of them, not an earlier recipe's
        assert seeds and seeds["n"] == len(study.SEEDS), (model, hidden, seeds and seeds["n"])
        name = study.basic_name(model, hidden)
        config = full_config(name)
        best = max(seeds["seeds"], key=lambda s: (s[3], -s[0]))  # (seed, correct, count, validation accuracy)
        assert config["seed"] == best[0], name
        assert recorded(model, hidden)["test_correct"] == best[1], name
        for key in [f.name for f in dataclasses.fields(Recipe)]:
            if key not in ("train_examples", "seed", "towers", "validation_split"):
                assert same_setting(recipe.get(key, FLAGS[key].default), config[key]), (name, key)


def test_the_readme_screenshot_shows_the_shipped_weights():
    """tools/web/screenshot.json (written with the picture by tools/web/screenshot.py) names the model, the checkpoint
    and the page's weights file it showed; shipping other weights without retaking it fails here."""
    with open(os.path.join(ROOT, "tools", "web", "screenshot.json")) as f:
        shown = json.load(f)
    with open(os.path.join(ROOT, "weights", shown["model"], "state.json")) as f:
        assert shown["checkpoint"] == json.load(f)["best"], "retake it: python tools/web/screenshot.py"
    page_weights = os.path.join(ROOT, "tools", "web", "weights", shown["model"] + ".js")
    assert shown["weights_sha256"] == download_weights.sha256_file(page_weights), "retake it: python tools/web/screenshot.py"
    assert os.path.getsize(os.path.join(ROOT, "tools", "web", "screenshot.png")) > 10000


def test_your_run_of_a_shipped_configuration_is_set_beside_the_shipped_one(tmp_path):
    """--test of your own run prints the shipped run's count, how it was trained (seed, TensorFlow, processor)
    and its seeds' spread; a run trained another way, or the shipped weights themselves, get no comparison."""
    import evaluate
    from core.runs import RunDir
    shipped = recorded("lstm", 32)
    yours = dict(shipped, config=dict(shipped["config"], seed=1), test_correct=9903)
    text = evaluate.comparison_with_weights(RunDir(str(tmp_path), "lstm_h32"), yours)
    trained = shipped["trained_with"]
    assert text.startswith("for comparison: weights/lstm_h32 (seed {}, TensorFlow {}, {}) got {:,} ({:.2%}); "
                           "its 3 seeds: ".format(shipped["config"]["seed"], trained["tensorflow"],
                                                  trained["machine"]["processor"], shipped["test_correct"],
                                                  shipped["test_accuracy"])), text
    assert text.endswith("yours: 9,903" + ("" if shipped["config"]["seed"] == 1 else " (seed 1)")), text
    elsewhere = dict(yours, trained_with=dict(trained, tensorflow="9.9.9", machine={"processor": "Other (family 1)"}))
    text = evaluate.comparison_with_weights(RunDir(str(tmp_path), "lstm_h32"), elsewhere)
    assert text.endswith("yours: 9,903 ({}TensorFlow 9.9.9, Other (family 1))".format(
        "" if shipped["config"]["seed"] == 1 else "seed 1, ")), text
    other_way = dict(yours, config=dict(yours["config"], batch_size=yours["config"]["batch_size"] + 1))
    assert evaluate.comparison_with_weights(RunDir(str(tmp_path), "lstm_h32"), other_way) is None
    assert evaluate.comparison_with_weights(RunDir(WEIGHTS, "lstm_h32"), yours) is None
