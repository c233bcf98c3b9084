"""The IDX loader on files the tests write (good and broken), on real MNIST, and the verified download."""
import gzip
import hashlib
import os

import numpy as np
import pytest

import data_loader
from core.common import UserError
from conftest import make_mnist, write_idx


@pytest.mark.parametrize("gz", [True, False], ids=["gzipped", "plain"])
def test_reads_small_files(tmp_path, gz):
    folder = make_mnist(str(tmp_path), n_train=50, n_test=7, gz=gz)
    images, labels = data_loader.load_split(folder, "test")
    assert images.shape == (7, 28, 28) and images.dtype == np.float32 and labels.shape == (7,)
    assert 0.0 <= images.min() and images.max() <= 1.0
    raw = np.random.RandomState(0)  # make_mnist draws train images first, then train labels, then test
    raw.randint(0, 256, (50, 28, 28)), raw.randint(0, 10, 50)
    np.testing.assert_allclose(images * 255.0, raw.randint(0, 256, (7, 28, 28)), atol=1e-3)
    np.testing.assert_array_equal(labels, raw.randint(0, 10, 7))


def _expect_error(folder, split, *words):
    with pytest.raises(UserError) as info:
        data_loader.load_split(folder, split)
    for word in words:
        assert word in str(info.value)
    return str(info.value)


def test_missing_folder(tmp_path):
    _expect_error(str(tmp_path / "nowhere"), "train", "nowhere", "does not exist", "--data_dir")


def test_missing_file(tmp_path):
    folder = make_mnist(str(tmp_path))
    os.remove(os.path.join(folder, "t10k-labels-idx1-ubyte.gz"))
    _expect_error(folder, "test", "t10k-labels-idx1-ubyte", "missing")


def test_truncated_file(tmp_path):
    folder = make_mnist(str(tmp_path), gz=False)
    path = os.path.join(folder, "train-images-idx3-ubyte")
    with open(path, "r+b") as f:
        f.truncate(16 + 28 * 28 * 10)
    _expect_error(folder, "train", "train-images-idx3-ubyte", "truncated", "600 images")


def test_extra_bytes_are_corrupt(tmp_path):
    folder = make_mnist(str(tmp_path), gz=False)
    with open(os.path.join(folder, "t10k-labels-idx1-ubyte"), "ab") as f:
        f.write(b"\0" * 3)
    _expect_error(folder, "test", "t10k-labels-idx1-ubyte", "corrupt")


def test_header_shorter_than_idx_header(tmp_path):
    folder = make_mnist(str(tmp_path), gz=False)
    with open(os.path.join(folder, "t10k-images-idx3-ubyte"), "wb") as f:
        f.write(b"\0\0\x08")
    _expect_error(folder, "test", "t10k-images-idx3-ubyte", "truncated")


def test_wrong_magic(tmp_path):
    folder = make_mnist(str(tmp_path))
    # A label file where the image file should be.
    write_idx(os.path.join(folder, "t10k-images-idx3-ubyte.gz"), np.zeros(200), magic=2049)
    _expect_error(folder, "test", "t10k-images-idx3-ubyte.gz", "magic number 2049", "2051")


def test_wrong_image_size(tmp_path):
    folder = make_mnist(str(tmp_path))
    write_idx(os.path.join(folder, "t10k-images-idx3-ubyte.gz"), np.zeros((200, 32, 32)))
    _expect_error(folder, "test", "32x32", "28x28")


def test_count_mismatch(tmp_path):
    folder = make_mnist(str(tmp_path))
    write_idx(os.path.join(folder, "t10k-labels-idx1-ubyte.gz"), np.zeros(199))
    _expect_error(folder, "test", "200 images", "199 labels")


def test_label_out_of_range(tmp_path):
    folder = make_mnist(str(tmp_path))
    write_idx(os.path.join(folder, "t10k-labels-idx1-ubyte.gz"), np.full(200, 11))
    _expect_error(folder, "test", "label 11")


def test_corrupt_gzip(tmp_path):
    folder = make_mnist(str(tmp_path))
    with open(os.path.join(folder, "t10k-images-idx3-ubyte.gz"), "wb") as f:
        f.write(b"\x1f\x8b\x08\x00garbage")
    _expect_error(folder, "test", "t10k-images-idx3-ubyte.gz", "gzip")


def test_split_is_fixed_and_disjoint():
    images = np.arange(1000, dtype=np.float32).reshape(1000, 1, 1)
    labels = np.arange(1000) % 10
    (tx, ty), (vx, vy) = data_loader.train_validation_split(images, labels, 100)
    (tx2, _), (vx2, _) = data_loader.train_validation_split(images, labels, 100)
    assert len(tx) == 900 and len(vx) == 100
    np.testing.assert_array_equal(vx, vx2)
    assert not set(tx.ravel()) & set(vx.ravel())
    assert sorted(np.concatenate([tx.ravel(), vx.ravel()])) == list(range(1000))
    with pytest.raises(UserError):
        data_loader.train_validation_split(images, labels, 1000)


