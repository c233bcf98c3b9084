"""Shared test helpers: the project on sys.path, IDX writers, main.py as a subprocess, real MNIST."""
import gzip
import hashlib
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Modules that train, start main.py processes, read all of real MNIST or drive a browser: `-m "not slow"` leaves
# them out, for the edit-test loop (under 3 minutes on two cores); CI runs everything.
SLOW_MODULES = {"test_end_to_end", "test_faults", "test_shipped", "test_web", "test_user_runs", "test_submission",
                "test_benchmarks", "test_sequence_tasks", "test_explain", "test_predict", "test_reproduce_jobs",
                "test_download_weights", "test_notebooks", "test_palindrome_pytorch", "test_derivation_pdf",
                "test_sweep", "test_web_damage", "test_handins", "test_untrusted_files", "test_state_mutations"}
sys.path.insert(0, ROOT)
SHARED_MNIST = os.path.join(os.path.dirname(ROOT), "shared", "data", "mnist")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.module.__name__ in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


# Independent NumPy references of the cells, written from the equations, one gate at a time.
def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def numpy_lstm(xs, W_x, W_h, b):
    """Written from the equations in the issue, one gate at a time (gate order i, f, o, g)."""
    Wi, Wf, Wo, Wg = np.split(W_x, 4, axis=1)
    Ui, Uf, Uo, Ug = np.split(W_h, 4, axis=1)
    bi, bf, bo, bg = np.split(b, 4)
    h = c = np.zeros((xs.shape[0], W_h.shape[0]))
    outputs = []
    for t in range(xs.shape[1]):
        x = xs[:, t]
        g = np.tanh(x @ Wg + h @ Ug + bg)
        i = sigmoid(x @ Wi + h @ Ui + bi)
        f = sigmoid(x @ Wf + h @ Uf + bf)
        o = sigmoid(x @ Wo + h @ Uo + bo)
        c = g * i + c * f
        h = np.tanh(c) * o
        outputs.append(h)
    return np.stack(outputs, 1), c, h


def numpy_gru(xs, W_x, W_h, b):
    """Cho et al. 2014: the reset gate scales h before the recurrent product (gate order r, z, n)."""
    Wr, Wz, Wn = np.split(W_x, 3, axis=1)
    Ur, Uz, Un = np.split(W_h, 3, axis=1)
    br, bz, bn = np.split(b, 3)
    h = np.zeros((xs.shape[0], W_h.shape[0]))
    outputs = []
    for t in range(xs.shape[1]):
        x = xs[:, t]
        r = sigmoid(x @ Wr + h @ Ur + br)
        z = sigmoid(x @ Wz + h @ Uz + bz)
        n = np.tanh(x @ Wn + (r * h) @ Un + bn)
        h = z * h + (1 - z) * n
        outputs.append(h)
    return np.stack(outputs, 1), h


def numpy_rnn(xs, W_x, W_h, b):
    """Elman: h = tanh(x W_x + h_prev W_h + b)."""
    h = np.zeros((xs.shape[0], W_h.shape[0]))
    outputs = []
    for t in range(xs.shape[1]):
        h = np.tanh(xs[:, t] @ W_x + h @ W_h + b)
        outputs.append(h)
    return np.stack(outputs, 1), h


def write_idx(path, array, magic=None):
    """Write a uint8 array as an IDX file (gzipped when the name ends in .gz)."""
    array = np.asarray(array, dtype=np.uint8)
    if magic is None:
        magic = 2051 if array.ndim == 3 else 2049
    data = struct.pack(">I", magic) + struct.pack(">" + "I" * array.ndim, *array.shape) + array.tobytes()
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(data)
    return path


def make_mnist(folder, n_train=600, n_test=200, gz=True, seed=0):
    """A small random data set with MNIST's file names and format."""
    rng = np.random.RandomState(seed)
    os.makedirs(folder, exist_ok=True)
    ext = ".gz" if gz else ""
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        write_idx(os.path.join(folder, prefix + "-images-idx3-ubyte" + ext), rng.randint(0, 256, (n, 28, 28)))
        write_idx(os.path.join(folder, prefix + "-labels-idx1-ubyte" + ext), rng.randint(0, 10, n))
    return folder


