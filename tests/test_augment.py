"""--augment's distortions: exact for known maps, seeded, and the same whether made in a worker or not."""
import numpy as np
import pytest

from core import augment


def _digits(n=6, seed=0):
    """Blobs of random strokes away from the border, like MNIST digits."""
    rng = np.random.RandomState(seed)
    images = np.zeros((n, 28, 28), np.float32)
    images[:, 6:22, 6:22] = rng.rand(n, 16, 16) * (rng.rand(n, 16, 16) > 0.6)
    return images


def test_strength_zero_is_the_identity():
    images = _digits()
    assert np.array_equal(augment.distort(images, np.random.RandomState(3), 0.0), images)


def test_known_maps_are_exact(monkeypatch):
    """A one-pixel shift to the right and a quarter turn give exactly the shifted and rotated images, so the
    coordinate conventions (rows y, columns x, the source of each output pixel) are right."""
    images = _digits(2)
    quarter = np.array([[0.0, 1.0], [-1.0, 0.0]])  # output offset (y, x) reads source offset (x, -y)
    maps = {"shift": (np.tile(np.eye(2), (2, 1, 1)), np.tile([0.0, 1.0], (2, 1))),
            "turn": (np.tile(quarter, (2, 1, 1)), np.zeros((2, 2)))}
    for name, (matrices, shifts) in maps.items():
        monkeypatch.setattr(augment, "_matrices", lambda rng, n, strength: (matrices, shifts))
        out = augment.distort(images, np.random.RandomState(0))
        if name == "shift":
            assert np.array_equal(out[:, :, 1:], images[:, :, :-1]) and not out[:, :, 0].any()
        else:
            assert np.allclose(out, np.rot90(images, k=1, axes=(1, 2)), atol=1e-5)


def test_distortions_are_seeded_small_and_per_image():
    images = _digits(300)
    first = augment.distort(images, np.random.RandomState(5))
    assert np.array_equal(first, augment.distort(images, np.random.RandomState(5)))
    assert not np.array_equal(first, augment.distort(images, np.random.RandomState(6)))
    # each image's distortion depends only on the seed and its place, not on how many come after it
    assert np.array_equal(first[:100], augment.distort(images[:100], np.random.RandomState(5)))
    assert 0.0 <= first.min() and first.max() <= 1.0
    moved = np.abs(first - images).sum(axis=(1, 2)) / images.sum(axis=(1, 2))
    assert (moved > 0.01).all()  # every image is changed...
    mass = first.sum(axis=(1, 2)) / images.sum(axis=(1, 2))
    assert (abs(mass - 1.0) < 0.3).all()  # ...but stays the same amount of ink, up to the scaling's +-10% a side


def test_the_worker_makes_what_distort_makes():
    """The other process gives the same images as distort() in this one, epoch after epoch, and leaves no files."""
    images = _digits(500)
    prefetch = augment.Prefetch(images, 1.0, lambda epoch: 1000 + epoch)
    try:
        for epoch in (1, 2, 3):
            made = np.array(prefetch.epoch(epoch, 3))
            assert np.array_equal(made, augment.distort(images, np.random.RandomState(1000 + epoch)))
    finally:
        prefetch.close()
    import os
    assert not os.path.exists(prefetch.folder)


def test_a_dead_worker_is_an_error_not_a_hang():
    prefetch = augment.Prefetch(_digits(10), 1.0, lambda epoch: epoch)
    try:
        prefetch.worker.kill()
        prefetch.worker.wait()
        with pytest.raises(RuntimeError, match="augmentation worker stopped"):
            prefetch.epoch(1, 2)
    finally:
        prefetch.close()
