"""EE6123 Assignment 3: the grid's recipe, ranking and findings, the memory questions' runs, the report, and the
hand-in unpacked alone into an empty folder, where every command of its README runs in a reduced setting."""
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT, assert_one_line_error

from assignments.ee6123 import findings, grid, memory
from assignments.memory import net, sequence_tasks
from core.common import UserError


def result(model, layers, bidirectional, seed, acc, **config):
    """A test result as main.py --test writes it, trained with the grid's recipe (only what the readers use)."""
    name = grid.Arch(model, tuple(layers), bidirectional).name
    return {"name": name, "model": model, "hidden_unit": list(layers) if len(layers) > 1 else layers[0],
            "test_accuracy": acc, "val_accuracy": acc, "test_correct": int(acc * 10000), "test_count": 10000,
            "parameters": 1000, "best_epoch": 9, "train_seconds": 60.0,
            "config": dict(grid.recipe(model), seed=seed, **config),
            "history": [{"epoch": e, "train_loss": 0.1, "train_accuracy": acc, "val_loss": 0.1, "val_accuracy": acc}
                        for e in (1, 2)],
            "trained_with": {"machine": {"processor": "a test processor"}, "tensorflow": "2"}}


@pytest.fixture
def root(tmp_path, monkeypatch):
    """grid and memory reading and writing under tmp_path instead of the project."""
    monkeypatch.setattr(grid, "ROOT", str(tmp_path))
    monkeypatch.setattr(memory, "ROOT", str(tmp_path))
    return tmp_path


def plant(root, model, layers, bidirectional, accs, **config):
    for seed, acc in enumerate(accs, 1):
        r = result(model, layers, bidirectional, seed, acc, **config)
        path = grid.result_path(grid.folders()[1], seed, r["name"])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            json.dump(r, f)


def test_every_run_spells_out_one_recipe_and_only_the_rate_differs_by_cell():
    flags = {m: grid.train_flags(m, (64,), False, 2) for m in grid.MODELS}
    for model, args in flags.items():
        assert "--recipe=plain" in args and "--seed=2" in args and "--epochs=10" in args
        assert "--learning_rate={}".format(grid.RATES[model]) in args
    strip = lambda args: sorted(a for a in args if not a.startswith(("--model", "--learning_rate")))  # noqa: E731
    assert strip(flags["rnn"]) == strip(flags["lstm"]) == strip(flags["gru"])
    tiny = grid.train_flags("lstm", (64, 64), True, 1, tiny=True)
    assert "--preset=tiny" in tiny and not any(a.startswith("--epochs") for a in tiny)
    assert "--bidirectional" in tiny and "--hidden_unit=64,64" in tiny


def test_the_rank_counts_the_rows_higher_by_the_rule_and_ties_share_it(root):
    plant(root, "lstm", (128,), False, [0.990, 0.991, 0.992])
    plant(root, "gru", (128,), False, [0.9905, 0.9912, 0.9915])  # within the spread: a tie with the LSTM
    plant(root, "rnn", (128,), False, [0.970, 0.975, 0.972])
    plant(root, "rnn", (64,), False, [0.96, 0.97])  # two seeds: not ranked, listed as missing
    entries = grid.load()
    ranks = {e["title"]: e["rank"] for e in grid.ranked(entries)}
    assert ranks == {"LSTM 128": 1, "GRU 128": 1, "RNN 128": 3}
    assert ("RNN 64", [3]) in grid.missing(entries)
    text = findings.rank_text(entries)
    assert "2 rows have no row above them" in text and "they tie with each other" in text
    assert "Lowest: RNN 128" in text and "below 2 other rows" in text
    gates = findings.factor_text(entries, "gates")
    assert gates.startswith("Gated cells against the vanilla RNN")
    assert "higher in 2, a tie in 1 (of 3 pairs)" in gates
    assert "LSTM 128 and GRU 128 tie" in gates and "LSTM 128 is higher than RNN 128" in gates


def test_a_result_trained_with_another_recipe_is_one_line_naming_it(root, capsys):
    plant(root, "lstm", (64,), False, [0.99], epochs=20)
    from assignments.ee6123 import q1
    status = q1.main(["--plot"])
    line = assert_one_line_error(status, capsys.readouterr().err, "lstm_h64.json", "epochs=20", "10")
    assert "move it out of" in line


