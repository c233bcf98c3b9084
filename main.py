"""Train or test a hand-written LSTM, GRU or vanilla RNN on MNIST read row by row.

    python main.py --model=lstm --train --hidden_unit=32    # train (or resume)
    python main.py --model=lstm --test --hidden_unit=32     # test it (your run in runs/, else weights/)
    python main.py --model=lstm --hidden_unit=128 --predict=digit.png   # your own image
    python main.py --model=lstm --train --hidden_unit=64,64 --bidirectional   # a variant, general recipe

--train trains the architecture with its recipe: the one recorded for each
basic configuration (LSTM or GRU, 32-256 units), else the general default
(core/recipes.py);
flags given override it, --recipe=plain starts from the plain defaults listed
below. Training writes runs/<config>/, where <config>
names the architecture (lstm_h32, lstm_h64-64_bi); its config.json records the
recipe, so testing needs only the architecture's flags.
Any problem with the input ends with one line on stderr and a non-zero exit.
"""
import dataclasses
import os
import re
import sys

# tf.flags is absl.flags on both runtimes (TF 1.5 routes it there too); importing absl directly
# means a mistyped flag is answered before TensorFlow's few seconds of start-up.
from absl import flags

import data_loader
from core import photos
from core.common import (LOGS_DIR, RUNS_DIR, WEIGHTS_DIR, UserError, guarded, log, print_error, relpath,
                         results_dir_for, weights_dir_for_test)
from core.arch import MAX_LAYERS, Arch, ConfigError, check_model
from core.config import DEFAULT_UNROLL, UNROLL_HELP, UNROLLS, Config, Recipe
from core.recipes import GENERAL, RECIPES
from core.runs import RunDir, check_trained

ARCH_HELP = {f.name: f.metadata["help"] for f in dataclasses.fields(Arch)}
# Where this copy holds trained models (weights/), the help says how --test and --train treat them; a copy
# without that folder is told nothing of it.
IN_WEIGHTS = os.path.isdir(WEIGHTS_DIR)
flags.DEFINE_string("model", Arch.model, ARCH_HELP["model"])
flags.DEFINE_boolean("train", False, "train this configuration (an interrupted run is resumed)")
flags.DEFINE_boolean("test", False, "report the trained configuration's accuracy on the test set")
flags.DEFINE_string("hidden_unit", "128", ARCH_HELP["layers"])
flags.DEFINE_integer("num_layers", 1, "stacked recurrent layers (each of --hidden_unit units unless it lists one per layer)")
flags.DEFINE_boolean("bidirectional", False, ARCH_HELP["bidirectional"])
flags.DEFINE_boolean("crop_augment", False, ARCH_HELP["crop_augment"])
flags.DEFINE_string("data_dir", data_loader.DEFAULT_DATA_DIR, "folder with the four MNIST IDX files (.gz or not)")
flags.DEFINE_string("weights_dir", "", "one checkpoint folder per configuration (default: --train writes runs/, "
                    "--test reads runs/<config>{})".format(" if you trained it, else weights/<config>"
                                                           if IN_WEIGHTS else ""))
flags.DEFINE_string("results_dir", "", "where --test writes <config>.json (default: {}runs/results/ for your "
                    "own)".format("results/ for the models in weights/, " if IN_WEIGHTS else ""))
flags.DEFINE_string("logs_dir", LOGS_DIR, "TensorBoard event files, one folder per configuration")
flags.DEFINE_string("predict", "", "instead of --train/--test: the digit in each image file (PNG or JPEG; "
                    "comma-separated files or folders), made into MNIST's form first")
flags.DEFINE_boolean("explain", False, "a figure of the cell reading a digit (gates, states, the prediction after "
                     "every row): of each --predict image, or else of test image --test_image")
flags.DEFINE_integer("test_image", 0, "--explain without --predict: which test image (0-9999)")
flags.DEFINE_boolean("crop_test", False, "--test: also print the accuracy on randomly cropped test images "
                     "(always for --crop_augment models) and record it in the result's JSON")
for _field in dataclasses.fields(Recipe):  # the recipe's flags, made from its fields (core/config.py)
    if _field.name != "train_examples":
        _define = {int: flags.DEFINE_integer, float: flags.DEFINE_float, str: flags.DEFINE_string}[_field.type]
        _define(_field.name, _field.default, _field.metadata["help"] + " (plain default; the recipe's value unless "
                                                                     "given)")
flags.DEFINE_string("recipe", "recorded", "the training settings (rate, batch, epochs, regularisation) taken "
                    "when not given: recorded, those core/recipes.py records for the configuration "
                    "(other configurations: the general default; listed above); budget, a fixed number of epochs with "
                    "the rate decaying to zero (a cosine); early-stop, up to a maximum of epochs, stopping when "
                    "validation accuracy stops improving; plain, the defaults listed here (a trained run's config.json "
                    "records what it was trained with)")
# --unroll offers the unrollers this copy holds (core/config.py finds them).
flags.DEFINE_string("unroll", DEFAULT_UNROLL, "how the steps are unrolled: " + "; ".join(
    "{} ({})".format(u, UNROLL_HELP[u]) for u in UNROLLS))
