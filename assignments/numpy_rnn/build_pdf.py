"""Typeset the BPTT derivation: assignments/numpy_rnn/lstm_bptt.md -> assignments/numpy_rnn/lstm_bptt.pdf.

    python assignments/numpy_rnn/build_pdf.py [--output=assignments/numpy_rnn/lstm_bptt.pdf]

Two well-kept tools, no LaTeX installation: pandoc turns the Markdown and its $...$ math into HTML with
MathML (`--mathml`), and headless Chromium, which typesets MathML natively, prints it to PDF. Needs
Debian's `pandoc` and `chromium` (apt-get install pandoc chromium; .ci/run installs both). The PDF is
written to a temporary file and renamed, so a failed run leaves the old one. The PDF is handed in alone
(IE643), so it leaves out the Markdown's notes on the project (assignments/numpy_rnn/derivation.py).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)  # the project root, for its core package

from core.common import ArgumentParser, UserError, log, os_error_line, print_error, relpath  # noqa: E402
from core.outputs import SCRATCH, check_output, remove_stale  # noqa: E402
from assignments.numpy_rnn import derivation  # noqa: E402

OUTPUT = os.path.join(ROOT, "assignments", "numpy_rnn", "lstm_bptt.pdf")
STYLE = """<style>
@page { size: A4; margin: 18mm 16mm; }
body { font-family: "DejaVu Serif", serif; font-size: 10.5pt; line-height: 1.4; max-width: none; }
h1 { font-size: 17pt; } h2 { font-size: 13pt; margin-top: 1.2em; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 9pt; }
math[display="block"] { margin: 0.6em 0; font-size: 11pt; }
</style>"""


def browser():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def keep_punctuation(page):
    """The HTML with each inline formula and the punctuation right after it kept on one line: else the browser
    may break the line between them and start the next one with a lone full stop."""
    return re.sub(r'(<math\b[^>]*display="inline"[^>]*>(?:(?!</math>).)*</math>)([.,;:])',
                  r'<span style="white-space: nowrap">\1\2</span>', page, flags=re.S)


def build(output=OUTPUT, byline=""):
    """The PDF at output; `byline` (a hand-in's "Exercise 1, roll ...") goes under the title."""
    pandoc, chrome = shutil.which("pandoc"), browser()
    if not pandoc or not chrome:
        raise RuntimeError("needs pandoc and chromium ({} missing); apt-get install pandoc chromium".format(
            " and ".join(n for n, p in (("pandoc", pandoc), ("chromium", chrome)) if not p)))
    remove_stale(tempfile.gettempdir(), SCRATCH)  # a killed run's folder (kill -9); this one names our pid
    work = tempfile.mkdtemp(prefix="mnist-rnn-pdf.{}.".format(os.getpid()))
    try:
        header = os.path.join(work, "style.html")
        with open(header, "w") as f:
            f.write(STYLE)
        source, html = os.path.join(work, "lstm_bptt.md"), os.path.join(work, "lstm_bptt.html")
        with open(source, "w", encoding="utf-8") as f:
            title, _, rest = derivation.markdown(project_notes=False).partition("\n")  # self-contained
            line = "\n\n*{}*\n".format(byline.replace("_", "\\_").replace("*", "\\*")) if byline else ""
            f.write(title + line + "\n" + rest)
        subprocess.run([pandoc, source, "--standalone", "--mathml", "--metadata", "pagetitle=BPTT for an LSTM, by hand",
                        "--include-in-header", header, "-o", html], check=True, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)  # no capture_output: Python 3.6
        with open(html, encoding="utf-8") as f:
            page = f.read()
        with open(html, "w", encoding="utf-8") as f:
            f.write(keep_punctuation(page))
        pdf = os.path.join(work, "out.pdf")
        subprocess.run([chrome, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                        "--print-to-pdf=" + pdf, "file://" + html], check=True, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
        if not os.path.isfile(pdf) or os.path.getsize(pdf) < 1000:
            raise RuntimeError("chromium wrote no PDF")
        os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
        shutil.move(pdf, output + ".part")
        os.replace(output + ".part", output)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return output


def main(argv=None):
    parser = ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", default=OUTPUT)
    parser.add_argument("--force", action="store_true", help="replace the file --output names even when it is "
                        "not a PDF")
    args = parser.parse_args(argv)
    if os.path.isdir(args.output):
        return print_error("--output={} is a folder; give a file name like assignments/numpy_rnn/lstm_bptt.pdf".format(args.output))
    try:
        check_output(args.output, "--output", ".pdf", args.force)  # a PDF, never over main.py or a pipe
    except UserError as e:
        return print_error(e)
    try:
        log("wrote {}".format(relpath(build(output=args.output))))
    except subprocess.CalledProcessError as e:
        detail = (e.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        return print_error("{} failed: {}".format(os.path.basename(e.cmd[0]), detail[-1] if detail else e.returncode))
    except OSError as e:
        return print_error(os_error_line(e, "pass --output=<file> in a folder you can write, then run again"))
    except (RuntimeError, ValueError, subprocess.TimeoutExpired) as e:
        return print_error(e)
    return 0


if __name__ == "__main__":
    sys.exit(main())
