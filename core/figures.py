"""Figures drawn into a box of a matplotlib figure, so that one drawing serves both a PNG of its own size and
a region of a page of a PDF, where it stays vector (no pasted images). A drawing is
draw(fig, box) with box = (left, bottom, right, top) as fractions of fig: the area of its axes; its labels
go in the margins around it."""
import matplotlib

matplotlib.use("Agg")  # files only, no screen needed
import matplotlib.pyplot as plt  # noqa: E402

from core.common import save_png  # noqa: E402

# Room for the axes' labels around the box a figure is drawn in, in inches: left, bottom, right, top.
MARGINS = (0.85, 0.6, 0.25, 0.6)


def axes_box(left, bottom, width, height, page):
    """The box (figure fractions: left, bottom, right, top) for the axes of a figure drawn in the region
    (inches from the bottom left) of a page (width, height in inches), its labels within the region."""
    return ((left + MARGINS[0]) / page[0], (bottom + MARGINS[1]) / page[1],
            (left + width - MARGINS[2]) / page[0], (bottom + height - MARGINS[3]) / page[1])


def grid_in(fig, box, rows=1, cols=1, **space):
    """A grid of axes slots filling box (left, bottom, right, top as fractions of fig): the whole of a PNG,
    or a region of a report page, where the figure stays vector."""
    left, bottom, right, top = box
    return fig.add_gridspec(rows, cols, left=left, bottom=bottom, right=right, top=top, **space)


def png(draw, path, size, dpi=130):
    """draw(fig, box) as a PNG of its own size (inches); None (and no file) when it had nothing to draw."""
    fig = plt.figure(figsize=size)
    if not draw(fig, axes_box(0, 0, size[0], size[1], size)):
        plt.close(fig)
        return None
    return save_png(fig, path, dpi=dpi)
