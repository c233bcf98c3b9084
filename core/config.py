"""What a configuration is, in one place: `Config`, its fields, defaults, checks, folder name and recipes.

A configuration is its architecture (cell, layer sizes, direction, input format: the folder name) plus
the recipe it is trained with (schedule, batch, regularisers: recorded in config.json). `Config` is a
dict, so config.json round-trips through it (`Config.load(dict)` fills what older files lack, checks
the rest), and it owns:

    FIELDS          every field: its default, its type and its main.py flag's help (main.py's flag list)
    Config.check()  the rules each value obeys (one line naming the flag, for the user)
    name            the folder name from the architecture: lstm_h32, lstm_h64-64_bi, gru_h128_crop
    parse_name()    the architecture a folder name stands for
    RESUME_KEYS     what must be equal for a run to be resumed
    PRESETS         'tiny', for smoke tests
    RECIPES         the recipe recorded for each shipped configuration, as data; GENERAL for the rest

    config_name("lstm", [64, 64], bidirectional=True) == "lstm_h64-64_bi"
    parse_name("lstm_h64-64_bi")["layers"] == [64, 64]
    recipe_for("lstm", [32]) == ("lstm_h32", {"augment": 1.0, "dropout": 0.2, "epochs": 120, "patience": 20})
"""
import collections
import math
import re

MODELS = ("lstm", "gru", "rnn", "mlp")  # mlp: the non-recurrent baseline (dense ReLU layers on all 784 pixels)
UNROLLS = ("fast", "plain", "loop")

Field = collections.namedtuple("Field", "default kind help")
# The recipe's fields, main.py's defaults: the plain recipe (`--recipe=plain`).
RECIPE = collections.OrderedDict([
    ("epochs", Field(60, int, "maximum number of training epochs")),
    ("patience", Field(12, int, "stop after this many epochs without a better validation accuracy")),
    ("batch_size", Field(128, int, "training minibatch size")),
    ("learning_rate", Field(0.005, float, "Adam learning rate")),
    ("lr_decay", Field(0.97, float, "the learning rate is multiplied by this after every epoch (1 = constant)")),
    ("clip_norm", Field(5.0, float, "clip gradients to this global norm")),
    ("seed", Field(1, int, "random seed for initial weights, data order, distortions and dropout")),
    ("validation_size", Field(5000, int, "training images held out for validation")),
    ("train_examples", Field(None, int, "use only the first N training images (set by --preset=tiny)")),
    ("augment", Field(0.0, float, "random affine distortions of the training images (rotation, scaling, shear, "
                                  "shift): 1 = up to 10 degrees, 10%, 0.1, 2 px; 0.5 = half that; 0 = off")),
    ("dropout", Field(0.0, float, "dropout rate on the non-recurrent connections, in training only (0 = off)")),
    ("l2", Field(0.0, float, "weight decay: this times the sum of squared weights is added to the loss")),
    # Speed only: the same model, rounded differently.
    ("towers", Field(0, int, "training: cut each batch into this many parts, unrolled side by side, one core "
                             "each (same model; 1 = one chain; 0 = chosen by a measured rule: 2 on TensorFlow 2, "
                             "1 on TensorFlow 1.5; the log says which)")),
])
ARCHITECTURE = ("model", "layers", "bidirectional", "crop_augment")
GRAPH_DEFAULTS = {"bidirectional": False, "crop_augment": False}
REGULARISER_DEFAULTS = {"augment": 0.0, "dropout": 0.0, "l2": 0.0}  # what an older config.json without them means
RECIPE_KEYS = tuple(RECIPE)
# Written by train.py: the parameter count, where the recipe came from, and what trained it.
RECORD_KEYS = ("parameters", "recipe", "unroll", "tf_version", "python_version", "machine")
OPTIONAL_KEYS = ("recipe", "unroll", "machine")  # newer than some shipped runs' config.json
CONFIG_KEYS = ("name",) + ARCHITECTURE + RECIPE_KEYS + RECORD_KEYS
# Settings that must be equal for a run to be resumed (--epochs and --patience may change).
RESUME_KEYS = ARCHITECTURE + tuple(k for k in RECIPE_KEYS if k not in ("epochs", "patience"))
RESUME_DEFAULTS = dict(REGULARISER_DEFAULTS)

PRESETS = {"tiny": {"epochs": 2, "train_examples": 2000, "validation_size": 500}}

# The recipe of every shipped basic configuration, chosen on validation (tools/tuning/README.md): distortions and
# dropout 0.2 together won at 32 units for both cells; GRU-32 keeps its batch of 64; at most 120 epochs with
# patience 20 won for LSTM-32, GRU-32 and GRU-64 (tied for LSTM-64, which keeps 60/12).
REGULARISED = {"augment": 1.0, "dropout": 0.2}
LONGER = {"epochs": 120, "patience": 20}
RECIPES = {"{}_h{}".format(m, h): dict(REGULARISED) for m in ("lstm", "gru") for h in (32, 64, 128, 256)}
RECIPES["lstm_h32"].update(LONGER)
RECIPES["gru_h32"].update(LONGER, batch_size=64)
RECIPES["gru_h64"].update(LONGER)
# Any other configuration (another size, stacked, bidirectional, crops): the recipe of the larger basic
# models; the vanilla RNN at learning rate 0.001, where 0.005 diverges (RNN-128 on validation: 98.44% vs
# 92.96%; tools/tuning/README.md).
GENERAL = {"lstm": dict(REGULARISED), "gru": dict(REGULARISED), "rnn": dict(REGULARISED, learning_rate=0.001),
           "mlp": dict(REGULARISED)}

