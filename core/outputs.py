"""Where a program's output may go, and its temporary files: an output flag receives only the program's own kind
of file (check_output); a temporary file or folder names the process that made it, so that one a killed run left
(kill -9: no code runs) is known as stale and removed by the next run (remove_stale, scratch_folder)."""
import contextlib
import os
import re
import shutil
import signal
import stat
import tempfile

from core.common import UserError

# A temporary file or folder names the process that made it (.tmp-<name>.<pid>.<random>), so that one left by a
# killed run (kill -9: no code runs) is known as stale and removed by the next write into that folder.
STALE = re.compile(r"^\.tmp-.*\.(\d+)\.[a-z0-9_]{8}$")
SCRATCH = re.compile(r"^mnist-rnn-[a-z0-9-]+\.(\d+)\.[a-z0-9_]{8}$")  # scratch folders in the system temp folder


def _dead(pid):
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):  # alive under another user, or not a pid at all
        return False
    return False


def remove_stale(folder, pattern=STALE):
    """Remove the temporary files (and folders) in `folder` whose names match `pattern` and whose process is gone:
    what a killed run of one of our programs left. Best effort: one that cannot be removed stays, harmless."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        match = pattern.match(name)
        if not match or not _dead(int(match.group(1))):
            continue
        path = os.path.join(folder, name)
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                if os.stat(path).st_uid == os.getuid():  # the system temp folder is shared: only our own
                    shutil.rmtree(path, ignore_errors=True)
            else:
                os.remove(path)
        except OSError:
            pass


@contextlib.contextmanager
def scratch_folder(label):
    """A folder in the system temp folder for the duration of a `with` block, removed on every exit; one left by
    a killed run (kill -9) is removed by the next use, of any label."""
    remove_stale(tempfile.gettempdir(), SCRATCH)
    path = tempfile.mkdtemp(prefix="mnist-rnn-{}.{}.".format(label, os.getpid()))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


# What each kind of output file begins with: an existing file is replaced only by one of its own kind.
OUTPUT_KINDS = {".zip": ("a zip", (b"PK\x03\x04", b"PK\x05\x06")), ".pdf": ("a PDF", (b"%PDF-",)),
                ".tar.gz": ("a .tar.gz archive", (b"\x1f\x8b",)), ".png": ("a PNG image", (b"\x89PNG\r\n\x1a\n",))}


def check_output(path, flag, kind, force=False):
    """Before anything is made: `path`, the value of `flag` (--output), may receive this program's `kind` of file
    (".zip", ".pdf", ...): its name ends so, and what stands there now is nothing, or a file of that kind (one the
    program wrote before), or any regular file when `force` (--force). Otherwise a UserError that says what to do,
    so that --output=main.py or README.md or a pipe is one line and nothing is written."""
    what, magics = OUTPUT_KINDS[kind]
    given = "{}={}".format(flag, path)
    if os.path.isdir(path):
        raise UserError("{} is a folder; give a file name ending in {}".format(given, kind))
    if not os.path.basename(path).lower().endswith(kind) or os.path.basename(path).lower() == kind:
        raise UserError("{} does not end in {}: this program writes {} there and nothing else; give a name ending "
                        "in {}".format(given, kind, what, kind))
    if not os.path.lexists(path):
        return
    try:
        regular = stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        regular = False
    if not regular:
        raise UserError("{} names a pipe, a device or a link to nothing, not a file; give the name of a new file "
                        "ending in {}".format(given, kind))
    if force:
        return
    with open(path, "rb") as f:
        head = f.read(16)
    if not head.startswith(magics):
        raise UserError("{} is an existing file that is not {}, so it is not replaced; give another name, or add "
                        "--force to replace it".format(given, what))


def dies_with_us():
    """subprocess's preexec_fn: the child gets SIGTERM when this process dies, even by kill -9 (Linux's
    PR_SET_PDEATHSIG), so that a killed program's helper stops instead of writing into a removed folder."""
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG
    except Exception:  # not Linux: the child runs to its end, and its scratch is removed as stale
        pass
