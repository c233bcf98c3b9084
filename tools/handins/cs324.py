"""CS324's palindrome assignment: the course skeleton's files, filled in, which run alone."""
import os

from core.common import PROJECT_DIR
from tools.handins.common import HandIn

PALINDROME = "assignments/palindrome_pytorch"


def palindrome_files(yours=()):
    """CS324's palindrome assignment: the course skeleton's files, filled in, which run alone."""
    return [(os.path.join(PALINDROME, n), n) for n in ("dataset.py", "lstm.py", "vanilla_rnn.py", "train.py")]


def palindrome_readme():
    """The hand-in's README: how to run it, and the assignment's question answered from the runs, by the rule."""
    from assignments.memory.palindrome import lstm_against_rnn
    from assignments.memory.task_runs import load_task
    runs = load_task(os.path.join(PROJECT_DIR, "results", "tasks"), "palindrome", "palindrome_pytorch.jsonl")
    return README_PALINDROME.replace("{answer}", lstm_against_rnn(runs))


README_PALINDROME = """# Palindromes with a vanilla RNN and an LSTM in PyTorch ({roll})

The course skeleton's files, filled in: `dataset.py` (`PalindromeDataset`), `lstm.py` (the LSTM from the
assignment's equations, a loop over time steps; no `nn.LSTM`), `vanilla_rnn.py`, `train.py` (the skeleton's
flags, meanings and defaults; `--input_length` is the number of input digits, the palindrome has one more).

    pip install -r requirements.txt
    python train.py --model_type=LSTM --input_length=10
    python train.py --model_type=RNN --input_length=19 --seed=2

`--device` is the skeleton's `cuda:0`; where CUDA is missing, training runs on the CPU and says so. Training
stops when 2,000 validation palindromes (their own seed) reach `--target` 0.99 accuracy, or after
`--train_steps`; 2,000 test palindromes (another seed) are measured once, at the end. Each run appends one JSON
line, with its curve, to `results.jsonl` beside `train.py`.

## Does the LSTM beat the vanilla RNN?

From these files' runs (seeds 1-5 of each model at each palindrome length T, RMSprop, 10,000 steps at most,
on the CPU), by the rule that a difference counts only where the two means of test accuracy differ by more
than their standard deviations added: {answer}.
"""

REQUIREMENTS_PALINDROME = b"""# PyTorch's CPU build is enough: pip install -r requirements.txt --extra-index-url https://download.pytorch.org/whl/cpu
torch>=1.8
numpy>=1.19
"""


HANDIN = HandIn("cs324", "CS324's palindrome assignment in PyTorch, on the course skeleton",
                "{roll}_assignment3.zip", "{roll}_assignment3", palindrome_files, palindrome_readme,
                requirements=lambda: REQUIREMENTS_PALINDROME)
