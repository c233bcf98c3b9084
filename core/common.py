"""Small shared helpers: user-facing errors, timestamped logging, atomic writes."""
import argparse
import datetime
import errno
import json
import os
import signal
import sys
import tempfile
import threading

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # core/..
# The trained models that come with the code (weights/) and their test results.
WEIGHTS_DIR = os.path.join(PROJECT_DIR, "weights")
RESULTS_DIR = os.path.join(PROJECT_DIR, "results")
# A user's own training goes here, so it never replaces a model in weights/.
RUNS_DIR = os.path.join(PROJECT_DIR, "runs")
LOGS_DIR = os.path.join(PROJECT_DIR, "logs")


class UserError(Exception):
    """A problem the user can fix; main.py prints it as one line and exits non-zero."""


def weights_dir_for_test(name):
    """Where --test looks by default: the user's own run of `name` if it has a best checkpoint, else the one in weights/."""
    state = os.path.join(RUNS_DIR, name, "state.json")
    try:
        with open(state) as f:
            if json.load(f).get("best"):
                return RUNS_DIR
    except (OSError, ValueError, AttributeError):
        pass
    return WEIGHTS_DIR


def results_dir_for(weights_dir):
    """results/ for weights/, runs/results/ for any other folder (so the files that come with weights/ stay as they are)."""
    same = os.path.abspath(weights_dir) == os.path.abspath(WEIGHTS_DIR)
    return RESULTS_DIR if same else os.path.join(RUNS_DIR, "results")


class ArgumentParser(argparse.ArgumentParser):
    """argparse with the one rule for bad input: one "error:" line and status 2, not a usage block."""

    def error(self, message):
        self.exit(2, "error: {}; --help lists the flags\n".format(message))


def print_error(message, status=1):
    """Report a problem as one "error:" line on stderr; returns the exit status to use."""
    sys.stdout.flush()
    sys.stderr.write("error: {}\n".format(message))
    return status


FIX_PATH = "check the path, its folder's permissions and the free space, then run the same command again"


def os_error_line(e, fix=FIX_PATH):
    """One line for an OSError (a missing or read-only folder, a file where a folder should be, a full disk):
    which file, why, and what to do. Every write is atomic, so the old file is still whole."""
    name = getattr(e, "filename", None)
    if isinstance(e, (FileExistsError, NotADirectoryError)) and isinstance(name, str):
        blocker = os.path.abspath(name)
        while blocker != os.path.dirname(blocker) and not os.path.isfile(blocker):
            blocker = os.path.dirname(blocker)
        if os.path.isfile(blocker):  # a file stands where a folder has to be made
            if blocker == os.path.abspath(name):
                return "cannot write into {}: it is a file, not a folder; {}".format(relpath(name), fix)
            return "cannot make the folder {}: {} is a file; {}".format(relpath(name), relpath(blocker), fix)
    where = " {}".format(relpath(name)) if name else ""
    if e.errno == errno.ENAMETOOLONG:  # a name past the file system's limit (255 bytes): more space will not help
        return "cannot write or read{}: its name is longer than the file system allows (255 bytes a name); " \
               "rename it or give a shorter one, then run the same command again".format(where)
    return "cannot write or read{}: {}; {}".format(where, e.strerror or e, fix)


def _terminated(signum, frame):
    raise KeyboardInterrupt


def guarded(run, interrupted="interrupted", fix=None):
    """run()'s exit status, with a UserError, an OSError or Ctrl-C turned into one error line (status 1 or 130).
    A kill (SIGTERM) stops like Ctrl-C: the `finally` blocks clean up and the writes are atomic.
    `fix` says what to do about an OSError (default: check the path, permissions and free space); it and
    `interrupted` may be functions, asked only when needed (what to say can depend on the flags parsed by then)."""
    main_thread = threading.current_thread() is threading.main_thread()  # only it may set a handler
    previous = signal.signal(signal.SIGTERM, _terminated) if main_thread else None
    # A closed terminal (SIGHUP) stops like a kill, unless the program was started with nohup (it ignores it).
    hangup = getattr(signal, "SIGHUP", None) if main_thread else None
    hung = signal.getsignal(hangup) if hangup else None
    if hangup and hung is not signal.SIG_IGN:
        signal.signal(hangup, _terminated)
    try:
        return run()
    except UserError as e:
        return print_error(e)
    except BrokenPipeError:  # the reader of our output stopped (| head): not a problem to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as e:
        return print_error(os_error_line(e, (fix() if callable(fix) else fix) or FIX_PATH))
    except KeyboardInterrupt:
        return print_error(interrupted() if callable(interrupted) else interrupted, status=130)
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
        if hangup and hung is not signal.SIG_IGN:
            signal.signal(hangup, hung if hung is not None else signal.SIG_DFL)


def log(message):
    """Print one progress line with a timestamp (the per-epoch log users read)."""
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    print("[{}] {}".format(stamp, message), flush=True)


def _cut(name, size=160):
    """`name` cut to at most `size` bytes of UTF-8 (a whole character last)."""
    return name.encode("utf-8", "surrogateescape")[:size].decode("utf-8", "ignore")


