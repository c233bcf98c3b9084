"""Train or test a hand-written LSTM, GRU or vanilla RNN on MNIST read row by row.

    python main.py --model=lstm --train --hidden_unit=32    # train (or resume)
    python main.py --model=gru --test --hidden_unit=128     # test the saved weights
    python main.py --model=lstm --train --hidden_unit=64,64 --bidirectional --dropout=0.2

Flags choose the run; everything about a trained model lives in
weights/<config>/config.json, where <config> names every option that shapes
the graph (lstm_h32, lstm_h64-64_bi_drop0.2), so testing needs only the flags
that name it.
Any problem with the input ends with one line on stderr and a non-zero exit.
"""
import os
import re
import signal
import sys

from absl import flags as absl_flags  # for its Error class; the flags themselves are tf.flags

import data_loader
from common import PROJECT_DIR, UserError, config_name, log, main_command, print_error, relpath
from model import DEFAULT_TOWERS
from tfcompat import TF_VERSION, flags

flags.DEFINE_string("model", "lstm", "cell type: lstm, gru or rnn (vanilla tanh RNN)")
flags.DEFINE_boolean("train", False, "train this configuration (an interrupted run is resumed)")
flags.DEFINE_boolean("test", False, "report the trained configuration's accuracy on the test set")
flags.DEFINE_string("hidden_unit", "128", "hidden units, a positive integer, or one per layer: 64,64")
flags.DEFINE_integer("num_layers", 1, "stacked recurrent layers (each of --hidden_unit units unless it lists one per layer)")
flags.DEFINE_boolean("bidirectional", False, "each layer reads the rows forwards and backwards; final states joined")
flags.DEFINE_boolean("crop_augment", False, "train on random crops (24-28 px a side) read as pixel streams of "
                     "variable length (sequence_length)")
flags.DEFINE_float("dropout", 0.0, "dropout rate on the non-recurrent connections, in training only (0 = off)")
flags.DEFINE_float("l2", 0.0, "weight decay: this times the sum of squared weights is added to the loss")
flags.DEFINE_string("data_dir", data_loader.DEFAULT_DATA_DIR, "folder with the four MNIST IDX files (.gz or not)")
flags.DEFINE_string("weights_dir", os.path.join(PROJECT_DIR, "weights"), "one checkpoint folder per configuration")
flags.DEFINE_string("results_dir", os.path.join(PROJECT_DIR, "results"), "where --test writes <config>.json")
flags.DEFINE_string("logs_dir", os.path.join(PROJECT_DIR, "logs"), "TensorBoard event files, one folder per configuration")
flags.DEFINE_integer("epochs", 60, "maximum number of training epochs")
flags.DEFINE_integer("patience", 12, "stop after this many epochs without a better validation accuracy")
flags.DEFINE_integer("batch_size", 128, "training minibatch size")
flags.DEFINE_integer("towers", DEFAULT_TOWERS, "training: cut each batch into this many parts, unrolled side by side, "
                     "one core each (same model; 1 = one chain, as the shipped runs were trained; default 2 on "
                     "TensorFlow 2.x, 1 on 1.5)")
flags.DEFINE_float("learning_rate", 0.005, "Adam learning rate")
flags.DEFINE_float("lr_decay", 0.97, "the learning rate is multiplied by this after every epoch (1 = constant)")
flags.DEFINE_float("clip_norm", 5.0, "clip gradients to this global norm")
flags.DEFINE_integer("seed", 1, "random seed for initial weights and data order")
flags.DEFINE_integer("validation_size", data_loader.VALIDATION_SIZE, "training images held out for validation")
flags.DEFINE_boolean("download", False, "first download missing MNIST files into --data_dir (SHA-256 checked)")
flags.DEFINE_string("mnist_mirror", "", "comma-separated base URLs to download MNIST from instead of the usual mirrors")
flags.DEFINE_string("preset", "", "'tiny': 2 epochs on 2,000 training images, 500 for validation (smoke tests); "
                    "explicit flags override it")
FLAGS = flags.FLAGS

PRESETS = {"tiny": {"epochs": 2, "train_examples": 2000, "validation_size": 500}}


def _clean(value):
    """Accept --model='lstm' even where the shell leaves the quotes in."""
    return value.strip().strip("'\"")


def _parse_layers(text, num_layers):
    """--hidden_unit and --num_layers -> one size per layer."""
    text = _clean(text)
    if not re.match(r"^\d+(,\d+)*$", text) or min(int(n) for n in text.split(",")) < 1:
        raise UserError("--hidden_unit must be a positive integer such as 32, 64, 128 or 256, or one per layer "
                        "like 64,64, not {!r}".format(text))
    sizes = [int(n) for n in text.split(",")]
    if max(sizes) > 4096:
        raise UserError("--hidden_unit={} is larger than this program supports (at most 4096)".format(text))
    if num_layers < 1 or num_layers > 8:
        raise UserError("--num_layers must be between 1 and 8, not {}".format(num_layers))
    if len(sizes) == 1:
        return sizes * num_layers
    if FLAGS["num_layers"].present and num_layers != len(sizes):
        raise UserError("--hidden_unit={} gives {} layers but --num_layers={}; give one size, or one per layer".format(
            text, len(sizes), num_layers))
    return sizes


