"""--predict: your own image, made into MNIST's form, classified by a shipped model."""
import os

import numpy as np
import pytest

import data_loader
from core import photos
import evaluate
from core.config import Arch
from conftest import main_in_process, assert_one_line_error, ROOT

WEIGHTS = os.path.join(ROOT, "weights")
SPEC = Arch("lstm", (128,))


@pytest.fixture
def test_images(real_mnist):
    images, labels = data_loader.load_split(real_mnist, "test")
    return images[:40], labels[:40]


def photo_like(image, path, scale, offset, canvas=(150, 120), paper=230):
    """A test image as a phone photo of paper might give it: larger, off-centre, dark ink on light grey."""
    from PIL import Image
    ink = Image.fromarray((255 - image * 255).astype(np.uint8))
    big = ink.resize((28 * scale, 28 * scale), Image.BILINEAR)
    sheet = Image.new("L", canvas, paper)
    sheet.paste(big, offset, Image.fromarray((image * 255 > 10).astype(np.uint8) * 255).resize(big.size))
    sheet.save(path)
    return path


def test_a_photo_like_digit_becomes_mnist_form_and_keeps_its_prediction(tmp_path, test_images):
    images, labels = test_images
    originals = evaluate.predict(SPEC, [_png(tmp_path, k, im) for k, im in enumerate(images)], WEIGHTS)
    paths = [photo_like(im, str(tmp_path / "photo{}.jpg".format(k)), scale=2 + k % 3, offset=(5 + 3 * k % 40, 4 + k % 20))
             for k, im in enumerate(images)]
    read = evaluate.predict(SPEC, paths, WEIGHTS)
    # Where the model is sure of the clean image, the photo keeps its answer. One of these 40 (test image
    # 18, a 3) is a coin flip already clean (3: 58%, 8: 40%), and a JPEG of it may fall either way.
    sure = [max(a[2]) >= 0.75 for a in originals]
    assert sum(sure) >= 38, sum(sure)
    same = [a[1] == b[1] for a, b, s in zip(originals, read, sure) if s]
    assert all(same), [k for k, s in enumerate(same) if not s]
    right = sum(b[1] == y for b, y in zip(read, labels))
    assert right >= 38, right  # LSTM-128 misreads one of these 40 (a 5 as an 8) photo or not, and may image 18
    back = photos.read_digit(paths[0])[0]
    assert back.shape == (28, 28) and back.max() == pytest.approx(1.0, abs=0.05) and back[0].max() < 0.05
    rows, cols = np.indices(back.shape)
    assert abs((rows * back).sum() / back.sum() - 14) < 1 and abs((cols * back).sum() / back.sum() - 14) < 1


def _png(tmp_path, k, image):
    from PIL import Image
    path = str(tmp_path / "test{:02d}.png".format(k))
    Image.fromarray(np.round(image * 255).astype(np.uint8)).save(path)
    return path


def test_predictions_on_test_images_written_as_png_are_the_test_models(tmp_path, test_images):
    images, _ = test_images
    folder = tmp_path / "pngs"
    folder.mkdir()
    for k, image in enumerate(images):
        _png(folder, k, image)
    answers = evaluate.predict(SPEC, photos.image_paths(str(folder)), WEIGHTS)  # a folder: its images, sorted
    from core.runs import RunDir
    from model import Model
    from core.tfcompat import tf
    run = RunDir(WEIGHTS, "lstm_h128")
    config, state = run.load_config(), run.load_state()
    with tf.Graph().as_default():
        model = Model(config)
        saver = tf.train.Saver(model.model_variables)
        with tf.Session() as session:
            run.restore(session, saver, state["best"], model.model_variables)
            logits = session.run(model.logits, {model.images: images})
    assert [a[1] for a in answers] == logits.argmax(1).tolist()
    assert all(abs(sum(a[2]) - 1) < 1e-5 for a in answers)


@pytest.mark.parametrize("content,words", [(b"not an image", ["cannot read", "as an image"]),
                                           (None, ["does not exist"])], ids=["garbage", "missing"])
