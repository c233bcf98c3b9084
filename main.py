"""Train or test a hand-written LSTM, GRU or vanilla RNN on MNIST read row by row.

    python main.py --model=lstm --train --hidden_unit=32    # train (or resume)
    python main.py --model=gru --test --hidden_unit=128     # test the saved weights
    python main.py --model=lstm --hidden_unit=128 --predict=digit.png   # your own image
    python main.py --model=lstm --train --hidden_unit=64,64 --bidirectional --dropout=0.2 --augment=1

Flags choose the run; everything about a trained model lives in
weights/<config>/config.json, where <config> names the architecture (lstm_h32,
lstm_h64-64_bi) and the file records the recipe it was trained with, so
testing needs only the architecture's flags.
Any problem with the input ends with one line on stderr and a non-zero exit.
"""
import math
import os
import re
import signal
import sys

# tf.flags is absl.flags on both runtimes (TF 1.5 routes it there too); importing absl directly
# means a mistyped flag is answered before TensorFlow's few seconds of start-up.
from absl import flags

import data_loader
from helpers.checkpoint import RunDir, check_trained
from helpers.common import LOGS_DIR, RUNS_DIR, UserError, log, print_error, relpath, results_dir_for, weights_dir_for_test
from helpers.configuration import PRESETS, config_name, legacy_name, main_command

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
flags.DEFINE_float("augment", 0.0, "random affine distortions of the training images (rotation, scaling, shear, "
                   "shift): 1 = up to 10 degrees, 10%, 0.1, 2 px; 0.5 = half that; 0 = off")
flags.DEFINE_string("data_dir", data_loader.DEFAULT_DATA_DIR, "folder with the four MNIST IDX files (.gz or not)")
flags.DEFINE_string("weights_dir", "", "one checkpoint folder per configuration (default: --train writes runs/, "
                    "--test reads runs/<config> if you trained it, else the shipped weights/<config>)")
flags.DEFINE_string("results_dir", "", "where --test writes <config>.json (default: results/ for the shipped "
                    "weights, runs/results/ for your own)")
flags.DEFINE_string("logs_dir", LOGS_DIR, "TensorBoard event files, one folder per configuration")
flags.DEFINE_string("predict", "", "instead of --train/--test: the digit in each image file (PNG or JPEG; "
                    "comma-separated files or folders), made into MNIST's form first")
flags.DEFINE_boolean("explain", False, "a figure of the cell reading a digit (gates, states, the prediction after "
                     "every row): of each --predict image, or else of test image --test_image")
flags.DEFINE_integer("test_image", 0, "--explain without --predict: which test image (0-9999)")
flags.DEFINE_boolean("crop_test", False, "--test: also print the accuracy on randomly cropped test images "
                     "(always printed for --crop_augment models; always recorded in the JSON)")
flags.DEFINE_integer("epochs", 60, "maximum number of training epochs")
flags.DEFINE_integer("patience", 12, "stop after this many epochs without a better validation accuracy")
flags.DEFINE_integer("batch_size", 128, "training minibatch size")
flags.DEFINE_integer("towers", 0, "training: cut each batch into this many parts, unrolled side by side, "
                     "one core each (same model; 1 = one chain, as the shipped variants were trained; 0 = the "
                     "runtime's default: 2 on TensorFlow 2.x, 1 on 1.5)")
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
    if len(sizes) > 8:
        raise UserError("--hidden_unit lists {} layers; this program stacks at most 8".format(len(sizes)))
    if len(sizes) == 1:
        return sizes * num_layers
    if FLAGS["num_layers"].present and num_layers != len(sizes):
        raise UserError("--hidden_unit={} gives {} layers but --num_layers={}; give one size, or one per layer".format(
            text, len(sizes), num_layers))
    return sizes


def _positive(name, value, at_most=None):
    """A positive, finite value (inf and nan pass `> 0` or fail late, after a run was disturbed)."""
    if not (value > 0 and math.isfinite(value)):
        raise UserError("--{} must be a positive number, not {}".format(name, value))
    if at_most is not None and value > at_most:
        raise UserError("--{} must be at most {:g}, not {:g}".format(name, at_most, value))
    return value


# Above these a model cannot be trained on this kind of machine in any sensible time or memory.
MAX_PARAMETERS = 50 * 1000 * 1000
MAX_SEED = 2 ** 31 - 1


