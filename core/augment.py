"""--augment: random affine distortions of the training images, in NumPy, outside the graph.

Each training image gets its own small rotation, scaling, shear and shift,
drawn uniformly within +-RANGES times --augment (1.0 = the ranges below), and
is resampled bilinearly (pixels that come from outside the image are 0, as
MNIST's background is):

    source point = A (p - centre) + centre - shift,   A = (rotation . shear . scaling)^-1

The distortions of an epoch come from one seed (train.epoch_seed, stream 2),
so a resumed run sees the same images as an uninterrupted one; the graph is
the same with or without, so any checkpoint can be trained further either way.
Cost (measured): a whole epoch's 55,000 images take about half
a second of one core, so train.py has the next epoch's images made in
another process while the current epoch trains (`Prefetch`).
"""
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

# The largest distortion at --augment=1: the digits stay readable, and rarely touch the border
# (MNIST digits fit a 20 x 20 box centred in 28 x 28, so a 2-pixel shift and 10% growth still fit).
RANGES = {"rotation_degrees": 10.0, "scale": 0.1, "shear": 0.1, "shift_pixels": 2.0}
_CHUNK = 128  # images per vectorised step: [128, 784] arrays fit the 2 MB cache (0.48 s per epoch; 2048: 0.72 s)


def _matrices(rng, n, strength):
    """n random 2x2 maps (output offset -> source offset) and shifts, in pixels, as (A [n,2,2], t [n,2])."""
    u = rng.uniform(-1.0, 1.0, size=(n, 5)) * strength
    angle = np.deg2rad(RANGES["rotation_degrees"]) * u[:, 0]
    scale = 1.0 + RANGES["scale"] * u[:, 1]
    shear = RANGES["shear"] * u[:, 2]
    shift = RANGES["shift_pixels"] * u[:, 3:5]            # [n, 2] as (dy, dx)
    cos, sin = np.cos(angle), np.sin(angle)
    # forward map M = R(angle) . [[1, shear], [0, 1]] . scale; the source of an output pixel is M^-1.
    m = np.empty((n, 2, 2))
    m[:, 0, 0], m[:, 0, 1] = cos * scale, (cos * shear - sin) * scale
    m[:, 1, 0], m[:, 1, 1] = sin * scale, (sin * shear + cos) * scale
    return np.linalg.inv(m), shift


def distort(images, rng, strength=1.0, out=None):
    """images float32 [N, 28, 28] -> a distorted copy [N, 28, 28] (written into `out` if given); the same
    rng state gives the same copy."""
    n, side = images.shape[0], images.shape[1]
    inverse, shift = _matrices(rng, n, strength)
    inverse, shift = inverse.astype(np.float32), shift.astype(np.float32)
    centre, wide = (side - 1) / 2.0, side + 2
    offsets = np.arange(side, dtype=np.float32) - centre
    padded = np.zeros((n, wide, wide), np.float32)  # a ring of zeros: what lies outside the image
    padded[:, 1:-1, 1:-1] = images
    flat = padded.reshape(-1)
    out = np.empty(images.shape, np.float32) if out is None else out
    pixels = out.reshape(n, side * side)  # a view: [N, 28, 28] -> [N, 784]
    for start in range(0, n, _CHUNK):
        stop = min(start + _CHUNK, n)
        a, t = inverse[start:stop], shift[start:stop]
        # source coordinates in the padded image, [c, 28 rows, 28 columns] -> [c, 784]: a row's part plus a
        # column's part (the map is affine), so 2 products per image and axis instead of 2 per pixel
        sy = ((a[:, 0, :1] * offsets + (centre + 1.0 - t[:, :1]))[:, :, None]
              + (a[:, 0, 1:] * offsets)[:, None, :]).reshape(-1, side * side)
        sx = ((a[:, 1, :1] * offsets + (centre + 1.0 - t[:, 1:]))[:, :, None]
              + (a[:, 1, 1:] * offsets)[:, None, :]).reshape(-1, side * side)
        np.clip(sy, 0.0, side, out=sy)  # anything beyond the ring reads the ring's zeros
        np.clip(sx, 0.0, side, out=sx)
        y0, x0 = sy.astype(np.int32), sx.astype(np.int32)
        sy -= y0  # now the fractions
        sx -= x0
        idx = y0 * wide
        idx += x0
        idx += (np.arange(start, stop, dtype=np.int32) * (wide * wide))[:, None]
        # bilinear, in place: top = p00 + (p01 - p00) fx, bottom likewise, then top + (bottom - top) fy
        top, right = np.take(flat, idx), np.take(flat, idx + 1)
        right -= top
        right *= sx
        top += right
        idx += wide
        bottom, right = np.take(flat, idx), np.take(flat, idx + 1)
        right -= bottom
        right *= sx
        bottom += right
        bottom -= top
        bottom *= sy
        top += bottom
        pixels[start:stop] = top
    return out


