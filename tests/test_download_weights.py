"""download_weights.py against a local HTTP server: good, corrupt, truncated, missing and malicious archives."""
import io
import os
import shutil
import subprocess
import sys
import tarfile

import pytest

import download_weights
from conftest import assert_one_line_error, ROOT, tree_digest


def make_weights(folder):
    """Two small configuration folders shaped like the shipped ones."""
    for name, payload in (("lstm_h8", b"L"), ("gru_h8", b"G")):
        os.makedirs(os.path.join(folder, name))
        for filename in ("config.json", "state.json", "log.csv", "best-3.index", "best-3.data-00000-of-00001"):
            with open(os.path.join(folder, name, filename), "wb") as f:
                f.write(payload * 100 + filename.encode())
    return folder


@pytest.fixture
def packed(tmp_path):
    """(the weights folder the archive was made from, the archive bytes)."""
    source = make_weights(str(tmp_path / "source" / "weights"))
    archive = str(tmp_path / "weights.tar.gz")
    download_weights.pack(source, archive)
    return source, open(archive, "rb").read()


def fresh_checkout(tmp_path, source):
    """A project copy that has the manifest (from git) but no weight files."""
    weights = str(tmp_path / "project" / "weights")
    os.makedirs(weights)
    shutil.copy(os.path.join(source, download_weights.MANIFEST), weights)
    return weights


def rebuild(data, change):
    """The archive with change(name, bytes) -> (name, bytes) or None applied to each member, plus extras."""
    out = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as src, tarfile.open(fileobj=out, mode="w:gz") as dst:
        for member in src.getmembers():
            body = src.extractfile(member).read()
            result = change(member.name, body)
            if result:
                info = tarfile.TarInfo(result[0])
                info.size = len(result[1])
                dst.addfile(info, io.BytesIO(result[1]))
    return out.getvalue()


def fetch_into(weights, url, capsys):
    status = download_weights.main(["--url=" + url, "--weights_dir=" + weights])
    return status, capsys.readouterr()


def test_pack_writes_manifest_of_every_file(packed):
    source, data = packed
    manifest = download_weights.read_manifest(source)
    assert len(manifest) == 10 and all(len(d) == 64 for d in manifest.values())
    names = tarfile.open(fileobj=io.BytesIO(data)).getnames()
    assert sorted(names) == sorted(["weights/" + download_weights.MANIFEST] + ["weights/" + n for n in manifest])


def test_good_archive_installs_verified_files(tmp_path, packed, http_server, capsys):
    source, data = packed
    weights = fresh_checkout(tmp_path, source)
    server = http_server({"/w.tar.gz": data})
    status, out = fetch_into(weights, server.url + "/w.tar.gz", capsys)
    assert status == 0, out.err
    assert tree_digest(weights) == tree_digest(source)
    assert not [n for n in os.listdir(os.path.dirname(weights)) if n.startswith((".download-", ".tmp-"))]


def test_differing_local_folder_is_moved_aside(tmp_path, packed, http_server, capsys):
    source, data = packed
    weights = fresh_checkout(tmp_path, source)
    os.makedirs(os.path.join(weights, "lstm_h8"))
    with open(os.path.join(weights, "lstm_h8", "config.json"), "w") as f:
        f.write("my own run")
    server = http_server({"/w.tar.gz": data})
    assert fetch_into(weights, server.url + "/w.tar.gz", capsys)[0] == 0
    aside = [n for n in os.listdir(weights) if n.startswith("lstm_h8.previous-")]
    assert len(aside) == 1 and open(os.path.join(weights, aside[0], "config.json")).read() == "my own run"
    assert tree_digest(os.path.join(weights, "lstm_h8")) == tree_digest(os.path.join(source, "lstm_h8"))


@pytest.mark.parametrize("case", ["corrupt", "truncated", "404", "traversal", "absolute", "symlink",
                                  "unlisted", "missing", "not-an-archive"])
def test_bad_downloads_change_nothing(tmp_path, packed, http_server, capsys, case):
    source, data = packed
    weights = fresh_checkout(tmp_path, source)
    with open(os.path.join(weights, "keep.txt"), "w") as f:
        f.write("a file of the user's")
    routes = {
        "corrupt": rebuild(data, lambda n, b: (n, b[:-1] + b"\0") if n.endswith("best-3.index") else (n, b)),
        "truncated": (data[:len(data) // 2], len(data)),
        "traversal": rebuild(data, lambda n, b: (n.replace("weights/gru_h8/", "weights/../../evil/"), b)),
        "absolute": rebuild(data, lambda n, b: ("/tmp/evil-" + os.path.basename(n), b) if "gru" in n else (n, b)),
        "unlisted": rebuild(data, lambda n, b: (n + ".extra", b) if n.endswith("log.csv") else (n, b)),
        "missing": rebuild(data, lambda n, b: None if n.endswith("state.json") else (n, b)),
        "not-an-archive": b"<html>not found</html>",
    }
    if case == "symlink":
        out = io.BytesIO()
        with tarfile.open(fileobj=out, mode="w:gz") as tar:
            info = tarfile.TarInfo("weights/lstm_h8/config.json")
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tar.addfile(info)
        routes["symlink"] = out.getvalue()
    server = http_server({"/w.tar.gz": routes[case]} if case in routes else {})
    before = tree_digest(str(tmp_path))
    status, out = fetch_into(weights, server.url + "/w.tar.gz", capsys)
    assert status == 1
    line = assert_one_line_error(status, out.err, "weights/ is unchanged")
    lines = [line]
    expected = {"corrupt": "does not match its SHA-256", "truncated": "truncated", "404": "HTTP 404",
                "traversal": "outside weights/", "absolute": "outside weights/", "symlink": "link",
                "unlisted": "does not list", "missing": "lacks", "not-an-archive": "not a readable"}[case]
    assert expected in lines[0]
    assert tree_digest(str(tmp_path)) == before
    assert not os.path.exists("/tmp/evil-best-3.index")


def test_command_line_without_url(tmp_path):
    env = dict(os.environ)
    env.pop("WEIGHTS_URL", None)
    proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "download_weights.py"),
                             "--weights_dir=" + str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True, env=env)
    out, err = proc.communicate()
    assert proc.returncode == 1 and err.startswith("error: give the archive's address") and "Traceback" not in err


