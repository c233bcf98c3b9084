"""--predict's images: the files a --predict value names, and each image put into MNIST's form.

MNIST digits are light on dark, scaled to fit 20x20 and centred by their centre of mass in 28x28 (LeCun et
al.); Pillow reads and resizes, the rest is here. Images are read as a careful viewer would: the EXIF
orientation applied, 16-bit greys scaled (not clipped), transparency composited onto white paper, a
deliberate size limit instead of Pillow's decompression-bomb exception, and only regular files.
"""
import os
import stat

import numpy as np

from project.common import UserError, relpath

IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
MAX_PIXELS = 40 * 1000 * 1000  # a 40-megapixel photo is read; larger images are refused before decoding


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
            found = sorted(os.path.join(item, n) for n in os.listdir(item) if n.lower().endswith(IMAGE_TYPES)
                           and _regular(os.path.join(item, n)))
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




def load_digit_image(path):
    """An image file -> float32 [28, 28] in [0, 1], light digit on dark, as the training images are."""
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
        return grey  # already in MNIST's form
    background = np.median(edge(grey))  # paper that is not quite white becomes 0, the strongest ink 1
    grey = np.clip((grey - background) / max(grey.max() - background, 1e-6), 0.0, 1.0)
    ink = np.argwhere(grey > 0.2 * grey.max())
    if grey.max() < 0.1 or len(ink) == 0:
        raise UserError("{} looks blank: no digit found".format(relpath(path)))
    (top, left), (bottom, right) = ink.min(0), ink.max(0) + 1
    digit = grey[top:bottom, left:right]
    scale = 20.0 / max(digit.shape)  # the longer side becomes 20 pixels, as in MNIST
    size = (max(1, int(round(digit.shape[1] * scale))), max(1, int(round(digit.shape[0] * scale))))
    # Across, then down, as passes of their own: Pillow 13 picks the order itself (the two differ by a grey
    # level here and there), so a fixed order gives the same pixels on every Pillow, and web/rnn.js's.
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
    return np.clip(canvas, 0.0, 1.0)


