"""Faults injected on purpose: kills at the last writes, two trainings at once, damaged checkpoints, full disks,
folders that are files. Each ends in one error line (or a clean resume) with every existing file as it was."""
import csv
import json
import os
import signal
import subprocess
import sys

import pytest

from conftest import main_in_process, assert_one_line_error, ROOT, make_mnist, tree_digest

TINY = ["--model=lstm", "--hidden_unit=6", "--preset=tiny", "--validation_size=100", "--epochs=3", "--patience=3"]
NAME = "lstm_h6"

# main.py in a child process whose RunDir methods kill the process at a chosen write of the end of training.
KILLER = """
import os, signal, sys
sys.path.insert(0, {root!r})
from core import runs as checkpoint
where = {where!r}
save_state, remove = checkpoint.RunDir.save_state, checkpoint.RunDir.remove
def kill():
    os.kill(os.getpid(), signal.SIGKILL)
def patched_save_state(self, state):
    if state["finished"] and where == "before-final-state":
        kill()
    save_state(self, state)
    if state["finished"] and where == "after-final-state":
        kill()
def patched_remove(self, prefix):
    remove(self, prefix)
    if where == "after-last-remove" and prefix and prefix.startswith("resume-") and self.load_state()["finished"]:
        kill()
checkpoint.RunDir.save_state, checkpoint.RunDir.remove = patched_save_state, patched_remove
import main
sys.exit(main.main(["main.py"] + sys.argv[1:]))
"""


def folders(root):
    return ["--data_dir=" + os.path.join(root, "data"), "--weights_dir=" + os.path.join(root, "weights"),
            "--results_dir=" + os.path.join(root, "results"), "--logs_dir=" + os.path.join(root, "logs")]


def log_rows(root):
    with open(os.path.join(root, "weights", NAME, "log.csv")) as f:
        return [{k: r[k] for k in ("epoch", "train_loss", "val_accuracy", "best")} for r in csv.DictReader(f)]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("whole"))
    make_mnist(os.path.join(root, "data"))
    code, _, err = main_in_process(["--train"] + TINY + folders(root))
    assert code == 0, err
    return log_rows(root)


@pytest.mark.parametrize("where", ["before-final-state", "after-final-state", "after-last-remove"])
def test_a_kill_at_the_last_writes_leaves_a_run_the_same_command_completes(tmp_path, uninterrupted, where):
    root = str(tmp_path)
    make_mnist(os.path.join(root, "data"))
    args = ["--train"] + TINY + folders(root)
    proc = subprocess.run([sys.executable, "-c", KILLER.format(root=ROOT, where=where)] + args,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, cwd=ROOT)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    code, out, err = main_in_process(args)  # the same command
    assert code == 0, err
    run = os.path.join(root, "weights", NAME)
    state = json.load(open(os.path.join(run, "state.json")))
    assert state["finished"] and state["resume"] is None and os.path.isfile(os.path.join(run, state["best"] + ".index"))
    assert log_rows(root) == uninterrupted  # the same run as one never killed
    assert not [n for n in os.listdir(run) if n.startswith(("resume-", ".tmp-"))], os.listdir(run)
    code, out, err = main_in_process(["--test"] + TINY[:2] + folders(root))
    assert code == 0, err


def _start(args):
    return subprocess.Popen([sys.executable, os.path.join(ROOT, "main.py")] + args, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, universal_newlines=True, cwd=ROOT)


def test_two_trainings_of_one_configuration_cannot_run_at_once(tmp_path):
    root = str(tmp_path)
    make_mnist(os.path.join(root, "data"))
    args = ["--train"] + TINY[:-2] + ["--epochs=200", "--patience=200"] + folders(root)
    first = _start(args)
    try:
        for line in first.stdout:
            if "epoch 1/200" in line:
                break
        before = tree_digest(os.path.join(root, "weights", NAME))
        code, out, err = main_in_process(args[:-4] + ["--learning_rate=0.01"] + folders(root))
        assert code == 1 and err.startswith("error: another process (pid {}) is training {}".format(first.pid, NAME))
        assert len(err.strip().splitlines()) == 1
        assert not os.path.exists(os.path.join(root, "weights", NAME + ".new"))
        after = tree_digest(os.path.join(root, "weights", NAME))
        assert set(before) <= set(after) | {n for n in before if n.startswith(("best-", "resume-"))}
    finally:
        first.kill()  # SIGKILL: the lock must not outlive the process
        first.wait()
    code, out, err = main_in_process(args[:-4] + ["--epochs=2", "--patience=2"] + folders(root))
    assert code == 0, err
    assert "resuming " + NAME in out


