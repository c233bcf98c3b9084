"""Fetch the trained weights as an archive, verified file by file, or pack them for upload.

    python download_weights.py --url=https://host/weights.tar.gz   # or set WEIGHTS_URL
    python download_weights.py --pack [--output=weights.tar.gz]

The assignment's fallback for weights too large to submit. weights/MANIFEST.sha256
(committed with the code) lists the SHA-256 of every shipped weight file. A
download is unpacked into a temporary folder beside weights/, and only if every
member is a plain file inside weights/ and every file matches the manifest is
anything replaced: each configuration folder is swapped in with one rename,
and a differing local folder is moved aside to <config>.previous-<time>/, not
deleted. Any failure leaves weights/ as it was.
"""
import argparse
import datetime
import hashlib
import io
import os
import posixpath
import re
import shutil
import sys
import tarfile
import tempfile

import fetch
from common import PROJECT_DIR, UserError, atomic_write_bytes, log, print_error, relpath

MANIFEST = "MANIFEST.sha256"
CONFIG_FOLDER = re.compile(r"^(lstm|gru|rnn)_h\d+(-\d+)*(_bi)?(_crop)?(_drop[0-9.e-]+)?(_l2-[0-9.e-]+)?$")  # common.config_name
SHIPPED_FILE = re.compile(r"^(config\.json|state\.json|log\.csv|best-\d+\.(index|data-\d+-of-\d+))$")


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifest(weights_dir):
    """{relative path: sha256} from weights/MANIFEST.sha256."""
    path = os.path.join(weights_dir, MANIFEST)
    if not os.path.isfile(path):
        raise UserError("{} is missing, so a download cannot be verified; restore it with git".format(relpath(path)))
    entries = {}
    with open(path) as f:
        for line in f:
            if line.strip():
                digest, name = line.split(None, 1)
                entries[name.strip()] = digest
    return entries


def shipped_files(weights_dir):
    """Relative paths of the files of every finished configuration folder (what is shipped)."""
    files = []
    for folder in sorted(os.listdir(weights_dir)):
        if CONFIG_FOLDER.match(folder) and os.path.isdir(os.path.join(weights_dir, folder)):
            files += [folder + "/" + n for n in sorted(os.listdir(os.path.join(weights_dir, folder)))
                      if SHIPPED_FILE.match(n)]
    return files


def pack(weights_dir, output):
    """Rewrite the manifest from the current weights and write a reproducible .tar.gz of them."""
    files = shipped_files(weights_dir)
    if not files:
        raise UserError("no trained configurations in {}; train some first".format(relpath(weights_dir)))
    manifest = "".join("{}  {}\n".format(sha256_file(os.path.join(weights_dir, f)), f) for f in files)
    atomic_write_bytes(os.path.join(weights_dir, MANIFEST), manifest.encode("utf-8"))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name in [MANIFEST] + files:
            info = tar.gettarinfo(os.path.join(weights_dir, name), arcname="weights/" + name)
            info.mtime, info.uid, info.gid, info.uname, info.gname, info.mode = 0, 0, 0, "", "", 0o644
            with open(os.path.join(weights_dir, name), "rb") as f:
                tar.addfile(info, f)
    atomic_write_bytes(output, buffer.getvalue())
    log("packed {} files ({:.1f} MB) into {}; upload it and pass its URL to download_weights.py --url".format(
        len(files), len(buffer.getvalue()) / 1e6, relpath(output)))


def _safe_members(tar):
    """Every member, checked to be a plain file or folder that stays inside weights/."""
    members = []
    for member in tar.getmembers():
        name = posixpath.normpath(member.name)
        parts = name.split("/")
        if member.name.startswith("/") or ".." in parts or parts[0] != "weights" or "\\" in member.name:
            raise UserError("the archive member {!r} would land outside weights/; refusing the archive".format(
                member.name))
        if not (member.isfile() or member.isdir()):
            raise UserError("the archive member {!r} is a link or device, not a plain file; refusing the "
                            "archive".format(member.name))
        members.append((member, "/".join(parts[1:])))
    return members


def install(data, weights_dir):
    """Verify the archive bytes against the manifest and swap the verified folders in."""
    manifest = read_manifest(weights_dir)
    staging = tempfile.mkdtemp(prefix=".download-", dir=os.path.dirname(os.path.abspath(weights_dir)))
    try:
        try:
            tar = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")
            members = _safe_members(tar)
            for member, relative in members:
                if member.isfile() and relative != MANIFEST:
                    target = os.path.join(staging, relative)
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    with open(target, "wb") as f:
                        shutil.copyfileobj(tar.extractfile(member), f)
        except (tarfile.TarError, EOFError, OSError) as e:
            raise UserError("the download is not a readable .tar.gz archive ({})".format(str(e).splitlines()[0]))
        got = {os.path.relpath(os.path.join(base, n), staging).replace(os.sep, "/")
               for base, _, names in os.walk(staging) for n in names}
        extra = sorted(got - set(manifest))
        if extra:
            raise UserError("the archive holds {}, which weights/{} does not list".format(extra[0], MANIFEST))
        for name, digest in sorted(manifest.items()):
            if name not in got:
                raise UserError("the archive lacks {}".format(name))
            if sha256_file(os.path.join(staging, name)) != digest:
                raise UserError("{} in the archive does not match its SHA-256 in weights/{}; the download is "
                                "corrupt or not these weights".format(name, MANIFEST))
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        for folder in sorted({n.split("/")[0] for n in manifest}):
            current = os.path.join(weights_dir, folder)
            if os.path.isdir(current):
                if sorted(os.listdir(current)) == sorted(os.listdir(os.path.join(staging, folder))) and all(
                        sha256_file(os.path.join(current, n)) == manifest[folder + "/" + n] for n in os.listdir(current)):
                    continue  # already these weights
                os.rename(current, "{}.previous-{}".format(current, stamp))
                log("moved the local {} aside to {}.previous-{}".format(folder, folder, stamp))
            os.rename(os.path.join(staging, folder), current)
            log("installed {}".format(folder))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=os.environ.get("WEIGHTS_URL", ""), help="archive URL (or WEIGHTS_URL)")
    parser.add_argument("--weights_dir", default=os.path.join(PROJECT_DIR, "weights"))
    parser.add_argument("--pack", action="store_true", help="build the archive to upload instead")
    parser.add_argument("--output", default=os.path.join(PROJECT_DIR, "weights.tar.gz"), help="with --pack")
    args = parser.parse_args(argv)
    try:
        if args.pack:
            pack(args.weights_dir, args.output)
            return 0
        if not args.url:
            raise UserError("give the archive's address with --url=... or the WEIGHTS_URL environment variable")
        try:
            data = fetch.fetch_bytes(args.url, label="weights archive")
        except fetch.FetchError as e:
            raise UserError("could not download {}: {}; weights/ is unchanged".format(args.url, e))
        try:
            install(data, args.weights_dir)
        except UserError as e:
            raise UserError("{}; weights/ is unchanged".format(e))
        log("weights verified and installed in {}".format(relpath(args.weights_dir)))
        return 0
    except UserError as e:
        return print_error(e)


if __name__ == "__main__":
    sys.exit(main())
