"""HTTP downloads with progress and clear failures (standard library only)."""
import http.client
import socket
import sys
import time
import urllib.error
import urllib.request

from core.common import is_tty

CHUNK = 1 << 16


class FetchError(Exception):
    """A download that failed; the message says how (HTTP status, network, truncation)."""


def fetch_bytes(url, label=None, timeout=30, max_bytes=None, deadline=None):
    """Return the body of `url`; raise FetchError unless every promised byte arrived.

    `timeout` bounds each wait for data, `deadline` (seconds) the whole download, and `max_bytes`
    its size, so that a server that drips or sends without end cannot hold on or fill memory.
    """
    label = label or url
    if not url.lower().startswith(("http://", "https://")):
        raise FetchError("{!r} is not an http:// or https:// address".format(url))
    started = time.time()
    try:
        response = urllib.request.urlopen(url, timeout=timeout)
    except urllib.error.HTTPError as e:
        raise FetchError("HTTP {} {}".format(e.code, e.reason))
    except (urllib.error.URLError, socket.timeout, OSError, ValueError) as e:
        raise FetchError("cannot connect ({})".format(getattr(e, "reason", e)))
    total = response.headers.get("Content-Length")
    total = int(total) if total and total.isdigit() else None
    if max_bytes is not None and total is not None and total > max_bytes:
        response.close()
        raise FetchError("the server announces {:,} bytes, more than the {:,} bytes expected".format(total, max_bytes))
    chunks, received, last_shown = [], 0, 0.0
    try:
        with response:
            while True:
                chunk = response.read1(CHUNK)  # what has arrived, so the deadline is checked as bytes drip in
                if not chunk:
                    break
                chunks.append(chunk)
                received += len(chunk)
                if max_bytes is not None and received > max_bytes:
                    raise FetchError("the server sent more than the {:,} bytes expected".format(max_bytes))
                if deadline is not None and time.time() - started > deadline:
                    raise FetchError("download took longer than {:g} s ({:,} bytes so far)".format(deadline, received))
                if is_tty() and time.time() - last_shown > 0.2:
                    last_shown = time.time()
                    shown = "{:.0%}".format(received / total) if total else "{} kB".format(received // 1024)
                    sys.stdout.write("\r  downloading {}: {}   ".format(label, shown))
                    sys.stdout.flush()
    except (http.client.IncompleteRead, socket.timeout, OSError) as e:
        raise FetchError("connection broke after {} bytes ({})".format(received, e))
    finally:
        if is_tty():
            sys.stdout.write("\r" + " " * 60 + "\r")
    if total is not None and received != total:
        raise FetchError("download truncated: {} of {} bytes".format(received, total))
    return b"".join(chunks)
