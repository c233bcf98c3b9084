"""HTTP downloads with progress and clear failures (standard library only)."""
import http.client
import socket
import sys
import time
import urllib.error
import urllib.request

from common import is_tty

CHUNK = 1 << 16


class FetchError(Exception):
    """A download that failed; the message says how (HTTP status, network, truncation)."""


def fetch_bytes(url, label=None, timeout=30):
    """Return the body of `url`; raise FetchError unless every promised byte arrived."""
    label = label or url
    try:
        response = urllib.request.urlopen(url, timeout=timeout)
    except urllib.error.HTTPError as e:
        raise FetchError("HTTP {} {}".format(e.code, e.reason))
    except (urllib.error.URLError, socket.timeout, OSError) as e:
        raise FetchError("cannot connect ({})".format(getattr(e, "reason", e)))
    total = response.headers.get("Content-Length")
    total = int(total) if total and total.isdigit() else None
    chunks, received, last_shown = [], 0, 0.0
    try:
        with response:
            while True:
                chunk = response.read(CHUNK)
                if not chunk:
                    break
                chunks.append(chunk)
                received += len(chunk)
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
