"""The EE6123 report, in the order of the student report it answers: implementation and technical notes, then
Question 1 (the grid of RNN, LSTM and GRU models), Question 2 (recall of the k-th digit) and Question 3 (binary
addition), each with its setup, the command that produces it, its results, its curves and why the models
differ. Every number is read from the result files the hand-in's q1.py, q2.py and q3.py write, and every
figure is drawn by the hand-in's own drawing functions (assignments/ee6123/plots.py, assignments/memory/
figures.py), as vectors on the page.

    report_pdf(roll="EE16B068", author="A. Student") -> the PDF's bytes
"""
import datetime
import io
import logging
import textwrap

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["pdf.use14corefonts"] = True  # plain-text PDF: small, and its words can be checked
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # "Times weight" notices
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402

from core.figures import axes_box  # noqa: E402
from tools.reporting.ee6123_text import implementation, question1, question2, question3  # noqa: E402

A4 = (8.27, 11.69)
LEFT, RIGHT, TOP, BOTTOM = 0.9, A4[0] - 0.9, A4[1] - 0.75, 0.75  # inches
WIDTH = RIGHT - LEFT


class Document(object):
    """Text, lists, code, tables and figures flowing down A4 pages, a new page where the next block does not fit."""

    def __init__(self):
        self.pages = []
        self._new_page()

    def _new_page(self):
        self.fig = plt.figure(figsize=A4)
        self.pages.append(self.fig)
        self.fig.text(0.5, 0.35 / A4[1], str(len(self.pages)), ha="center", fontsize=9, family="serif")
        self.y = TOP

    def _room(self, height):
        if self.y - height < BOTTOM and self.y < TOP:
            self._new_page()

    def _text(self, x, y, text, **style):
        """A line whose top is y (inches): placed by its baseline, so that lines with and without tall
        glyphs (brackets, capitals) sit exactly one line height apart."""
        baseline = y - style.get("fontsize", 10) * 0.8 / 72
        self.fig.text(x / A4[0], baseline / A4[1], text, va="baseline", **style)

    def title(self, lines):
        for text, size, weight in lines:
            self._text(A4[0] / 2, self.y, text, fontsize=size, weight=weight, ha="center", family="serif")
            self.y -= size * 1.7 / 72
        self.y -= 0.2

    def heading(self, text, size=14, keep=0.9):
        self._room(size * 1.6 / 72 + keep)  # a heading keeps what follows (a few lines, a figure) on its page
        self.y -= 0.12
        self._text(LEFT, self.y, text, fontsize=size, weight="bold", family="serif")
        self.y -= size * 1.6 / 72

    def paragraph(self, text, size=10, indent=0.0, first=""):
        """Wrapped to the width; a long paragraph goes on over the page."""
        chars = int((WIDTH - indent) * 72 / (size * 0.44))
        lines = textwrap.wrap(text, chars) or [""]
        line = size * 1.3 / 72
        for k, words in enumerate(lines):
            self._room(line)
            if k == 0 and first:
                self._text(LEFT + indent - 0.18, self.y, first, fontsize=size, family="serif")
            self._text(LEFT + indent, self.y, words, fontsize=size, family="serif")
            self.y -= line
        self.y -= line * 0.45

    def bullets(self, items, size=10):
        for item in items:
            self.paragraph(item, size, indent=0.3, first="\u2022")

    def code(self, lines, size=8.5):
        """Lines in a monospaced font on a grey band, numbered as in a listing."""
        line = size * 1.35 / 72
        height = line * len(lines) + 0.12
        self._room(height)
        self.fig.patches.append(matplotlib.patches.Rectangle(
            (LEFT / A4[0], (self.y - height) / A4[1]), WIDTH / A4[0], height / A4[1], transform=self.fig.transFigure,
            facecolor="#f0f0f0", edgecolor="#c8c8c8", lw=0.5))
        self.y -= 0.06
        for text in lines:
            self._text(LEFT + 0.1, self.y, text, fontsize=size, family="monospace")
            self.y -= line
        self.y -= 0.06 + line * 0.6

    def table(self, header, rows, widths, size=8):
        from tools.reporting.pages import table_block
        line = size * 1.45 / 72
        height = line * (1.5 + 1.5 * len(rows))
        self._room(height + 0.1)
        bottom = table_block(self.fig, LEFT / A4[0], self.y / A4[1], WIDTH / A4[0], header, rows, widths, size)
        self.y = bottom * A4[1] - 0.15

    @staticmethod
    def figure_height(size):
        """A figure's height on the page: at most the width, drawn at 7.5/8 of its own width in inches."""
        width = WIDTH * min(1.0, size[0] / 8.0)
        return min(width * size[1] / size[0], TOP - BOTTOM - 0.6)

    def figure(self, draw, size, caption):
        """draw(fig, box) centred at its proportions (size, inches), its caption below."""
        height = self.figure_height(size)
        width = height * size[0] / size[1]
        self._room(height + 0.4)
        if draw(self.fig, axes_box(LEFT + (WIDTH - width) / 2, self.y - height, width, height, A4)):
            self.y -= height
            self.paragraph(caption, size=9)


def _write(doc, blocks):
    """Blocks are (kind, *arguments): heading, paragraph, bullets, code, table, figure."""
    for k, (kind, *arguments) in enumerate(blocks):
        after = blocks[k + 1] if k + 1 < len(blocks) else None
        if kind == "heading" and after and after[0] == "figure":  # not a heading alone at a page's foot
            doc.heading(*arguments, keep=doc.figure_height(after[2]) + 0.4)
        else:
            getattr(doc, kind)(*arguments)


def report_pdf(roll="", author="", date=None):
    """The report's PDF as bytes, with the author and roll number under its title."""
    when = date or datetime.date.today()
    doc = Document()
    doc.title([("EE6123 Deep Learning", 18, "bold"), ("Assignment 3: Report", 14, "normal"),
               ("Author: {}".format(author or "-"), 11, "normal"), (roll or "-", 11, "normal"),
               ("{} {}".format(when.day, when.strftime("%B %Y")), 11, "normal")])
    for section in (implementation, question1, question2, question3):
        _write(doc, section())
    buffer = io.BytesIO()
    with PdfPages(buffer) as pdf:
        info = pdf.infodict()
        info["Title"], info["Author"] = "EE6123 Assignment 3: Report", author or ""
        info["CreationDate"] = info["ModDate"] = None
        for fig in doc.pages:
            pdf.savefig(fig)
            plt.close(fig)
    return buffer.getvalue()
