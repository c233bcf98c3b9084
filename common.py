"""Small shared helpers: user-facing errors, timestamped logging, atomic writes."""
import datetime
import json
import os
import sys
import tempfile

PROJECT_DIR = os.path.dirname(os.path.abspath(__file__))


class UserError(Exception):
    """A problem the user can fix; main.py prints it as one line and exits non-zero."""


def layer_sizes(config):
    """One hidden size per layer, from a config's "layers" or its "hidden_unit" (an int or a list)."""
    sizes = config.get("layers") or config["hidden_unit"]
    return [int(n) for n in sizes] if isinstance(sizes, (list, tuple)) else [int(sizes)]


def config_name(model, hidden_unit, bidirectional=False, crop_augment=False, dropout=0.0, l2=0.0):
    """The name of a configuration's folder and result file: every option that changes the graph,
    defaults left out, so the eight basic ones stay lstm_h32 ... gru_h256.

    config_name("lstm", 32) == "lstm_h32"
    config_name("lstm", [64, 64], bidirectional=True, dropout=0.2) == "lstm_h64-64_bi_drop0.2"
    """
    name = "{}_h{}".format(model, "-".join(str(n) for n in layer_sizes({"hidden_unit": hidden_unit})))
    if bidirectional:
        name += "_bi"
    if crop_augment:
        name += "_crop"
    if dropout:
        name += "_drop{:g}".format(dropout)
    if l2:
        name += "_l2-{:g}".format(l2)
    return name


def main_command(spec, action):
    """The main.py command line that trains or tests the configuration `spec` (a config dict)."""
    words = ["python main.py --model={} --{} --hidden_unit={}".format(
        spec["model"], action, ",".join(str(n) for n in layer_sizes(spec)))]
    words += ["--" + flag for flag in ("bidirectional", "crop_augment") if spec.get(flag)]
    words += ["--{}={:g}".format(flag, spec[flag]) for flag in ("dropout", "l2") if spec.get(flag)]
    return " ".join(words)


def print_error(message, status=1):
    """Report a problem as one "error:" line on stderr; returns the exit status to use."""
    sys.stdout.flush()
    sys.stderr.write("error: {}\n".format(message))
    return status


def log(message):
    """Print one progress line with a timestamp (the per-epoch log users read)."""
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    print("[{}] {}".format(stamp, message), flush=True)


def atomic_write_bytes(path, data):
    """Write `data` to `path` so that readers see the old file or the new one, never half."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-" + os.path.basename(path))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes files private; these are ordinary project files
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def atomic_write_json(path, obj):
    atomic_write_bytes(path, (json.dumps(obj, indent=2, sort_keys=True) + "\n").encode("utf-8"))


def read_json(path):
    """Read a JSON file written by this project; a damaged one is a UserError, not a traceback."""
    try:
        with open(path) as f:
            return json.load(f)
    except ValueError as e:
        raise UserError("{} is not valid JSON ({}); delete it or restore it from git".format(path, e))


def format_duration(seconds):
    seconds = int(round(seconds))
    if seconds < 60:
        return "{}s".format(seconds)
    if seconds < 3600:
        return "{}m{:02d}s".format(seconds // 60, seconds % 60)
    return "{}h{:02d}m".format(seconds // 3600, seconds % 3600 // 60)


def relpath(path):
    """A path as the user would type it from the current folder (for messages)."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path
    return os.path.abspath(path) if rel.startswith(os.path.join(os.pardir, os.pardir)) else rel


def is_tty():
    return hasattr(sys.stdout, "isatty") and sys.stdout.isatty()
