"""Several seeds per configuration (core/study.py, tools/reproduce.py): folders, the choice of seed, shipping, spreads."""
import json
import os

import pytest

from conftest import ROOT
from core import study


@pytest.fixture
def folders(tmp_path, monkeypatch):
    monkeypatch.setattr(study, "STUDY_RUNS", str(tmp_path / "runs"))
    return tmp_path


def fake_run(recipe, seed, name, val, finished=True, test_correct=None):
    folder = os.path.join(study.run_folder(recipe, seed), name)
    os.makedirs(folder)
    with open(os.path.join(folder, "state.json"), "w") as f:
        json.dump({"finished": finished, "best_val_accuracy": val, "best": "best-3"}, f)
    for file_name in ("config.json", "log.csv", "best-3.index", "best-3.data-00000-of-00001", "resume-4.index"):
        with open(os.path.join(folder, file_name), "w") as f:
            f.write("seed {}".format(seed))
    if test_correct is not None:
        result = os.path.join(study.result_folder(recipe, seed, study.STUDY_RUNS + "-results"), name + ".json")
        os.makedirs(os.path.dirname(result))
        with open(result, "w") as f:
            json.dump({"name": name, "model": name.split("_")[0], "hidden_unit": int(name.split("_h")[1]),
                       "test_accuracy": test_correct / 10000.0, "test_correct": test_correct, "test_count": 10000,
                       "val_accuracy": val, "config": {"seed": seed}}, f)


def test_labels_name_the_recipe():
    assert study.label({}) == "plain"
    assert study.label({"dropout": 0.2, "augment": 1.0}) == "augment1_dropout0.2"
    assert study.label({"augment": 1.0, "dropout": 0.2, "batch_size": 64}) == "augment1_batch_size64_dropout0.2"


def test_the_best_validation_seed_is_shipped_and_nothing_else(folders):
    recipe = {"augment": 1.0}
    for seed, val in ((1, 0.991), (2, 0.993), (3, 0.993)):
        fake_run(recipe, seed, "lstm_h32", val)
    assert study.best_seed(recipe, "lstm_h32") == 2  # the first of equals
    weights = folders / "weights"
    (weights / "lstm_h32").mkdir(parents=True)
    (weights / "lstm_h32" / "old-file").write_text("the run shipped before")
    study.copy_run(recipe, 2, "lstm_h32", str(weights))
    assert sorted(os.listdir(str(weights))) == ["lstm_h32"]  # no .incoming or .outgoing left
    shipped = weights / "lstm_h32"
    assert sorted(os.listdir(str(shipped))) == ["best-3.data-00000-of-00001", "best-3.index", "config.json",
                                                "log.csv", "state.json"]  # no resume checkpoint
    assert (shipped / "config.json").read_text() == "seed 2"


def test_summary_is_the_mean_and_sample_deviation_of_the_tested_seeds(folders, monkeypatch):
    recipe = {"augment": 1.0, "dropout": 0.2}
    monkeypatch.setitem(study.RECIPES, ("gru", 64), recipe)
    assert study.summary("gru", 64, study.STUDY_RUNS + "-results") is None
    for seed, correct in ((1, 9900), (2, 9910), (3, 9920)):
        fake_run(recipe, seed, "gru_h64", 0.99, test_correct=correct)
    found = study.summary("gru", 64, study.STUDY_RUNS + "-results")
    assert found["n"] == 3 and found["test_mean"] == pytest.approx(0.991)
    assert found["test_sd"] == pytest.approx(0.001)  # sample deviation: sqrt((1 + 0 + 1) / 2) * 0.001
    assert [s[:2] for s in found["seeds"]] == [(1, 9900), (2, 9910), (3, 9920)]
    monkeypatch.delitem(study.RECIPES, ("gru", 64))
    assert study.summary("gru", 64, study.STUDY_RUNS + "-results") is None  # a configuration without a recipe is a single run


def test_reproduce_trains_each_run_once_with_its_seed_and_recipe():
    from tools import reproduce
    runs = reproduce.seed_runs()
    keys = [(name, study.label(recipe), seed) for name, recipe, seed, _, _ in runs]
    assert len(keys) == len(set(keys))
    for (model, hidden), recipe in study.RECIPES.items():
        assert [k[2] for k in keys if k[:2] == (study.basic_name(model, hidden), study.label(recipe))] == [1, 2, 3]
    # The ablation's recipes on top: its "both" is the early-stop LSTM-128, the basic run when those recipes ship.
    basic_and_ablation = {study.label(r) for r in [study.RECIPES[("lstm", 128)]] + [r for _, r in study.ABLATION]}
    assert len([k for k in keys if k[0] == "lstm_h128"]) == 3 * len(basic_and_ablation)
    for name, recipe, seed, train_args, test_args in runs:
        assert "--seed={}".format(seed) in train_args
        assert all("--{}={!r}".format(k, v) in train_args or "--{}={}".format(k, v) in train_args
                   for k, v in recipe.items())
        assert not any(a.startswith(("--dropout", "--augment", "--seed")) for a in test_args)


def test_the_pinned_runtimes_budget_seeds_are_the_24_basic_runs_in_their_own_folders():
    from tools import reproduce
    runs = reproduce.seed_runs("tf1.5", "budget")
    assert len(runs) == 24 and {r[0] for r in runs} == {study.basic_name(m, h) for m in ("lstm", "gru")
                                                         for h in (32, 64, 128, 256)}
    for name, recipe, seed, train_args, _ in runs:
        assert recipe["schedule"] == "cosine" and "--schedule=cosine" in train_args and "--recipe=plain" in train_args
        assert study.run_folder(recipe, seed, "tf1.5") == os.path.join(study.STUDY_RUNS, "tf1.5", study.label(recipe),
                                                                       "seed{}".format(seed))
        assert study.run_folder(recipe, seed, "tf2") == os.path.join(study.STUDY_RUNS, study.label(recipe),
                                                                     "seed{}".format(seed))


