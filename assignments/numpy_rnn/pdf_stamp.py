"""Stamp one line of text at the top of a PDF's first page, in pure Python (no pandoc, browser or PDF library).

The IE643 hand-in puts the roll number on Exercise 1's PDF. Where pandoc and Chromium are there it typesets the
derivation with the roll under the title (assignments/numpy_rnn/build_pdf.py); where they are not, it stamps the roll on the
stored PDF with this module. The stamp is a PDF incremental update: the original bytes stay as they are, and
appended after them come a standard Helvetica font, a content stream that draws the line in the page's top
margin, and a new version of the first page that lists both. Every PDF reader applies such updates, and text
tools (pdftotext, pypdf) read the line like any other text.

It reads PDFs with a classic cross-reference table (as Chromium writes them); one with a cross-reference stream
is refused with a ValueError rather than guessed at.
"""
import re

TOKEN = re.compile(rb"\s*(<<|>>|\[|\]|/[^\s/<>\[\]()]*|\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>|"
                   rb"-?\d+\s+\d+\s+R\b|[-+.\d]+|true|false|null)", re.S)
MARGIN_POINTS = 45.0  # from the page's left edge: 16 mm, the typeset PDF's own left margin
FROM_TOP_POINTS = 32.0  # the baseline: 11 mm below the top edge, inside the 18 mm top margin


def _parse(data, at=0):
    """(value, end) of the PDF object at data[at:]: dicts as dict, arrays as list, references as ("R", n),
    names as ("/", b"name"), everything else (numbers, strings, booleans) as its raw bytes."""
    m = TOKEN.match(data, at)
    if not m:
        raise ValueError("cannot read the PDF object at byte {}".format(at))
    token, at = m.group(1), m.end()
    if token == b"<<":
        out = {}
        while True:
            m = re.compile(rb"\s*>>").match(data, at)
            if m:
                return out, m.end()
            key, at = _parse(data, at)
            if not (isinstance(key, tuple) and key[0] == "/"):
                raise ValueError("a PDF dictionary key is not a name at byte {}".format(at))
            out[key[1]], at = _parse(data, at)
    if token == b"[":
        out = []
        while True:
            m = re.compile(rb"\s*\]").match(data, at)
            if m:
                return out, m.end()
            value, at = _parse(data, at)
            out.append(value)
    if token.endswith(b"R") and token[:1].isdigit():
        return ("R", int(token.split()[0])), at
    if token.startswith(b"/"):
        return ("/", token[1:]), at
    return token, at


def _write(value):
    if isinstance(value, dict):
        return b"<<" + b"".join(b"/" + k + b" " + _write(v) + b"\n" for k, v in value.items()) + b">>"
    if isinstance(value, list):
        return b"[" + b" ".join(_write(v) for v in value) + b"]"
    if isinstance(value, tuple):
        return b"%d 0 R" % value[1] if value[0] == "R" else b"/" + value[1]
    return value


def _xref(data):
    """({object number: byte offset}, trailer dict, offset of the last cross-reference table)."""
    start = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    offsets, trailer, at = {}, None, start
    while at is not None:
        if not data.startswith(b"xref", at):
            raise ValueError("the PDF keeps its cross-references in a stream; only a classic xref table is read")
        at += 4
        while True:
            m = re.compile(rb"\s*(\d+)\s+(\d+)\s*\n").match(data, at)
            if not m:
                break
            first, count = int(m.group(1)), int(m.group(2))
            at = m.end()
            for k in range(count):
                offset, _, kind = data[at:at + 20].split()[:3]
                if kind == b"n":
                    offsets.setdefault(first + k, int(offset))  # the newest section wins: read first
                at += 20
        m = re.compile(rb"\s*trailer\s*").match(data, at)
        section, _ = _parse(data, m.end())
        trailer = trailer or section
        at = int(section[b"Prev"]) if b"Prev" in section else None
    return offsets, trailer, start


def _object(data, offsets, number):
    m = re.compile(rb"\s*%d\s+\d+\s+obj\b" % number).match(data, offsets[number])
    if not m:
        raise ValueError("object {} is not where the cross-reference table says".format(number))
    return _parse(data, m.end())[0]


def _resolve(data, offsets, value):
    return _object(data, offsets, value[1]) if isinstance(value, tuple) and value[0] == "R" else value


def stamp(pdf, line):
    """The PDF bytes with `line` drawn at the top of page 1; the original bytes come first, unchanged. The line is
    set in Helvetica, one of the fonts every reader has, so it holds only what its encoding (Windows-1252) can."""
    try:
        encoded = line.encode("cp1252")
    except UnicodeEncodeError:
        raise ValueError("{!r} has characters the standard PDF font cannot draw (it has Windows-1252's)".format(line))
    if not line.isprintable():
        raise ValueError("{!r} is not one printable line".format(line))
    offsets, trailer, previous = _xref(pdf)
    node_ref = _object(pdf, offsets, trailer[b"Root"][1])[b"Pages"]
    inherited = {}
    while True:  # down the page tree to the first page, keeping what a page inherits
        node = _object(pdf, offsets, node_ref[1])
        inherited.update((key, node[key]) for key in (b"Resources", b"MediaBox") if key in node)  # nearest wins
        if node.get(b"Type") == ("/", b"Page"):
            break
        node_ref = node[b"Kids"][0]
    page_number, page = node_ref[1], dict(node)
    page[b"Resources"] = inherited.get(b"Resources", {})
    if b"MediaBox" not in inherited:
        raise ValueError("the PDF's first page has no MediaBox")
    resources = dict(_resolve(pdf, offsets, inherited.get(b"Resources", {})))
    fonts = dict(_resolve(pdf, offsets, resources.get(b"Font", {})))
    box = [float(_resolve(pdf, offsets, v)) for v in _resolve(pdf, offsets, inherited[b"MediaBox"])]
    size = int(trailer[b"Size"])
    font, before, after = size, size + 1, size + 2
    name = b"FStamp"
    while name in fonts:
        name += b"X"
    fonts[name] = ("R", font)
    resources[b"Font"] = fonts
    page[b"Resources"] = resources
    page.setdefault(b"MediaBox", inherited[b"MediaBox"])  # what the page inherited, now its own
    contents = _resolve(pdf, offsets, page.get(b"Contents", []))
    contents = contents if isinstance(contents, list) else [page[b"Contents"]]
    page[b"Contents"] = [("R", before)] + contents + [("R", after)]
    text = encoded.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    # q ... Q around the old content: whatever transform it leaves, the stamp is drawn in the page's own units
    draw = b"Q q BT /%s 10 Tf 1 0 0 1 %.2f %.2f Tm (%s) Tj ET Q" % (name, box[0] + MARGIN_POINTS,
                                                                    box[3] - FROM_TOP_POINTS, text)
    objects = [(font, b"<</Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding>>"),
               (before, b"<</Length 1>>\nstream\nq\nendstream"),
               (after, b"<</Length %d>>\nstream\n%s\nendstream" % (len(draw), draw)),
               (page_number, _write(page))]
    out = bytearray(pdf if pdf.endswith(b"\n") else pdf + b"\n")
    where = {}
    for number, body in objects:
        where[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(out)
    out += b"xref\n"
    for number in sorted(where):
        out += b"%d 1\n%010d 00000 n \n" % (number, where[number])
    new_trailer = {b"Size": b"%d" % (after + 1), b"Root": trailer[b"Root"], b"Prev": b"%d" % previous}
    if b"Info" in trailer:
        new_trailer[b"Info"] = trailer[b"Info"]
    out += b"trailer\n" + _write(new_trailer) + b"\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)
