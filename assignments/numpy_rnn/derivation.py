"""The BPTT derivation's one source, lstm_bptt.md, read two ways.

Its notes on the project (which file implements a formula, which test checks it, what the project's
experiments show) sit between `<!-- project -->` and `<!-- /project -->` lines: invisible markers on GitHub.
The typeset PDF, which is handed in alone (IE643), leaves them out so that it stands by itself; the
notebook keeps them, without the markers.
"""
import os
import re

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lstm_bptt.md")
NOTE = re.compile(r"^<!-- project -->\n.*?^<!-- /project -->\n\n?", re.M | re.S)
MARKER = re.compile(r"^<!-- /?project -->\n", re.M)


def markdown(project_notes=True):
    """The derivation's Markdown: with the project notes (markers removed), or self-contained without them."""
    with open(SOURCE, encoding="utf-8") as f:
        text = f.read()
    markers = [m.group(0).strip() for m in MARKER.finditer(text)]
    if markers != ["<!-- project -->", "<!-- /project -->"] * (len(markers) // 2):
        raise ValueError("{}: a <!-- project --> marker is unpaired or nested; each note opens and closes "
                         "once".format(SOURCE))
    return MARKER.sub("", text) if project_notes else NOTE.sub("", text)
