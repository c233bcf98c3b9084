"""A grader's own test set never overwrites the record of MNIST's: its result is filed apart, by set."""
import gzip
import json
import os
import shutil

import pytest

import data_loader
from conftest import ROOT, main_in_process, write_idx


def _first_test_images(source, target, n):
    """target/ with MNIST's training files and the first n test images as the test set."""
    os.makedirs(target)
    for name in data_loader.FILES["train"]:
        shutil.copy(data_loader.find_file(source, name), target)
    images, labels = data_loader.load_split(source, "test")
    write_idx(os.path.join(target, "t10k-images-idx3-ubyte.gz"), (images[:n] * 255).round())
    write_idx(os.path.join(target, "t10k-labels-idx1-ubyte.gz"), labels[:n])
    return target


@pytest.mark.slow
def test_a_2000_image_test_set_leaves_the_shipped_record_alone(real_mnist, tmp_path, monkeypatch):
    import core.common
    results = tmp_path / "results"
    results.mkdir()
    shutil.copy(os.path.join(ROOT, "results", "lstm_h32.json"), str(results))
    before = (results / "lstm_h32.json").read_bytes()
    monkeypatch.setattr(core.common, "RESULTS_DIR", str(results))  # where --test files the shipped weights'
    # No run of the user's own: --test would rightly take runs/lstm_h32 over the shipped weights if there were one.
    monkeypatch.setattr(core.common, "RUNS_DIR", str(tmp_path / "runs"))
    data = _first_test_images(real_mnist, str(tmp_path / "data"), 2000)
    code, out, err = main_in_process(["--model=lstm", "--test", "--hidden_unit=32", "--data_dir=" + data])
    assert code == 0, err
    assert (results / "lstm_h32.json").read_bytes() == before
    found = [os.path.join(d, f) for d, _, files in os.walk(str(results / "test-sets")) for f in files]
    assert len(found) == 1 and os.path.basename(os.path.dirname(found[0])).startswith("2000-"), found
    with open(found[0]) as f:
        other = json.load(f)
    assert other["test_count"] == 2000 and other["test_set"]["count"] == 2000
    assert "of 2,000 other images correct" in out and "other than MNIST's 10,000" in out


def test_mnists_own_test_set_is_known_by_its_checksums(real_mnist, tmp_path):
    assert data_loader.test_set_of(real_mnist)["standard"]
    other = _first_test_images(real_mnist, str(tmp_path / "d"), 100)
    found = data_loader.test_set_of(other)
    assert not found["standard"] and found["count"] == 100


def test_an_idx_header_whose_sizes_overflow_64_bits_is_one_error_before_any_read(tmp_path):
    """454279 x 31252369 x 1299314 wraps past int64 to a small number in NumPy; in Python it is far above the
    cap, so nothing is inflated (the file below is a few bytes, its header would promise petabytes)."""
    import struct
    from core.common import UserError
    for dims in ((454279, 31252369, 1299314), (2147483649, 2147483649, 4294967295)):
        path = str(tmp_path / "t10k-images-idx3-ubyte.gz")
        with gzip.open(path, "wb") as f:
            f.write(struct.pack(">IIII", 2051, *dims) + b"\0" * 1000)
        with pytest.raises(UserError, match="promises .* bytes, far more than any MNIST file"):
            data_loader._read_bytes(path, data_loader.IMAGE_MAGIC)


def test_an_overflowing_header_over_a_gzip_bomb_is_refused_before_it_is_inflated(tmp_path):
    """The header's sizes overflow int64 to -2 (which slipped under the cap and read the whole stream): 200 MB of
    zeros behind it must not be inflated; peak memory grows by far less than that."""
    import struct
    import tracemalloc
    from core.common import UserError
    path = str(tmp_path / "t10k-images-idx3-ubyte.gz")
    with gzip.open(path, "wb", compresslevel=1) as f:
        f.write(struct.pack(">IIII", 2051, 454279, 31252369, 1299314))
        chunk = b"\0" * (1 << 20)
        for _ in range(200):
            f.write(chunk)
    tracemalloc.start()
    try:
        with pytest.raises(UserError, match="far more than any MNIST file"):
            data_loader._read_bytes(path, data_loader.IMAGE_MAGIC)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * 1000 * 1000, peak
