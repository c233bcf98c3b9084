"""Bounds on a .tar.gz archive, checked on its headers before tarfile reads any of them (download_weights.py).

tarfile reads a pax or GNU long-name header whole into memory and keeps every member it has seen, so a small
archive can hold a header of a gigabyte or a million members. check_headers walks the headers as tarfile will,
inflating in pieces of at most PIECE bytes and keeping one header at a time, and refuses the archive at the first
that breaks a bound; members' data is inflated and skipped, never kept.
"""
import re
import tarfile
import zlib

from core.common import UserError

MAX_MEMBERS = 10000  # headers; the weights' archive has about 80
MAX_HEADER_BYTES = 64 * 1024
MAX_UNPACKED_BYTES = 1000 * 1000 * 1000  # the tar inside the gzip, at most
PIECE = 1 << 20


def _inflated(source):
    """The tar inside the .tar.gz `source` (a file object), in pieces of at most PIECE bytes, never past
    MAX_UNPACKED_BYTES in all (no gzip bomb)."""
    inflate, total = zlib.decompressobj(16 + zlib.MAX_WBITS), 0
    while not inflate.eof:
        packed = inflate.unconsumed_tail or source.read(PIECE)
        if not packed:
            raise UserError("the download is not a readable .tar.gz archive (it ends early)")
        piece = inflate.decompress(packed, PIECE)
        total += len(piece)
        if total > MAX_UNPACKED_BYTES:
            raise UserError("the archive unpacks to more than {:,} bytes; refusing it".format(MAX_UNPACKED_BYTES))
        yield piece


class _Tar(object):
    """The tar's bytes as a stream of blocks: read(n) for headers (small), skip(n) for members' data."""

    def __init__(self, pieces):
        self.pieces, self.buffer, self.at = pieces, b"", 0

    def _more(self):
        piece = next(self.pieces, None)
        if piece is None:
            raise UserError("the download is not a readable .tar.gz archive (it ends inside a member)")
        self.buffer, self.at = self.buffer[self.at:] + piece, 0

    def read(self, n):
        while len(self.buffer) - self.at < n:
            self._more()
        self.at += n
        return self.buffer[self.at - n:self.at]

    def skip(self, n):
        while len(self.buffer) - self.at < n:
            n -= len(self.buffer) - self.at
            self.buffer, self.at = b"", 0
            self._more()
        self.at += n


def _pax_records(data):
    """{key: value} of a pax header's records ("<length> <key>=<value>\n"); a UserError if malformed."""
    records, at = {}, 0
    while at < len(data) and data[at:at + 1] != b"\0":
        match = re.match(br"(\d{1,8}) ([^=\n]{1,256})=", data[at:at + 300])
        length = int(match.group(1)) if match else 0
        if not match or length < len(match.group(0)) + 1 or at + length > len(data):
            raise UserError("the archive has a malformed pax header; refusing it")
        records[match.group(2).decode("utf-8", "replace")] = data[at + len(match.group(0)):at + length - 1]
        at += length
    return records


def check_headers(source):
    """Walk the archive's headers as tarfile will, raising a UserError at the first that breaks a bound: more
    than MAX_MEMBERS headers, an extended header over MAX_HEADER_BYTES, a sparse member, a member larger than
    the whole archive may be. Only headers are kept, one at a time; members' data is inflated and skipped."""
    tar, members, global_size, size = _Tar(_inflated(source)), 0, None, None
    block = lambda n: -(-n // tarfile.BLOCKSIZE) * tarfile.BLOCKSIZE  # noqa: E731
    while True:
        header = tar.read(tarfile.BLOCKSIZE)
        if header.count(0) == tarfile.BLOCKSIZE:
            return  # the end-of-archive block: tarfile stops here too
        members += 1
        if members > MAX_MEMBERS:
            raise UserError("the archive has more than {:,} members, the weights about 80; refusing it".format(
                MAX_MEMBERS))
        kind, stated = header[156:157], tarfile.nti(header[124:136])
        if kind in (tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE, tarfile.GNUTYPE_LONGNAME,
                    tarfile.GNUTYPE_LONGLINK):
            if not 0 <= stated <= MAX_HEADER_BYTES:
                raise UserError("the archive has a {:,}-byte extended header (at most {:,}); refusing it".format(
                    stated, MAX_HEADER_BYTES))
            data = tar.read(block(stated))[:stated]
            if kind in (tarfile.XHDTYPE, tarfile.XGLTYPE, tarfile.SOLARIS_XHDTYPE):
                records = _pax_records(data)
                if any(k.startswith("GNU.sparse") for k in records):
                    raise UserError("the archive has a sparse member; refusing it")
                if "size" in records and not re.match(br"^\d{1,15}$", records["size"]):
                    raise UserError("the archive's pax header has size {!r}; refusing it".format(records["size"]))
                if kind == tarfile.XGLTYPE:
                    global_size = records.get("size", global_size)
                else:  # tarfile applies the global records under this header's
                    size = records.get("size", global_size)
            continue
        if kind == tarfile.GNUTYPE_SPARSE:
            raise UserError("the archive has a sparse member; refusing it")
        stated, size = (int(size) if size is not None else stated), None
        if not 0 <= stated <= MAX_UNPACKED_BYTES:
            raise UserError("the archive has a member of {:,} bytes; refusing it".format(stated))
        if kind in tarfile.REGULAR_TYPES or kind not in tarfile.SUPPORTED_TYPES:  # as tarfile skips members' data
            tar.skip(block(stated))
