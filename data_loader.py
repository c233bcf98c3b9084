"""MNIST from the four standard IDX files, checked before use.

Files are looked up in --data_dir (default ../data beside this folder) by
their standard names, gzipped or not. Every header is checked (magic number,
28x28 images, byte count, labels 0-9, equal counts) and any problem becomes a
UserError naming the file. `--download` fetches missing files from public
mirrors and keeps them only if the SHA-256 of the decompressed bytes matches.
"""
import gzip
import hashlib
import os
import struct
import zlib

import numpy as np

from core.common import PROJECT_DIR, UserError, atomic_write_bytes, log, relpath
from core import fetch

DEFAULT_DATA_DIR = os.path.join(os.path.dirname(PROJECT_DIR), "data")
VALIDATION_SIZE = 5000
SPLIT_SEED = 0  # fixed, so the validation set is the same whatever --seed says

FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
# SHA-256 of the four standard MNIST files, decompressed: --download checks each file against them, and a test set
# that differs is reported as another set.
SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
# The largest of the four .gz files is 9.9 MB; a mirror may not send more, nor take longer than this.
MAX_DOWNLOAD_BYTES = 20 * 1000 * 1000
DOWNLOAD_SECONDS = 900
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
IMAGE_MAGIC, LABEL_MAGIC = 2051, 2049


def find_file(data_dir, name):
    """The path of the file `name` in data_dir, or of its gzipped copy (+ .gz), or a UserError saying what to do."""
    data_dir = os.path.expanduser(data_dir)  # --data_dir=~/data: a shell leaves the ~ after "=" as it is
    if not os.path.isdir(data_dir):
        raise UserError("data folder {} does not exist; put the four MNIST IDX files there, "
                        "point --data_dir at them, or add --download".format(relpath(data_dir)))
    if not os.access(data_dir, os.R_OK | os.X_OK):
        raise UserError("data folder {} cannot be read (permission denied); fix its permissions or point "
                        "--data_dir elsewhere".format(relpath(data_dir)))
    for candidate in (name, name + ".gz"):
        path = os.path.join(data_dir, candidate)
        if os.path.isfile(path):
            return path
    raise UserError("{} (or {}.gz) is missing from {}; copy it there or add --download".format(
        name, name, relpath(data_dir)))


# The largest file the header may promise: MNIST's training images are 47 MB. A gzip file can inflate to
# far more than it holds (a 4 MB "bomb" to 4 GB), so reading stops where the header says the data ends.
MAX_IDX_BYTES = 200 * 1000 * 1000


def _product(sizes):
    total = 1
    for size in sizes:
        total *= size
    return total


def _read_bytes(path, magic):
    """The IDX file's bytes, inflated as a stream up to the size its header promises (plus one byte, so that
    a longer file is still noticed as corrupt)."""
    ndim = 3 if magic == IMAGE_MAGIC else 1
    try:
        with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
            header = f.read(4 + 4 * ndim)
            if len(header) < 4 + 4 * ndim or struct.unpack(">I", header[:4])[0] != magic:
                return header  # parse_idx reports it as truncated, or of the wrong kind
            # In Python integers: a damaged header's product cannot overflow past the bound below.
            promised = len(header) + _product(struct.unpack(">" + "I" * ndim, header[4:]))
            if promised > MAX_IDX_BYTES:
                raise UserError("{}'s header promises {:,} bytes, far more than any MNIST file; replace the "
                                "file".format(relpath(path), promised))
            return header + f.read(promised - len(header) + 1)
    except (OSError, EOFError, zlib.error) as e:
        raise UserError("{} is not a readable gzip file ({}); delete it and copy or download it again".format(
            relpath(path), e))


