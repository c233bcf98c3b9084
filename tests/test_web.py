"""The draw-a-digit page (tools/web/): its exported weights are the checkpoints', and in a real headless Chromium its
JavaScript cells give TensorFlow's probabilities, its preprocessing gives data_loader's pixels, and a drawing made
of pointer events is read as the digit drawn.

The browser tests need Debian's chromium and chromium-driver and Selenium (requirements.txt). Without them they
are skipped with a message that says so, except in CI on the modern runtime, where .ci/run installs them.
"""
import base64
import functools
import http.server
import io
import json
import os
import shutil
import threading
import time

import numpy as np
import pytest

import data_loader
from core import photos
from conftest import assert_one_line_error, ROOT
from core import explain
from core.runs import RunDir
from core.tfcompat import IS_TF1

WEB = os.path.join(ROOT, "tools", "web")
WEIGHTS = os.path.join(ROOT, "weights")


def exported(name):
    """The payload tools/web/weights/<name>.js hands to MNIST_RNN.register."""
    with open(os.path.join(WEB, "weights", name + ".js")) as f:
        text = f.read()
    start = text.index("MNIST_RNN.register(") + len("MNIST_RNN.register(")
    return json.loads(text[start:text.rindex(");")])


def listed():
    with open(os.path.join(WEB, "weights", "index.js")) as f:
        text = f.read()
    return json.loads(text[text.index("(") + 1:text.rindex(")")])


def test_the_exported_weights_are_the_shipped_checkpoints():
    """Every configuration in the page's menu, bit for bit, with the documented gate order; a retrained model
    whose export was not refreshed fails here (python tools/export_weights.py)."""
    entries = listed()
    assert sorted(e["name"] for e in entries) == sorted("{}_h{}".format(m, h) for m in ("lstm", "gru")
                                                        for h in (32, 64, 128, 256))
    for entry in entries:
        payload = exported(entry["name"])
        run = RunDir(WEIGHTS, entry["name"])
        config, state = run.load_config(), run.load_state()
        assert payload["checkpoint"] == state["best"], entry["name"]
        assert payload["gates"] == {"lstm": ["i", "f", "o", "g"], "gru": ["r", "z", "n"]}[config.arch.model]
        weights = explain.load_weights(run, state, config)
        for key, text in payload["arrays"].items():
            values = np.frombuffer(base64.b64decode(text), dtype="<f4").reshape(payload["shapes"][key])
            assert np.array_equal(values, weights[key]), (entry["name"], key)
        with open(os.path.join(ROOT, "results", entry["name"] + ".json")) as f:
            assert payload["test_accuracy"] == json.load(f)["test_accuracy"]


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium through Selenium and Debian's chromedriver."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        webdriver = None
    if IS_TF1:
        pytest.skip("the page's browser tests run on the modern runtime (Selenium needs a current Python)")
    if not (chromium and driver_path and webdriver):
        message = ("no browser for the page's tests: install Debian's chromium and chromium-driver "
                   "(apt-get install chromium chromium-driver) and Selenium (pip install -r requirements.txt)")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--window-size=1300,1000", "--allow-file-access-from-files"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_script_timeout(120)
    yield driver
    driver.quit()


