"""The network's architecture, typed and checked: the cell, one size per layer, the direction, the input
format. Its name is the run folder's (lstm_h32, lstm_h64-64_bi); core/config.py adds how it is trained.

    arch = Arch("lstm", (64, 64), bidirectional=True)      # checked when made
    arch.name == "lstm_h64-64_bi";  Arch.parse("lstm_h64-64_bi") == arch
"""
import re
from dataclasses import dataclass, field
from typing import Tuple

# Gate blocks per cell (W_x holds this many [in, H] blocks side by side); cells.py's cells read their count
# here. The two non-recurrent baselines have none: mlp, dense ReLU layers on all 784 pixels; cnn, two
# convolutions (CONVOLUTIONS) and then dense ReLU layers.
GATE_BLOCKS = {"lstm": 4, "gru": 3, "rnn": 1, "mlp": None, "cnn": None}
RECURRENT = ("lstm", "gru", "rnn")
# The CNN baseline's convolutions, before its dense layers: (filters, kernel side), each followed by ReLU and
# a 2x2 max-pool (28 -> 14 -> 7 pixels a side).
CONVOLUTIONS = ((16, 3), (32, 3))
MODELS = tuple(GATE_BLOCKS)
MAX_LAYERS, MAX_UNITS = 8, 4096
MAX_PARAMETERS = 50 * 1000 * 1000  # above this a model cannot be trained here in any sensible time or memory


class ConfigError(ValueError):
    """A value a configuration cannot take; the message names the flag and what it may be."""


def check_model(model):
    if model not in MODELS:
        raise ConfigError("unknown --model={!r}; choose {} or {}".format(model, ", ".join(MODELS[:-1]), MODELS[-1]))


def described(default, help):
    """A dataclass field with its default and its --help line (main.py's flags are made from them)."""
    return field(default=default, metadata={"help": help})


def whole(value):  # an int, and not a bool (which Python counts as one)
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Arch:
    """The network: cell, one size per layer, direction, input format. Its name is the run folder's."""
    model: str = described("lstm", "cell type: lstm, gru or rnn (vanilla tanh RNN); the non-recurrent baselines: mlp "
                                   "(dense ReLU layers of --hidden_unit units on all 784 pixels), cnn (two 3x3 "
                                   "convolutions of 16 and 32 filters with 2x2 max-pooling, then those dense layers)")
    layers: Tuple[int, ...] = described((128,), "hidden units, a positive integer, or one per layer: 64,64")
    bidirectional: bool = described(False, "each layer reads the rows forwards and backwards; final states joined")
    crop_augment: bool = described(False, "train on random crops (24-28 px a side) read as pixel streams of variable "
                                          "length")

    def __post_init__(self):
        check_model(self.model)
        layers = self.layers
        if not (isinstance(layers, (list, tuple)) and layers and all(whole(n) and n > 0 for n in layers)):
            raise ConfigError("the layers (--hidden_unit) must be positive whole numbers such as 32 or 64,64, not "
                              "{!r}".format(layers))
        object.__setattr__(self, "layers", tuple(layers))  # a list from JSON or a caller: stored as a tuple
        if len(layers) > MAX_LAYERS:
            raise ConfigError("--hidden_unit lists {} layers; this program stacks at most {}".format(len(layers),
                                                                                                 MAX_LAYERS))
        if max(layers) > MAX_UNITS:
            raise ConfigError("--hidden_unit={} is larger than this program supports (at most {})".format(
                self.sizes, MAX_UNITS))
        for flag in ("bidirectional", "crop_augment"):
            if not isinstance(getattr(self, flag), bool):
                raise ConfigError("--{} is true or false, not {!r}".format(flag, getattr(self, flag)))
        if self.model not in RECURRENT and (self.bidirectional or self.crop_augment):
            raise ConfigError("--model={} reads the whole image at once: it takes no --bidirectional or "
                              "--crop_augment".format(self.model))
        if self.parameters() > MAX_PARAMETERS:
            raise ConfigError("--hidden_unit={} with {} layer(s){} makes {:,} weights, more than the {:,} this program "
                              "trains; use fewer or smaller layers".format(
                                  self.sizes, len(layers), " both ways" if self.bidirectional else "",
                                  self.parameters(), MAX_PARAMETERS))

    @property
    def sizes(self):
        """The layer sizes as --hidden_unit takes them: "64,64"."""
        return ",".join(str(n) for n in self.layers)

    @property
    def name(self):
        """The folder and result-file name, defaults left out: lstm_h32, lstm_h64-64_bi, lstm_h128_crop."""
        return "{}_h{}{}{}".format(self.model, "-".join(str(n) for n in self.layers),
                                   "_bi" if self.bidirectional else "", "_crop" if self.crop_augment else "")

    @classmethod
    def parse(cls, name):
        """The architecture a folder name stands for, or None if no Arch has that name."""
        match = _NAME.match(name)
        if not match:
            return None
        try:
            arch = cls(match.group("model"), tuple(int(n) for n in match.group("layers").split("-")),
                       bool(match.group("bi")), bool(match.group("crop")))
        except ConfigError:
            return None
        return arch if arch.name == name else None

    def parameters(self):
        """Weights of the network (the exact count train.py records)."""
        if self.model in ("mlp", "cnn"):
            convolutions, channels, side = 0, 1, 28
            for filters, kernel in CONVOLUTIONS if self.model == "cnn" else ():
                convolutions += kernel * kernel * channels * filters + filters
                channels, side = filters, side // 2
            sizes = (side * side * channels,) + self.layers + (10,)
            return convolutions + sum(a * b + b for a, b in zip(sizes, sizes[1:]))
        directions, total, input_size = 2 if self.bidirectional else 1, 0, 28
        for units in self.layers:
            total += directions * GATE_BLOCKS[self.model] * units * (input_size + units + 1)
            input_size = units * directions
        return total + input_size * 10 + 10

    def main_args(self, action):
        """main.py's arguments for this architecture: --model=... --<action> --hidden_unit=... [--bidirectional]."""
        return ["--model=" + self.model, "--" + action, "--hidden_unit=" + self.sizes] + [
            "--" + flag for flag in ("bidirectional", "crop_augment") if getattr(self, flag)]

    def command(self, action):
        """The shortest command line for this architecture, for messages: python main.py --model=..."""
        return " ".join(["python", "main.py"] + self.main_args(action))


_NAME = re.compile(r"^(?P<model>{})_h(?P<layers>\d+(?:-\d+)*)(?P<bi>_bi)?(?P<crop>_crop)?$".format("|".join(MODELS)))