flags.DEFINE_boolean("replace_weights", False, "--train with --weights_dir=weights: allowed only with this flag "
                     "(to replace the models in weights/ deliberately)" if IN_WEIGHTS else "--train into a folder of "
                     "trained models that came with the code: allowed only with this flag")
flags.DEFINE_boolean("download", False, "first download missing MNIST files into --data_dir (SHA-256 checked)")
flags.DEFINE_string("mnist_mirror", "", "comma-separated base URLs to download MNIST from instead of the usual mirrors")
flags.DEFINE_string("preset", "", "'tiny': 2 epochs on 2,000 training images, 500 for validation (smoke tests); "
                    "explicit flags override it")
FLAGS = flags.FLAGS



def _clean(value):
    """Accept --model='lstm' even where the shell leaves the quotes in."""
    return value.strip().strip("'\"")


def _parse_layers(text, num_layers):
    """--hidden_unit and --num_layers -> one size per layer (their limits are Arch's)."""
    text = _clean(text)
    if not re.match(r"^\d{1,9}(,\d{1,9})*$", text) or min(int(n) for n in text.split(",")) < 1:
        raise UserError("--hidden_unit must be a positive integer such as 32, 64, 128 or 256, or one per layer "
                        "like 64,64, not {!r}".format(text))
    sizes = [int(n) for n in text.split(",")]
    if len(sizes) == 1:
        if not 1 <= num_layers <= MAX_LAYERS:
            raise UserError("--num_layers must be between 1 and {}, not {}".format(MAX_LAYERS, num_layers))
        return sizes * num_layers
    if FLAGS["num_layers"].present and num_layers != len(sizes):
        raise UserError("--hidden_unit={} gives {} layers but --num_layers={}; give one size, or one per layer".format(
            text, len(sizes), num_layers))
    return sizes


def make_arch(model):
    """The architecture from the flags; it names the configuration's folder."""
    try:
        check_model(model)
        return Arch(model, tuple(_parse_layers(FLAGS.hidden_unit, FLAGS.num_layers)), FLAGS.bidirectional,
                    FLAGS.crop_augment)
    except ConfigError as e:
        raise UserError(e)


def make_config(arch):
    """The run's configuration, as stored in config.json: the recipe, then the flags given."""
    given = {f.name: FLAGS[f.name].value for f in dataclasses.fields(Recipe)
             if f.name in FLAGS and FLAGS[f.name].present}
    try:
        return Config.make(arch, given, recipe=_clean(FLAGS.recipe), preset=_clean(FLAGS.preset) or None,
                           unroll=_clean(FLAGS.unroll))
    except ConfigError as e:
        raise UserError(e)


def recipes_help():
    """The recipes --train uses, for --help: each recorded configuration's, then the general default."""
    def flags_of(recipe):  # numbers as --epochs=40, words (--schedule=cosine) as they are
        return " ".join("--{}={}".format(k, v if isinstance(v, str) else "{:g}".format(v))
                        for k, v in sorted(recipe.items()))
    lines = ["Recipes (on top of the plain defaults below):"]
    lines += ["  {:<10} {}".format(name, flags_of(r)) for name, r in sorted(RECIPES.items())]
    lines += ["  {:<10} {} (general default)".format("other " + m, flags_of(r)) for m, r in sorted(GENERAL.items())]
    return "\n".join(lines) + "\n"


def _trained_weights_dir(arch):
    """The folder --test, --predict and --explain read (yours in runs/ if trained, else the one in weights/), checked
    to hold trained weights of this configuration before TensorFlow starts."""
    weights_dir = FLAGS.weights_dir or weights_dir_for_test(arch.name)
    check_trained(RunDir(weights_dir, arch.name), arch)
    return weights_dir


def _parse(argv):
    FLAGS.unparse_flags()  # every call parses afresh (main() may be called more than once in one process)
    try:
        extra = FLAGS(argv)[1:]
    except flags.Error as e:
        raise SystemExit(print_error("{}; run python main.py --help to list the flags".format(e), status=2))
    if extra:
        raise SystemExit(print_error("unexpected argument {!r}; flags look like --model=lstm".format(extra[0]), status=2))


