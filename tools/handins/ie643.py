"""IE643's scribing assignment: Question 1's derivation as a PDF and Question 3's notebook, each made for the
roll; Question 2's notebook, the student's own, where tools/handin.py's --ie643_q2 names it."""
import argparse
import json
import os
import subprocess

from core.common import PROJECT_DIR, UserError, log, relpath
from tools.handins.common import HandIn

IE643 = "IE643_{roll}_scribingassignment"
NOTEBOOK = os.path.join(PROJECT_DIR, "assignments", "numpy_rnn", "notebooks", "numpy_rnn_mnist4.ipynb")
# Question 2 completes the notebook the course posted for Part II, which is not public: the student's own
# notebook, set by tools/handin.py from --ie643_q2 (checked there by question2_notebook), or "" when not given.
QUESTION2 = {"path": ""}


def question2_notebook(path):
    """--ie643_q2, checked: an existing .ipynb file holding a notebook's JSON; its absolute path ("" stays "":
    not given)."""
    if not path:
        return ""
    if not path.endswith(".ipynb"):
        raise argparse.ArgumentTypeError("{!r} is not a notebook; pass your Question 2 notebook, a file ending in "
                                         ".ipynb".format(path))
    if not os.path.isfile(path):
        raise argparse.ArgumentTypeError("there is no file {}; pass the path of your Question 2 notebook".format(
            path))
    try:
        with open(path, encoding="utf-8") as f:
            notebook = json.load(f)
    except (OSError, ValueError) as e:  # missing, unreadable, not JSON (UnicodeDecodeError is a ValueError)
        raise argparse.ArgumentTypeError("cannot read {} as a notebook ({}); pass the .ipynb file Jupyter or "
                                         "Colab saved".format(path, getattr(e, "strerror", None) or e))
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise argparse.ArgumentTypeError("{} is JSON but not a notebook (it has no list of cells); pass the .ipynb "
                                         "file Jupyter or Colab saved".format(path))
    return os.path.abspath(path)


def ie643_files(yours=()):
    """Question 2's notebook where --ie643_q2 gave one, as given; without it, one line saying how to add it
    (and the README names no such file). Question 1's PDF and Question 3's notebook are made for the roll."""
    if QUESTION2["path"]:
        return [(QUESTION2["path"], IE643 + "_Ex2.ipynb")]
    log("note: Question 2's notebook (the course's Part II notebook, completed) is not in this zip; add it with "
        "--ie643_q2=<your Question 2 notebook>.ipynb, packed as IE643_<roll>_scribingassignment_Ex2.ipynb")
    return []


def ie643_notebook(roll, author=""):
    """Question 3: the stored, executed notebook (it installs what it needs and fetches MNIST itself, so it runs
    in Colab as it is), with the question's number in its title and the roll (and name) under it, in its first
    markdown cell. Only that cell's source changes: the file is written in the stored file's own layout (Jupyter's: one
    space of indent, sorted keys), so every other byte, the outputs included, is the stored file's (tested)."""
    with open(NOTEBOOK, encoding="utf-8") as f:
        notebook = json.load(f)
    first = next(c for c in notebook["cells"] if c["cell_type"] == "markdown")
    byline = "IE643 scribing assignment - {}{}".format(roll, ", " + escape_markdown(author) if author else "")
    title, rest = (first["source"][0], first["source"][1:]) if first["source"][0].startswith("# ") else ("", [])
    # "# <title>" becomes "# Question 3: <title>", the byline under it; a cell without a title gets both above.
    first["source"] = ["# Question 3: " + title[2:], "\n", byline + "\n"] + rest if title else \
        ["# Question 3\n", "\n", byline + "\n", "\n"] + first["source"]
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8")


def escape_markdown(text):
    """A name as plain text in Markdown: its * _ ` [ ] < > # and backslashes shown, not read as formatting."""
    return "".join("\\" + c if c in "\\*_`[]<>#" else c for c in text)


BYLINE = "IE643 scribing assignment, Question 1 - {roll}"


