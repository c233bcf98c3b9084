"""Fetch the trained weights as an archive, verified file by file, or pack them for upload.

    python download_weights.py --url=https://host/weights.tar.gz   # or set WEIGHTS_URL
    python download_weights.py --pack [--output=weights.tar.gz]

The assignment's fallback for weights too large to submit. weights/MANIFEST.sha256
(written by --pack with the archive, and kept beside the weights) lists the SHA-256 of every weight file. The
download is size- and time-limited; its members are checked one by one as they
stream (a plain file inside weights/, listed in the manifest, not oversized,
its SHA-256 computed while it is written to a temporary folder beside weights/),
and only when every listed file has arrived intact is anything replaced: each
configuration folder is swapped in with one rename, a differing local folder
moved aside to <config>.previous-<time>/, and a failure midway undoes every
rename. Any failure leaves weights/ as it was.
"""
import hashlib
import io
import os
import posixpath
import re
import shutil
import sys
import tarfile
import tempfile
import zlib

from core import fetch, tarcheck
from core.common import ArgumentParser, guarded, PROJECT_DIR, UserError, atomic_write_bytes, log, relpath
from core.outputs import check_output, remove_stale
from core.folders import swap_in
from core.runs import RUN_FILE
from core.config import Arch

MANIFEST = "MANIFEST.sha256"


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
        raise UserError("{} is missing, so a download cannot be verified; restore it from the copy this folder came "
                        "from".format(relpath(path)))
    entries = {}
    fix = "restore weights/MANIFEST.sha256 from the copy this folder came from"
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8")
    except UnicodeDecodeError:
        raise UserError("{} is not UTF-8 text; {}".format(relpath(path), fix))
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            parts = line.split(None, 1)
            if len(parts) != 2 or not re.match(r"^[0-9a-f]{64}$", parts[0]):
                raise UserError("{} line {} is not '<sha256>  <file>'; {}".format(relpath(path), number, fix))
            entries[parts[1].strip()] = parts[0]
    return entries


def weight_files(weights_dir):
    """Relative paths of the files of every finished configuration folder (what the archive holds)."""
    files = []
    for folder in sorted(os.listdir(weights_dir)):
        if Arch.parse(folder) and os.path.isdir(os.path.join(weights_dir, folder)):  # a configuration's folder
            files += [folder + "/" + n for n in sorted(os.listdir(os.path.join(weights_dir, folder)))
                      if RUN_FILE.match(n)]
    return files


def pack(weights_dir, output, force=False):
    """Rewrite the manifest from the current weights and write a reproducible .tar.gz of them."""
    check_output(output, "--output", ".tar.gz", force)  # never over the manifest, main.py or a pipe
    files = weight_files(weights_dir)
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


# Limits for a download: the weights' archive is about 4 MB and its largest file about 1.2 MB.
MAX_DOWNLOAD_BYTES = 64 * 1000 * 1000
MAX_FILE_BYTES = 32 * 1000 * 1000
DOWNLOAD_SECONDS = 600
# Peak memory of a download, whatever the archive: the body is spooled to a temporary file, then read in pieces of
# at most 1 MB, its headers checked by core/tarcheck.py first.
PEAK_MEMORY_BYTES = 16 * 1000 * 1000


def _member_path(member):
    """The path of an archive member relative to weights/, or a UserError if it is not a plain file inside it."""
    name = posixpath.normpath(member.name)
    parts = name.split("/")
    if member.name.startswith("/") or ".." in parts or parts[0] != "weights" or "\\" in member.name:
        raise UserError("the archive member {!r} would land outside weights/; refusing the archive".format(member.name))
    if not (member.isfile() or member.isdir()):
        raise UserError("the archive member {!r} is a link or device, not a plain file; refusing the "
                        "archive".format(member.name))
    return "/".join(parts[1:])


def _unpack_verified(source, manifest, staging, max_file_bytes):
    """Write the archive's files (`source`, a .tar.gz file object) into `staging`, each checked against the
    manifest before and while it is written (name first, then size and SHA-256 as it streams), so nothing
    unlisted or oversized touches disk. Its headers are checked first, before tarfile reads them."""
    written = set()
    try:
        tarcheck.check_headers(source)  # bounds on headers and members, before tarfile reads them
        source.seek(0)
        with tarfile.open(fileobj=source, mode="r|gz") as tar:  # a stream: one member at a time
            for member in tar:
                relative = _member_path(member)
                if member.isdir() or relative in ("", MANIFEST):
                    continue
                if relative not in manifest:
                    raise UserError("the archive holds {}, which weights/{} does not list".format(relative, MANIFEST))
                if member.size > max_file_bytes:
                    raise UserError("the archive's {} is {:,} bytes, more than any weights file".format(
                        relative, member.size))
                target = os.path.join(staging, relative)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                digest, source = hashlib.sha256(), tar.extractfile(member)
                with open(target, "wb") as f:
                    for chunk in iter(lambda: source.read(1 << 20), b""):
                        digest.update(chunk)
                        f.write(chunk)
                if digest.hexdigest() != manifest[relative]:
                    raise UserError("{} in the archive does not match its SHA-256 in weights/{}; the download is "
                                    "corrupt or not these weights".format(relative, MANIFEST))
                written.add(relative)
    except (tarfile.TarError, EOFError, zlib.error) as e:
        raise UserError("the download is not a readable .tar.gz archive ({})".format(str(e).splitlines()[0]))
    missing = sorted(set(manifest) - written)
    if missing:
        raise UserError("the archive lacks {}".format(missing[0]))