_NAME = re.compile(r"^(?P<model>{})_h(?P<layers>\d+(?:-\d+)*)(?P<bi>_bi)?(?P<crop>_crop)?$".format("|".join(MODELS)))

MAX_PARAMETERS = 50 * 1000 * 1000  # above this a model cannot be trained here in any sensible time or memory
MAX_SEED = 2 ** 31 - 1


class ConfigError(ValueError):
    """A value a configuration cannot take; the message names the flag and what it may be."""


def layer_sizes(config):
    """One hidden size per layer, from "layers" or, in result files and older configs, "hidden_unit"."""
    sizes = config.get("layers") or config["hidden_unit"]
    return [int(n) for n in sizes] if isinstance(sizes, (list, tuple)) else [int(sizes)]


def graph_options(config):
    """The architecture's options (layers, bidirectional, crop_augment)."""
    options = {k: type(v)(config.get(k, v)) for k, v in GRAPH_DEFAULTS.items()}
    options["layers"] = layer_sizes(config)
    return options


def regularisers(config):
    """The recipe's augment, dropout and l2 (0 where an older config.json has no field)."""
    return {k: float(config.get(k) or v) for k, v in REGULARISER_DEFAULTS.items()}


def config_name(model, layers, bidirectional=False, crop_augment=False):
    """The folder and result-file name: the architecture, defaults left out."""
    name = "{}_h{}".format(model, "-".join(str(n) for n in layer_sizes({"layers": layers})))
    return name + ("_bi" if bidirectional else "") + ("_crop" if crop_augment else "")


def name_of(config):
    options = graph_options(config)
    return config_name(config["model"], options["layers"], options["bidirectional"], options["crop_augment"])


def parse_name(name):
    """The architecture a folder name stands for, or None if config_name could not have written it."""
    match = _NAME.match(name)
    if not match:
        return None
    spec = {"model": match.group("model"), "layers": [int(n) for n in match.group("layers").split("-")],
            "bidirectional": bool(match.group("bi")), "crop_augment": bool(match.group("crop"))}
    return spec if name_of(spec) == name and min(spec["layers"]) > 0 else None


def recipe_for(model, layers, bidirectional=False, crop_augment=False):
    """(where it comes from, the recipe's settings on top of the plain defaults) for an architecture: its
    recorded recipe if it is a shipped basic configuration, else the stated general default."""
    name = config_name(model, layers, bidirectional, crop_augment)
    if name in RECIPES:
        return name, dict(RECIPES[name])
    return "general", dict(GENERAL[model])


def estimated_parameters(model, layers, bidirectional):
    """Weights of the network (the exact count config.json records)."""
    if model == "mlp":
        sizes = [784] + list(layers) + [10]
        return sum(a * b + b for a, b in zip(sizes, sizes[1:]))
    blocks = {"lstm": 4, "gru": 3, "rnn": 1}[model]
    directions, total, input_size = 2 if bidirectional else 1, 0, 28
    for units in layers:
        total += directions * blocks * units * (input_size + units + 1)
        input_size = units * directions
    return total + input_size * 10 + 10


def _positive(config, name, at_most=None):
    value = config[name]
    if not (isinstance(value, (int, float)) and value > 0 and math.isfinite(value)):
        raise ConfigError("--{} must be a positive number, not {}".format(name, value))
    if at_most is not None and value > at_most:
        raise ConfigError("--{} must be at most {:g}, not {:g}".format(name, at_most, value))


