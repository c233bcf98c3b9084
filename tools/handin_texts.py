"""The hand-ins' own texts: each one's README for its grader (with {roll} and {model} to fill in) and, where it
differs from the project's, its requirements. tools/handin.py puts them in the zips."""


README_A4 = """# Assignment 4: LSTM and GRU cells from scratch on row-by-row MNIST ({roll})

Hand-written LSTM and GRU cells (`cells.py`, variables through `tf.get_variable`, math through matmuls)
unrolled with `static_rnn` over the 28 rows of each image. The report is `{roll}_Report.pdf`.

## Install (Python 3.6, TensorFlow 1.5)

    python3.6 -m venv venv && . venv/bin/activate
    pip install pip==21.3.1 && pip install -r requirements.txt

MNIST's four IDX files (`.gz` or not) go in `../data`, beside this folder.

## Commands

    python main.py --model=gru --test --hidden_unit=128       # test a shipped model (any of 32, 64, 128, 256)
    python main.py --model='lstm' --train --hidden_unit=32    # train the configuration the report describes
    python plot_results.py                                    # results/accuracy_vs_hidden.png

`--train` writes `runs/<config>/` and resumes after an interruption; `--test` then uses your run.
`python main.py --help` lists every flag.

## Files

| file | what it holds |
|---|---|
| `main.py` | the entry point and its flags |
| `cells.py` | `LSTMCell`, `GRUCell` (and a vanilla `RNNCell`), written from scratch |
| `model.py` | the cells unrolled with `static_rnn`, the classifier, loss, accuracy and train op |
| `data_loader.py` | MNIST from `../data`, checked; the train/validation split |
| `train.py`, `evaluate.py` | training with validation and early stopping; the test accuracy |
| `plot_results.py` | the accuracy-against-hidden-size figure |
| `download_weights.py` | installs a weights archive, verified by SHA-256 |
| `core/` | what these import: the TensorFlow version switch, the unrollers, the configuration, run folders |
| `weights/` | one checkpoint folder per configuration (LSTM and GRU at 32, 64, 128, 256 units) |
| `results/` | their test results (and their seeds', under `results/study/`) and the figures |
| `{roll}_Report.pdf` | the report |
"""


README_NO_RNN_API = """# An LSTM in TensorFlow without its RNN API ({roll})

Hand-written LSTM cells (`cells.py`: variables through `tf.get_variable`, gates through matmuls) unrolled by a
plain Python loop over the time steps (`core/unroll.py`'s `Loop`): no file here calls `static_rnn`,
`dynamic_rnn` or `static_bidirectional_rnn` (`core/tfcompat.py` only names `static_rnn` as the version
switch's alias, which nothing in this folder calls). `--unroll=loop` is the default.

The shipped model, `weights/{model}/`: two LSTM layers of 64 units trained on random crops of 24-28 pixels a
side, each read as a stream of pixels cut into steps of 28 (21-28 steps, `--crop_augment`), validated on the
first 5,000 training images as TensorFlow's own MNIST reader holds them out (`--validation_split=first`).
`training_logs/train.log` is its training log with timestamps, `training_logs/events.*` its TensorBoard files
(`tensorboard --logdir training_logs`), `weights/{model}/log.csv` a row per epoch.

## Install and run

    pip install -r requirements.txt          # MNIST's four IDX files go in ../data
    python main.py --model=lstm --hidden_unit=64,64 --crop_augment --test    # the checkpoint's validation and test
    python main.py --model=lstm --hidden_unit=64,64 --crop_augment --validation_split=first --train   # train it again
"""


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


README_EE6123 = """# EE6123: RNN, LSTM and GRU, and two memory tasks ({roll})

`EE6123_report.pdf`, in the report's order: the grid (RNN, LSTM and GRU at 64, 128 and 64,64 units, one way
and both ways, with each model's curves), recalling the k-th digit at H = 2, 5 and 10 with its curves and a
randomised test printout, and binary addition trained at L = 3, 5 and 10 with squared error against
cross-entropy and bit accuracy against length. Every number in it is made from the project's result files.
"""


REQUIREMENTS_PALINDROME = b"""# PyTorch's CPU build is enough: pip install -r requirements.txt --extra-index-url https://download.pytorch.org/whl/cpu
torch>=1.8
numpy>=1.19
"""
