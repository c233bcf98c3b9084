"""The results file: one JSON line per run, appended by train.py, read by sweep.py and compare.py.

An append replaces the file whole (a reader never sees half a line), under a lock on its folder (two runs
appending at once lose no line, and no lock file is left); its temporary file is removed on every failure, and
those of killed runs on the next append. Every line is checked when read, so that a file train.py did not write
is named in one line, never used nor appended to.
"""
import glob
import json
import math
import os
import tempfile


class ResultsError(ValueError):
    """A results file that cannot be read or written; the message says which and what to do."""


def _number(value, low=-math.inf, high=math.inf):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and low <= value <= high


def _is_run(r):
    """Whether a line is one of train.py's: the fields the readers use, of the right kinds and ranges."""
    return (isinstance(r, dict) and r.get("task") == "palindrome" and r.get("model") in ("rnn", "lstm")
            and isinstance(r.get("length"), int) and r["length"] >= 2 and isinstance(r.get("seed"), int)
            and isinstance(r.get("steps"), int) and isinstance(r.get("steps_done"), int)
            and 0 <= r["steps_done"] <= r["steps"] and r.get("stopped") in ("target", "budget")
            and _number(r.get("test_accuracy"), 0, 1) and _number(r.get("target"), 0, 1)
            and isinstance(r.get("curve"), list) and all(isinstance(row, list) and len(row) == 4 and all(
                _number(v) for v in row) for row in r["curve"]))


def read(path):
    """The runs in a results file ([] where there is none yet); ResultsError naming the first line that is
    not a run of train.py."""
    if not os.path.exists(path):
        return []
    if not os.path.isfile(path):
        raise ResultsError("{} is not a regular file; give a file such as results.jsonl".format(path))
    runs = []
    try:
        with open(path, "rb") as f:
            for k, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    run = json.loads(line.decode("utf-8"))
                except ValueError:  # json's errors and UnicodeDecodeError are ValueErrors
                    run = None
                if not _is_run(run):
                    raise ResultsError("{}: line {} is not a result of train.py, so this file is not one it wrote; "
                                       "give a new file or a results file of train.py".format(path, k))
                runs.append(run)
    except OSError as e:
        raise ResultsError("{} cannot be read ({}); give another file".format(path, e.strerror))
    return runs


def check_writable(path, flag="--results"):
    """ResultsError if a line could not be appended to path; checked before a run, so that minutes of
    training are not lost at the end and no file train.py did not write is changed."""
    if not path.strip():
        raise ResultsError("{} is empty; give a file such as results.jsonl".format(flag))
    if os.path.isdir(path):
        raise ResultsError("{}={} is a folder; give a file such as results.jsonl".format(flag, path))
    try:
        read(path)
    except ResultsError as e:
        raise ResultsError("{}={}".format(flag, e))
    folder = os.path.dirname(os.path.abspath(path))
    try:  # a trial file in the folder: permissions alone do not tell (root, read-only mounts, /proc)
        os.makedirs(folder, exist_ok=True)
        fd, trial = tempfile.mkstemp(dir=folder, prefix=".tmp-{}-{}-".format(os.path.basename(path), os.getpid()))
        os.close(fd)
        os.remove(trial)
    except OSError as e:
        raise ResultsError("{}={}: its folder cannot be written ({}); point {} elsewhere".format(
            flag, path, e.strerror or e, flag))


def _lock(folder):
    """An exclusive lock on the folder itself while its file is read and replaced; None where there is no flock."""
    try:
        import fcntl
        fd = os.open(folder, os.O_RDONLY)
    except (ImportError, OSError):
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError:
        os.close(fd)
        return None
    return fd


def _remove_stale(folder, base):
    """The temporary files of appends whose process is gone (killed while writing)."""
    if os.name != "posix":  # only POSIX's os.kill(pid, 0) asks without signalling
        return
    prefix = os.path.join(folder, ".tmp-{}-".format(base))
    for tmp in glob.glob(glob.escape(prefix) + "*"):
        try:
            os.kill(int(tmp[len(prefix):].split("-")[0]), 0)
        except ValueError:  # not one of ours
            continue
        except ProcessLookupError:
            try:
                os.remove(tmp)
            except OSError:
                pass
        except OSError:  # alive, another user's
            continue


def mode_for(path):
    """The permissions a replaced file keeps (mkstemp's are the owner's only): the old file's, or the usual ones."""
    if os.path.exists(path):
        return os.stat(path).st_mode & 0o777
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def append(path, line):
    """The file with one more line (a JSON text without newlines), replaced whole."""
    folder, base = os.path.dirname(os.path.abspath(path)), os.path.basename(path)
    os.makedirs(folder, exist_ok=True)
    lock, tmp = _lock(folder), None
    try:
        _remove_stale(folder, base)
        old = open(path, "rb").read() if os.path.isfile(path) else b""
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-{}-{}-".format(base, os.getpid()))
        with os.fdopen(fd, "wb") as f:
            f.write(old + (b"" if not old or old.endswith(b"\n") else b"\n") + line.encode("utf-8") + b"\n")
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode_for(path))
        os.replace(tmp, path)
        tmp = None
    finally:
        if tmp is not None:
            try:
                os.remove(tmp)
            except OSError:
                pass
        if lock is not None:
            os.close(lock)  # releases the lock
