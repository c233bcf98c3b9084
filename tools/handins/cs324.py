"""CS324's Assignment 3, Part I: the course skeleton's files filled in, the runs behind the LSTM-against-RNN
answer, the code that made its table and figure; all of it runs alone in the unpacked folder."""
import os

from assignments.palindrome_pytorch import compare
from assignments.palindrome_pytorch.results_file import ResultsError, read
from tools.handins.common import HandIn

PALINDROME = "assignments/palindrome_pytorch"
CODE = ("dataset.py", "lstm.py", "vanilla_rnn.py", "train.py", "results_file.py", "sweep.py", "compare.py")
RESULTS = ("results/lstm_vs_rnn.jsonl", "results/lstm_vs_rnn.png")


def palindrome_files(yours=()):
    """The folder's code and its sweep's results, under the same names as in the folder (so that every default
    path holds in both places)."""
    return [(os.path.join(PALINDROME, n), n) for n in CODE + RESULTS]


def palindrome_readme():
    """The hand-in's README: the answers under the sheet's labels; the table and verdict are compare.py's,
    from the results file the zip holds."""
    from core.common import PROJECT_DIR, UserError
    try:
        runs = compare.check(read(os.path.join(PROJECT_DIR, PALINDROME, RESULTS[0])))
    except ResultsError as e:
        raise UserError("the CS324 hand-in's results: {}; python {}/sweep.py makes them".format(e, PALINDROME))
    rows = {row["length"]: row for row in compare.rows(runs)}
    if 5 not in rows:
        raise UserError("{}/{} has no runs at T = 5, which Task 2 asks about; python {}/sweep.py makes them".format(
            PALINDROME, RESULTS[0], PALINDROME))
    lstm = rows[5]["lstm"]
    t5 = ("Over the {n} seeds of the comparison below (these settings, trained on to a validation accuracy of "
          "{target:g}), the LSTM solved T = 5 (test accuracy at least {s:g}) with {solved} of them; median test "
          "accuracy {acc:.4f}, lowest {low:.4f}; median steps to the target {steps}.".format(
              target=runs[0]["target"], n=lstm["n"], s=compare.SOLVED, solved=lstm["solved"], acc=lstm["accuracy"],
              low=lstm["lowest"], steps="{:,.0f}".format(lstm["steps"]) if lstm["steps"] < float("inf") else "never"))
    return README.replace("{t5}", t5).replace("{report}", compare.report(runs).strip()).replace(
        "{target:g}", "{:g}".format(runs[0]["target"]))