def estimated_parameters(model, layers, bidirectional):
    """Weights of the network these flags describe (the exact count config.json records)."""
    blocks = {"lstm": 4, "gru": 3, "rnn": 1}[model]
    directions, total, input_size = 2 if bidirectional else 1, 0, 28
    for units in layers:
        total += directions * blocks * units * (input_size + units + 1)
        input_size = units * directions
    return total + input_size * 10 + 10


def make_spec(model):
    """The architecture; it names the configuration's folder."""
    if not 0.0 <= FLAGS.dropout < 1.0:
        raise UserError("--dropout is a rate in [0, 1), not {}".format(FLAGS.dropout))
    if not (FLAGS.l2 >= 0 and math.isfinite(FLAGS.l2)):
        raise UserError("--l2 must be zero or a positive number, not {}".format(FLAGS.l2))
    if not 0.0 <= FLAGS.augment <= 3.0:
        raise UserError("--augment must be between 0 (off) and 3 (three times the standard distortions), not "
                        "{}".format(FLAGS.augment))
    layers = _parse_layers(FLAGS.hidden_unit, FLAGS.num_layers)
    parameters = estimated_parameters(model, layers, FLAGS.bidirectional)
    if parameters > MAX_PARAMETERS:
        raise UserError("--hidden_unit={} with {} layer(s){} makes {:,} weights, more than the {:,} this program "
                        "trains; use fewer or smaller layers".format(_clean(FLAGS.hidden_unit), len(layers),
                                                                     " both ways" if FLAGS.bidirectional else "",
                                                                     parameters, MAX_PARAMETERS))
    spec = {"model": model, "layers": layers, "bidirectional": FLAGS.bidirectional, "crop_augment": FLAGS.crop_augment}
    spec["name"] = config_name(model, layers, FLAGS.bidirectional, FLAGS.crop_augment)
    return spec


def make_config(spec):
    """The run's configuration, as stored in config.json."""
    config = dict(spec, epochs=_positive("epochs", FLAGS.epochs), patience=_positive("patience", FLAGS.patience),
                  batch_size=_positive("batch_size", FLAGS.batch_size),
                  learning_rate=_positive("learning_rate", FLAGS.learning_rate),
                  lr_decay=_positive("lr_decay", FLAGS.lr_decay, at_most=1.0),
                  clip_norm=_positive("clip_norm", FLAGS.clip_norm), seed=FLAGS.seed,
                  validation_size=_positive("validation_size", FLAGS.validation_size), train_examples=None,
                  towers=FLAGS.towers, dropout=FLAGS.dropout, l2=FLAGS.l2, augment=FLAGS.augment)
    if config["towers"] < 0:
        raise UserError("--towers must be positive (or 0 for the runtime's default), not {}".format(FLAGS.towers))
    if config["towers"] > 8:
        raise UserError("--towers={} is more than this program uses (at most 8; one per core is the point)".format(
            config["towers"]))
    if not 0 <= config["seed"] <= MAX_SEED:
        raise UserError("--seed must be between 0 and {}, not {}".format(MAX_SEED, config["seed"]))
    if config["towers"] and config["batch_size"] % config["towers"]:
        raise UserError("--batch_size={} must be a multiple of --towers={}".format(config["batch_size"], config["towers"]))
    preset = _clean(FLAGS.preset)
    if preset:
        if preset not in PRESETS:
            raise UserError("unknown --preset={!r}; the only preset is 'tiny'".format(preset))
        # A preset fills in settings; flags given on the command line still win.
        config.update({k: v for k, v in PRESETS[preset].items() if k not in FLAGS or not FLAGS[k].present})
    return config


def _trained_weights_dir(spec):
    """The folder --test, --predict and --explain read (yours in runs/ if trained, else the shipped one), checked
    to hold trained weights of this configuration before TensorFlow starts."""
    legacy = legacy_name(spec["name"], FLAGS.dropout, FLAGS.l2)
    if legacy != spec["name"] and os.path.isdir(os.path.join(FLAGS.weights_dir or weights_dir_for_test(legacy), legacy)):
        spec["name"] = legacy  # a run saved when dropout and L2 were part of the name (gru_h128_drop0.3)
    weights_dir = FLAGS.weights_dir or weights_dir_for_test(spec["name"])
    check_trained(RunDir(weights_dir, spec["name"]), spec)
    return weights_dir


