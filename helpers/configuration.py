"""What a configuration is, in one place: its fields, its folder name, and the main.py flags that make it.

A configuration is its architecture (cell, layer sizes, direction, input
format) plus the recipe it is trained with (schedule, batch, dropout, weight
decay, augmentation). config.json holds one field per fact (CONFIG_KEYS);
`name` is derived from the architecture alone and names the folder in
weights/ or runs/ and the result file.

    config_name("lstm", [32]) == "lstm_h32"
    config_name("lstm", [64, 64], bidirectional=True) == "lstm_h64-64_bi"
    parse_name("lstm_h64-64_bi")["layers"] == [64, 64]

Folders named before dropout and weight decay became recipe settings carry
them in the name (gru_h128_drop0.3); parse_name reads those names too, and
`legacy_name` gives the name such a run was saved under.
"""
import re

MODELS = ("lstm", "gru", "rnn")

# The architecture's options, with the values config.json files older than them imply.
GRAPH_DEFAULTS = {"bidirectional": False, "crop_augment": False}
# The recipe's regularisers, with the values older config.json files imply (none of them changes the
# trained variables, so a checkpoint loads whatever its recipe was).
REGULARISER_DEFAULTS = {"augment": 0.0, "dropout": 0.0, "l2": 0.0}
# How it is trained. `train_examples` is set only by --preset=tiny; `towers` is a speed setting.
RECIPE_KEYS = ("epochs", "patience", "batch_size", "learning_rate", "lr_decay", "clip_norm", "seed",
               "validation_size", "train_examples", "towers") + tuple(sorted(REGULARISER_DEFAULTS))
# Written by train.py once the graph exists.
RECORD_KEYS = ("parameters", "tf_version", "python_version")
CONFIG_KEYS = ("name", "model", "layers") + tuple(sorted(GRAPH_DEFAULTS)) + RECIPE_KEYS + RECORD_KEYS

# Settings that must be equal for a run to be resumed (--epochs and --patience may change).
RESUME_KEYS = ("model", "layers") + tuple(sorted(GRAPH_DEFAULTS)) + tuple(
    k for k in RECIPE_KEYS if k not in ("epochs", "patience"))
RESUME_DEFAULTS = dict(REGULARISER_DEFAULTS)  # what a key missing from an older config.json means

PRESETS = {"tiny": {"epochs": 2, "train_examples": 2000, "validation_size": 500}}

_NAME = re.compile(r"^(?P<model>{})_h(?P<layers>\d+(?:-\d+)*)(?P<bi>_bi)?(?P<crop>_crop)?"
                   r"(?:_drop(?P<dropout>[0-9.e+-]+))?(?:_l2-(?P<l2>[0-9.e+-]+))?$".format("|".join(MODELS)))


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
    """The folder and result-file name: the architecture, defaults left out, so the eight basic ones are
    lstm_h32 ... gru_h256."""
    name = "{}_h{}".format(model, "-".join(str(n) for n in layer_sizes({"layers": layers})))
    name += "_bi" if bidirectional else ""
    name += "_crop" if crop_augment else ""
    return name


def legacy_name(name, dropout=0.0, l2=0.0):
    """The name a run with this dropout and weight decay was saved under before they became recipe
    settings (gru_h128_drop0.3); repr keeps every digit (0.3000001 is not 0.3)."""
    name += "_drop{!r}".format(float(dropout)) if dropout else ""
    return name + ("_l2-{!r}".format(float(l2)) if l2 else "")


def name_of(config):
    options = graph_options(config)
    return config_name(config["model"], options["layers"], options["bidirectional"], options["crop_augment"])


def parse_name(name):
    """The architecture a folder name stands for, or None if config_name could not have written it."""
    match = _NAME.match(name)
    if not match:
        return None
    try:
        spec = {"model": match.group("model"), "layers": [int(n) for n in match.group("layers").split("-")],
                "bidirectional": bool(match.group("bi")), "crop_augment": bool(match.group("crop")),
                "dropout": float(match.group("dropout") or 0.0), "l2": float(match.group("l2") or 0.0)}
    except ValueError:
        return None
    return spec if legacy_name(name_of(spec), spec["dropout"], spec["l2"]) == name else None


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
