"""IE643's scribing assignment: Exercise 1's derivation as a PDF made for the roll, Exercise 3's notebook."""
import os
import subprocess

from core.common import PROJECT_DIR, log, relpath
from tools.handins.common import HandIn

IE643 = "IE643_{roll}_scribingassignment"


def ie643_files(yours=()):
    """IE643's scribing assignment: Exercise 3's notebook as stored, executed (it installs what it needs and
    fetches MNIST itself, so it runs in Colab as it is). Exercise 1's PDF is made for the roll (ie643_pdf)."""
    return [("assignments/numpy_rnn/notebooks/numpy_rnn_mnist4.ipynb", IE643 + "_Ex3.ipynb")]


def ie643_pdf(roll, author=""):
    """Exercise 1: the derivation, typeset with the roll number under its title; where pandoc or Chromium is
    missing, the stored PDF (the same text, without the roll) and a line saying so."""
    import tempfile
    from tools import build_pdf
    with tempfile.TemporaryDirectory() as scratch:
        try:
            path = build_pdf.build(os.path.join(scratch, "ex1.pdf"), "IE643 scribing assignment, Exercise 1 - " + roll)
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            log("note: {}; the PDF is the stored {}, without your roll number on it".format(
                str(e).splitlines()[0] if str(e) else type(e).__name__, relpath(build_pdf.OUTPUT)))
            path = build_pdf.OUTPUT
        with open(path, "rb") as f:
            return f.read()


def ie643_readme():
    """The hand-in's README: what each file answers, Exercise 2's note, Exercise 3's measured choice."""
    from assignments.numpy_rnn import mnist4
    result = mnist4.read_result(os.path.join(PROJECT_DIR, "results", "numpy_rnn", "mnist4.json"), new=True)
    def stop(rate):
        why, epochs = result["stopped"].get(rate, ""), len(result["curves"][rate])
        return "{} {}".format(rate, why if why.startswith(("diverged", "reached")) else
                              "stopped after {} epochs".format(epochs))
    stops = "; ".join(stop(rate) for rate in sorted(result["curves"], key=lambda r: -float(r)))
    clipped = mnist4.read_ablation(os.path.join(PROJECT_DIR, "results", "numpy_rnn"))
    from tools.reporting.pages import clipping_text  # the report's sentence, word for word
    clipping = " " + clipping_text(result, clipped) if clipped else ""
    return README_IE643.format(roll="{roll}", rate=result["best_rate"], epoch=result["best_epoch"],
                               val=100 * result["best_val_accuracy"], test=100 * result["test_accuracy"],
                               correct=result["test_correct"], count=result["test_count"], stops=stops,
                               patience=result["patience"], machine=result["machine"]["processor"], clipping=clipping)


README_IE643 = """# IE643 scribing assignment ({roll})

| file | exercise |
|---|---|
| `IE643_{roll}_scribingassignment_Ex1.pdf` | Exercise 1: backpropagation through time for an LSTM, derived by hand. The answers are labelled (a) the forward pass and the error, (b) the output layer's gradients, (c) the recurrences of the total derivatives with respect to h(t) and C(t), (d) the gradient of a weight from h(t-1) into each gate (input, forget, candidate, output); a last section explains why the cell state carries errors over long spans. If the exercise sheet orders its parts differently, this list maps them. |
| `IE643_{roll}_scribingassignment_Ex3.ipynb` | Exercise 3: a two-layer ReLU RNN in NumPy with hand-written BPTT, on MNIST digits 0, 5, 6 and 9 read row by row, trained with plain SGD; the learning rate chosen on validation, then the test accuracy |

**Exercise 2** is to complete the notebook posted for Part II of the course. That notebook is not part of this
project, so this folder has no `_Ex2.ipynb`: complete the posted one and save it here as
`IE643_{roll}_scribingassignment_Ex2.ipynb`.

## Exercise 3

The notebook is stored executed. It runs in Google Colab as it is: its first cell installs what is missing
(numpy, matplotlib) and its data cell downloads MNIST and checks each file's SHA-256 (or reads `../data` if
the files are there). Locally: `pip install numpy matplotlib notebook`, then `jupyter notebook`.

Plain SGD, as the exercise asks. Each learning rate had the same budget: it trained until neither its
validation accuracy nor its validation loss had reached a new best for {patience} epochs ({stops}). The best on
validation was {rate} ({val:.2f}% at epoch {epoch}); on the test images of the four digits it scores
{test:.2f}% ({correct:,} of {count:,}). One seed: the rates are ranked only to choose one, on validation.{clipping}
Measured on an {machine}.
"""


HANDIN = HandIn("ie643", "IE643's scribing assignment: the BPTT derivation (PDF), Exercise 3's notebook",
                IE643 + ".zip", IE643, ie643_files, ie643_readme, made=((IE643 + "_Ex1.pdf", ie643_pdf),))