def ie643_pdf(roll, author=""):
    """Question 1: the derivation, typeset with the roll number under its title; where pandoc or Chromium is
    missing, the stored PDF (the same text) with the roll number stamped at the top of its first page, in pure
    Python (assignments/numpy_rnn/pdf_stamp.py), and a line saying so."""
    from core.outputs import scratch_folder  # removed on every exit; a killed build's, by the next build
    from assignments.numpy_rnn import build_pdf, pdf_stamp
    byline = BYLINE.format(roll=roll) + (", " + author if author else "")
    with scratch_folder("handin") as scratch:
        try:
            path = build_pdf.build(os.path.join(scratch, "ex1.pdf"), byline)
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            log("note: {}; the PDF is the stored {}, with your roll number stamped at the top of its first "
                "page".format(str(e).splitlines()[0] if str(e) else type(e).__name__, relpath(build_pdf.OUTPUT)))
            with open(build_pdf.OUTPUT, "rb") as f:
                stored = f.read()
            try:
                return pdf_stamp.stamp(stored, byline)
            except (ValueError, KeyError, IndexError) as e:  # a line it cannot draw, a PDF it cannot read
                raise UserError("cannot stamp {!r} on {}: {}; install pandoc and chromium to typeset it "
                                "instead".format(byline, relpath(build_pdf.OUTPUT), e))
        with open(path, "rb") as f:
            return f.read()


def ie643_readme():
    """The hand-in's README: which file is which question (Question 2 said absent unless its notebook is
    packed), and Question 3's run time and measured choice. The clipped-rate ablation is the report's, not the notebook's: the notebook
    stores plain SGD's outputs only, so the README says nothing of it."""
    from assignments.numpy_rnn import mnist4_result
    result = mnist4_result.read_result(os.path.join(PROJECT_DIR, "results", "numpy_rnn", "mnist4.json"), new=True)
    def stop(rate):
        why, epochs = result["stopped"].get(rate, ""), len(result["curves"][rate])
        return "{} {}".format(rate, why if why.startswith(("diverged", "reached")) else
                              "stopped after {} epochs".format(epochs))
    stops = "; ".join(stop(rate) for rate in sorted(result["curves"], key=lambda r: -float(r)))
    return README_IE643.format(roll="{roll}", by="{by}", rate=result["best_rate"], epoch=result["best_epoch"],
                               val=100 * result["best_val_accuracy"], test=100 * result["test_accuracy"],
                               correct=result["test_correct"], count=result["test_count"], stops=stops,
                               patience=result["patience"], machine=result["machine"]["processor"],
                               question2=QUESTION2_PACKED if QUESTION2["path"] else QUESTION2_ABSENT,
                               minutes=notebook_minutes())


QUESTION2_PACKED = "Question 2 is `IE643_{roll}_scribingassignment_Ex2.ipynb`, the notebook the course posted " \
    "for Part II, completed. "
QUESTION2_ABSENT = "Question 2 (the notebook the course posted for Part II) is not in this folder. "


README_IE643 = """# IE643 scribing assignment ({roll}{by})

Question 1 is `IE643_{roll}_scribingassignment_Ex1.pdf`. {question2}Question 3 is
`IE643_{roll}_scribingassignment_Ex3.ipynb`.

## Question 3

The notebook is stored executed. It runs in Google Colab as it is: its first cell installs what is missing
(numpy, matplotlib) and its data cell downloads MNIST and checks each file's SHA-256. Locally:
`pip install numpy matplotlib notebook`, then `jupyter notebook`. Running it whole trains for about {minutes}
minutes on a 2-core CPU ({machine}, the stored run).

Plain SGD, as the question asks. Each learning rate had the same budget: it trained until neither its
validation accuracy nor its validation loss had reached a new best for {patience} epochs ({stops}). The best on
validation was {rate} ({val:.2f}% at epoch {epoch}); on the test images of the four digits it scores
{test:.2f}% ({correct:,} of {count:,}).
"""


def notebook_minutes():
    """The stored notebook's training time, from its first and last timestamped output lines ([HH:MM:SS])."""
    import re
    with open(NOTEBOOK, encoding="utf-8") as f:
        cells = json.load(f)["cells"]
    text = "".join("".join(o.get("text", "")) for c in cells for o in c.get("outputs", []))
    stamps = [int(h) * 3600 + int(m) * 60 + int(s) for h, m, s in re.findall(r"^\[(\d\d):(\d\d):(\d\d)\]", text, re.M)]
    if len(stamps) < 2:
        raise UserError("{} has no timestamped training log; run python {} again".format(
            relpath(NOTEBOOK), "assignments/numpy_rnn/notebooks/build.py"))
    return round(((stamps[-1] - stamps[0]) % 86400) / 60.0)


HANDIN = HandIn("ie643", "IE643's scribing assignment: the BPTT derivation (PDF), Question 3's notebook "
                "(Question 2's: --ie643_q2)", IE643 + ".zip", IE643, ie643_files, ie643_readme,
                made=((IE643 + "_Ex1.pdf", ie643_pdf), (IE643 + "_Ex3.ipynb", ie643_notebook)))
