"""The one reader of the MNIST result files (results/<name>.json and results/study/.../<name>.json, written
by main.py --test): every program that plots or reports reads them through read_result, so that a damaged
file is one error line naming it and the fix, never a traceback or a silently wrong mean."""
import json
import math
import numbers
import os

from core.common import UserError, log, relpath
from core.config import Arch

FIX = "restore it from the copy this folder came from, or write it again with main.py --test"


def _problem(result):
    if not isinstance(result, dict):
        return "holds {} where a result object belongs".format(type(result).__name__)
    if not isinstance(result.get("name"), str) or not result.get("name"):
        return "has no 'name'"
    if not isinstance(result.get("model"), str):
        return "has no 'model'"
    hidden = result.get("hidden_unit")
    if not (isinstance(hidden, int) and not isinstance(hidden, bool) and hidden > 0 or isinstance(hidden, list)
            and hidden and all(isinstance(h, int) and not isinstance(h, bool) and h > 0 for h in hidden)):
        return "has 'hidden_unit' {!r}, not a positive whole number or a list of them".format(hidden)
    arch = Arch.parse(result["name"])  # the name says the configuration; model and hidden_unit must agree with it
    layers = tuple(hidden) if isinstance(hidden, list) else (hidden,)
    if arch is None or arch.model != result["model"] or arch.layers != layers:
        return "has 'name' {!r} with 'model' {!r} and 'hidden_unit' {!r}, not a configuration this program " \
               "trains".format(result["name"], result["model"], hidden)
    for key in ("test_accuracy", "val_accuracy", "crop_test_accuracy"):
        value = result.get(key)
        if key == "test_accuracy" or value is not None:
            if not isinstance(value, numbers.Real) or isinstance(value, bool) or not 0 <= value <= 1:
                return "has '{}' {!r}, not a fraction between 0 and 1".format(key, value)
    for key in ("test_correct", "test_count", "parameters"):
        value = result.get(key)
        if value is not None and not (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
            return "has '{}' {!r}, not a whole number".format(key, value)
    if isinstance(result.get("test_correct"), int) and isinstance(result.get("test_count"), int) \
            and result["test_correct"] > result["test_count"]:
        return "has more images right ({}) than tested ({})".format(result["test_correct"], result["test_count"])
    return _history_problem(result.get("history"))


def _history_problem(history):
    """What is wrong with a result's "history" (log.csv's curves, which the grid's figures draw), or None."""
    if history is None:
        return None
    if not isinstance(history, list):
        return "has a 'history' that is not a list of epochs"
    for number, row in enumerate(history, 1):
        if not isinstance(row, dict) or row.get("epoch") != number or isinstance(row.get("epoch"), bool):
            return "has 'history' row {} that is not epoch {}".format(number, number)
        for key in ("train_loss", "train_accuracy", "val_loss", "val_accuracy"):
            value = row.get(key)
            if not isinstance(value, numbers.Real) or isinstance(value, bool) or not math.isfinite(value) \
                    or key.endswith("accuracy") and not 0 <= value <= 1:
                return "has 'history' epoch {}'s {} {!r}, not a finite number{}".format(
                    number, key, value, " from 0 to 1" if key.endswith("accuracy") else "")
    return None


def read_result(path):
    """The result object stored at `path`, checked; a UserError naming the file and what is wrong otherwise."""
    where = relpath(path)
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8")
        result = json.loads(text)
    except UnicodeDecodeError:
        raise UserError("{} is not UTF-8 text; {}".format(where, FIX.format(path=where)))
    except ValueError as e:
        raise UserError("{} is not valid JSON ({}); {}".format(where, str(e).split(":")[0], FIX.format(path=where)))
    except OSError as e:
        raise UserError("cannot read {}: {}".format(where, e.strerror))
    except RecursionError:
        raise UserError("{} nests deeper than any result file; {}".format(where, FIX.format(path=where)))
    problem = _problem(result)
    stem = os.path.basename(path)[:-len(".json")] if path.endswith(".json") else None
    if not problem and stem != result["name"]:  # a copy under another name would count twice, or as another
        problem = "holds the result of {}, whose file is {}.json".format(result["name"], result["name"])
    if problem:
        raise UserError("{} {}; {}".format(where, problem, FIX.format(path=where)))
    return result


def of_checkpoint(result, state):
    """Whether `result` is the test of the checkpoint that a run's state.json (`state`, checked) names as best:
    the same best epoch, validation accuracy and training time, which --test copies from it. The result of an
    older run beside a retrained one is not."""
    return (result.get("best_epoch") == state["best_epoch"] and result.get("val_accuracy") == state[
        "best_val_accuracy"] and result.get("train_seconds") == round(state["train_seconds"], 1))


def other_set_folder(results_dir, test_set):
    """Where a result on another test set than MNIST's goes (data_loader.test_set_of): always
    <results_dir>/test-sets/<count>-<sha256>/, so that it never lands on an MNIST record (that of weights/, yours in
    runs/results/, or one reached through a link); a results_dir that already is that set's folder is kept."""
    name = "{}-{}".format(test_set["count"], test_set["sha256"][:12])
    here = os.path.abspath(results_dir)
    if os.path.basename(here) == name and os.path.basename(os.path.dirname(here)) == "test-sets":
        return results_dir
    return os.path.join(results_dir, "test-sets", name)


def read_if_there(path):
    """read_result, or None when there is no such file."""
    return read_result(path) if os.path.isfile(path) else None


_NOTED = set()


def read_folder(folder):
    """Every result file directly in `folder` ({config}.json, as main.py --test names them), checked; any other
    .json file there that looks like one (a backup copy under another name) is left out, named in one line."""
    import glob
    results = []
    for path in sorted(glob.glob(os.path.join(folder, "*_h*.json"))):
        if Arch.parse(os.path.basename(path)[:-len(".json")]) is None:
            if path not in _NOTED:  # once, though a report reads the folder more than once
                _NOTED.add(path)
                log("note: left out {}: not named <configuration>.json as main.py --test writes results (a "
                    "backup? move it out of {})".format(relpath(path), relpath(folder)))
            continue
        results.append(read_result(path))
    return results