def run(argv):
    _parse(argv)
    arch = make_arch(_clean(FLAGS.model).lower())
    data_dir = os.path.abspath(os.path.expanduser(FLAGS.data_dir))  # a shell leaves the ~ of --data_dir=~/data
    actions = [a for a in ("train", "test", "predict") if FLAGS[a].value]
    if FLAGS.explain and not FLAGS.predict:
        actions.append("explain")
    if len(actions) != 1:
        raise UserError("give exactly one of --train, --test, --predict=<image> or --explain (got {})".format(
            " and ".join("--" + a for a in actions) if actions else "none"))
    if FLAGS.predict:
        paths = photos.image_paths(FLAGS.predict)
        weights_dir = _trained_weights_dir(arch)
        import evaluate
        evaluate.predict(arch, paths, weights_dir, explain=FLAGS.explain)
        return
    if FLAGS.explain:
        if not 0 <= FLAGS.test_image < 10000:
            raise UserError("--test_image must be between 0 and 9999, not {}".format(FLAGS.test_image))
        weights_dir = _trained_weights_dir(arch)
        import evaluate
        evaluate.explain_test_image(arch, data_dir, weights_dir, FLAGS.test_image)
        return
    config = make_config(arch) if FLAGS.train else None  # every flag is checked before anything is fetched
    if FLAGS.train and os.path.abspath(FLAGS.weights_dir or RUNS_DIR) == os.path.abspath(WEIGHTS_DIR) \
            and not FLAGS.replace_weights:
        raise UserError("--weights_dir={} holds the trained models that came with the code; train into runs/ (the "
                        "default), or add --replace_weights to replace its {} deliberately".format(
                            relpath(FLAGS.weights_dir), arch.name))
    if FLAGS.download:
        mirrors = [m for m in FLAGS.mnist_mirror.split(",") if m] or data_loader.MIRRORS
        data_loader.download(data_dir, mirrors, splits=("train", "test") if FLAGS.train else ("test",))
    for name in data_loader.FILES["train" if FLAGS.train else "test"]:
        data_loader.find_file(data_dir, name)  # a missing file is reported before TensorFlow starts

    if FLAGS.train:
        weights_dir = FLAGS.weights_dir or RUNS_DIR
        # TensorFlow starts only now, after every flag has been checked.
        import train
        from core.tfcompat import TF_VERSION
        if not config.recipe.towers:
            from core.unroll import has_towers, module_of
            if has_towers(config.unroll):
                towers, why = module_of(config.unroll).default_towers()
                why += "; --towers=N to choose"
            else:
                towers, why = 1, "one chain: --unroll={} steps through each batch whole".format(config.unroll)
            log("towers: {} ({})".format(towers, why))
            try:
                config = config.with_towers(towers)
            except ConfigError as e:
                raise UserError(e)
        log("{}: {} with {} hidden units, MNIST from {}, TensorFlow {}".format(
            arch.name, arch.model.upper(), arch.sizes, relpath(data_dir), TF_VERSION))
        log(config.describe())
        train.train(config, data_dir, weights_dir, FLAGS.logs_dir)
        # The folders this run used, where they are not --test's defaults, so that the command tests this run.
        where = [("--data_dir", data_dir, os.path.abspath(data_loader.DEFAULT_DATA_DIR)),
                 ("--weights_dir", os.path.abspath(weights_dir), os.path.abspath(RUNS_DIR))]
        log("next: " + " ".join([arch.command("test")] + ["{}={}".format(flag, relpath(path))
                                                           for flag, path, default in where if path != default]))
    else:
        weights_dir = _trained_weights_dir(arch)
        ignored = ["--" + f.name for f in dataclasses.fields(Recipe) if f.name in FLAGS and FLAGS[f.name].present]
        ignored += ["--" + name for name in ("recipe", "preset", "unroll", "replace_weights")
                    if FLAGS[name].present]
        if ignored:  # said, not an error: a command copied from a --train line still tests
            log("note: {} {} for --train; --test builds the model its checkpoint records".format(
                ", ".join(ignored), "is" if len(ignored) == 1 else "are"))
        if not FLAGS.weights_dir and os.path.abspath(weights_dir) != os.path.abspath(WEIGHTS_DIR) and \
                os.path.isfile(os.path.join(WEIGHTS_DIR, arch.name, "state.json")):
            # Whoever trained a configuration wants that run tested; the one in weights/ is one flag away.
            log("testing your own run in {0}/{1} (trained here); for the {1} in {2}/, add --weights_dir={2}".format(
                relpath(weights_dir), arch.name, relpath(WEIGHTS_DIR)))
        results_dir = FLAGS.results_dir or results_dir_for(weights_dir)
        import evaluate
        evaluate.evaluate(arch, data_dir, weights_dir, results_dir, show_crops=FLAGS.crop_test or arch.crop_augment)


def _training():
    return FLAGS.is_parsed() and FLAGS.train


def main(argv):
    if any(arg in ("-h", "--help", "-help", "--helpfull") for arg in argv[1:]):
        try:
            print(__doc__)
            print(recipes_help())
            print(FLAGS.module_help(sys.modules[__name__]))
            sys.stdout.flush()
        except BrokenPipeError:  # python main.py --help | head
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    resume = lambda: ", which resumes from the last finished epoch" if _training() else ""  # noqa: E731
    # A read-only or full disk, a folder that is a file, ...: every write is atomic, so nothing is half-written.
    return guarded(lambda: run(argv) or 0,
                   interrupted=lambda: "interrupted; run the same command again to resume training from the last "
                                       "finished epoch" if _training() else "interrupted",
                   fix=lambda: "free some space or fix the folder's permissions (or point --weights_dir, "
                               "--results_dir, --logs_dir elsewhere), then run the same command again" + resume())


if __name__ == "__main__":
    sys.exit(main(sys.argv))