def atomic_write_bytes(path, data):
    """Write `data` to `path` so that readers see the old file or the new one, never half."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):  # say so with the user's path, before a temporary file is made
        raise IsADirectoryError(errno.EISDIR, "it is a folder, not a file", path)
    os.makedirs(folder, exist_ok=True)
    from core.outputs import remove_stale  # here: core.outputs imports this module
    remove_stale(folder)
    try:  # the name cut short: with the suffixes it must stay within the file system's 255 bytes
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-{}.{}.".format(_cut(os.path.basename(path)), os.getpid()))
    except OSError as e:  # name the file the user asked for, not our temporary one
        raise OSError(e.errno, e.strerror, path)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes files private; these are ordinary files
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def append_line(path, line):
    """Add one line to a text file (a .jsonl of results) so that two programs appending at once both land
    and a reader never sees half a line: under an exclusive lock on <path>.lock, old text + line, atomically."""
    import fcntl
    if not path.endswith(".jsonl") or os.path.isdir(path):  # before the lock file: never main.py.lock beside main.py
        raise UserError("{} is not a .jsonl file; results are appended as JSON lines to a file whose name ends in "
                        ".jsonl".format(relpath(path)))
    if os.path.isfile(path):  # and before the lock file, as above
        with open(path, "rb") as f:
            _json_lines(path, f.read())
    os.makedirs(os.path.dirname(os.path.abspath(path)) or ".", exist_ok=True)
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # released when the file closes
        old = b""
        if os.path.isfile(path):
            with open(path, "rb") as f:
                old = f.read()
            if old and not old.endswith(b"\n"):
                old += b"\n"
            _json_lines(path, old)
        atomic_write_bytes(path, old + line.rstrip("\n").encode("utf-8") + b"\n")


def read_json_lines(path):
    """The records of a .jsonl file that append_line would add to (none when it does not exist yet), checked as
    append_line checks it, so that a program can refuse a bad --out in one line before its long work starts."""
    if not path.endswith(".jsonl") or os.path.isdir(path):
        raise UserError("{} is not a .jsonl file; results are appended as JSON lines to a file whose name ends in "
                        ".jsonl".format(relpath(path)))
    if not os.path.isfile(path):
        return []
    with open(path, "rb") as f:
        text = f.read()
    _json_lines(path, text)
    records = [json.loads(line.decode("utf-8")) for line in text.split(b"\n") if line.strip()]
    bad = [n for n, r in enumerate(records, 1) if not isinstance(r, dict)]
    if bad:
        raise UserError("{} record {} is not a JSON object; give another file (a new .jsonl), or move this one "
                        "aside".format(relpath(path), bad[0]))
    return records


def _json_lines(path, text):
    """Refuse to append to a file that is not JSON lines (a file of another kind named .jsonl stays as it is)."""
    for number, line in enumerate(text.split(b"\n"), 1):
        if line.strip():
            try:
                json.loads(line.decode("utf-8"))
            except ValueError:  # UnicodeDecodeError is a ValueError too
                raise UserError("{} line {} is not a JSON line, so nothing is appended to it; give another file "
                                "(a new .jsonl), or move this one aside".format(relpath(path), number))


def save_png(fig, path, dpi=130):
    """Write a matplotlib figure as a PNG, atomically, and close it."""
    import io
    import matplotlib.pyplot as plt
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    atomic_write_bytes(path, buffer.getvalue())
    return path


def atomic_write_json(path, obj):
    atomic_write_bytes(path, (json.dumps(obj, indent=2, sort_keys=True) + "\n").encode("utf-8"))


def read_json(path):
    """Read a JSON file written by these programs; a damaged one (bad syntax, bytes that are not UTF-8, nesting too
    deep to read) is a UserError naming it, not a traceback."""
    try:
        with open(path, "rb") as f:
            return json.loads(f.read().decode("utf-8"))
    except UnicodeDecodeError:
        raise UserError("{} is not UTF-8 text; delete it or restore it from the copy this folder came "
                        "from".format(relpath(path)))
    except ValueError as e:
        raise UserError("{} is not valid JSON ({}); delete it or restore it from the copy this folder came "
                        "from".format(relpath(path), e))
    except RecursionError:
        raise UserError("{} nests deeper than any file this program writes; delete it or restore it from "
                        "the copy this folder came from".format(relpath(path)))


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


def machine():
    """What a result was computed on: training is deterministic per processor, not across processors (the
    same seed gave 9,902 and 9,906 on two AMD EPYC models), so every result file records it."""
    import platform
    fields = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key in ("vendor_id", "model name", "cpu family", "model", "flags") and key not in fields:
                    fields[key] = value.strip()
    except OSError:
        pass
    flags = set(fields.get("flags", "").split())
    isa = next((name for name in ("avx512f", "avx2", "avx", "sse4_2") if name in flags), "unknown")
    processor = fields.get("model name") or platform.processor() or platform.machine() or "unknown"
    if "cpu family" in fields:
        processor += " (family {}, model {})".format(fields["cpu family"], fields.get("model", "?"))
    import numpy
    return {"processor": processor, "isa": isa.replace("avx512f", "avx512"), "cores": os.cpu_count(),
            "numpy": numpy.__version__, "python": platform.python_version()}


def is_tty():
    return hasattr(sys.stdout, "isatty") and sys.stdout.isatty()
