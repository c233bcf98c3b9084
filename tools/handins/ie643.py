"""IE643's scribing assignment: Question 1's derivation as a PDF made for the roll, Question 3's notebook."""
import os
import subprocess

from core.common import PROJECT_DIR, UserError, log, relpath
from tools.handins.common import HandIn

IE643 = "IE643_{roll}_scribingassignment"


def ie643_files(yours=()):
    """IE643's scribing assignment: Question 3's notebook as stored, executed (it installs what it needs and
    fetches MNIST itself, so it runs in Colab as it is). Question 1's PDF is made for the roll (ie643_pdf).
    Question 2 completes the course's own notebook, which the student adds: the build says so, the README not."""
    log("note: Question 2 is the notebook the course posted for Part II; add yours to the folder as "
        "IE643_<roll>_scribingassignment_Ex2.ipynb before you upload")
    return [("assignments/numpy_rnn/notebooks/numpy_rnn_mnist4.ipynb", IE643 + "_Ex3.ipynb")]


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
    """The hand-in's README: what each file answers, and Question 3's measured choice."""
    from assignments.numpy_rnn import mnist4
    result = mnist4.read_result(os.path.join(PROJECT_DIR, "results", "numpy_rnn", "mnist4.json"), new=True)
    def stop(rate):
        why, epochs = result["stopped"].get(rate, ""), len(result["curves"][rate])
        return "{} {}".format(rate, why if why.startswith(("diverged", "reached")) else
                              "stopped after {} epochs".format(epochs))
    stops = "; ".join(stop(rate) for rate in sorted(result["curves"], key=lambda r: -float(r)))
    clipped = mnist4.read_ablation(os.path.join(PROJECT_DIR, "results", "numpy_rnn"))
    from tools.reporting.pages import clipping_text  # the report's sentence, word for word
    clipping = " " + clipping_text(result, clipped) + " (`CLIP_NORM = {:g}` in the notebook's setting cell runs " \
        "that sweep.)".format(clipped["clip_norm"]) if clipped else ""
    return README_IE643.format(roll="{roll}", rate=result["best_rate"], epoch=result["best_epoch"],
                               val=100 * result["best_val_accuracy"], test=100 * result["test_accuracy"],
                               correct=result["test_correct"], count=result["test_count"], stops=stops,
                               patience=result["patience"], machine=result["machine"]["processor"], clipping=clipping)


README_IE643 = """# IE643 scribing assignment ({roll})

| file | question |
|---|---|
| `IE643_{roll}_scribingassignment_Ex1.pdf` | Question 1: backpropagation through time for an LSTM, derived by hand: (a) the forward pass for h(t), C(t) and ŷ(t) and the squared errors e_j²(t), e²(t) and E; (b) ∂E/∂w_ij for a weight from h(t-1) to i. the input gate, ii. the forget gate, iii. the candidate state C̃(t), iv. the output gate; (c) the recurrences between ∂E/∂C(t) and ∂E/∂C(t+1), and between ∂E/∂h(t) and ∂E/∂h(t+1); (d) whether the LSTM preserves gradients over longer spans than an RNN |
| `IE643_{roll}_scribingassignment_Ex3.ipynb` | Question 3: a two-layer ReLU RNN in NumPy with hand-written backpropagation through time, on MNIST digits 0, 5, 6 and 9 read row by row, trained with plain SGD; the learning rate chosen on validation, the loss and accuracy curves, then the test accuracy |

## Question 3

The notebook is stored executed. It runs in Google Colab as it is: its first cell installs what is missing
(numpy, matplotlib) and its data cell downloads MNIST and checks each file's SHA-256 (or reads `../data` if
the files are there). Locally: `pip install numpy matplotlib notebook`, then `jupyter notebook`.

Plain SGD, as the question asks. Each learning rate had the same budget: it trained until neither its
validation accuracy nor its validation loss had reached a new best for {patience} epochs ({stops}). The best on
validation was {rate} ({val:.2f}% at epoch {epoch}); on the test images of the four digits it scores
{test:.2f}% ({correct:,} of {count:,}). One seed: the rates are ranked only to choose one, on validation.{clipping}
Measured on an {machine}.
"""


HANDIN = HandIn("ie643", "IE643's scribing assignment: the BPTT derivation (PDF), Question 3's notebook",
                IE643 + ".zip", IE643, ie643_files, ie643_readme, made=((IE643 + "_Ex1.pdf", ie643_pdf),))