def _same_files(folder, staged, manifest, name):
    return sorted(os.listdir(folder)) == sorted(os.listdir(staged)) and all(
        manifest.get(name + "/" + n) == sha256_file(os.path.join(folder, n)) for n in os.listdir(folder))


def _swap_in(weights_dir, staging, manifest):
    """Put every verified folder in place; on any failure (or Ctrl-C) undo every swap done so far."""
    done = []  # (folder, where the local one went or None)
    try:
        for folder in sorted({n.split("/")[0] for n in manifest}):
            current, staged = os.path.join(weights_dir, folder), os.path.join(staging, folder)
            if os.path.isdir(current) and _same_files(current, staged, manifest, folder):
                continue  # already these weights
            done.append((current, swap_in(staged, current)))
    except BaseException:
        for current, aside in reversed(done):
            shutil.rmtree(current, ignore_errors=True)
            if aside:
                os.rename(aside, current)
        raise
    for current, aside in done:
        log("moved the local {} aside to {}".format(os.path.basename(current), os.path.basename(aside))
            if aside else "installed {}".format(os.path.basename(current)))
        if aside:
            log("installed {}".format(os.path.basename(current)))


def install(data, weights_dir, max_file_bytes=MAX_FILE_BYTES):
    """Verify the archive (bytes, or a file object) against the manifest and swap the verified folders in."""
    manifest = read_manifest(weights_dir)
    source = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
    beside = os.path.dirname(os.path.abspath(weights_dir))
    remove_stale(beside)  # the staging folder of a killed download (kill -9), named by its pid
    staging = tempfile.mkdtemp(prefix=".tmp-download.{}.".format(os.getpid()), dir=beside)
    try:
        try:
            _unpack_verified(source, manifest, staging, max_file_bytes)
        except OSError as e:
            raise UserError("cannot unpack the archive beside weights/ ({}); free some space".format(
                e.strerror or e))
        try:
            _swap_in(weights_dir, staging, manifest)
        except OSError as e:
            raise UserError("cannot move the verified folders into {} ({}); every rename was undone".format(
                relpath(weights_dir), e.strerror or e))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def main(argv=None):
    parser = ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=os.environ.get("WEIGHTS_URL", ""), help="archive URL (or WEIGHTS_URL)")
    parser.add_argument("--weights_dir", default=os.path.join(PROJECT_DIR, "weights"))
    parser.add_argument("--pack", action="store_true", help="build the archive to upload instead")
    parser.add_argument("--output", default=os.path.join(PROJECT_DIR, "weights.tar.gz"), help="with --pack")
    parser.add_argument("--force", action="store_true", help="with --pack: replace the file --output names even "
                        "when it is not a .tar.gz archive")
    parser.add_argument("--max_mb", type=float, default=MAX_DOWNLOAD_BYTES / 1e6, help="largest download accepted")
    parser.add_argument("--timeout", type=float, default=DOWNLOAD_SECONDS, help="seconds the whole download may take")
    args = parser.parse_args(argv)
    return guarded(lambda: _run(args), "interrupted; weights/ is unchanged",
                   fix="weights/ is unchanged; check the path (--weights_dir, --output) and free space, then run again")


def _run(args):
    if args.pack:
        pack(args.weights_dir, args.output, args.force)
        return 0
    if not args.url:
        raise UserError("give the archive's address with --url=... or the WEIGHTS_URL environment variable; a copy "
                        "of the code with weights/ already has the trained weights, and python download_weights.py --pack makes "
                        "an archive of them (weights.tar.gz) to put on a server of your own")
    if not 0 < args.max_mb < 1e6:
        raise UserError("--max_mb must be a positive size in megabytes, like --max_mb=20, not {:g}".format(args.max_mb))
    if not 0 < args.timeout < 1e6:  # nan and inf included: a limit that never ends is none
        raise UserError("--timeout must be a positive number of seconds, like --timeout={}, not {:g}".format(
            DOWNLOAD_SECONDS, args.timeout))
    try:
        fetch.check_url(args.url)
    except fetch.FetchError as e:
        raise UserError("could not download {!r}: {}; weights/ is unchanged".format(args.url, e))
    read_manifest(args.weights_dir)  # before the download: without it nothing could be verified
    # Spooled to a file beside weights/ that has no name (removed on any exit, a kill included), not held in memory.
    with tempfile.TemporaryFile(prefix=".tmp-download-spool.", dir=os.path.dirname(os.path.abspath(args.weights_dir))) as spool:
        try:
            fetch.fetch_bytes(args.url, label="weights archive", max_bytes=int(args.max_mb * 1000 * 1000),
                              deadline=args.timeout, into=spool)
        except fetch.FetchError as e:
            raise UserError("could not download {}: {}; weights/ is unchanged".format(args.url, e))
        spool.seek(0)
        try:
            install(spool, args.weights_dir)
        except UserError as e:
            raise UserError("{}; weights/ is unchanged".format(e))
    log("weights verified and installed in {}".format(relpath(args.weights_dir)))
    return 0



if __name__ == "__main__":
    sys.exit(main())