def test_real_mnist_facts(real_mnist):
    """The numbers in ../shared/data/mnist/README.md."""
    train_x, train_y = data_loader.load_split(real_mnist, "train")
    test_x, test_y = data_loader.load_split(real_mnist, "test")
    assert train_x.shape == (60000, 28, 28) and test_x.shape == (10000, 28, 28)
    assert list(np.bincount(train_y)) == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert list(np.bincount(test_y)) == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert abs(train_x.mean() - 0.13066) < 5e-5 and abs(train_x.std() - 0.30811) < 5e-5
    (tx, _), (vx, _) = data_loader.train_validation_split(train_x, train_y)
    assert len(tx) == 55000 and len(vx) == 5000


def _served_test_files(real_mnist):
    return {"/mirror/" + n + ".gz": open(os.path.join(real_mnist, n + ".gz"), "rb").read()
            for n in data_loader.FILES["test"]}


def test_download_verifies_and_skips_bad_mirrors(tmp_path, real_mnist, http_server):
    good = _served_test_files(real_mnist)
    # First mirror: 404s; second: a tampered label file; third: the real files.
    routes = dict(good)
    routes["/bad/t10k-images-idx3-ubyte.gz"] = good["/mirror/t10k-images-idx3-ubyte.gz"]
    routes["/bad/t10k-labels-idx1-ubyte.gz"] = gzip.compress(b"\0\0\x08\x01" + b"\0" * 100)
    server = http_server(routes)
    folder = str(tmp_path / "data")
    data_loader.download(folder, [server.url + "/missing/", server.url + "/bad/", server.url + "/mirror/"],
                         splits=("test",))
    for name in data_loader.FILES["test"]:
        with gzip.open(os.path.join(folder, name + ".gz")) as f:
            assert hashlib.sha256(f.read()).hexdigest() == data_loader.SHA256[name]
    assert data_loader.load_split(folder, "test")[0].shape == (10000, 28, 28)


def test_download_failures_leave_nothing(tmp_path, real_mnist, http_server):
    good = _served_test_files(real_mnist)
    body = good["/mirror/t10k-images-idx3-ubyte.gz"]
    server = http_server({"/short/t10k-images-idx3-ubyte.gz": (body[:1000], len(body)),
                          "/corrupt/t10k-images-idx3-ubyte.gz": body[:-1] + b"x"})
    folder = str(tmp_path / "data")
    with pytest.raises(UserError) as info:
        data_loader.download(folder, [server.url + "/short/", server.url + "/corrupt/", server.url + "/none/"],
                             splits=("test",))
    message = str(info.value)
    assert "t10k-images-idx3-ubyte" in message and "HTTP 404" in message
    assert "truncated" in message or "broke" in message
    assert os.listdir(folder) == []


def test_download_keeps_existing_files(tmp_path):
    folder = make_mnist(str(tmp_path))
    before = open(os.path.join(folder, "t10k-images-idx3-ubyte.gz"), "rb").read()
    data_loader.download(folder, ["http://127.0.0.1:9/unused/"], splits=("test",))  # nothing to fetch
    assert open(os.path.join(folder, "t10k-images-idx3-ubyte.gz"), "rb").read() == before


def test_a_gzip_bomb_is_refused_without_inflating_it(tmp_path):
    """A small .gz whose contents go on far past what the header promises is read only up to that size."""
    import gzip
    import struct
    import time
    import tracemalloc
    folder = make_mnist(str(tmp_path))
    path = os.path.join(folder, "t10k-images-idx3-ubyte.gz")
    with gzip.open(path, "wb", compresslevel=1) as f:
        f.write(struct.pack(">IIII", 2051, 200, 28, 28) + bytes(200 * 28 * 28))
        zeros = bytes(1 << 24)
        for _ in range(64):  # 1 GiB of zeros after the promised images, about 1 MB on disk
            f.write(zeros)
    assert os.path.getsize(path) < 8e6  # over 100 times smaller than what it inflates to
    tracemalloc.start()
    started = time.time()
    _expect_error(folder, "test", "t10k-images-idx3-ubyte.gz", "corrupt", "longer than")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 20e6 and time.time() - started < 5, (peak, time.time() - started)


def test_a_header_promising_too_much_is_refused(tmp_path):
    import struct
    folder = make_mnist(str(tmp_path), gz=False)
    with open(os.path.join(folder, "t10k-images-idx3-ubyte"), "r+b") as f:
        f.write(struct.pack(">IIII", 2051, 10 ** 9, 28, 28))
    _expect_error(folder, "test", "t10k-images-idx3-ubyte", "header promises", "far more than")
