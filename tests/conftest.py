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
sys.path.insert(0, ROOT)
SHARED_MNIST = os.path.join(os.path.dirname(ROOT), "shared", "data", "mnist")


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
