"""The draw-a-digit page with damaged weights files: it says what is wrong and what to run (#40), in Chromium."""
import base64
import json
import shutil

import pytest

from test_web import WEB, browser, status_once_it_says  # noqa: F401  (browser: the module's Chromium fixture)


def _damaged_weights(text, how):
    """A weights file (MNIST_RNN.register({...});) damaged in one of the ways a copy goes wrong."""
    import struct
    if how == "truncated":
        return text[:len(text) // 2]
    if how == "garbage":
        return "%% not javascript %%"
    if how == "empty":
        return ""
    head, body = text.split("MNIST_RNN.register(", 1)
    raw = json.loads(body.rsplit(");", 1)[0])
    if how == "short array":
        raw["arrays"]["lstm/b"] = raw["arrays"]["lstm/b"][:8]
    elif how == "wrong name":
        raw["name"] = "gru_h32"
    elif how == "NaN":
        values = bytearray(base64.b64decode(raw["arrays"]["lstm/b"]))
        values[:4] = struct.pack("<f", float("nan"))
        raw["arrays"]["lstm/b"] = base64.b64encode(bytes(values)).decode("ascii")
    return head + "MNIST_RNN.register(" + json.dumps(raw) + ");\n"


@pytest.mark.parametrize("how", ["truncated", "garbage", "empty", "short array", "wrong name", "NaN", "index"])
def test_damaged_weights_are_said_on_the_page_never_loading_forever_or_ready(browser, tmp_path, how):
    from selenium.webdriver.common.by import By
    copy = tmp_path / "web"
    shutil.copytree(WEB, str(copy))
    if how == "index":
        (copy / "weights" / "index.js").write_text('MNIST_RNN.available([{"name": 5}]);\n')
    else:
        path = copy / "weights" / "lstm_h128.js"
        path.write_text(_damaged_weights(path.read_text(), how))
    text = status_once_it_says(browser, "file://" + str(copy / "index.html"), "export_weights.py")
    assert "run python tools/export_weights.py" in text and "loading" not in text, text
    assert "Draw a digit" not in text
    assert browser.find_element(By.TAG_NAME, "body").get_attribute("data-weights") != "lstm_h128"