def open_page(driver, url, name):
    """Load the page and choose configuration `name`; returns when its weights are in."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
    driver.get(url)
    Select(driver.find_element(By.ID, "config")).select_by_value(name)
    driver.execute_script("window.ROW_MS = 0;")  # no animation delay in tests
    for _ in range(300):
        if driver.find_element(By.TAG_NAME, "body").get_attribute("data-weights") == name:
            return
        time.sleep(0.05)
    raise AssertionError("the page did not load {}: {}".format(name, driver.find_element(By.ID, "status").text))


def file_url():
    return "file://" + os.path.join(WEB, "index.html")


@pytest.mark.parametrize("name", ["lstm_h128", "gru_h64"])
def test_the_javascript_cells_give_tensorflows_probabilities(browser, real_mnist, name):
    """300 test images, opened from the file system: after every row the JavaScript probabilities are NumPy's
    (core/explain.py), and after the last they are TensorFlow's, to 1e-4."""
    from test_explain import tensorflow_probabilities
    images, _ = data_loader.load_split(real_mnist, "test")
    images = images[:300]
    open_page(browser, file_url(), name)
    got = np.array(browser.execute_script(
        "var w = MNIST_RNN.loaded[arguments[0]];"
        "return arguments[1].map(function (img) { return MNIST_RNN.forward(w, img).probabilities; });",
        name, images.reshape(300, 784).tolist()))  # [300, 28 rows, 10]
    run = RunDir(WEIGHTS, name)
    config, state = run.load_config(), run.load_state()
    _, numpy_p = explain.read_rows(config.arch.model, explain.load_weights(run, state, config), images)
    np.testing.assert_allclose(got, numpy_p, atol=1e-9)
    expected = tensorflow_probabilities(run, config, state, images)
    np.testing.assert_allclose(got[:, -1], expected, atol=1e-4)
    assert (got[:, -1].argmax(1) == expected.argmax(1)).all()


def draw(driver, strokes):
    """Pointer events (press, moves, release) along each stroke; points are offsets from the pad's centre."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    pad = driver.find_element(By.ID, "pad")
    driver.execute_script("document.body.removeAttribute('data-read');")
    actions = ActionChains(driver)
    for stroke in strokes:
        actions.move_to_element_with_offset(pad, *stroke[0]).click_and_hold()
        for point in stroke[1:]:
            actions.move_to_element_with_offset(pad, *point)
        actions.release()
    actions.perform()
    for _ in range(300):
        if driver.find_element(By.TAG_NAME, "body").get_attribute("data-read") == "done":
            return driver.execute_script("return window.lastReading;")
        time.sleep(0.05)
    raise AssertionError("the drawing was not read")


def line(a, b, steps=12):
    return [(int(round(a[0] + (b[0] - a[0]) * k / steps)), int(round(a[1] + (b[1] - a[1]) * k / steps)))
            for k in range(steps + 1)]


SEVEN = [line((-70, -90), (70, -90)) + line((70, -90), (-20, 95))[1:]]
ZERO = [[(int(55 * np.sin(a)), int(-85 * np.cos(a))) for a in np.linspace(0, 2 * np.pi, 40)]]
ONE = [line((5, -95), (-5, 95))]


@pytest.fixture(scope="module")
def served():
    """tools/web/ served by Python's http.server on 127.0.0.1, as `python -m http.server` would."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=WEB)
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:{}/index.html".format(server.server_address[1])
    server.shutdown()


@pytest.mark.parametrize("digit,strokes", [(7, SEVEN), (0, ZERO), (1, ONE)], ids=["seven", "zero", "one"])
def test_a_drawn_digit_is_read_as_that_digit(browser, served, digit, strokes, tmp_path):
    """Served over HTTP: the pointer-event drawing is classified as the digit drawn, and the page's 28x28 input
    is what photos.read_digit makes of the same canvas saved as a PNG (to one grey level)."""
    from PIL import Image
    from selenium.webdriver.common.by import By
    open_page(browser, served, "lstm_h128")
    browser.find_element(By.ID, "clear").click()
    reading = draw(browser, strokes)
    assert reading["prediction"] == digit, np.round(reading["probabilities"][-1], 3)
    assert len(reading["probabilities"]) == 28 and abs(sum(reading["probabilities"][-1]) - 1) < 1e-9
    png = browser.execute_script("return document.getElementById('pad').toDataURL('image/png');")
    canvas = Image.open(io.BytesIO(base64.b64decode(png.split(",", 1)[1])))
    path = str(tmp_path / "drawn.png")
    canvas.save(path)
    python_pixels = photos.read_digit(path)[0]
    page_pixels = np.array(reading["image"], dtype=np.float32).reshape(28, 28)
    diff = np.abs(page_pixels - python_pixels)
    assert diff.max() <= 1.0 / 255 + 1e-6, (diff.max(), np.argwhere(diff > 1.0 / 255 + 1e-6)[:5].tolist(), page_pixels.sum(), python_pixels.sum())


