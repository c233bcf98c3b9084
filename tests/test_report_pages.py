"""Report.pdf's pages are clean (#27 item 6): no two lines of text overlap, and the figures are vector.

Text boxes come from the PDF itself (pypdf's text visitor: the position and size of each text run) and
the widths of the 14 core fonts the report is written in (matplotlib's AFM metrics). Rotated text (axis
labels) is left out. Needs pypdf (tools/requirements-docs.txt)."""
import functools
import os

import pytest

pytest.importorskip("pypdf", reason="pip install -r tools/requirements-docs.txt")
import pypdf  # noqa: E402

from conftest import ROOT  # noqa: E402

AFM = {"Helvetica": "phvr8a", "Helvetica-Bold": "phvb8a", "Helvetica-Oblique": "phvro8a",
       "Helvetica-BoldOblique": "phvbo8a", "Symbol": "psyr", "ZapfDingbats": "pzdr"}


@functools.lru_cache(maxsize=None)
def _metrics(base_font):
    import matplotlib
    from matplotlib import _afm
    key = AFM.get(base_font.lstrip("/"), "phvr8a")
    with open(os.path.join(matplotlib.get_data_path(), "fonts", "afm", key + ".afm"), "rb") as f:
        return _afm.AFM(f)


def text_boxes(page):
    """[(left, bottom, right, top, text)] in points, of each unrotated text run on a pypdf page."""
    boxes = []

    def visit(text, cm, tm, font, size):
        if not text.strip():
            return
        a, b, c, d, e, f = tm
        ca, cb, cc, cd, ce, cf = cm
        if abs(b) > 1e-6 or abs(c) > 1e-6 or abs(cb) > 1e-6 or abs(cc) > 1e-6:
            return  # rotated
        x, y, points = e * ca + ce, f * cd + cf, size * a * ca
        name = font.get("/BaseFont", "/Helvetica") if font else "/Helvetica"
        try:
            width = _metrics(name).get_str_bbox_and_descent(text.strip())[2] / 1000.0 * points
        except (KeyError, ValueError):
            width = 0.6 * points * len(text.strip())
        boxes.append((x, y - 0.2 * points, x + width, y + 0.72 * points, text.strip()))  # descender to cap height
    page.extract_text(visitor_text=visit)
    return boxes


def overlaps(path, slack=0.5):
    """[(page, text, text)] of text runs whose boxes overlap by more than `slack` points both ways."""
    found = []
    for number, page in enumerate(pypdf.PdfReader(path).pages, 1):
        boxes = text_boxes(page)
        for i, p in enumerate(boxes):
            for q in boxes[i + 1:]:
                if min(p[2], q[2]) - max(p[0], q[0]) > slack and min(p[3], q[3]) - max(p[1], q[1]) > slack:
                    found.append((number, p[4][:50], q[4][:50]))
    return found


def test_the_overlap_check_finds_overlapping_lines(tmp_path):
    """The check can fail: two lines set 4 points apart at 10 points overlap; 14 points apart they do not."""
    import matplotlib
    matplotlib.use("Agg")
    matplotlib.rcParams["pdf.use14corefonts"] = True
    import matplotlib.pyplot as plt
    for gap, expected in ((4, 1), (14, 0)):
        fig = plt.figure(figsize=(8.27, 11.69))
        fig.text(0.1, 0.5, "Early stopping keeps the best epoch", fontsize=10)
        fig.text(0.1, 0.5 - gap / (11.69 * 72), "chosen before testing, on validation", fontsize=10)
        path = str(tmp_path / "p{}.pdf".format(gap))
        fig.savefig(path)
        plt.close(fig)
        assert len(overlaps(path)) == expected, (gap, overlaps(path))


def test_the_report_has_no_overlapping_text():
    assert overlaps(os.path.join(ROOT, "Report.pdf")) == []


def images_in(path):
    """[(page, width, height)] of every raster image a PDF's pages draw."""
    found = []
    for number, page in enumerate(pypdf.PdfReader(path).pages, 1):
        xobjects = page.get("/Resources", {}).get_object().get("/XObject", {})
        for ref in xobjects.get_object().values() if xobjects else []:
            x = ref.get_object()
            if x.get("/Subtype") == "/Image":
                found.append((number, x.get("/Width"), x.get("/Height")))
    return found


def test_the_image_check_finds_a_raster(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    fig = plt.figure(figsize=(4, 4))
    fig.add_axes([0, 0, 1, 1]).imshow(np.eye(8))
    path = str(tmp_path / "r.pdf")
    fig.savefig(path)
    plt.close(fig)
    assert [page for page, _, _ in images_in(path)] == [1]  # (matplotlib resamples it to the axes size)


def test_the_report_figures_are_vector():
    """Every figure of Report.pdf is drawn on its page from the result files; none is a pasted PNG."""
    assert images_in(os.path.join(ROOT, "Report.pdf")) == []