@pytest.mark.parametrize("args,words", [
    (["--model", "CNN", "-l", "64"], ["--model", "RNN, LSTM or GRU"]),
    (["--model", "LSTM", "-l", "32"], ["-l", "64, 128, 64,64"]),
    (["--model", "LSTM", "-l", "64", "--bi", "2"], ["--bi"]),
    (["--model", "LSTM", "-l", "64", "--seeds", "a"], ["--seeds"]),
    (["--all", "--model", "LSTM"], ["--all"]),
    (["--model", "RNN", "-l", "128", "--rates", "2"], ["--rates"]),
    (["--plot", "--preset", "huge"], ["--preset", "tiny"]),
    (["--mdoel", "LSTM"], ["--mdoel", "--help"]),
], ids=["model", "layers", "bi", "seeds", "all-and-row", "rates", "preset", "typo"])
def test_q1s_bad_flags_are_one_line_and_write_nothing(root, capsys, args, words):
    from assignments.ee6123 import q1
    try:
        status = q1.main(args)
    except SystemExit as e:  # argparse's own errors
        status = e.code
    assert_one_line_error(status, capsys.readouterr().err, *words)
    assert os.listdir(str(root)) == []


@pytest.mark.parametrize("program,args,words", [
    ("q2", ["--H", "0"], ["--H", "1 to 4096"]),
    ("q2", ["--seeds", "x"], ["--seeds"]),
    ("q3", ["--loss", "L1"], ["--loss", "MSE, CE"]),
    ("q3", ["--L", "50"], ["--L", "1 to 40"]),
    ("q3", ["--preset", "big"], ["--preset"]),
])
def test_q2_and_q3s_bad_flags_are_one_line_and_write_nothing(root, capsys, program, args, words):
    module = __import__("assignments.ee6123." + program, fromlist=["main"])
    assert_one_line_error(module.main(args), capsys.readouterr().err, *words)
    assert os.listdir(str(root)) == []


def test_a_memory_run_already_in_the_results_is_not_trained_again(root, monkeypatch):
    trained = []

    def fake_train(s):
        trained.append(s)
        return dict(s, steps_done=100, stopped="budget", seconds=0.1, curve=[[100, 1.0, 1.0, 0.5]],
                    validation_accuracy=0.5, test_accuracy=0.5, printout=[])
    monkeypatch.setattr(net, "train", fake_train)
    wanted = memory.settings("recall", [1, 2], tiny=True, hidden=[2, 5])
    folder = memory.results_dir(tiny=True)
    assert len(memory.train_missing(wanted, folder)) == 4 and len(trained) == 4
    more = memory.settings("recall", [1, 2, 3], tiny=True, hidden=[2, 5])
    assert len(memory.train_missing(more, folder)) == 6 and len(trained) == 6  # seed 3 only
    assert {s["seed"] for s in trained[4:]} == {3}


def test_a_memory_run_too_large_for_the_memory_is_one_line_before_it_starts(capsys, monkeypatch):
    checked = net.check_memory
    s = net.setting("recall", hidden=4096, batch_size=65536, length=200, validation_size=100000, test_size=100000)
    with pytest.raises(UserError, match="needs about .* GB of memory .* lower --batch_size"):
        net.check_memory(s, available=16 * 10 ** 9)
    net.check_memory(net.setting("recall"), available=16 * 10 ** 9)  # the assignment's setting fits

    def exhausted(s):
        raise MemoryError()
    monkeypatch.setattr(net, "_train", exhausted)
    monkeypatch.setattr(net, "check_memory", lambda s: None)
    with pytest.raises(UserError, match="ran out of memory; lower --batch_size"):
        net.train(net.setting("recall"))
    monkeypatch.setattr(net, "available_bytes", lambda: 10 ** 9)  # what sequence_tasks' check_memory asks
    status = sequence_tasks.main(["sequence_tasks.py", "--task=recall", "--hidden=4096", "--batch_size=65536"])
    assert_one_line_error(status, capsys.readouterr().err, "GB of memory", "--batch_size")
    # q2.py has no --batch_size: its line names the flags it has
    from assignments.ee6123 import q2
    monkeypatch.setattr(net, "check_memory", checked)
    status = q2.main(["--H", "4096", "--seeds", "1"])
    err = capsys.readouterr().err
    assert_one_line_error(status, err, "GB of memory", "lower --H or --L")
    assert "--batch_size" not in err