def test_a_bad_image_is_one_line(tmp_path, content, words):
    path = str(tmp_path / "digit.png")
    if content is not None:
        with open(path, "wb") as f:
            f.write(content)
    code, out, err = main_in_process(["--model=lstm", "--hidden_unit=128", "--predict=" + path,
                                      "--weights_dir=" + WEIGHTS])
    assert code == 1
    assert_one_line_error(code, err)
    for word in words:
        assert word in err


def test_a_blank_image_is_one_line(tmp_path):
    from PIL import Image
    path = str(tmp_path / "blank.png")
    Image.new("L", (50, 40), 255).save(path)
    code, out, err = main_in_process(["--model=lstm", "--hidden_unit=128", "--predict=" + path,
                                      "--weights_dir=" + WEIGHTS])
    assert code == 1 and "looks blank" in err and err.count("\n") == 1


def _png_of(path, array):
    from PIL import Image
    if array.dtype == np.uint16:  # 16-bit grey
        image = Image.frombytes("I;16", (array.shape[1], array.shape[0]), array.astype("<u2").tobytes())
    else:
        image = Image.fromarray(array)
    image.save(str(path))
    return str(path)


def test_hostile_and_unusual_images_are_read_as_a_careful_viewer_would(tmp_path, capsys):
    """A decompression bomb is one line; a 16-bit PNG is scaled, not clipped; black ink on a transparent
    background is composited onto white; a blank 28x28 is refused; a FIFO and a dangling link are named."""
    import struct
    import zlib
    from conftest import assert_one_line_error
    from core.common import UserError
    # A PNG declaring 100000 x 100000 pixels with a tiny IDAT.
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"\0" * 10)) + chunk(b"IEND", b""))
    with pytest.raises(UserError, match="more pixels than this program reads|megapixels"):
        photos.read_digit(str(bomb))[0]
    digit = np.zeros((56, 56), np.float32)
    digit[10:46, 24:32] = 1.0  # a thick vertical stroke: a "1"
    sixteen = _png_of(tmp_path / "g16.png", (digit * 40000 + 1000).astype(np.uint16))
    eight = _png_of(tmp_path / "g8.png", (digit * 255).astype(np.uint8))
    np.testing.assert_allclose(photos.read_digit(sixteen)[0], photos.read_digit(eight)[0], atol=0.05)
    rgba = np.zeros((56, 56, 4), np.uint8)
    rgba[..., 3] = (digit * 255).astype(np.uint8)  # black ink, transparent paper
    np.testing.assert_allclose(photos.read_digit(_png_of(tmp_path / "a.png", rgba))[0],
                               photos.read_digit(eight)[0], atol=0.05)
    with pytest.raises(UserError, match="looks blank"):
        photos.read_digit(_png_of(tmp_path / "blank.png", np.full((28, 28), 255, np.uint8)))
    fifo = tmp_path / "pipe.png"
    os.mkfifo(str(fifo))
    with pytest.raises(UserError, match="not a regular file"):
        photos.image_paths(str(fifo))
    assert photos.image_paths(str(tmp_path)) == sorted(
        str(tmp_path / n) for n in ("a.png", "blank.png", "bomb.png", "g16.png", "g8.png"))  # the FIFO is skipped,
    assert "skipped {}: not a regular file".format(fifo) in capsys.readouterr().out  # and the user told why
    os.symlink(str(tmp_path / "gone.png"), str(tmp_path / "link.png"))
    with pytest.raises(UserError, match="a link to nothing"):
        photos.image_paths(str(tmp_path / "link.png"))
    comma = _png_of(tmp_path / "seven,eight.png", (digit * 255).astype(np.uint8))
    assert photos.image_paths(comma) == [comma]