def status_once_it_says(browser, url, words, tries=100):
    """The page's status line, once it holds `words` (or after `tries` looks, 50 ms apart)."""
    from selenium.webdriver.common.by import By
    browser.get(url)
    for _ in range(tries):
        text = browser.find_element(By.ID, "status").text
        if words in text:
            break
        time.sleep(0.05)
    return text


def test_missing_weights_say_what_to_run(browser, tmp_path):
    """A menu entry whose weights file is gone: the page says which command writes it."""
    copy = tmp_path / "web"
    shutil.copytree(WEB, str(copy), ignore=shutil.ignore_patterns("*_h*.js"))
    text = status_once_it_says(browser, "file://" + str(copy / "index.html"), "missing")
    assert "lstm_h128.js is missing: run python tools/export_weights.py" in text


def test_the_page_resizes_as_pillow_does(browser):
    """tools/web/rnn.js's Lanczos resize against Pillow's, pass by pass as photos.read_digit does it
    (across, then down), on random 8-bit images of the shapes a drawing gives: exactly equal."""
    from PIL import Image
    browser.get(file_url())
    rng = np.random.RandomState(0)
    for width, height, new_width, new_height in [(35, 200, 4, 20), (200, 35, 20, 4), (100, 120, 17, 20),
                                                 (40, 40, 20, 20), (13, 9, 20, 14), (1, 180, 1, 20)]:
        pixels = (rng.rand(height, width) * 256).astype(np.uint8)
        image = Image.fromarray(pixels)
        expected = np.asarray(image.resize((new_width, height), Image.LANCZOS).resize(
            (new_width, new_height), Image.LANCZOS)).astype(int)
        got = browser.execute_script("return Array.from(MNIST_RNN.resize(arguments[0], arguments[1], arguments[2], "
                                     "arguments[3], arguments[4]));", pixels.ravel().tolist(), width, height,
                                     new_width, new_height)
        assert np.array_equal(np.array(got).reshape(new_height, new_width), expected), (width, height)


@pytest.mark.parametrize("args,words", [
    (["--names=lstm_h64-64"], "cannot be drawn on: the page runs single-layer, forward models"),
    (["--names=not_a_model"], "is not a configuration name such as lstm_h128"),
    (["--names=lstm_h32", "--weights_dir={empty}"], "no trained weights for lstm_h32"),
], ids=["stacked", "bad-name", "no-weights"])
def test_export_weights_refuses_in_one_line(args, words, tmp_path):
    """What the page cannot run, a name that is none, a folder without the weights: one error line, nothing written."""
    import subprocess
    import sys
    out = tmp_path / "out"
    args = [a.format(empty=str(tmp_path)) for a in args] + ["--out=" + str(out)]
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools/export_weights.py")] + args,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert_one_line_error(proc.returncode, proc.stderr, words)
    assert not out.exists()


def test_exporting_one_model_keeps_the_others_on_the_menu(tmp_path):
    """tools/export_weights.py --names=X rewrites X and the index, and the index still lists the models exported
    before (their .js files are there)."""
    import subprocess
    import sys
    out = str(tmp_path / "out")

    def export(names):
        proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools/export_weights.py"), "--names=" + names,
                               "--out=" + out], stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        assert proc.returncode == 0, proc.stderr
        with open(os.path.join(out, "index.js")) as f:
            text = f.read()
        return [e["name"] for e in json.loads(text[text.index("(") + 1:text.rindex(")")])]
    assert export("lstm_h32,gru_h32") == ["lstm_h32", "gru_h32"]
    assert export("gru_h32") == ["gru_h32", "lstm_h32"]


def _panels(driver):
    return driver.execute_script("""
        var input = document.getElementById('input'), data = input.getContext('2d').getImageData(0, 0, input.width, input.height).data;
        var inked = 0; for (var k = 3; k < data.length; k += 4) inked += data[k] > 0 ? 1 : 0;
        return {prediction: document.getElementById('prediction').textContent, reading: window.lastReading,
                gates: document.getElementById('gates').children.length, inked: inked,
                bars: Array.from(document.querySelectorAll('.bar')).map(function (b) { return b.style.width; }),
                status: document.getElementById('status').textContent, announce: document.getElementById('announce').textContent};""")