def test_another_set_of_recipes_is_trained_only_apart_from_the_shipped_record():
    import subprocess
    import sys
    proc = subprocess.run([sys.executable, os.path.join(os.path.dirname(study.STUDY_RUNS), os.pardir, "tools",
                                                        "reproduce.py"), "--recipes=budget"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines() == ["error: --recipes=budget trains another set of recipes than the "
                                                "shipped one: add --train_only (the shipped runs, weights/ and the "
                                                "report stay as they are)"]


def test_stopping_table_reads_where_each_seed_stopped(tmp_path, capsys, monkeypatch):
    import importlib.util
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools", "tuning", "stopping.py")
    spec = importlib.util.spec_from_file_location("stopping", path)
    stopping = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(stopping)
    for seed, best, run in ((1, 57, 60), (3, 13, 25)):
        folder = tmp_path / "augment1" / "seed{}".format(seed)
        folder.mkdir(parents=True)
        (folder / "lstm_h32.json").write_text(json.dumps({"name": "lstm_h32", "best_epoch": best, "epochs_run": run,
                                                          "config": {"seed": seed, "epochs": 60}}))
    assert stopping.stops(str(tmp_path)) == {("lstm_h32", "augment1"): {1: (57, 60, 60), 3: (13, 25, 60)}}
    monkeypatch.setattr("sys.argv", ["stopping.py", "--results_dir=" + str(tmp_path)])
    assert stopping.main() == 0
    assert "| lstm_h32 | augment1 | 57 / 60 (limit) | 13 / 25 |" in capsys.readouterr().out


def test_stopping_passes_over_stray_files_and_names_a_damaged_result(tmp_path, capsys):
    import importlib.util
    from conftest import assert_one_line_error
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools", "tuning", "stopping.py")
    spec = importlib.util.spec_from_file_location("stopping", path)
    stopping = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(stopping)
    (tmp_path / "grid_lstm.png").write_bytes(b"png")  # a figure beside the recipe folders is not a result
    assert_one_line_error(stopping.main(["--results_dir=" + str(tmp_path)]), capsys.readouterr().err,
                          "no result files")
    folder = tmp_path / "augment1" / "seed1"
    folder.mkdir(parents=True)
    (folder / "lstm_h32.json").write_text(json.dumps({"name": "lstm_h32"}))
    assert_one_line_error(stopping.main(["--results_dir=" + str(tmp_path)]), capsys.readouterr().err,
                          "lstm_h32.json", "not a training result")
    (folder / "lstm_h32.json").write_text("{")
    assert_one_line_error(stopping.main(["--results_dir=" + str(tmp_path)]), capsys.readouterr().err,
                          "lstm_h32.json", "not valid JSON")


def test_a_result_counts_as_tested_only_for_the_checkpoint_it_was_made_from(folders):
    recipe = {"augment": 1.0}
    fake_run(recipe, 1, "lstm_h32", 0.991, test_correct=9900)
    run_state = os.path.join(study.run_folder(recipe, 1), "lstm_h32", "state.json")
    result = os.path.join(study.result_folder(recipe, 1, study.STUDY_RUNS + "-results"), "lstm_h32.json")

    def rewrite(path, **changes):
        with open(path) as f:
            found = json.load(f)
        found.update(changes)
        with open(path, "w") as f:
            json.dump(found, f)

    rewrite(run_state, best_epoch=3, train_seconds=100.04)
    rewrite(result, best_epoch=3, train_seconds=100.0)
    assert study.tested(recipe, 1, "lstm_h32", study.STUDY_RUNS + "-results")
    rewrite(run_state, train_seconds=180.0)  # trained again (the same best epoch and accuracy, by chance)
    assert not study.tested(recipe, 1, "lstm_h32", study.STUDY_RUNS + "-results")
    rewrite(run_state, train_seconds=100.0, best_epoch=4)
    assert not study.tested(recipe, 1, "lstm_h32", study.STUDY_RUNS + "-results")
    assert not study.tested(recipe, 2, "lstm_h32", study.STUDY_RUNS + "-results")  # never trained


def test_the_studies_beside_the_shipped_runs_are_read_where_they_were_trained_whatever_ships(monkeypatch):
    """The ablation, the grid and the baselines' reference were trained on TensorFlow 2 (the grid's basic rows
    with the early-stop recipes): shipping another runtime's runs of other recipes leaves what they read alone."""
    from core import recipes
    from tools.reporting import card, grid, text
    results_dir = os.path.join(ROOT, "results")
    before = (text.ablation_tables(results_dir), [len(e["runs"]) for e in grid.load(results_dir)],
              card.reference_runs(results_dir), study.grid())
    assert before[0][0] and sum(before[1]) > 0 and len(before[2]) == len(study.SEEDS)
    monkeypatch.setattr(study, "WEIGHTS_RUNTIME", "tf1.5")
    monkeypatch.setattr(recipes, "RECORDED", "budget")
    monkeypatch.setattr(study, "RECIPES", {k: recipes.SETS["budget"][study.basic_name(*k)] for k in study.RECIPES})
    after = (text.ablation_tables(results_dir), [len(e["runs"]) for e in grid.load(results_dir)],
             card.reference_runs(results_dir), study.grid())
    assert after == before