def test_q1_checks_the_data_folder_once_before_training(tmp_path, capsys):
    """A missing data folder, or a missing file in it, is one line naming --data_dir, with no --download (q1.py
    has none) and no second line about stopped training."""
    from assignments.ee6123 import q1
    status = q1.main(["--model", "LSTM", "--bi", "1", "-l", "64", "--seeds", "4", "--data_dir=" + str(tmp_path / "no")])
    err = capsys.readouterr().err
    assert_one_line_error(status, err, "does not exist", "--data_dir")
    assert "--download" not in err
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "train-images-idx3-ubyte").write_bytes(b"")
    status = q1.main(["--model", "LSTM", "--bi", "1", "-l", "64", "--seeds", "4", "--data_dir=" + str(tmp_path / "half")])
    assert_one_line_error(status, capsys.readouterr().err, "train-labels-idx1-ubyte", "--data_dir")


def _imports(source):
    """The project modules a .py file imports, as dotted names (lazy imports inside functions included)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(node.module + "." + a.name for a in node.names)
    return found


def test_the_handin_holds_every_module_its_programs_import_and_no_other():
    from tools.handins import ee6123
    files = dict((name, source) for source, name in ee6123.ee6123_files())
    held = {n[:-3].replace("/", ".").replace(".__init__", "") for n in files if n.endswith(".py")}
    wanted = set()
    for name, source in files.items():
        if name.endswith(".py"):
            with open(os.path.join(ROOT, source)) as f:
                wanted |= {m for m in _imports(f.read()) if os.path.isfile(os.path.join(ROOT, *m.split(".")) + ".py")
                           or os.path.isfile(os.path.join(ROOT, *m.split("."), "__init__.py"))}
    assert wanted <= held, sorted(wanted - held)
    if "core.unroll" in wanted:  # it loads its plug-ins, core/unroll_<name>.py, by name
        wanted |= {m for m in held if m.startswith("core.unroll_")}
    top = {"q1", "q2", "q3", "main"} | {"assignments.ee6123", "assignments.memory"}
    assert held - top <= wanted, sorted(held - top - wanted)  # nothing that nothing imports


@pytest.mark.slow
def test_the_handin_runs_alone_with_each_readme_command_and_its_report_is_signed(tmp_path, real_mnist):
    out = tmp_path / "EE6123_R42.zip"
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "handin.py"), "--roll=R42",
                           "--author=A. Student", "--assignment=ee6123", "--output=" + str(out)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    empty = tmp_path / "grader"
    empty.mkdir()
    with zipfile.ZipFile(str(out)) as z:
        z.extractall(str(empty))
        names = z.namelist()
    folder = empty / "EE6123_R42"
    assert {n.split("/")[0] for n in names} == {"EE6123_R42"}
    for program in ("q1.py", "q2.py", "q3.py", "main.py", "README.md", "requirements.txt", "EE6123_R42_report.pdf"):
        assert (folder / program).is_file(), program
    text = (folder / "README.md").read_text()
    assert text.startswith("# EE6123 Assignment 3 (R42, A. Student)\n"), text[:80]  # signed, as the report is
    for words in ("the project", "this project", "related assignments", "ReNet", "the card", "tools/", "tests/"):
        for name in names:
            if name.endswith((".md", ".py")) and "/assignments/ee6123/" in "/" + name or name.endswith("README.md"):
                assert words not in (empty / name).read_text(), (words, name)
    if shutil.which("pdftotext"):
        report = " ".join(subprocess.run(["pdftotext", str(folder / "EE6123_R42_report.pdf"), "-"],
                                         stdout=subprocess.PIPE, universal_newlines=True).stdout.split())
        assert "Author: A. Student" in report and "R42" in report
        for words in ("project", "related assignments", "ReNet", "the card", "tools/", "tests/"):
            assert words not in report, words
        order = [report.find(s) for s in ("Implementation and Technical Notes", "2 Question 1", "3 Question 2",
                                          "4 Question 3")]
        assert -1 not in order and order == sorted(order), order
        with open(os.path.join(ROOT, "results", "tasks", "recall.jsonl")) as f:
            recall = [json.loads(line) for line in f]
        widest = min((r for r in recall if r["hidden"] == max(x["hidden"] for x in recall)), key=lambda r: r["seed"])
        row = widest["printout"][0]  # the randomised test is the run's own
        assert "Input Sequence {} Truth {} Prediction {}".format(row["input"], row["truth"], row["prediction"]) in report
        for command in ("python3 q1.py --model LSTM --bi 1 -l 64", "python3 q2.py --H 2,5,10",
                        "python3 q3.py --loss MSE,CE --L 3,5,10"):
            assert command in report and command in text, command
    os.symlink(real_mnist, str(empty / "data"))  # ../data beside the folder, as the README says
    commands = [line.split("#")[0].split() for line in text.splitlines() if line.startswith("    python3 q")]
    assert len(commands) == 7, commands
    for command in commands:
        if "--all" in command:
            continue  # every row, each as the row command below runs one; too long for a test
        args = command[1:] + ["--preset", "tiny"] + ([] if "--plot" in command or "--seeds" in command else
                                                     ["--seeds", "1"])
        run = subprocess.run([sys.executable] + args, cwd=str(folder), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, universal_newlines=True, timeout=1200)
        assert run.returncode == 0, (args, run.stderr[-2000:])
        assert "Traceback" not in run.stderr, args
    assert (folder / "results" / "ee6123" / "q1_tiny" / "seed1" / "lstm_h64_bi.json").is_file()
    assert (folder / "results" / "ee6123" / "q1_tiny" / "curves_lstm.png").is_file()
    with open(str(folder / "results" / "ee6123" / "tasks_tiny" / "binary_addition.jsonl")) as f:
        lines = [json.loads(line) for line in f]
    assert {(r["hidden"], r["length"], r["loss"]) for r in lines} >= {(5, 3, "mse"), (5, 10, "ce"), (2, 5, "mse")}
    assert all(re.match(r".+", r["machine"]["processor"]) for r in lines)


def test_a_handin_without_its_results_is_one_line_saying_which_program_makes_them(tmp_path, capsys, monkeypatch):
    """No stored report to go missing (a missing docs/ee6123_report.pdf once said "free some space"): the report is
    made for each build, and a result it needs that is not there is named with the program that makes it."""
    from tools import handin
    from tools.handins import ee6123
    monkeypatch.setattr(ee6123, "TASK_FILES", ee6123.TASK_FILES + ("recall_of_nothing.png",))
    status = handin.main(["--roll=R1", "--assignment=ee6123", "--output=" + str(tmp_path / "x.zip")])
    assert_one_line_error(status, capsys.readouterr().err, "results/tasks/recall_of_nothing.png", "q2.py")
    assert os.listdir(str(tmp_path)) == []


def test_an_author_that_is_not_a_name_is_one_line(tmp_path, capsys):
    from tools import handin
    status = handin.main(["--roll=R1", "--author=A\x07B", "--assignment=ee6123", "--output=" + str(tmp_path / "x.zip")])
    assert_one_line_error(status, capsys.readouterr().err, "--author")
    assert os.listdir(str(tmp_path)) == []


FAKE_MAIN = """import signal, sys, time
def stop(*_):
    sys.stderr.write("error: interrupted; run the same command again\\n")
    sys.exit(130)
