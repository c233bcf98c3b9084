"""HTTP downloads with progress and clear failures (standard library only).

Three limits hold whatever the server does: `timeout` for the connection and for each wait for data, `deadline`
for the whole download (a watchdog closes the connection when it passes, even in the middle of a wait or of
dripping headers), and `max_bytes` for its size. With `into` (a file object) the body goes there as it arrives,
so memory stays at one chunk however large the download.
"""
import http.client
import math
import socket
import sys
import threading
import time
import urllib.error
import urllib.request

from core.common import is_tty

CHUNK = 1 << 16


class FetchError(Exception):
    """A download that failed; the message says how (HTTP status, network, truncation)."""


def _opener(sockets):
    """urllib's opener, with every connection's socket (redirects included) appended to `sockets` as it opens,
    for the watchdog to close."""
    def recording(base):
        class Connection(base):
            def connect(self):
                base.connect(self)
                sockets.append(self.sock)
        return Connection
    plain = recording(http.client.HTTPConnection)

    class HTTP(urllib.request.HTTPHandler):
        def http_open(self, req):
            return self.do_open(plain, req)
    handlers = [HTTP]
    if hasattr(http.client, "HTTPSConnection"):  # Python built with ssl
        secure = recording(http.client.HTTPSConnection)

        class HTTPS(urllib.request.HTTPSHandler):
            def https_open(self, req):
                return self.do_open(secure, req, context=getattr(self, "_context", None))
        handlers.append(HTTPS)
    return urllib.request.build_opener(*handlers)


def _close_all(sockets, expired):
    """The watchdog: the deadline has passed; a blocked read wakes up with an error or the end of the data."""
    expired.append(True)
    for sock in list(sockets):
        try:
            socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the plain socket's shutdown, also under TLS
        except OSError:
            pass


def check_url(url):
    """A FetchError unless `url` is an http(s) address that can be sent as it is."""
    if not isinstance(url, str) or not url.lower().startswith(("http://", "https://")):
        raise FetchError("{!r} is not an http:// or https:// address".format(url))
    odd = [c for c in url if not 32 < ord(c) < 127]  # spaces, line ends, tabs, other control or non-ASCII characters
    if odd:
        raise FetchError("{!r} holds {!r}, which an address cannot hold as it is; percent-encode it (a space is %20) "
                         "and give the address on one line".format(url, odd[0]))


def fetch_bytes(url, label=None, timeout=30, max_bytes=None, deadline=None, into=None):
    """Return the body of `url` (or write it into the file object `into` and return that); raise FetchError
    unless every promised byte arrived within the limits (see the module's docstring)."""
    label = label or url
    for name, value in (("timeout", timeout), ("deadline", deadline)):
        if value is not None and not (isinstance(value, (int, float)) and 0 < value < math.inf):
            raise FetchError("the {} must be a positive number of seconds, not {!r}".format(name, value))
    check_url(url)
    wait = min(timeout, deadline) if deadline else timeout  # no single wait outlasts the whole download
    sockets, expired = [], []
    watchdog = threading.Timer(deadline, _close_all, (sockets, expired)) if deadline else None
    if watchdog:
        watchdog.daemon = True
        watchdog.start()
    try:
        return _download(url, label, wait, max_bytes, deadline, into, sockets, expired)
    finally:
        if watchdog:
            watchdog.cancel()
        if is_tty():
            sys.stdout.write("\r" + " " * 60 + "\r")


def _late(deadline, received):
    return FetchError("download took longer than {:g} s ({:,} bytes so far)".format(deadline, received))


def _download(url, label, wait, max_bytes, deadline, into, sockets, expired):
    try:
        response = _opener(sockets).open(url, timeout=wait)
    except urllib.error.HTTPError as e:
        if 300 <= e.code < 400:  # urllib follows redirects; this one loops or goes on too long
            raise FetchError("the server redirects in a loop or too many times (HTTP {}); open the address in a "
                             "browser and give the archive's final address with --url".format(e.code))
        raise FetchError("HTTP {} {}".format(e.code, str(e.reason).splitlines()[0] if e.reason else ""))
    except (urllib.error.URLError, socket.timeout, OSError, ValueError, http.client.HTTPException) as e:
        if expired:
            raise _late(deadline, 0)
        reason = getattr(e, "reason", e)
        if isinstance(reason, socket.timeout):
            raise FetchError("no answer from the server within {:g} s".format(wait))
        raise FetchError("cannot connect ({})".format(str(reason).splitlines()[0] if str(reason) else
                                                     type(reason).__name__))
    total = response.headers.get("Content-Length")
    total = int(total) if total and total.isdigit() else None
    if max_bytes is not None and total is not None and total > max_bytes:
        response.close()
        raise FetchError("the server announces {:,} bytes, more than the {:,} bytes expected".format(total, max_bytes))
    chunks, received, last_shown = [], 0, 0.0
    with response:
        while True:
            try:
                chunk = response.read1(CHUNK)  # what has arrived, at most `wait` seconds after the last
            except (http.client.HTTPException, socket.timeout, OSError) as e:
                if expired:
                    raise _late(deadline, received)
                if isinstance(e, socket.timeout):
                    raise FetchError("the server sent nothing for {:g} s after {:,} bytes".format(wait, received))
                raise FetchError("connection broke after {} bytes ({})".format(received, e))
            if expired:
                raise _late(deadline, received)
            if not chunk:
                break
            received += len(chunk)
            if max_bytes is not None and received > max_bytes:
                raise FetchError("the server sent more than the {:,} bytes expected".format(max_bytes))
            if into is not None:
                into.write(chunk)  # a full disk is the OSError it is, not a network failure
            else:
                chunks.append(chunk)
            if is_tty() and time.time() - last_shown > 0.2:
                last_shown = time.time()
                shown = "{:.0%}".format(received / total) if total else "{} kB".format(received // 1024)
                sys.stdout.write("\r  downloading {}: {}   ".format(label, shown))
                sys.stdout.flush()
    if total is not None and received != total:
        raise FetchError("download truncated: {} of {} bytes".format(received, total))
    return into if into is not None else b"".join(chunks)
