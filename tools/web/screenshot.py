"""The README's picture of the page: a 7 drawn with pointer events into headless Chromium, read by LSTM-128.

    python tools/web/screenshot.py [--out=tools/web/screenshot.png]

Beside it, screenshot.json records what the picture shows: the model, its checkpoint, and the SHA-256 of the
page's weights file it read; tests/test_web.py fails when the shipped weights no longer match (retake it).

Needs what the page's tests need (tests/test_web.py): Debian's chromium and chromium-driver, and Selenium.
"""
import argparse
import io
import os
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, ROOT)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(HERE, "screenshot.png"))
    args = parser.parse_args()
    check_places(args.out)
    from PIL import Image
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    import test_web
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1240,1010", "--hide-scrollbars"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        test_web.open_page(driver, test_web.file_url(), MODEL)
        test_web.draw(driver, test_web.SEVEN)
        time.sleep(0.2)
        shot = Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")
    finally:
        driver.quit()
    shot = shot.resize((shot.width * 3 // 4, shot.height * 3 // 4), Image.LANCZOS)
    buffer = io.BytesIO()
    shot.save(buffer, format="PNG", optimize=True)
    from core.common import atomic_write_bytes, atomic_write_json
    atomic_write_bytes(args.out, buffer.getvalue())
    atomic_write_json(os.path.splitext(args.out)[0] + ".json", shown(MODEL))
    print("wrote {} ({}x{})".format(args.out, shot.width, shot.height))


def check_places(out):
    """Before the browser starts: --out is a PNG (new, or one this wrote), and the .json beside it is new or one
    this wrote (what shown() records), never a config.json or main.py that happens to share the name."""
    import json
    from core.common import UserError
    from core.outputs import check_output
    beside = os.path.splitext(out)[0] + ".json"
    try:
        check_output(out, "--out", ".png")
        if os.path.lexists(beside):
            with open(beside, "rb") as f:
                record = json.loads(f.read().decode("utf-8"))
            if not (isinstance(record, dict) and set(record) == {"model", "checkpoint", "weights_sha256"}):
                raise UserError("{} is not a record this program wrote, so it is not replaced; give another "
                                "--out".format(beside))
    except UserError as e:
        sys.exit("error: {}".format(e))
    except (ValueError, OSError) as e:  # not JSON, not UTF-8, unreadable: not ours either
        sys.exit("error: {} is not a record this program wrote ({}); give another --out".format(beside, e))


MODEL = "lstm_h128"


def shown(name):
    """What a screenshot of model `name` shows: {model, checkpoint, weights_sha256} from the shipped files."""
    import json
    from download_weights import sha256_file
    with open(os.path.join(ROOT, "weights", name, "state.json")) as f:
        checkpoint = json.load(f)["best"]
    return {"model": name, "checkpoint": checkpoint,
            "weights_sha256": sha256_file(os.path.join(HERE, "weights", name + ".js"))}


if __name__ == "__main__":
    main()
