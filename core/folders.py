"""Replacing a folder safely: one process at a time (`training_lock`), and the one swap routine (`swap_in`)
by which a new folder takes an old one's place, the old one moved aside to <name>.previous-<time>/."""
import datetime
import errno
import os
import shutil

from core.common import UserError, log, relpath

try:
    import fcntl
except ImportError:  # not on Windows: no lock there
    fcntl = None


def aside_name(target):
    """<target>.previous-<time>, unused so far (never deleted by this program)."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    aside, n = "{}.previous-{}".format(target, stamp), 1
    while os.path.exists(aside):
        aside, n = "{}.previous-{}-{}".format(target, stamp, n), n + 1
    return aside


def swap_in(staged, target, keep_old=True):
    """The one way a folder is replaced: `target` (if any) is renamed to <target>.previous-<time>/, then
    `staged` to `target`, so a reader sees the old folder or the new one, never a mix. Returns the old
    folder's new path (None if there was none); with keep_old=False it is deleted once the new one is in."""
    aside = None
    if os.path.isdir(target):
        aside = aside_name(target)
        os.rename(target, aside)
    try:
        os.rename(staged, target)
    except BaseException:
        if aside:
            os.rename(aside, target)
        raise
    if aside and not keep_old:
        shutil.rmtree(aside, ignore_errors=True)
        return None
    return aside


def promote(staged, final):
    """The new run in <config>.new/ takes the folder's place; the run that was there moves aside."""
    aside = swap_in(staged.path, final.path)
    if aside:
        log("an earlier run was in {}; moved it to {}".format(relpath(final.path), relpath(aside)))
    return final


class training_lock(object):
    """Only one process trains <weights_dir>/<name> at a time. The lock is an flock on a small file beside
    the folder, which the kernel releases when the process ends, however it ends: a kill cannot leave it stuck."""

    def __init__(self, weights_dir, name):
        self.path = os.path.join(weights_dir, ".{}.lock".format(name))
        self.name, self.weights_dir, self.fd = name, weights_dir, None

    def __enter__(self):
        os.makedirs(self.weights_dir, exist_ok=True)
        while True:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            if fcntl is None:
                break
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as e:
                if e.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise
                holder = os.pread(self.fd, 32, 0).decode("ascii", "replace").strip() or "?"
                os.close(self.fd)
                raise UserError("another process (pid {}) is training {} in {}; wait for it to finish or stop it, "
                                "then run this again".format(holder, self.name, relpath(self.weights_dir)))
            try:  # the holder before us may have removed the file after we opened it: lock the file that is there
                if os.stat(self.path).st_ino == os.fstat(self.fd).st_ino:
                    break
            except FileNotFoundError:
                pass
            os.close(self.fd)
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, str(os.getpid()).encode("ascii"), 0)
        return self

    def __exit__(self, *exc):
        try:
            os.remove(self.path)  # while still holding the lock, so that no other process holds this file
        except OSError:
            pass
        os.close(self.fd)
        return False


def training_pid(weights_dir, name):
    """The pid of the process training <weights_dir>/<name> now (it holds the lock), or None."""
    path = os.path.join(weights_dir, ".{}.lock".format(name))
    if fcntl is None or not os.path.isfile(path):
        return None
    with open(path, "rb") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return f.read(32).decode("ascii", "replace").strip() or "?"
        fcntl.flock(f.fileno(), fcntl.LOCK_UN)
    return None