def parse_idx(data, path, magic):
    """Check an IDX buffer's header against its size; return (count, the payload as uint8)."""
    kind = "images" if magic == IMAGE_MAGIC else "labels"
    ndim = 3 if magic == IMAGE_MAGIC else 1
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise UserError("{} is truncated: {} bytes, shorter than an IDX header; replace the file".format(
            relpath(path), len(data)))
    found = struct.unpack(">I", data[:4])[0]
    if found != magic:
        raise UserError("{} is not an MNIST {} file (magic number {}, expected {}); check the file name".format(
            relpath(path), kind, found, magic))
    dims = struct.unpack(">" + "I" * ndim, data[4:header_size])
    expected = header_size + _product(dims)
    if len(data) < expected:
        raise UserError("{} is truncated: its header promises {} {} ({} bytes) but it has {} bytes; replace the "
                        "file".format(relpath(path), dims[0], kind, expected, len(data)))
    if len(data) > expected:
        raise UserError("{} is corrupt: it is longer than the {} bytes its header promises ({} {}); replace the "
                        "file".format(relpath(path), expected, dims[0], kind))
    if ndim == 3 and dims[1:] != (28, 28):
        raise UserError("{} holds {}x{} images; this program reads 28x28 MNIST images".format(
            relpath(path), dims[1], dims[2]))
    return dims[0], np.frombuffer(data, dtype=np.uint8, offset=header_size)


def test_set_of(data_dir):
    """Which test set data_dir holds: {"standard": MNIST's own 10,000 images (by SHA-256 of both files), "count":
    images, "sha256": of the images' and labels' bytes together}, so that a result on another set is never
    filed as one on MNIST's."""
    digests, count = [], 0
    for name, magic in zip(FILES["test"], (IMAGE_MAGIC, LABEL_MAGIC)):
        path = find_file(data_dir, name)
        data = _read_bytes(path, magic)
        count = parse_idx(data, path, magic)[0]
        digests.append(hashlib.sha256(data).hexdigest())
    standard = digests == [SHA256[name] for name in FILES["test"]]
    return {"standard": standard, "count": count, "sha256": hashlib.sha256("".join(digests).encode()).hexdigest()}


def load_split(data_dir, split):
    """Return (images float32 [N, 28, 28] in [0, 1], labels int64 [N]) for 'train' or 'test'."""
    image_name, label_name = FILES[split]
    image_path, label_path = find_file(data_dir, image_name), find_file(data_dir, label_name)
    n_images, pixels = parse_idx(_read_bytes(image_path, IMAGE_MAGIC), image_path, IMAGE_MAGIC)
    n_labels, labels = parse_idx(_read_bytes(label_path, LABEL_MAGIC), label_path, LABEL_MAGIC)
    if n_images != n_labels:
        raise UserError("{} has {} images but {} has {} labels; the two files must come from the same set".format(
            relpath(image_path), n_images, relpath(label_path), n_labels))
    if n_images == 0:
        raise UserError("{} holds no images".format(relpath(image_path)))
    if labels.max() > 9:
        raise UserError("{} holds label {}; MNIST labels are 0-9".format(relpath(label_path), labels.max()))
    images = pixels.reshape(n_images, 28, 28).astype(np.float32) / 255.0
    return images, labels.astype(np.int64)


# --crop_augment: random crops read as pixel streams of variable length.
# A crop of h x w pixels (each side drawn uniformly from 24..28) at a random place in the 28 x 28 image
# is read row-major as one stream of h*w pixels and cut into time steps of 28 pixels; the last step is
# zero-padded and the example's length is the number of steps that hold pixels:
#     crop [h, w] -> stream [h*w] -> ceil(h*w / 28) steps of 28 (21 to 28 steps)
# Rows of the crop no longer line up with time steps, so the model has to learn the digit from a stream
# rather than from fixed rows. The test set gets the same treatment once, with a fixed seed.
MIN_SIDE, MAX_SIDE = 24, 28
SIDE = 28              # images are SIDE x SIDE; a time step holds SIDE pixels
TEST_CROP_SEED = 2014  # the cropped test set is the same for every model and every run