def run_main(*args, **kwargs):
    """Run main.py in a subprocess; return (exit status, stdout, stderr).

    TensorBoard files go to a temporary folder unless --logs_dir is given: tests never write into the project.
    """
    if not any(a.startswith("--logs_dir") for a in args):
        args = list(args) + ["--logs_dir=" + tempfile.mkdtemp(prefix="logs-")]
    proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "main.py")] + list(args),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                            cwd=kwargs.get("cwd", ROOT))
    out, err = proc.communicate(timeout=kwargs.get("timeout", 600))
    return proc.returncode, out, err


def main_in_process(args):
    """main.main(args) in this process: (exit status, stdout, stderr), as run_main gives for a subprocess.

    Flag checks need no TensorFlow, so most bad inputs are tested here in milliseconds; a few tests below
    keep the subprocess (SUBPROCESS) to pin the real exit status and the absence of a traceback.
    """
    import io
    import signal
    import sys
    import main
    saved = signal.getsignal(signal.SIGTERM)
    out, err = io.StringIO(), io.StringIO()
    real = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        try:
            code = main.main(["main.py"] + list(args))
        except SystemExit as e:
            code = e.code
    finally:
        sys.stdout, sys.stderr = real
        signal.signal(signal.SIGTERM, saved)
    return code, out.getvalue(), err.getvalue()


def assert_one_line_error(status, err, *words, out=""):
    """The project's rule for bad input: a non-zero status, no traceback, and exactly one line on stderr,
    "error: ...", holding each of `words`. Returns that line."""
    assert status != 0, (status, err)
    assert "Traceback" not in out + err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def tree_digest(folder):
    """{relative path: sha256} of every file under folder, to prove nothing changed."""
    digest = {}
    for base, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(base, name)
            with open(path, "rb") as f:
                digest[os.path.relpath(path, folder)] = hashlib.sha256(f.read()).hexdigest()
    return digest


@pytest.fixture
def real_mnist():
    """../shared/data/mnist; missing data fails in CI (CI=true) and skips elsewhere."""
    if not all(os.path.isfile(os.path.join(SHARED_MNIST, n)) for n in (
            "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")):
        message = "real MNIST not found in {}".format(SHARED_MNIST)
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return SHARED_MNIST


@pytest.fixture
def fake_mnist(tmp_path):
    return make_mnist(str(tmp_path / "data"))


class FakeServer(object):
    """An HTTP server on 127.0.0.1 serving `routes`: path -> bytes, or (bytes, declared length) to truncate."""

    def __init__(self, routes):
        import http.server
        import threading
        routes_ = routes

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                entry = routes_.get(self.path)
                if entry is None:
                    self.send_error(404)
                    return
                body, length = entry if isinstance(entry, tuple) else (entry, len(entry))
                self.send_response(200)
                self.send_header("Content-Length", str(length))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.routes = routes
        self.httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:{}".format(self.httpd.server_address[1])
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def http_server():
    servers = []

    def start(routes):
        servers.append(FakeServer(routes))
        return servers[-1]
    yield start
    for server in servers:
        server.close()



def as_config(cfg):
    """The typed configuration (core/config.py) of a test's plain dict: model, hidden_unit (a size or one per
    layer) or layers, bidirectional, crop_augment, unroll, and any recipe fields."""
    from core.config import Arch, Config, Recipe
    cfg = dict(cfg)
    hidden = cfg.pop("layers", None) or cfg.pop("hidden_unit")
    cfg.pop("hidden_unit", None)
    layers = tuple(hidden) if isinstance(hidden, (list, tuple)) else (hidden,)
    arch = Arch(cfg.pop("model"), layers, cfg.pop("bidirectional", False), cfg.pop("crop_augment", False))
    unroll = cfg.pop("unroll", "fast")
    return Config(arch, Recipe(**cfg), unroll=unroll)


def net_of(cfg, *args, **kwargs):
    """model.py's network for a test's plain dict configuration (the recurrent Model, or the MLP)."""
    from model import Model
    config = as_config(cfg)
    return Model.of(config)(config, *args, **kwargs)


def other_set_result(folder, name):
    """The path of the one result file `name` under folder/test-sets/: where --test files its result on a test set
    that is not MNIST's (the fake one of these tests), apart from the shipped records."""
    found = [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(folder, "test-sets")) for f in fs if f == name]
    assert len(found) == 1, found
    return found[0]
