"""Every field of a run's state.json and config.json, damaged one at a time, in a run left unfinished by a kill:
the same command then resumes correctly or stops with one error line, and no file it did not write changes,
inside the run folder or out (#40: names in state.json were used as paths and deleted files outside it)."""
import json
import os
import shutil
import signal
import subprocess
import sys

import pytest

from conftest import ROOT, assert_one_line_error, main_in_process, make_mnist, tree_digest
from test_faults import KILLER, NAME, TINY, folders

DEEP = "[" * 100000 + "]" * 100000
STATE = [("best", v) for v in ("../../w/victim", "/etc/passwd", "resume-7", "best-99", 5, [])] + \
        [("resume", v) for v in ("../../w/victim", "resume-7", "best-3", None, 5)] + \
        [("epoch", v) for v in (99999999999999999999, -3, 2.5, "3", None, 100)] + \
        [("best_epoch", v) for v in (-1, 99, "x")] + \
        [("best_val_accuracy", v) for v in ("x", None, 7.0, [])] + \
        [("train_seconds", v) for v in ("x", -5, None)] + [("finished", v) for v in ("no", 1, None)]
CONFIG = [("layers", v) for v in ("6", [0], [6, -1], [10 ** 9], None)] + \
         [("model", v) for v in ("gru", "cnn", 5, "../x")] + \
         [("epochs", v) for v in (-1, "3", 10 ** 30, 4)] + [("learning_rate", v) for v in ("x", -1.0, 1e309)] + \
         [("seed", v) for v in (-1, 2 ** 40, 1.5)] + [("name", v) for v in ("gru_h6", "../../x")] + \
         [("parameters", v) for v in (-5, "many")] + [("towers", v) for v in (3, -1)] + \
         [("validation_split", v) for v in ("first", "x")] + [("unroll", v) for v in ("loop", "x")]


@pytest.fixture(scope="module")
def unfinished(tmp_path_factory):
    """A run killed just before its final state.json: the same command finishes it."""
    root = str(tmp_path_factory.mktemp("unfinished"))
    make_mnist(os.path.join(root, "data"))
    proc = subprocess.run([sys.executable, "-c", KILLER.format(root=ROOT, where="before-final-state"), "--train"] +
                          TINY + folders(root), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, cwd=ROOT)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    return root


def _mutated(unfinished, tmp_path, file_name, key, value):
    root = str(tmp_path / "r")
    shutil.copytree(unfinished, root)
    path = os.path.join(root, "weights", NAME, file_name)
    with open(path) as f:
        data = json.load(f)
    if value is DEEP:
        text = DEEP
    else:
        data[key] = value
        text = json.dumps(data)
    with open(path, "w") as f:
        f.write(text)
    victim = os.path.join(root, "w")
    os.makedirs(victim)
    for name in ("victim.index", "victim.data-00000-of-00001"):  # where '../../w/victim' points from the run
        with open(os.path.join(victim, name), "w") as f:
            f.write("not yours to delete")
    return root


@pytest.mark.parametrize("file_name, key, value", [("state.json", k, v) for k, v in STATE + [("", DEEP)]] +
                         [("config.json", k, v) for k, v in CONFIG + [("", DEEP)]])
def test_a_damaged_field_resumes_correctly_or_is_one_line_and_changes_nothing(unfinished, tmp_path, file_name, key,
                                                                              value):
    root = _mutated(unfinished, tmp_path, file_name, key, value)
    os.remove(os.path.join(root, "weights", "." + NAME + ".lock"))  # the killed run's lock file: the program's own
    before = tree_digest(root)
    code, out, err = main_in_process(["--train"] + TINY + folders(root))
    assert sorted(os.listdir(os.path.join(root, "w"))) == ["victim.data-00000-of-00001", "victim.index"]
    if code == 0:  # accepted: the run must have finished as the same command finishes it
        run = os.path.join(root, "weights", NAME)
        with open(os.path.join(run, "state.json")) as f:
            state = json.load(f)
        assert state["finished"] and state["resume"] is None and os.path.isfile(
            os.path.join(run, state["best"] + ".index")), (key, value, out)
    else:
        assert_one_line_error(code, err, out=out)
        assert tree_digest(root) == before, "a file changed although the run stopped with an error"


@pytest.mark.parametrize("log_text", ["", "epoch,time\n1,x\n", "\x00\xff\xfe binary \x00", None],
                         ids=["empty", "no header of ours", "binary", "an epoch named one"])
def test_a_damaged_log_on_resume_is_one_line_and_changes_nothing(unfinished, tmp_path, log_text):
    root = str(tmp_path / "r")
    shutil.copytree(unfinished, root)
    os.remove(os.path.join(root, "weights", "." + NAME + ".lock"))
    path = os.path.join(root, "weights", NAME, "log.csv")
    if log_text is None:
        with open(path) as f:
            text = f.read()
        log_text = text.replace("\n1,", "\none,", 1)
    with open(path, "wb") as f:
        f.write(log_text.encode("latin-1"))
    before = tree_digest(root)
    code, out, err = main_in_process(["--train"] + TINY + folders(root))
    assert_one_line_error(code, err, "log.csv", out=out)
    assert tree_digest(root) == before