signal.signal(signal.SIGTERM, stop)
if "--fail" in sys.argv:
    sys.stderr.write("error: train-images-idx3-ubyte.gz is truncated; download it again\\n")
    sys.exit(1)
open(sys.argv[-1], "w").close()
time.sleep(30)
"""


def test_a_failing_or_interrupted_training_ends_q1_with_main_pys_one_line_and_status(root, capfd, monkeypatch):
    import signal
    import threading
    (root / "main.py").write_text(FAKE_MAIN)
    with pytest.raises(SystemExit) as stop:
        grid._main(["--fail"])
    assert stop.value.code == 1
    assert capfd.readouterr().err.splitlines() == ["error: train-images-idx3-ubyte.gz is truncated; download it again"]
    # Interrupted (a kill of q1 alone, as SIGTERM becomes KeyboardInterrupt): main.py is told, and its line is the only one.
    monkeypatch.setattr(grid, "CHILD_GRACE", 0.5)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # a background job starts with it ignored
    started = root / "started"
    timer = threading.Thread(target=lambda: (_wait_for(started), os.kill(os.getpid(), signal.SIGINT)))
    timer.start()
    with pytest.raises(SystemExit) as stop:
        grid._main([str(started)])
    timer.join()
    signal.signal(signal.SIGINT, previous)
    assert stop.value.code == 130
    assert capfd.readouterr().err.splitlines() == ["error: interrupted; run the same command again"]


def _wait_for(path):
    import time
    for _ in range(200):
        if path.exists():
            return
        time.sleep(0.05)


def test_q3_prints_no_empty_paragraph_where_one_hidden_size_was_trained(root, monkeypatch, capsys):
    from assignments.ee6123 import q3
    monkeypatch.setattr(memory, "train_missing", lambda settings, folder: [])
    monkeypatch.setattr(memory, "draw", lambda task, folder: [])
    monkeypatch.setattr(q3, "addition_text", lambda records: "the losses' sentence")
    monkeypatch.setattr(q3, "addition_hidden_text", lambda records: "")
    assert q3.main(["--L", "3,5,10", "--preset", "tiny"]) == 0
    assert capsys.readouterr().out.splitlines() == ["the losses' sentence"]