def _expect_unchanged(tmp_path, weights, url, capsys, words, extra_args=()):
    before = tree_digest(str(tmp_path))
    status = download_weights.main(["--url=" + url, "--weights_dir=" + weights] + list(extra_args))
    err = capsys.readouterr().err
    assert status == 1
    assert_one_line_error(status, err, *words)
    assert tree_digest(str(tmp_path)) == before
    assert not [n for n in os.listdir(os.path.dirname(weights)) if n.startswith((".download-", ".tmp-"))]


def test_an_oversized_download_is_refused(tmp_path, packed, http_server, capsys):
    source, data = packed
    weights = fresh_checkout(tmp_path, source)
    server = http_server({"/w.tar.gz": data})
    _expect_unchanged(tmp_path, weights, server.url + "/w.tar.gz", capsys, ["more than the 100 bytes expected"],
                      ["--max_mb=0.0001"])


def test_a_dripping_server_hits_the_deadline(tmp_path, packed, capsys):
    import http.server
    import threading
    import time

    class Drip(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            try:
                for _ in range(1000):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Drip)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        weights = fresh_checkout(tmp_path, packed[0])
        started = time.time()
        _expect_unchanged(tmp_path, weights, "http://127.0.0.1:{}/w".format(server.server_address[1]), capsys,
                          ["took longer than 1 s"], ["--timeout=1"])
        assert time.time() - started < 10
    finally:
        server.shutdown()
        server.server_close()


def test_a_corrupt_deflate_block_is_one_line(tmp_path, packed, http_server, capsys):
    source, data = packed
    weights = fresh_checkout(tmp_path, source)
    middle = len(data) // 2
    broken = data[:middle] + bytes(b ^ 0x5A for b in data[middle:middle + 40]) + data[middle + 40:]
    server = http_server({"/w.tar.gz": broken})
    _expect_unchanged(tmp_path, weights, server.url + "/w.tar.gz", capsys, ["weights/ is unchanged"])


def test_an_unlisted_or_oversized_member_is_refused_before_it_is_written(tmp_path, packed, monkeypatch):
    source, data = packed
    weights = fresh_checkout(tmp_path, source)
    written = []
    real_open = open

    def spying_open(path, mode="r", *args, **kwargs):
        if "w" in mode:
            written.append(os.path.basename(str(path)))
        return real_open(path, mode, *args, **kwargs)
    monkeypatch.setattr("builtins.open", spying_open)
    unlisted = rebuild(data, lambda n, b: (n.replace("log.csv", "huge.bin"), b * 1000) if n.endswith("log.csv")
                       else (n, b))
    with pytest.raises(download_weights.UserError, match="huge.bin, which weights/MANIFEST.sha256 does not list"):
        download_weights.install(unlisted, weights)
    assert "huge.bin" not in written
    written[:] = []
    with pytest.raises(download_weights.UserError, match="more than any weights file"):
        download_weights.install(data, weights, max_file_bytes=50)
    assert written == []


def test_a_failure_midway_through_the_swap_undoes_every_rename(tmp_path, packed, http_server, capsys, monkeypatch):
    source, data = packed
    weights = fresh_checkout(tmp_path, source)
    for name in ("gru_h8", "lstm_h8"):  # both folders exist and differ, so both get swapped
        os.makedirs(os.path.join(weights, name))
        with open(os.path.join(weights, name, "config.json"), "w") as f:
            f.write("my own " + name)
    real_rename, calls = os.rename, []

    def failing_rename(src, dst):
        calls.append((src, dst))
        if len(calls) == 3:  # the second folder's first rename
            raise OSError(28, "No space left on device")
        return real_rename(src, dst)
    monkeypatch.setattr(os, "rename", failing_rename)
    server = http_server({"/w.tar.gz": data})
    _expect_unchanged(tmp_path, weights, server.url + "/w.tar.gz", capsys, ["every rename was undone"])
    assert len(calls) == 4  # two renames done, one failed; the old folder renamed back over the new copy