def _sheet(kind, k, shape=(200, 260)):
    """Paper (210) as a phone photo might give it: lit unevenly, shadowed, or ruled."""
    h, w = shape
    rows, cols = np.indices(shape)
    sheet = np.full(shape, 210.0)
    sign = 1 if k % 2 else -1  # light from either side
    if kind == "gradient30":
        sheet += sign * np.linspace(-30, 30, w)[None, :]
    elif kind == "gradient60":
        sheet += sign * np.linspace(-60, 60, w)[None, :] + np.linspace(-20, 20, h)[:, None]
    elif kind == "shadow":  # a hand's or a phone's shadow: a soft-edged darker band across part of the sheet
        edge = 60 + 10 * (k % 5) + 0.4 * rows
        sheet -= 70.0 / (1.0 + np.exp(-(cols - edge) / 8.0)) if k % 2 else 70.0 / (1.0 + np.exp((cols - edge) / 8.0))
    elif kind == "lined":
        sheet[(rows % 24) < 2] -= 45  # ruled lines every 24 pixels, 2 thick, paler than the pencil
    elif kind == "squared":
        sheet[((rows % 20) < 2) | ((cols % 20) < 2)] -= 35
    return sheet


PHOTO_SETS = ("gradient30", "gradient60", "shadow", "lined", "squared", "pencil")


@pytest.mark.parametrize("kind", PHOTO_SETS)
def test_photo_like_sets_read_18_of_20(tmp_path, test_images, kind):
    """Twenty test digits, pencil-grey (at most 100 grey levels darker than the paper; 'pencil': 60) on
    paper lit from one side (+-30, and +-60 with a vertical slope too), half in a soft shadow, on lined or
    squared paper: the background is estimated locally, rulings are taken off, so >= 18 of 20 read right.
    One median of the border took the darker side of a lit sheet for ink and read 1 of 10 (#27)."""
    from PIL import Image
    images, labels = test_images
    paths = []
    for k, image in enumerate(images[:20]):
        big = np.asarray(Image.fromarray((image * 255).astype(np.uint8)).resize((84, 84), Image.BILINEAR)) / 255.0
        sheet = _sheet(kind, k)
        top, left = 50 + 2 * (k % 7), 70 + 4 * k
        sheet[top:top + 84, left:left + 84] -= (60.0 if kind == "pencil" else 100.0) * big
        path = str(tmp_path / "{}{}.jpg".format(kind, k))
        Image.fromarray(np.clip(sheet, 0, 255).astype(np.uint8)).save(path, quality=90)
        paths.append(path)
    read = [p[1] for p in evaluate.predict(SPEC, paths, WEIGHTS)]
    assert sum(a == y for a, y in zip(read, labels)) >= 18, (read, list(labels[:20]))


def test_the_paper_level_follows_the_light_and_leaves_the_strokes():
    """paper_level() on a sheet lit from one side (ink light on dark, as it is used): the estimate has the
    slope (60 grey levels across), and the digit's stroke is not in it."""
    rows, cols = np.indices((120, 160))
    paper = (20 + 60 * cols / 159.0) / 255.0
    ink = paper.copy()
    ink[40:80, 70:76] = 0.9  # a stroke 6 pixels wide
    level = photos.paper_level(ink.astype(np.float32))
    assert abs((level[:, 120] - level[:, 40]).mean() * 255 - 60 * 80 / 159.0) < 3
    assert np.abs(level[40:80, 70:76] - paper[40:80, 70:76]).max() < 0.05


def test_a_strip_of_digits_or_a_blot_gets_a_warning_on_its_line(tmp_path, test_images, capsys):
    from PIL import Image
    images, _ = test_images
    strip = np.concatenate([np.pad(im, ((0, 0), (4, 4))) for im in images[:4]], axis=1)  # four digits in a row
    blot = np.zeros((100, 100))
    blot[40:60, 42:58] = 1.0  # a blot (a thumb, a spill): solid ink
    single = images[0]
    paths = []
    for name, pixels in (("strip", strip), ("blot", blot), ("single", np.kron(single, np.ones((3, 3))))):
        paths.append(str(tmp_path / (name + ".png")))
        Image.fromarray((255 - pixels * 255).astype(np.uint8)).save(paths[-1])
    evaluate.predict(SPEC, paths, WEIGHTS)
    out = capsys.readouterr().out
    assert "warning" in _line_of(out, "strip.png") and "side by side" in _line_of(out, "strip.png")
    assert "warning" in _line_of(out, "blot.png") and "blot" in _line_of(out, "blot.png")
    assert "warning" not in _line_of(out, "single.png")


def _line_of(text, name):
    found = [line for line in text.splitlines() if name in line]
    assert found, (name, text)
    return found[0]
