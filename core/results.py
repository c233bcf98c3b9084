"""The one reader of the MNIST result files (results/<name>.json and results/study/.../<name>.json, written
by main.py --test): every program that plots or reports reads them through read_result, so that a damaged
file is one error line naming it and the fix, never a traceback or a silently wrong mean."""
import json
import numbers
import os

from core.common import UserError, relpath

FIX = "restore it from git (git checkout -- {path}) or write it again with main.py --test"


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
    if problem:
        raise UserError("{} {}; {}".format(where, problem, FIX.format(path=where)))
    return result


def of_checkpoint(result, state):
    """Whether `result` is the test of the checkpoint that a run's state.json (`state`, checked) names as best:
    the same best epoch, validation accuracy and training time, which --test copies from it. The result of an
    older run beside a retrained one is not."""
    return (result.get("best_epoch") == state["best_epoch"] and result.get("val_accuracy") == state[
        "best_val_accuracy"] and result.get("train_seconds") == round(state["train_seconds"], 1))


def read_if_there(path):
    """read_result, or None when there is no such file."""
    return read_result(path) if os.path.isfile(path) else None