class WorkerStopped(RuntimeError):
    """The process making the distorted images ended (killed, out of memory)."""


class Prefetch(object):
    """Distorted copies of one image set, one per epoch, each made by a worker process while the epoch
    before trains.

    A process, not a thread: for small models the training loop is bound by the interpreter's lock,
    which a NumPy thread would take from it (+41% per LSTM-32 epoch with a thread). The images and
    two output buffers are shared memory-mapped files, so nothing is copied between the processes:
    the worker (this file run as a program; told "epoch seed buffer" on stdin, it answers with the
    epoch on stdout) writes epoch e+1 into one buffer while epoch e reads the other.
    """

    def __init__(self, images, strength, seed_of_epoch):
        self.seed_of_epoch, self.requested, self.worker = seed_of_epoch, set(), None
        self.folder = tempfile.mkdtemp(prefix="augment-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
        try:
            source = np.lib.format.open_memmap(os.path.join(self.folder, "source.npy"), "w+", np.float32,
                                               images.shape)
            source[:] = images
            source.flush()
            self.buffers = [np.lib.format.open_memmap(os.path.join(self.folder, "out{}.npy".format(k)), "w+",
                                                      np.float32, images.shape) for k in (0, 1)]
            self.worker = subprocess.Popen([sys.executable, os.path.abspath(__file__), self.folder, repr(strength)],
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, universal_newlines=True)
            if self.worker.stdout.readline() != "ready\n":
                raise WorkerStopped("the augmentation worker did not start (exit status {})".format(self.worker.wait()))
        except BaseException:
            self.close()
            raise
        finally:
            # Both processes have mapped the files, so their names can go: the memory is freed when the
            # last map closes, however either process ends (a SIGKILL included).
            shutil.rmtree(self.folder, ignore_errors=True)

    def _request(self, epoch):
        if epoch not in self.requested:
            self.requested.add(epoch)
            try:
                self.worker.stdin.write("{} {} {}\n".format(epoch, self.seed_of_epoch(epoch), epoch % 2))
                self.worker.stdin.flush()
            except BrokenPipeError:
                pass  # it has stopped; epoch() says so

    def epoch(self, epoch, last_epoch):
        """This epoch's images (waiting for them if need be); the next epoch's are started now, into the
        other buffer, which the epoch before this one has finished reading."""
        self._request(epoch)
        while True:
            line = self.worker.stdout.readline()
            if not line:
                raise WorkerStopped("the augmentation worker stopped (exit status {})".format(self.worker.wait()))
            if int(line) == epoch:
                break
        if epoch < last_epoch:
            self._request(epoch + 1)
        return self.buffers[epoch % 2]

    def close(self):
        if self.worker is not None:
            self.worker.kill()
            self.worker.wait()
            for stream in (self.worker.stdin, self.worker.stdout):
                try:
                    stream.close()
                except OSError:
                    pass  # the pipe's other end is gone


def _work(folder, strength):
    """The worker: distort the shared images into the buffer named in each request, then answer."""
    source = np.load(os.path.join(folder, "source.npy"), mmap_mode="r")
    buffers = [np.load(os.path.join(folder, "out{}.npy".format(k)), mmap_mode="r+") for k in (0, 1)]
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    for line in sys.stdin:
        epoch, seed, slot = (int(v) for v in line.split())
        distort(source, np.random.RandomState(seed), strength, out=buffers[slot])
        sys.stdout.write("{}\n".format(epoch))
        sys.stdout.flush()


if __name__ == "__main__":
    if len(sys.argv) != 3:  # started by the trainer with its shared folder and strength, never by hand
        sys.exit("error: core/augment.py is the trainer's worker, not a program; train with python main.py "
                 "--train --augment=1")
    try:
        _work(sys.argv[1], float(sys.argv[2]))
    except (KeyboardInterrupt, BrokenPipeError):
        pass  # the trainer stopped