def _positive(name, value):
    if not value > 0:
        raise UserError("--{} must be positive, not {}".format(name, value))
    return value


def make_spec(model):
    """The options that shape the graph; they name the configuration's folder."""
    if not 0.0 <= FLAGS.dropout < 1.0:
        raise UserError("--dropout is a rate in [0, 1), not {}".format(FLAGS.dropout))
    if FLAGS.l2 < 0:
        raise UserError("--l2 must be zero or positive, not {}".format(FLAGS.l2))
    layers = _parse_layers(FLAGS.hidden_unit, FLAGS.num_layers)
    spec = {"model": model, "hidden_unit": layers[0] if len(layers) == 1 else layers, "layers": layers,
            "bidirectional": FLAGS.bidirectional, "crop_augment": FLAGS.crop_augment,
            "dropout": FLAGS.dropout, "l2": FLAGS.l2}
    spec["name"] = config_name(model, layers, FLAGS.bidirectional, FLAGS.crop_augment, FLAGS.dropout, FLAGS.l2)
    return spec


def make_config(spec):
    """The run's configuration, as stored in config.json."""
    config = dict(spec, epochs=_positive("epochs", FLAGS.epochs), patience=_positive("patience", FLAGS.patience),
                  batch_size=_positive("batch_size", FLAGS.batch_size),
                  learning_rate=_positive("learning_rate", FLAGS.learning_rate),
                  lr_decay=_positive("lr_decay", FLAGS.lr_decay),
                  clip_norm=_positive("clip_norm", FLAGS.clip_norm), seed=FLAGS.seed,
                  validation_size=_positive("validation_size", FLAGS.validation_size), train_examples=None,
                  towers=_positive("towers", FLAGS.towers))
    if config["batch_size"] % config["towers"]:
        raise UserError("--batch_size={} must be a multiple of --towers={}".format(config["batch_size"], config["towers"]))
    preset = _clean(FLAGS.preset)
    if preset:
        if preset not in PRESETS:
            raise UserError("unknown --preset={!r}; the only preset is 'tiny'".format(preset))
        # A preset fills in settings; flags given on the command line still win.
        config.update({k: v for k, v in PRESETS[preset].items() if k not in FLAGS or not FLAGS[k].present})
    return config


def run(argv):
    try:
        extra = FLAGS(argv)[1:]
    except absl_flags.Error as e:
        raise SystemExit(print_error("{}; run python main.py --help to list the flags".format(e), status=2))
    if extra:
        raise SystemExit(print_error("unexpected argument {!r}; flags look like --model=lstm".format(extra[0]), status=2))
    model = _clean(FLAGS.model).lower()
    if model not in ("lstm", "gru", "rnn"):
        raise UserError("unknown --model={!r}; choose lstm, gru or rnn".format(model))
    spec = make_spec(model)
    if FLAGS.train == FLAGS.test:
        raise UserError("give exactly one of --train or --test (got {})".format(
            "both" if FLAGS.train else "neither"))
    data_dir = os.path.abspath(FLAGS.data_dir)
    if FLAGS.download:
        mirrors = [m for m in FLAGS.mnist_mirror.split(",") if m] or data_loader.MIRRORS
        data_loader.download(data_dir, mirrors, splits=("train", "test") if FLAGS.train else ("test",))

    if FLAGS.train:
        import train  # imported late so that flag errors come back before TensorFlow starts
        config = make_config(spec)
        log("{}: {} with {} hidden units, MNIST from {}, TensorFlow {}".format(
            spec["name"], model.upper(), ",".join(str(n) for n in spec["layers"]), relpath(data_dir), TF_VERSION))
        train.train(config, data_dir, FLAGS.weights_dir, FLAGS.logs_dir)
        log("next: " + main_command(spec, "test"))
    else:
        import evaluate
        evaluate.evaluate(spec, data_dir, FLAGS.weights_dir, FLAGS.results_dir)


def _terminate(signum, frame):
    raise KeyboardInterrupt  # a kill gets the same clean stop as Ctrl-C


def main(argv):
    if any(arg in ("-h", "--help", "-help", "--helpfull") for arg in argv[1:]):
        print(__doc__)
        print(FLAGS.module_help(sys.modules[__name__]))
        return 0
    signal.signal(signal.SIGTERM, _terminate)
    try:
        run(argv)
    except UserError as e:
        return print_error(e)
    except KeyboardInterrupt:
        return print_error("interrupted; run the same command again to resume training from the last finished epoch"
                     if FLAGS.train else "interrupted", status=130)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