class Config(dict):
    """One configuration, as stored in config.json. Build it with `Config.make(architecture, overrides,
    recipe="shipped" or "plain")` or read one with `Config.load(dict)`; both check every value."""

    @classmethod
    def make(cls, model, layers, bidirectional=False, crop_augment=False, overrides=None, recipe="shipped",
             preset=None):
        """The architecture with its recipe: the plain defaults, then (recipe="shipped") the recipe recorded
        for it or the general default, then a preset, then `overrides` (the flags given on the command line)."""
        config = cls(model=model, layers=list(layers), bidirectional=bool(bidirectional),
                     crop_augment=bool(crop_augment))
        config.update((k, f.default) for k, f in RECIPE.items())
        source, settings = recipe_for(model, layers, bidirectional, crop_augment)
        if recipe == "plain":
            source, settings = "plain", {}
        elif recipe != "shipped":
            raise ConfigError("unknown --recipe={!r}; choose shipped (the recorded recipe, or the general "
                              "default) or plain (main.py's plain defaults)".format(recipe))
        config.update(settings)
        if preset:
            if preset not in PRESETS:
                raise ConfigError("unknown --preset={!r}; the only preset is 'tiny'".format(preset))
            config.update(PRESETS[preset])
        overrides = overrides or {}
        given = sorted(k for k in overrides if k in RECIPE and k != "towers" and overrides[k] != config.get(k))
        config.update(overrides)
        config["recipe"] = source + ("" if not preset else " + preset " + preset) + (
            "" if not given else " + " + ", ".join("--" + k for k in given))
        config["name"] = name_of(config)
        return config.check()

    @classmethod
    def load(cls, stored):
        """A config.json's contents: defaults for fields older files lack, then the same checks."""
        config = cls(stored)
        for key, value in dict(GRAPH_DEFAULTS, **REGULARISER_DEFAULTS).items():
            config.setdefault(key, value)
        if "layers" not in config and "hidden_unit" in config:
            config["layers"] = layer_sizes(config)
        # Checked with the plain defaults where an older or half-written file (a kill during epoch 1) lacks a
        # recipe field; the fields it lacks stay missing (resuming treats them as unknown).
        cls(dict(((k, f.default) for k, f in RECIPE.items()), **config)).check()
        return config

    def check(self):
        if self.get("model") not in MODELS:
            raise ConfigError("unknown --model={!r}; choose lstm, gru, rnn or mlp".format(self.get("model")))
        if self["model"] == "mlp" and (self.get("bidirectional") or self.get("crop_augment")):
            raise ConfigError("--model=mlp reads the whole image at once: it takes no --bidirectional or "
                              "--crop_augment")
        layers = self.get("layers")
        if not (isinstance(layers, list) and layers and all(isinstance(n, int) and not isinstance(n, bool)
                                                            and n > 0 for n in layers)):
            raise ConfigError("layers must be a list of positive sizes such as [64, 64], not {!r}".format(layers))
        if max(layers) > 4096 or len(layers) > 8:
            raise ConfigError("--hidden_unit={} is larger than this program supports (at most 8 layers of at most "
                              "4096 units)".format(",".join(map(str, layers))))
        parameters = estimated_parameters(self["model"], layers, self["bidirectional"])
        if parameters > MAX_PARAMETERS:
            raise ConfigError("--hidden_unit={} with {} layer(s){} makes {:,} weights, more than the {:,} this "
                              "program trains; use fewer or smaller layers".format(
                                  ",".join(map(str, layers)), len(layers), " both ways" if self["bidirectional"]
                                  else "", parameters, MAX_PARAMETERS))
        for name in ("epochs", "patience", "batch_size", "learning_rate", "clip_norm", "validation_size"):
            _positive(self, name)
        _positive(self, "lr_decay", at_most=1.0)
        if not 0.0 <= self["dropout"] < 1.0:
            raise ConfigError("--dropout is a rate in [0, 1), not {}".format(self["dropout"]))
        if not (self["l2"] >= 0 and math.isfinite(self["l2"])):
            raise ConfigError("--l2 must be zero or a positive number, not {}".format(self["l2"]))
        if not 0.0 <= self["augment"] <= 3.0:
            raise ConfigError("--augment must be between 0 (off) and 3 (three times the standard distortions), "
                              "not {}".format(self["augment"]))
        if not 0 <= self["seed"] <= MAX_SEED:
            raise ConfigError("--seed must be between 0 and {}, not {}".format(MAX_SEED, self["seed"]))
        if self["towers"] < 0:
            raise ConfigError("--towers must be positive (or 0 for the runtime's default), not {}".format(
                self["towers"]))
        if self["towers"] > 8:
            raise ConfigError("--towers={} is more than this program uses (at most 8; one per core is the "
                              "point)".format(self["towers"]))
        if self["towers"] and self["batch_size"] % self["towers"]:
            raise ConfigError("--batch_size={} must be a multiple of --towers={}".format(self["batch_size"],
                                                                                       self["towers"]))
        if self.get("unroll", "fast") not in UNROLLS:
            raise ConfigError("unknown --unroll={!r}; choose {}".format(self["unroll"], ", ".join(UNROLLS)))
        return self

    def describe(self):
        """The recipe in force, one setting each, for the training log and --help."""
        return "recipe {}: {}".format(self.get("recipe", "?"), ", ".join(
            "{}={}".format(k, self[k]) for k in RECIPE_KEYS if self.get(k) is not None))


def main_args(config, action):
    """main.py's arguments (a list) that train or test `config`: the architecture's flags, then every recipe
    setting the config holds."""
    options = graph_options(config)
    args = ["--model=" + config["model"], "--" + action, "--hidden_unit=" + ",".join(map(str, options["layers"]))]
    args += ["--" + flag for flag in ("bidirectional", "crop_augment") if options[flag]]
    if action == "train":
        args += ["--{}={}".format(k, config[k]) for k in RECIPE_KEYS if config.get(k) is not None and
                 k != "train_examples"]
    return args


def main_command(config, action):
    """The shortest command line for `config`'s architecture, for messages: python main.py --model=..."""
    return " ".join(["python", "main.py"] + main_args({k: v for k, v in config.items() if k not in RECIPE_KEYS},
                                                      action))
