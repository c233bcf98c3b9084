"""The assignment that forbids TensorFlow's RNN API: the card's programs and core/ without the two unrollers
that call it (so --unroll=loop is the default), the loop-trained models with their logs and TensorBoard files."""
import os

from tools.handins.common import CARD_PROGRAMS, HandIn, project_files, requirements_of

_files = project_files

NO_RNN_API_MODEL = "lstm_h64-64_crop"  # trained with --unroll=loop --validation_split=first (its config.json)
LEFT_OUT_OF_NO_RNN_API = ("core/fast.py", "core/static.py")  # the two unrollers that call static_rnn


def no_rnn_api_files(yours=()):
    """The assignment that forbids TensorFlow's RNN API: the card's programs and core/ without the two unrollers
    that call it (so --unroll=loop is the default), the loop-trained deep crop LSTM with its log and TensorBoard
    files."""
    wanted = [(p, p) for p in CARD_PROGRAMS if p not in ("plot_results.py", "download_weights.py")]
    wanted += [(p, p) for p in _files("core", lambda p: p.endswith(".py") and p not in LEFT_OUT_OF_NO_RNN_API)]
    wanted += [(p, p) for p in _files(os.path.join("weights", NO_RNN_API_MODEL))]
    wanted.append(("results/{}.json".format(NO_RNN_API_MODEL), "results/{}.json".format(NO_RNN_API_MODEL)))
    wanted += [(p, "training_logs/" + os.path.basename(p))
               for p in _files("results/{}_training".format(NO_RNN_API_MODEL))]
    return wanted


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


HANDIN = HandIn("no-rnn-api", "the TensorFlow LSTM without TensorFlow's RNN API, a loop-trained crop model",
                "{roll}_lstm_without_rnn_api.zip", "{roll}_lstm_without_rnn_api", no_rnn_api_files,
                lambda: README_NO_RNN_API.replace("{model}", NO_RNN_API_MODEL),
                requirements=lambda: requirements_of("requirements.txt"))
