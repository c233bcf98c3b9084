"""The memory tasks' sequences. Each generator returns (inputs [N, T, D] float32, targets, lengths [N]).

Every draw takes its own RandomState, so that training, validation and test sequences come from separate
seeds (net.py: seed, 10**6 + seed and 2 * 10**6 + seed).
"""
import numpy as np

ENCODINGS = ("scalar", "onehot")


def encode(digits, encoding):
    """Digits [N, T] -> inputs [N, T, D]: one scalar per digit (D = 1, the value 0..9, as a PyTorch
    palindrome dataset usually feeds them) or one-hot (D = 10)."""
    if encoding == "scalar":
        return digits[:, :, None].astype(np.float32)  # [N, T] -> [N, T, 1]
    return np.eye(10, dtype=np.float32)[digits]  # [N, T] -> [N, T, 10]


def input_size(task, encoding):
    return 2 if task == "binary_addition" else (1 if encoding == "scalar" else 10)


def palindromes(rng, n, length, encoding="scalar"):
    """Inputs: the first T-1 digits of random palindromes of length T; target: the T-th (= the first).
    For T <= 6 there are at most 1,000 different palindromes, so training also sees held-out ones."""
    half = rng.randint(0, 10, (n, (length + 1) // 2))
    full = np.concatenate([half, half[:, :length // 2][:, ::-1]], axis=1)  # [N, T], reads the same reversed
    return encode(full[:, :-1], encoding), full[:, -1], np.full(n, length - 1, np.int32)


def recall_sequences(rng, n, min_length, max_length, position, encoding="onehot"):
    """Random digits of random length (zero-padded to max_length); target: the digit at `position`
    (1-based). Padding steps are skipped by the unroll (sequence_length), so their value does not matter."""
    digits = rng.randint(0, 10, (n, max_length))
    lengths = rng.randint(min_length, max_length + 1, n).astype(np.int32)
    real = np.arange(max_length)[None, :, None] < lengths[:, None, None]  # [N, T, 1]
    return (encode(digits, encoding) * real).astype(np.float32), digits[:, position - 1], lengths


def additions(rng, n, bits, steps=None):
    """Bit pairs (a_t, b_t), least significant first, then (0, 0) for the carry; targets: the sum's bits.
    Padded with zeros to `steps` time steps (int64 arithmetic: exact up to 62 bits)."""
    steps = steps or bits + 1
    a, b = rng.randint(0, 2 ** bits, n, dtype=np.int64), rng.randint(0, 2 ** bits, n, dtype=np.int64)
    place = 2 ** np.arange(steps, dtype=np.int64)
    bit = lambda v: ((v[:, None] // place) % 2).astype(np.float32)  # [N] -> [N, steps], LSB first
    inputs = np.stack([bit(a), bit(b)], axis=2)  # [N, steps, 2]; from step `bits` on both are 0
    return inputs, bit(a + b) * (np.arange(steps) < bits + 1), np.full(n, bits + 1, np.int32)


def draw(task, rng, n, length, settings, steps=None):
    """n sequences of `task` at `length` (T, the longest recall sequence, or the bits of a sum)."""
    if task == "palindrome":
        return palindromes(rng, n, length, settings["encoding"])
    if task == "recall":
        return recall_sequences(rng, n, settings["min_length"], length, settings["position"], settings["encoding"])
    return additions(rng, n, length, steps)
