"""The benchmark scripts keep working on both runtimes (tiny sizes: this checks they run, not how fast)."""
import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT

BENCH = os.path.join(ROOT, "tools", "benchmarks")
sys.path.insert(0, BENCH)
import ab_step  # noqa: E402
import throughput  # noqa: E402


def run(script, *args):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run([sys.executable, os.path.join(BENCH, script)] + list(args), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_train_flop_counts_the_matmuls():
    """Forward: 28 steps of [28 + H] x [4H] products at 2 FLOP per multiply-add; backward twice that."""
    forward = 28 * 2 * (28 + 256) * 4 * 256
    assert abs(throughput.train_flop("lstm", 256) - 3 * forward) < 0.01 * forward  # about 49 MFLOP
    assert throughput.train_flop("gru", 256) == 0.75 * throughput.train_flop("lstm", 256)


def test_throughput_worker_trains_our_cells():
    out = run("throughput.py", "--worker=ours", "--steps=2", "--seconds=0", "--configs=lstm:8,gru:8")
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert [(r["impl"], r["cell"], r["hidden"]) for r in rows] == [("ours", "lstm", 8), ("ours", "gru", 8)]
    assert all(r["rate"] > 0 for r in rows)


@pytest.fixture
def restored_modules():
    """import_version forgets the project's modules; give the other tests theirs back."""
    saved = dict(sys.modules)
    yield
    for name in set(sys.modules) - set(saved):
        del sys.modules[name]
    sys.modules.update(saved)


def test_ab_step_imports_each_checkout_afresh(tmp_path, restored_modules, monkeypatch):
    folders = []
    for mark in ("a", "b"):
        folder = tmp_path / mark
        folder.mkdir()
        (folder / "helper.py").write_text("MARK = {!r}\n".format(mark))
        (folder / "model.py").write_text("from helper import MARK\n")
        folders.append(str(folder))
    # Run from inside a checkout, as from its tools/benchmarks/: built-in modules, which have no file, stay.
    (tmp_path / "a" / "benchmarks").mkdir()
    monkeypatch.chdir(str(tmp_path / "a" / "benchmarks"))
    # Back and forth: a stale module from the other checkout would show the wrong mark.
    for folder, mark in zip(folders + folders, "abab"):
        assert ab_step.import_version(folder, folders).MARK == mark
    assert sys.modules.get("sys") is sys and "builtins" in sys.modules


def test_ab_step_compares_a_checkout_with_itself():
    out = run("ab_step.py", "--a=" + ROOT, "--configs=lstm:8", "--steps=4")
    row = [line for line in out.splitlines() if line.startswith("| lstm-8 |")]
    assert len(row) == 1 and float(row[0].split("|")[4]) > 0


def test_profile_step_reports_op_times():
    out = run("profile_step.py", "--model=gru", "--hidden=8", "--top=3")
    assert "ms per training step" in out and "MatMul" in out


def test_layouts_count_every_layer_and_direction():
    """A bidirectional layer costs two directions; a layer above it reads both directions' outputs."""
    one = throughput.train_flop("lstm", 64)
    assert throughput.train_flop("lstm", "64bi") == 2 * one
    above = 3 * 28 * 2 * 4 * 64 * (2 * 64 + 64)  # the second layer reads [B, 128]
    assert throughput.train_flop("lstm", "64-64bi") == 2 * one + 2 * above
    assert throughput.layout("64-64bi") == ([64, 64], True) and throughput.layout(128) == ([128], False)


def test_throughput_workers_train_the_grid_layouts():
    for worker in ("ours", "torch"):
        out = run("throughput.py", "--worker=" + worker, "--steps=2", "--seconds=0", "--configs=lstm:8bi,gru:6-6")
        rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        assert [(r["cell"], r["hidden"]) for r in rows] == [("lstm", "8bi"), ("gru", "6-6")]
        assert all(r["rate"] is None or r["rate"] > 0 for r in rows)  # None: PyTorch is not installed


def test_the_peak_is_measured_with_tensorflow_too():
    """NumPy's BLAS alone understated the peak (on the Zen 5, "% of peak" read 104%): TensorFlow's matmul,
    which our cells use, is measured beside it, and PyTorch's when installed."""
    out = run("throughput.py", "--worker=peak")
    rates = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
    assert {"numpy", "tensorflow"} <= set(rates) and all(rate > 1e9 for rate in rates.values())


def test_a_measurement_lasts_at_least_the_seconds_asked():
    calls = []
    rate = throughput._rate(lambda: calls.append(throughput.time.sleep(0.02)), 100, 0.1)
    assert len(calls) >= 5 and 0 < rate <= 100 / 0.02


def test_throughput_rejects_an_unknown_implementation():
    result = subprocess.run([sys.executable, os.path.join(BENCH, "throughput.py"), "--impls=ours,pytorch"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=60)
    assert result.returncode != 0 and "unknown pytorch" in result.stderr and "Traceback" not in result.stderr


def test_throughput_rejects_towers_that_do_not_divide_the_batch():
    for towers in ("3", "0"):
        result = subprocess.run([sys.executable, os.path.join(BENCH, "throughput.py"), "--towers=" + towers],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=60)
        assert result.returncode != 0 and "divides the batch of 128" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def test_the_processor_line_says_when_the_kernels_are_held_to_a_lesser_instruction_set():
    here = {"processor": "AMD EPYC (family 26, model 2)", "isa": "avx512"}
    assert throughput.processor_label(here, {}) == "AMD EPYC (family 26, model 2) (AVX-512)"
    held = throughput.processor_label(here, {"ONEDNN_MAX_CPU_ISA": "AVX2", "ATEN_CPU_CAPABILITY": "avx2"})
    assert held == "AMD EPYC (family 26, model 2) (AVX-512, held by ONEDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2)"


@pytest.mark.parametrize("raw, processor", [
    ("throughput_2026-12-04_zen5_slices.jsonl", "AMD EPYC (family 26, model 2) (AVX-512)"),
    ("throughput_2026-12-05_zen4.jsonl", "AMD EPYC (family 25, model 17) (AVX-512)"),
])
def test_each_processors_table_is_its_raw_output(raw, processor):
    """tools/benchmarks/README.md's table for each processor is its committed run, row for row."""
    with open(os.path.join(BENCH, "README.md")) as f:
        page = f.read().replace("**", "")
    with open(os.path.join(BENCH, "data", raw)) as f:
        rows = [json.loads(line) for line in f]
    assert len(rows) == 8 and {r["processor"] for r in rows} == {processor}
    for r in rows:
        rates = " | ".join("{:,}".format(r[k]) for k in ("ours", "ours_one_chain", "keras", "torch", "torch_ops"))
        ratios = " | ".join("{:.2f}".format(r["ratio_" + k]) for k in ("keras", "torch", "torch_ops"))
        line = "| {} | {} | {} | {} | {:.0%} |".format(r["cell"].upper(), r["hidden"], rates, ratios,
                                                      r["peak_fraction"])
        assert line in page, line


@pytest.mark.parametrize("raw, rows", [("tta_2026-12-07_intel_f6m167_alone.jsonl", 8),
                                       ("tta_2026-12-07_amd_f25m17.jsonl", 8),
                                       ("tta_2026-12-07_amd_f25m17_lstm32_e30.jsonl", 1),
                                       ("tta_2026-12-08_amd_f25m17.jsonl", 8),
                                       ("tta_2026-12-08_amd_f25m17_lstm64_e11.jsonl", 1)])
def test_each_time_to_accuracy_table_is_its_raw_output(raw, rows):
    """tools/benchmarks/README.md's time-to-accuracy table for each processor (and LSTM-32's 30-epoch recipe) is
    what --table makes of its committed records (and the shipped early-stop seeds' result files), row for row."""
    import time_to_accuracy
    with open(os.path.join(BENCH, "README.md")) as f:
        page = f.read()
    lines = time_to_accuracy.table(os.path.join(BENCH, "data", raw)).splitlines()
    assert len(lines) == 2 + rows
    for line in lines:
        assert line in page, line


def test_the_vanilla_rnn_is_measured_as_itself():
    """--cells=rnn times Keras's SimpleRNN and PyTorch's nn.RNN, not a GRU; one gate block of FLOPs."""
    assert throughput.train_flop("rnn", 64) == throughput.train_flop("lstm", 64) / 4
    for worker in ("ours", "keras", "torch"):
        out = run("throughput.py", "--worker=" + worker, "--steps=2", "--seconds=0", "--configs=rnn:8,rnn:6-6bi")
        rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        assert [(r["cell"], r["hidden"]) for r in rows] == [("rnn", 8), ("rnn", "6-6bi")]
        assert all(r["rate"] is None or r["rate"] > 0 for r in rows)
    result = subprocess.run([sys.executable, os.path.join(BENCH, "throughput.py"), "--cells=lstm,vanilla"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=60)
    assert result.returncode != 0 and "unknown vanilla" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_epoch_time_times_one_epoch_and_names_the_processor(real_mnist):
    out = run("epoch_time.py", "--data_dir=" + real_mnist, "--models=gru", "--hidden=4", "--towers=2")
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert [(r["model"], r["hidden"], r["towers"]) for r in rows] == [("gru", 4, 2)]
    assert rows[0]["epoch_seconds"] > 0 and rows[0]["processor"]


def test_time_to_accuracy_times_a_whole_run_and_the_baselines_epochs(tmp_path, real_mnist):
    """tools/benchmarks/time_to_accuracy.py on one tiny run: the record holds the wall time, the epochs, the
    validation curve's time to target, the test accuracy of the kept checkpoint, the runtime and the processor;
    the baseline's record its measured epoch time times its seeds' logged epochs; a second call skips both."""
    out = str(tmp_path / "tta.jsonl")
    cmd = [sys.executable, os.path.join(ROOT, "tools", "benchmarks", "time_to_accuracy.py"), "--data_dir=" + real_mnist,
           "--configs=gru_h32", "--seeds=1", "--main_args=--preset=tiny", "--scratch=" + str(tmp_path / "runs"),
           "--baseline_epochs=2", "--out=" + out]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    with open(out) as f:
        base, run = [json.loads(line) for line in f]
    assert base["baseline"] and base["recipe"] == "early-stop" and len(base["logged_epochs"]) == 3
    assert base["estimated_seconds_per_seed"] == pytest.approx(
        base["epoch_seconds"] * sum(base["logged_epochs"]) / 3, rel=0.01)
    assert run["recipe"] == "budget" and run["epochs"] == 2 and run["wall_seconds"] >= run["train_seconds"] > 0
    assert 0 < run["test_accuracy"] < 1 and run["seconds_to_target"] is None  # 2 tiny epochs reach no goal
    assert run["machine"]["processor"] and run["runtime"]["tensorflow"]
    again = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
    assert again.returncode == 0 and "seed 1: --train in" not in again.stdout + again.stderr
    with open(out) as f:
        assert len(f.readlines()) == 2
    table = subprocess.run(cmd[:2] + ["--table", "--out=" + out], stdout=subprocess.PIPE, universal_newlines=True)
    assert "| gru_h32 | {:.0f} | {:.0f} |".format(base["estimated_seconds_per_seed"], run["train_seconds"]) in \
        table.stdout, table.stdout
    assert "fewer than 3 seeds" in table.stdout
    floor = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "benchmarks", "tta_floor.py"), "--out=" + out],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
    assert floor.returncode == 0, floor.stderr
    (row,) = [line.split(" | ") for line in floor.stdout.splitlines() if line.startswith("| gru_h32 ")]
    # 55,000 images x 28 steps x (28 + 32) inputs x 96 gate units x 2 operations x 3 with the backward pass
    assert row[1] == "{:.0f}".format(55000 * 28 * 60 * 96 * 2 * 3 / 1e9) and row[4] == "not reached"
    assert row[7] == "{:.0f} s |".format(run["train_seconds"])
    # log.csv keeps an epoch's seconds to one place: a tiny epoch on a fast machine reads 0.0 s, which has no rate
    log = os.path.join(run["weights_dir"] if os.path.isabs(run["weights_dir"]) else os.path.join(ROOT, run["weights_dir"]),
                       "gru_h32", "log.csv")
    with open(log) as f:
        lines = f.read().splitlines()
    col = lines[0].split(",").index("seconds")
    with open(log, "w") as f:
        f.write("\n".join([lines[0]] + [",".join(v if i != col else "0.0" for i, v in enumerate(line.split(",")))
                                         for line in lines[1:]]) + "\n")
    floor = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "benchmarks", "tta_floor.py"), "--out=" + out],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=300)
    assert floor.returncode == 0, floor.stderr
    (row,) = [line.split(" | ") for line in floor.stdout.splitlines() if line.startswith("| gru_h32 ")]
    assert row[2] == "0.00 s" and row[3] == "-"