def random_crops(images, rng):
    """images [N, 28, 28] -> (streams [N, 28, 28] zero-padded, lengths [N] in steps)."""
    n = len(images)
    heights = rng.randint(MIN_SIDE, MAX_SIDE + 1, n)
    widths = rng.randint(MIN_SIDE, MAX_SIDE + 1, n)
    tops = rng.randint(0, SIDE - heights + 1)    # one draw per example, each with its own upper bound
    lefts = rng.randint(0, SIDE - widths + 1)
    streams = np.zeros((n, SIDE * SIDE), np.float32)
    for k in range(n):
        crop = images[k, tops[k]:tops[k] + heights[k], lefts[k]:lefts[k] + widths[k]].ravel()  # [h, w] -> [h*w]
        streams[k, :crop.size] = crop
    lengths = -(-(heights * widths) // SIDE)      # ceil(h*w / 28)
    return streams.reshape(n, SIDE, SIDE), lengths.astype(np.int32)  # [N, 784] -> [N, 28 steps, 28]


def train_validation_split(images, labels, validation_size=VALIDATION_SIZE, split="shuffled"):
    """Split the training set the same way every time: ((train), (validation)). "shuffled": a fixed
    permutation's first validation_size images validate; "first": the first validation_size images do, as in
    TensorFlow's own MNIST reader (tensorflow.examples.tutorials.mnist, which holds out the first 5,000)."""
    if validation_size >= len(images):
        raise UserError("the training set has {} images, too few for a {}-image validation set; "
                        "lower --validation_size".format(len(images), validation_size))
    order = np.arange(len(images)) if split == "first" else np.random.RandomState(SPLIT_SEED).permutation(len(images))
    val, train = order[:validation_size], order[validation_size:]
    return (images[train], labels[train]), (images[val], labels[val])


def _gunzip_sha256(packed):
    """SHA-256 of the decompressed bytes, inflated in pieces and never past MAX_IDX_BYTES (no gzip bomb)."""
    digest, inflate, size = hashlib.sha256(), zlib.decompressobj(16 + zlib.MAX_WBITS), 0
    data = packed
    while data:
        piece = inflate.decompress(data, 1 << 20)
        size += len(piece)
        if size > MAX_IDX_BYTES:
            raise EOFError("it inflates to more than {:,} bytes".format(MAX_IDX_BYTES))
        digest.update(piece)
        data = inflate.unconsumed_tail
    digest.update(inflate.flush())  # whatever zlib still holds (nothing, for a well-formed stream)
    if not inflate.eof:
        raise EOFError("the gzip stream ends early")
    return digest.hexdigest()


def download(data_dir, mirrors=MIRRORS, splits=("train", "test")):
    """Fetch every missing standard file, verified by SHA-256 of its decompressed bytes."""
    data_dir = os.path.expanduser(data_dir)
    os.makedirs(data_dir, exist_ok=True)
    for split in splits:
        for name in FILES[split]:
            if any(os.path.isfile(os.path.join(data_dir, n)) for n in (name, name + ".gz")):
                continue
            errors = []
            for mirror in mirrors:
                url = mirror.rstrip("/") + "/" + name + ".gz"
                try:
                    packed = fetch.fetch_bytes(url, label=name + ".gz", max_bytes=MAX_DOWNLOAD_BYTES,
                                               deadline=DOWNLOAD_SECONDS)
                    digest = _gunzip_sha256(packed)
                except (fetch.FetchError, OSError, EOFError, zlib.error) as e:
                    errors.append("{}: {}".format(url, e))
                    continue
                if digest != SHA256[name]:
                    errors.append("{}: SHA-256 {} does not match the standard file".format(url, digest[:12]))
                    continue
                atomic_write_bytes(os.path.join(data_dir, name + ".gz"), packed)
                log("downloaded and verified {}".format(name + ".gz"))
                break
            else:
                raise UserError("could not download {} from any mirror ({}); check the network or copy "
                                "the file into {} by hand".format(name, "; ".join(errors), relpath(data_dir)))