def test_clear_and_a_model_switch_never_leave_a_stale_answer(browser, served):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
    open_page(browser, served, "gru_h32")
    reading = draw(browser, SEVEN)
    shown = _panels(browser)
    assert shown["prediction"] == str(reading["prediction"]) and shown["gates"] == 4 and shown["inked"] > 0
    assert "GRU reads" in shown["announce"]
    browser.find_element(By.ID, "clear").click()
    cleared = _panels(browser)
    assert cleared["prediction"] == "?" and cleared["reading"] is None and cleared["gates"] == 0
    assert cleared["inked"] == 0 and set(cleared["bars"]) == {"0px"} and cleared["announce"] == ""
    Select(browser.find_element(By.ID, "config")).select_by_value("lstm_h32")
    for _ in range(300):
        if browser.find_element(By.TAG_NAME, "body").get_attribute("data-weights") == "lstm_h32":
            break
        time.sleep(0.05)
    switched = _panels(browser)
    assert switched["status"].startswith("LSTM with 32 units") and switched["gates"] == 0
    assert switched["prediction"] == "?" and browser.title == "Watch an LSTM read your digit"


def test_the_pad_draws_from_the_keyboard_and_the_answer_is_announced(browser, served):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    open_page(browser, served, "lstm_h128")
    pad = browser.find_element(By.ID, "pad")
    assert pad.get_attribute("tabindex") == "0" and pad.get_attribute("role") == "img"
    assert "arrow keys" in pad.get_attribute("aria-label")
    browser.execute_script("document.body.removeAttribute('data-read'); arguments[0].focus();", pad)
    keys = [Keys.ARROW_UP] * 9 + [Keys.SPACE] + [Keys.ARROW_DOWN] * 18 + [Keys.SPACE, Keys.ENTER]
    pad.send_keys(*keys)  # a vertical stroke through the middle: a one
    for _ in range(300):
        if browser.find_element(By.TAG_NAME, "body").get_attribute("data-read") == "done":
            break
        time.sleep(0.05)
    reading = browser.execute_script("return window.lastReading;")
    assert reading and reading["prediction"] == 1, reading and np.round(reading["probabilities"][-1], 3)
    assert browser.find_element(By.ID, "announce").get_attribute("aria-live") == "polite"
    assert browser.find_element(By.ID, "announce").get_attribute("textContent").startswith("The LSTM reads 1 (")
    assert "pen up at column 14, row 23" in browser.find_element(By.ID, "pen").text
    heat = browser.find_elements(By.CSS_SELECTOR, "#gates canvas")
    assert len(heat) == 6 and all(c.get_attribute("role") == "img" and c.get_attribute("aria-label") for c in heat)
    captions = [f.text for f in browser.find_elements(By.CSS_SELECTOR, "#gates figcaption")]
    assert "g (candidate), rows 1-28 across" in captions and not any("g (gate)" in c for c in captions)
    assert "Probabilities of the digits: 1 " in browser.find_element(By.ID, "bars").get_attribute("aria-label")
    pad.send_keys(Keys.ESCAPE)
    assert _panels(browser)["prediction"] == "?"


def test_on_a_phone_the_answer_is_on_the_first_screen(browser, served):
    from selenium.webdriver.common.by import By
    size = browser.get_window_size()
    browser.set_window_size(390, 844)
    try:
        open_page(browser, served, "lstm_h32")
        draw(browser, [[(x // 2, y // 2) for x, y in SEVEN[0]]])  # the phone's smaller pad
        inner = browser.execute_script("return window.innerHeight;")
        for element in ("prediction", "bars", "pad"):
            box = browser.execute_script("return arguments[0].getBoundingClientRect().bottom;",
                                         browser.find_element(By.ID, element))
            assert box <= inner, (element, box, inner)
    finally:
        browser.set_window_size(size["width"], size["height"])
