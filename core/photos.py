"""--predict's images: the files a --predict value names, and each image put into MNIST's form.

MNIST digits are light on dark, scaled to fit 20x20 and centred by their centre of mass in 28x28 (LeCun et
al.); Pillow reads and resizes, the rest is here. Images are read as a careful viewer would: the EXIF
orientation applied, 16-bit greys scaled (not clipped), transparency composited onto white paper, a
deliberate size limit instead of Pillow's decompression-bomb exception, and only regular files.
"""
import os
import stat

import numpy as np

from core.common import UserError, log, relpath

IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
MAX_PIXELS = 40 * 1000 * 1000
WORK_SIDE = 512  # images are read at most this many pixels a side (the digit ends as 20)  # a 40-megapixel photo is read; larger images are refused before decoding


def _regular(path):
    """Whether path is a regular file (not a FIFO, device or folder), following links."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def image_paths(spec):
    """The image files a --predict value names: comma-separated files and folders (their images, sorted). A
    value that is itself an existing path is taken whole, so a file whose name has a comma can be named."""
    whole = os.path.expanduser(spec.strip())
    items = [spec] if os.path.lexists(whole) else spec.split(",")
    paths = []
    for item in [os.path.expanduser(p.strip()) for p in items if p.strip()]:
        if os.path.isdir(item):
            named = sorted(os.path.join(item, n) for n in os.listdir(item) if n.lower().endswith(IMAGE_TYPES))
            found = [p for p in named if _regular(p)]
            for other in sorted(set(named) - set(found)):  # reading a FIFO would wait for a writer forever
                log("skipped {}: not a regular file (a pipe, a device or a link to nothing)".format(relpath(other)))
            if not found:
                raise UserError("the folder {} holds no .png or .jpg images".format(relpath(item)))
            paths += found
        elif _regular(item):
            paths.append(item)
        elif os.path.lexists(item) and not os.path.exists(item):
            raise UserError("--predict names {}, a link to nothing (or a loop of links)".format(relpath(item)))
        elif os.path.exists(item):
            raise UserError("--predict names {}, which is not a regular file (a pipe or a device?)".format(
                relpath(item)))
        else:
            raise UserError("--predict names {}, which does not exist".format(relpath(item)))
    if not paths:
        raise UserError("--predict needs an image file or folder, like --predict=digit.png")
    return paths


def _grey(image):
    """A Pillow image -> float32 greys in [0, 1]: orientation applied, 16 bits scaled, alpha onto white."""
    from PIL import Image, ImageOps
    image = ImageOps.exif_transpose(image)
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        values = np.asarray(image, dtype=np.float64)
        top = 65535.0 if image.mode.startswith("I;16") or values.max() > 255 else 255.0
        return (np.clip(values, 0, top) / top).astype(np.float32)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(paper, rgba)
    return np.asarray(image.convert("L"), dtype=np.float32) / 255.0




def _windows(a, shape):
    """A read-only view [H - h + 1, W - w + 1, h, w] of every h x w window of the 2-D array a (NumPy's
    sliding_window_view, which the pinned runtime's NumPy 1.19 lacks)."""
    a = np.ascontiguousarray(a)
    h, w = shape
    out = (a.shape[0] - h + 1, a.shape[1] - w + 1, h, w)
    return np.lib.stride_tricks.as_strided(a, out, a.strides + a.strides, writeable=False)


def _sliding(a, size, reduce):
    """min or max over a size x size window around each pixel (edges padded with the nearest pixel)."""
    pad = size // 2
    padded = np.pad(a, pad, mode="edge")
    windows = _windows(padded, (size, size))
    return reduce(reduce(windows, axis=-1), axis=-1)


def paper_level(ink, work_side=64, window=0.25):
    """The paper's level at every pixel of `ink` (light ink on darker paper, in [0, 1]), estimated locally:
    a grey opening (a minimum, then a maximum, over windows a quarter of the image's shorter side) of a
    work_side copy, scaled back up. Strokes are narrower than the window and drop out; what a lamp, a
    shadow or a phone's vignette does to the paper changes over larger distances and stays. One level for
    the whole page counted the darker side of an unevenly lit sheet as ink, and the digit shrank into a
    corner. Small enough to be quick at any size: the opening runs on at most work_side pixels a side."""
    from PIL import Image
    h, w = ink.shape
    factor = min(1.0, float(work_side) / min(h, w))
    small_size = (max(1, int(round(w * factor))), max(1, int(round(h * factor))))
    small = np.asarray(Image.fromarray(ink.astype(np.float32), mode="F").resize(small_size, Image.BILINEAR))
    size = max(3, int(window * min(small.shape)) | 1)  # odd
    opened = _sliding(_sliding(small, size, np.min), size, np.max)
    level = np.asarray(Image.fromarray(opened.astype(np.float32), mode="F").resize((w, h), Image.BILINEAR))
    return np.minimum(level, ink).astype(np.float32)


def _opened_along(a, length, axis):
    """A grey opening with a line of `length` pixels along `axis`: what stays is what is at least that long
    in that direction (a ruled line), not a digit's strokes."""
    length = max(3, min(length, a.shape[axis]) | 1)
    pad = [(0, 0), (0, 0)]
    pad[axis] = (length // 2, length // 2)
    window = (1, length) if axis == 1 else (length, 1)
    def slide(x, reduce):
        w = _windows(np.pad(x, pad, mode="edge"), window)
        return reduce(w.reshape(w.shape[:2] + (-1,)), axis=-1)
    return slide(slide(a, np.min), np.max)


def without_rulings(ink, faint):
    """Lined or squared paper: what is lit along a third of the image's width (or height) is a ruling, and
    is taken off where it is faint (below `faint`) across a band of 2% of the image around it. A digit's
    stroke that long (a 7's bar across a tight crop, a 1's stem) is ink at full strength and stays, and so
    do its anti-aliased edges and ends, which lie in that band: a digit drawn on a screen has them too, and
    they are read as they are."""
    band = max(5, int(0.02 * max(ink.shape)) | 1)
    along_rows = _opened_along(ink, ink.shape[1] // 3, 1)  # horizontal rulings
    along_cols = _opened_along(ink, ink.shape[0] // 3, 0)  # vertical rulings
    faint_rows = _sliding(along_rows, band, np.max) < faint  # no full-strength ink beside it or at its ends
    faint_cols = _sliding(along_cols, band, np.max) < faint
    lines = np.maximum(np.where(faint_rows, along_rows, 0.0), np.where(faint_cols, along_cols, 0.0))
    return np.clip(ink - lines, 0.0, 1.0).astype(np.float32)


def _at_most(grey, side):
    """The image scaled down (area-averaged) so that its longer side is at most `side` pixels: a digit ends
    as 20 pixels, and the background's estimate stays quick for a phone's 12-megapixel photo."""
    from PIL import Image
    h, w = grey.shape
    if max(h, w) <= side:
        return grey
    size = (max(1, int(round(w * side / float(max(h, w))))), max(1, int(round(h * side / float(max(h, w))))))
    return np.asarray(Image.fromarray(grey.astype(np.float32), mode="F").resize(size, Image.BOX), np.float32)


def _marks(mask, min_share=0.25):
    """Bounding boxes (top, left, bottom, right) of the mask's connected marks (8-neighbours) holding at
    least min_share of the largest's pixels, found on a copy of at most 96 pixels a side."""
    step = max(1, int(np.ceil(max(mask.shape) / 96.0)))
    small = mask[::step, ::step]
    seen = np.zeros(small.shape, bool)
    marks = []
    for start in map(tuple, np.argwhere(small)):
        if seen[start]:
            continue
        stack, pixels = [start], []
        seen[start] = True
        while stack:
            r, c = stack.pop()
            pixels.append((r, c))
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    nr, nc = r + dr, c + dc
                    if 0 <= nr < small.shape[0] and 0 <= nc < small.shape[1] and small[nr, nc] and not seen[nr, nc]:
                        seen[nr, nc] = True
                        stack.append((nr, nc))
        pixels = np.array(pixels)
        marks.append((len(pixels), pixels.min(0), pixels.max(0) + 1))
    if not marks:
        return []
    largest = max(m[0] for m in marks)
    return [(lo[0], lo[1], hi[0], hi[1]) for n, lo, hi in marks if n >= min_share * largest]


def _main_marks(ink, min_share=0.1):
    """ink with every mark smaller than min_share of the largest set to 0."""
    mask = ink > 0.2
    step = max(1, int(np.ceil(max(mask.shape) / 96.0)))
    keep = np.zeros(mask.shape, bool)
    for top, left, bottom, right in _marks(mask, min_share):
        # A step of margin: the copy's pixel i stands for rows (i-1)*step+1 .. (i+1)*step-1 of the image.
        keep[max(0, top - 1) * step:(bottom + 1) * step, max(0, left - 1) * step:(right + 1) * step] = True
    return np.where(keep, ink, 0.0)


def doubts(ink):
    """Why a prepared image may not be one digit (a list of short phrases, empty when it looks like one):
    marks side by side with a gap (a strip of digits), ink over most of its box (a blot), or a speck."""
    mask = ink > 0.3 * ink.max()
    found = []
    marks = sorted(_marks(mask), key=lambda m: m[1])
    height = max([m[2] - m[0] for m in marks] or [1])
    apart = sum(1 for a, b in zip(marks, marks[1:]) if b[1] - a[3] > 0.15 * height)
    if apart:
        found.append("{} marks side by side, not one digit".format(apart + 1))
    rows, cols = np.nonzero(mask)
    if len(rows):
        box = (rows.max() - rows.min() + 1) * (cols.max() - cols.min() + 1)
        if mask.sum() > 0.7 * box and box > 25:
            found.append("ink fills {:.0%} of its box, a blot rather than a stroke".format(mask.sum() / float(box)))
        if max(rows.max() - rows.min(), cols.max() - cols.min()) + 1 < 0.04 * max(mask.shape):
            found.append("the ink is a speck of the image")
    return found


def read_digit(path):
    """An image file -> (float32 [28, 28] in [0, 1], light digit on dark, as the training images are; the
    doubts() of its ink: reasons it may not be one digit)."""
    import warnings
    from PIL import Image
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit is below
            with Image.open(path) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise UserError("{} is {}x{} pixels, more than this program reads ({:,} megapixels); scale it "
                                    "down or crop it to the digit".format(relpath(path), image.width, image.height,
                                                                         MAX_PIXELS // 1000000))
                grey = _grey(image)
    except Image.DecompressionBombError as e:
        raise UserError("{} declares more pixels than this program reads ({}); scale it down".format(
            relpath(path), str(e).splitlines()[0]))
    except (OSError, ValueError, SyntaxError) as e:  # Pillow's UnidentifiedImageError is an OSError
        raise UserError("cannot read {} as an image ({}); give a PNG or JPEG of one digit".format(
            relpath(path), str(e).splitlines()[0] if str(e) else type(e).__name__))
    edge = lambda a: np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]])
    if np.median(edge(grey)) > 0.5:  # dark ink on light paper: invert
        grey = 1.0 - grey
    if grey.shape == (28, 28):
        if grey.max() - grey.min() < 0.1:
            raise UserError("{} looks blank: no digit found".format(relpath(path)))
        return grey, doubts(grey)  # already in MNIST's form
    grey = _at_most(grey, WORK_SIDE)
    grey = np.clip(grey - paper_level(grey), 0.0, 1.0)  # paper, even or unevenly lit, becomes 0
    if grey.max() < 0.1:
        raise UserError("{} looks blank: no digit found".format(relpath(path)))
    # Strong ink becomes 1: the 80th percentile of the stroke pixels (or the darkest pixel when that is
    # near it, as in a digit drawn on a screen), so that, as in MNIST, a pencil stroke is full-strength across
    # its width.
    strokes = grey[grey > 0.3 * grey.max()]
    strong = np.percentile(strokes, 80)
    grey = without_rulings(grey, faint=0.6 * grey.max())
    grey = np.clip(grey / (grey.max() if strong >= 0.9 * grey.max() else strong), 0.0, 1.0)
    found = doubts(grey)
    grey = _main_marks(grey)  # specks far from the digit (a crumb, a shadow's corner) do not widen its box
    ink = np.argwhere(grey > 0.2)
    (top, left), (bottom, right) = ink.min(0), ink.max(0) + 1
    digit = grey[top:bottom, left:right]
    scale = 20.0 / max(digit.shape)  # the longer side becomes 20 pixels, as in MNIST
    size = (max(1, int(round(digit.shape[1] * scale))), max(1, int(round(digit.shape[0] * scale))))
    # Across, then down, as passes of their own: Pillow 13 picks the order itself (the two differ by a grey
    # level here and there), so a fixed order gives the same pixels on every Pillow version.
    image = Image.fromarray((digit * 255).astype(np.uint8))
    image = image.resize((size[0], image.height), Image.LANCZOS).resize(size, Image.LANCZOS)
    digit = np.asarray(image, dtype=np.float32) / 255.0
    rows, cols = np.indices(digit.shape)
    mass = max(digit.sum(), 1e-6)
    centre = ((rows * digit).sum() / mass, (cols * digit).sum() / mass)
    canvas = np.zeros((28, 28), np.float32)
    top, left = int(round(14 - centre[0])), int(round(14 - centre[1]))  # centre of mass to (14, 14)
    top, left = min(max(top, 0), 28 - digit.shape[0]), min(max(left, 0), 28 - digit.shape[1])
    canvas[top:top + digit.shape[0], left:left + digit.shape[1]] = digit
    return np.clip(canvas, 0.0, 1.0), found