@pytest.fixture
def trained(tmp_path):
    root = str(tmp_path)
    make_mnist(os.path.join(root, "data"))
    code, _, err = main_in_process(["--train"] + TINY[:-2] + ["--epochs=1"] + folders(root))
    assert code == 0, err
    return root


def expect_one_line(args, words, root):
    before = tree_digest(os.path.join(root, "weights"))
    code, out, err = main_in_process(args)
    line = assert_one_line_error(code, err, *words, out=out)
    assert tree_digest(os.path.join(root, "weights")) == before, "the weights folder changed"
    return line


def test_a_run_that_diverges_leaves_the_existing_run_where_it_is(trained):
    """A new run of a trained configuration that fails in its first epoch moves nothing aside."""
    expect_one_line(["--train"] + TINY[:-2] + ["--epochs=1", "--learning_rate=1e38"] + folders(trained),
                    ["diverged", "--learning_rate", "--l2", "--lr_decay"], trained)
    assert sorted(os.listdir(os.path.join(trained, "weights"))) == [NAME]


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_a_damaged_checkpoint_is_one_line_on_test_and_on_resume(trained, damage):
    run = os.path.join(trained, "weights", NAME)
    state = json.load(open(os.path.join(run, "state.json")))
    data = os.path.join(run, state["best"] + ".data-00000-of-00001")
    with open(data, "r+b") as f:
        if damage == "truncate":
            f.truncate(os.path.getsize(data) // 2)
        else:
            f.seek(40)
            f.write(bytes(b ^ 0xFF for b in f.read(64)))
    expect_one_line(["--test"] + TINY[:2] + folders(trained), ["cannot read the checkpoint", state["best"]], trained)


def test_hand_edited_state_and_config_are_one_line(trained):
    run = os.path.join(trained, "weights", NAME)
    state = json.load(open(os.path.join(run, "state.json")))
    config = json.load(open(os.path.join(run, "config.json")))
    for name, text, words in [("state.json", json.dumps(dict(state, best=999)), ["'best' is 999"]),
                              ("config.json", json.dumps(dict(config, layers="32")), ["config.json", "layers"]),
                              ("state.json", "[1, 2]", ["state.json", "not a training state"]),
                              ("state.json", '{"epoch": 1.5, "best_epoch": 1, "best_val_accuracy": 0.1, "best": '
                                             'null, "resume": null, "finished": false, "train_seconds": 1}',
                               ["'epoch' is 1.5", "whole number"]),
                              ("config.json", "[]", ["config.json", "not a configuration"])]:
        original = open(os.path.join(run, name)).read()
        with open(os.path.join(run, name), "w") as f:
            f.write(text)
        expect_one_line(["--test"] + TINY[:2] + folders(trained), words, trained)
        expect_one_line(["--train"] + TINY + folders(trained), words, trained)
        with open(os.path.join(run, name), "w") as f:
            f.write(original)


@pytest.mark.parametrize("which", ["--weights_dir", "--results_dir", "--logs_dir"])
def test_a_folder_flag_naming_a_file(trained, which):
    afile = os.path.join(trained, "a-file")
    with open(afile, "w") as f:
        f.write("not a folder")
    args = [a for a in folders(trained) if not a.startswith(which)] + [which + "=" + afile]
    action = ["--test"] + TINY[:2] if which == "--results_dir" else ["--train"] + TINY
    code, out, err = main_in_process(action + args)
    assert code == 1 and err.count("\n") == 1 and err.startswith(("error: cannot write", "error: cannot make")), err
    # This test set is not MNIST, so --test files its result under <results_dir>/test-sets/ (evaluate.py).
    assert ("a-file: it is a file, not a folder" in err or "a-file is a file" in err) or which == "--logs_dir", err
    assert open(afile).read() == "not a folder"


def mounted_tmpfs(path, options, what):
    """Mount a small tmpfs at `path` (yields it, then unmounts); skips, visibly, where mounting is not allowed."""
    os.makedirs(path)
    if subprocess.call(["mount", "-t", "tmpfs", "-o", options, "tmpfs", path],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) != 0:
        pytest.skip("cannot mount a tmpfs here (needs root); {} not tested".format(what))
    yield path
    subprocess.call(["umount", path])


@pytest.fixture
def tiny_disk(tmp_path):
    """A 96 KB tmpfs: too small for a training run's checkpoints."""
    yield from mounted_tmpfs(str(tmp_path / "disk"), "size=96k", "the full-disk cases are")


def test_a_full_disk_during_training_is_one_line_and_resumable(tmp_path, tiny_disk):
    root = str(tmp_path)
    make_mnist(os.path.join(root, "data"))
    args = ["--train", "--model=lstm", "--hidden_unit=64", "--preset=tiny", "--validation_size=100", "--epochs=2",
            "--data_dir=" + os.path.join(root, "data"), "--weights_dir=" + tiny_disk,
            "--logs_dir=" + os.path.join(root, "logs")]
    code, out, err = main_in_process(args)
    assert code == 1 and err.count("\n") == 1 and "No space left on device" in err and "run the same command" in err
    leftovers = [n for base, _, names in os.walk(tiny_disk) for n in names if n.startswith(".tmp-")]
    assert leftovers == []
    code, out, err = main_in_process(args[:-2] + ["--weights_dir=" + os.path.join(root, "weights")] + args[-1:])
    assert code == 0, err  # with room, the same run trains


def test_a_full_disk_when_testing_keeps_the_old_result(trained, tiny_disk):
    results = os.path.join(tiny_disk, "results")
    os.makedirs(results)
    with open(os.path.join(tiny_disk, "filler"), "wb") as f:
        try:
            f.write(b"x" * 200 * 1024)
        except OSError:
            pass
    args = ["--test"] + TINY[:2] + [a for a in folders(trained) if not a.startswith("--results_dir")]
    code, out, err = main_in_process(args + ["--results_dir=" + results])
    assert code == 1 and err.count("\n") == 1 and "No space left on device" in err, err
    # Nothing but the (empty) folder that results on a test set other than MNIST go to (evaluate.py).
    assert [f for _, _, names in os.walk(results) for f in names] == []


@pytest.fixture
def read_only_folder(tmp_path):
    """A read-only tmpfs: writes are refused even to root."""
    yield from mounted_tmpfs(str(tmp_path / "ro"), "ro,size=64k", "the read-only cases are")


@pytest.mark.parametrize("which", ["--weights_dir", "--results_dir", "--logs_dir"])
def test_a_read_only_folder_is_one_line(trained, read_only_folder, which):
    args = [a for a in folders(trained) if not a.startswith(which)] + [which + "=" + read_only_folder]
    action = ["--test"] + TINY[:2] if which == "--results_dir" else ["--train"] + TINY
    before = tree_digest(os.path.join(trained, "weights"))
    code, out, err = main_in_process(action + args)
    assert code == 1 and err.count("\n") == 1 and "Read-only file system" in err, err
    assert tree_digest(os.path.join(trained, "weights")) == before


def test_ctrl_c_while_tensorflow_loads_is_one_line(tmp_path, monkeypatch):
    """An interrupt during `import train` (TensorFlow's few seconds of start-up) is the usual one line."""
    class Interrupting(object):
        def find_spec(self, name, path=None, target=None):
            if name == "train":
                raise KeyboardInterrupt
        find_module = None
    monkeypatch.delitem(sys.modules, "train", raising=False)
    monkeypatch.setattr(sys, "meta_path", [Interrupting()] + sys.meta_path)
    root = str(tmp_path)
    make_mnist(os.path.join(root, "data"))
    code, out, err = main_in_process(["--train"] + TINY + folders(root))
    assert code == 130 and err == "error: interrupted; run the same command again to resume training from the " \
                                  "last finished epoch\n"


def test_resume_removes_what_kills_left_and_takes_the_new_epoch_limit(tmp_path):
    root = str(tmp_path)
    make_mnist(os.path.join(root, "data"))
    proc = _start(["--train"] + TINY[:-2] + ["--epochs=50", "--patience=50"] + folders(root))
    for line in proc.stdout:
        if "epoch 2/50" in line:
            break
    proc.kill()
    proc.wait()
    run = os.path.join(root, "weights", NAME)
    for stray in ("resume-99.index", "best-98.data-00000-of-00001", ".tmp-state.json1234"):
        open(os.path.join(run, stray), "w").close()
    code, out, err = main_in_process(["--train"] + TINY[:-2] + ["--epochs=3", "--patience=50"] + folders(root))
    assert code == 0 and "resuming" in out, err
    names = os.listdir(run)
    assert not [n for n in names if n.startswith(("resume-", ".tmp-", "best-98"))], names
    assert json.load(open(os.path.join(run, "config.json")))["epochs"] == 3


def test_a_run_killed_before_its_first_epoch_leaves_no_folder_to_move_aside(tmp_path):
    root = str(tmp_path)
    make_mnist(os.path.join(root, "data"))
    run = os.path.join(root, "weights", NAME)
    os.makedirs(run)
    with open(os.path.join(run, "config.json"), "w") as f:
        json.dump({"model": "lstm", "hidden_unit": 6}, f)  # what a kill during epoch 1 leaves
    for _ in range(2):
        code, out, err = main_in_process(["--train"] + TINY[:-2] + ["--epochs=1"] + folders(root))
        assert code == 0, err
    assert sorted(os.listdir(os.path.join(root, "weights"))) == [NAME, NAME + ".previous-" + out.split(
        NAME + ".previous-")[1].split()[0]]  # only the first finished run was kept aside, no config-only folders


def test_folder_names_are_the_architecture_and_nothing_else():
    from core.config import Arch
    assert Arch("lstm", (64, 64), True).name == "lstm_h64-64_bi"
    assert Arch.parse("lstm_h64-64_bi") == Arch("lstm", (64, 64), bidirectional=True, crop_augment=False)
    assert Arch.parse("mlp_h103").model == "mlp"
    for name in ("gru_h128_drop0.3", "lstm_h064", "lstm_h0", "lstm_h32_crop_bi"):  # not names Arch writes
        assert Arch.parse(name) is None, name


def test_download_weights_ctrl_c_is_one_line(monkeypatch, capsys, tmp_path):
    import download_weights
    from core import fetch

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(fetch, "fetch_bytes", interrupted)
    (tmp_path / download_weights.MANIFEST).write_text("")  # read before the download: it must be there
    assert download_weights.main(["--url=http://127.0.0.1:9/w.tar.gz", "--weights_dir=" + str(tmp_path)]) == 130
    assert capsys.readouterr().err == "error: interrupted; weights/ is unchanged\n"


@pytest.mark.parametrize("args,words", [
    (["--download", "--mnist_mirror=localhost"], ["could not download", "'localhost/", "not an http"]),
    (["--download", "--data_dir=FILE"], ["cannot write into", "FILE", "it is a file, not a folder"]),
], ids=["mirror-without-scheme", "data-dir-is-a-file"])
def test_download_flags_that_cannot_work_are_one_line(tmp_path, args, words):
    afile = str(tmp_path / "FILE")
    open(afile, "w").close()
    args = [a.replace("FILE", afile) for a in args]
    data = [] if any(a.startswith("--data_dir") for a in args) else ["--data_dir=" + str(tmp_path / "empty")]
    code, out, err = main_in_process(["--test"] + TINY[:2] + args + data + ["--weights_dir=" + str(tmp_path / "w")])
    assert code == 1
    assert_one_line_error(code, err)
    for word in words:
        assert word.replace("FILE", "") in err, (word, err)


def test_download_weights_url_without_scheme(capsys, tmp_path):
    import download_weights
    assert download_weights.main(["--url=notaurl", "--weights_dir=" + str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'notaurl' is not an http:// or https:// address" in err


def test_reproduce_reports_a_failing_step_in_one_line(tmp_path):
    """A step that fails (here: no MNIST in the data folder) ends tools/reproduce.py with one line, not a traceback.
    --train_only: its first step is a training, which checks the data before it writes anything, so the
    project's folders stay as they are. The early-stop recipes: their seed runs are not kept in git, so even a
    checkout whose shipped runs are all trained has a training to start (on the pinned runtime, they never
    existed)."""
    before = tree_digest(os.path.join(ROOT, "weights"))
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools/reproduce.py"), "--train_only",
                           "--recipes=early-stop", "--data_dir=" + str(tmp_path / "nowhere")], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.strip().splitlines()  # one error line, the step's own; where it stopped is in the log
    assert len(lines) == 1 and lines[0].startswith("error: data folder"), proc.stderr
    assert "stopped: main.py --train" in proc.stdout and "run tools/reproduce.py again" in proc.stdout
    assert tree_digest(os.path.join(ROOT, "weights")) == before