README = """# CS324 Assignment 3, Part I: PyTorch LSTM ({roll})

| file | what it holds |
|---|---|
| `dataset.py` | `PalindromeDataset(seq_length)`, the course's dataset, with a seed added |
| `lstm.py` | the LSTM of equations (1)-(8), without `torch.nn.LSTM` |
| `vanilla_rnn.py` | the vanilla RNN of the previous assignment, for the comparison |
| `train.py` | the training script, as in the skeleton: mini-batches drawn by a `DataLoader` over `PalindromeDataset`; the skeleton's flags, meanings and defaults |
| `sweep.py` | every run of the comparison: both models, seeds 1-10, at each length T |
| `compare.py` | the table, the verdict and the figure below, from the runs |
| `results_file.py` | reads and appends a results file (one JSON line per run) |
| `results/lstm_vs_rnn.jsonl` | the runs: each one's settings, curve, test accuracy, processor and CPU time |
| `results/lstm_vs_rnn.png` | the figure: seeds solved, test accuracy and steps to the target against T |

    pip install -r requirements.txt

## 1.1 Task 1

`lstm.py` holds the sheet's parameters (W_gx, W_gh, b_g, ..., W_ph, b_p) and steps through time with a `for`
loop from h(0) = c(0) = 0, applying equations (1)-(6) at each step and (7) at the last; `torch.nn.LSTM` is not
used. `train.py` computes the loss (9) on the last time step (`nn.CrossEntropyLoss` applies the softmax (8)),
lets PyTorch's automatic differentiation do the backward pass, and updates the weights with RMSprop (the
gradient's norm clipped at `--max_norm`, after the backward pass).

    python train.py --model_type=LSTM     # the skeleton's defaults: 10 input digits, so T = 11

Where CUDA is missing, the default `--device=cuda:0` trains on the CPU and says so. A run stops when 2,000
validation palindromes reach `--target` accuracy (0.99), or after `--train_steps` (10,000); 2,000 test
palindromes, drawn with another seed, are measured once at the end. Each run prints its result and appends it as
one JSON line to `results.jsonl` beside `train.py` (`--results` names another file).

## 1.2 Task 2

T = 5 with the default parameters: `python train.py --model_type=LSTM --input_length=4`. {t5}

**Against the vanilla RNN.** At each length T both models ran with the same seeds and the same settings:
the defaults of `train.py` (the learning rate 0.001 at every length), except that a run trains until its
validation accuracy reaches {target:g} rather than 0.99, a margin above the 0.99 test accuracy that counts as
solved, so that a run stopped at a first lucky validation score does not count as failed. The rate was not
tuned per length, so that the comparison is between the models, not between tunings; a smaller rate might help
the vanilla RNN where it fails, which was not tried. A run *solved* T when its test accuracy is at least 0.99; its *steps to
the target* are the training steps until its validation accuracy first reached 0.99 (checked every 100 steps),
and a run that never reached it counts as slower than every run that did. At each T one rule decides: (1) the
solved counts, by Fisher's exact test, two-sided: at p < 0.05 the model that solved more seeds is better;
(2) otherwise the steps to the target, by the exact rank-sum (Mann-Whitney) test with ties, two-sided: at
p < 0.05 the model that needed fewer steps is better; (3) otherwise the two tie. Each test is at the 5% level,
with no correction for testing several lengths. The median steps are over all of a model's seeds ("never"
where half or more never reached the target).

{report}

**Why the LSTM keeps up as T grows.** To predict the last digit a model must carry the first digit through
all T-1 steps. The vanilla RNN carries it only in h(t) = tanh(W_hx x(t) + W_hh h(t-1) + b_h), so the gradient
of the loss with respect to the first steps is a product of T-1 factors W_hh^T diag(1 - h(t)^2): it shrinks
(or grows) geometrically with T, and the long dependency is learnt more slowly, then not at all, as the table
shows where the RNN needs more steps and leaves seeds unsolved. The LSTM's cell state is updated by addition,
c(t) = g(t) * i(t) + c(t-1) * f(t) (equation 5), so dc(t)/dc(t-1) = diag(f(t)): with forget gates near 1 (their
bias starts at 1 here) the gradient reaches the first steps almost undiminished, and the input and output gates
learn when to write the first digit and when to read it. This is the standard account; these runs measure its
consequences (seeds solved, steps to the target), not the gradients themselves. Per step the LSTM costs more
(four gate blocks to the RNN's one), which is why the table's last sentence gives the CPU time as well.

![Seeds solved, test accuracy and steps to the target against T](results/lstm_vs_rnn.png)

The runs, again (a stopped sweep, run again, goes on after its finished runs), then the table and the figure:

    python sweep.py
    python compare.py

A quick check of both, four short runs (T = 5, seeds 1-2; the figure goes beside the results file, as a .png
of the same name):

    python sweep.py --quick
    python compare.py --results=quick.jsonl
"""

REQUIREMENTS = b"""# PyTorch's CPU build is enough: pip install -r requirements.txt --extra-index-url https://download.pytorch.org/whl/cpu
torch>=1.8
numpy>=1.19
matplotlib>=3.1
"""


HANDIN = HandIn("cs324", "CS324's Assignment 3, Part I: the PyTorch LSTM against the vanilla RNN on palindromes",
                "{roll}_assignment3.zip", "{roll}_assignment3", palindrome_files, palindrome_readme,
                requirements=lambda: REQUIREMENTS)