def run(argv):
    FLAGS.unparse_flags()  # every call parses afresh (the tests call main() many times in one process)
    try:
        extra = FLAGS(argv)[1:]
    except flags.Error as e:
        raise SystemExit(print_error("{}; run python main.py --help to list the flags".format(e), status=2))
    if extra:
        raise SystemExit(print_error("unexpected argument {!r}; flags look like --model=lstm".format(extra[0]), status=2))
    model = _clean(FLAGS.model).lower()
    if model not in ("lstm", "gru", "rnn"):
        raise UserError("unknown --model={!r}; choose lstm, gru or rnn".format(model))
    spec = make_spec(model)
    actions = [a for a in ("train", "test", "predict") if FLAGS[a].value]
    if FLAGS.explain and not FLAGS.predict:
        actions.append("explain")
    if len(actions) != 1:
        raise UserError("give exactly one of --train, --test, --predict=<image> or --explain (got {})".format(
            " and ".join("--" + a for a in actions) if actions else "none"))
    if FLAGS.predict:
        paths = data_loader.image_paths(FLAGS.predict)
        weights_dir = _trained_weights_dir(spec)
        import evaluate
        evaluate.predict(spec, paths, weights_dir, explain=FLAGS.explain)
        return
    if FLAGS.explain:
        if not 0 <= FLAGS.test_image < 10000:
            raise UserError("--test_image must be between 0 and 9999, not {}".format(FLAGS.test_image))
        weights_dir = _trained_weights_dir(spec)
        import evaluate
        evaluate.explain_test_image(spec, os.path.abspath(FLAGS.data_dir), weights_dir, FLAGS.test_image)
        return
    config = make_config(spec) if FLAGS.train else None  # every flag is checked before anything is fetched
    data_dir = os.path.abspath(FLAGS.data_dir)
    if FLAGS.download:
        mirrors = [m for m in FLAGS.mnist_mirror.split(",") if m] or data_loader.MIRRORS
        data_loader.download(data_dir, mirrors, splits=("train", "test") if FLAGS.train else ("test",))
    for name in data_loader.FILES["train" if FLAGS.train else "test"]:
        data_loader.find_file(data_dir, name)  # a missing file is reported before TensorFlow starts

    if FLAGS.train:
        weights_dir = FLAGS.weights_dir or RUNS_DIR
        # TensorFlow starts only now, after every flag has been checked.
        import train
        from model import DEFAULT_TOWERS
        from helpers.tfcompat import TF_VERSION
        if not config["towers"]:
            config["towers"] = DEFAULT_TOWERS
            if config["batch_size"] % config["towers"]:
                raise UserError("--batch_size={} must be a multiple of {} towers (this runtime's default); pass "
                                "--towers=1 or an even batch size".format(config["batch_size"], config["towers"]))
        log("{}: {} with {} hidden units, MNIST from {}, TensorFlow {}".format(
            spec["name"], model.upper(), ",".join(str(n) for n in spec["layers"]), relpath(data_dir), TF_VERSION))
        train.train(config, data_dir, weights_dir, FLAGS.logs_dir)
        log("next: " + main_command(spec, "test"))
    else:
        weights_dir = _trained_weights_dir(spec)
        results_dir = FLAGS.results_dir or results_dir_for(weights_dir)
        import evaluate
        evaluate.evaluate(spec, data_dir, weights_dir, results_dir,
                          show_crops=FLAGS.crop_test or spec["crop_augment"])


def _terminate(signum, frame):
    raise KeyboardInterrupt  # a kill gets the same clean stop as Ctrl-C


def _training():
    return FLAGS.is_parsed() and FLAGS.train


def main(argv):
    if any(arg in ("-h", "--help", "-help", "--helpfull") for arg in argv[1:]):
        try:
            print(__doc__)
            print(FLAGS.module_help(sys.modules[__name__]))
            sys.stdout.flush()
        except BrokenPipeError:  # python main.py --help | head
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    signal.signal(signal.SIGTERM, _terminate)
    try:
        run(argv)
    except UserError as e:
        return print_error(e)
    except OSError as e:  # a read-only or full disk, a folder that is a file, ...: every write is atomic
        where = " {}".format(relpath(e.filename)) if getattr(e, "filename", None) else ""
        return print_error("cannot write or read{}: {}; free some space or fix the folder's permissions (or "
                           "point --weights_dir, --results_dir, --logs_dir elsewhere), then run the same command "
                           "again{}".format(where, e.strerror or e,
                                            ", which resumes from the last finished epoch" if _training() else ""))
    except KeyboardInterrupt:
        return print_error("interrupted; run the same command again to resume training from the last finished epoch"
                           if _training() else "interrupted", status=130)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
