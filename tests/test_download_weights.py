"""download_weights.py against a local HTTP server: good, corrupt, truncated, missing and malicious archives."""
import io
import os
import shutil
import subprocess
import sys
import tarfile

import pytest

import download_weights
from conftest import ROOT, tree_digest


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
    assert not [n for n in os.listdir(os.path.dirname(weights)) if n.startswith(".download-")]


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
    lines = out.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and lines[0].endswith("weights/ is unchanged")
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
