"""What a configuration is, typed: its architecture (core/arch.py: the folder name) and its recipe (how it is
trained).

    config = Config.make(Arch("lstm", (32,)))               # the recipe recorded for lstm_h32
    config.recipe.epochs == 40;   config.name == "lstm_h32"
    Config.from_json(config.to_json()) == config            # config.json; older files are upgraded there, once

Each field's default, type, check and help (main.py's flags are made from them) are here alone. `Config.make`
applies the plain defaults, the architecture's recipe (core/recipes.py), a preset, then the flags given.
"""
import os
import math
import re
from dataclasses import asdict, dataclass, fields, replace
from typing import Optional

from core.arch import Arch, ConfigError, described, whole
from core.recipes import PRESETS, SETS as RECIPE_SETS, recipe_for


def _unrollers():
    """(the --unroll names this copy holds, the default, each one's line for --help): the loop (core/unroll.py)
    always; any other is a module core/unroll_<name>.py, found by its file and read as text, not imported (that
    would start TensorFlow): its `HELP = "..."` line, and `DEFAULT = True` in the default's (else the loop)."""
    here = os.path.dirname(os.path.abspath(__file__))
    names = sorted(n[len("unroll_"):-len(".py")] for n in os.listdir(here) if re.fullmatch(r"unroll_\w+\.py", n))
    default, helps = "loop", {"loop": "a plain Python loop over the steps, calling the cell once per step"}
    for name in names:
        with open(os.path.join(here, "unroll_{}.py".format(name)), encoding="utf-8") as f:
            text = f.read()
        if re.search(r"^DEFAULT = True\b", text, re.M):
            default = name
        found = re.search(r'^HELP = "(.*)"$', text, re.M)
        helps[name] = found.group(1) if found else ""
    return tuple(names) + ("loop",), default, helps


UNROLLS, DEFAULT_UNROLL, UNROLL_HELP = _unrollers()
SPLITS = ("shuffled", "first")
SCHEDULES = ("exponential", "cosine", "linear")
MAX_SEED, MAX_BATCH, MAX_TOWERS = 2 ** 31 - 1, 60000, 8  # MAX_BATCH: the training set's size




@dataclass(frozen=True)
class Recipe:
    """How a network is trained. The defaults are main.py's plain defaults (--recipe=plain)."""
    epochs: int = described(60, "maximum number of training epochs")
    patience: int = described(12, "stop after this many epochs without a better validation accuracy")
    batch_size: int = described(128, "training minibatch size")
    learning_rate: float = described(0.005, "Adam learning rate")
    lr_decay: float = described(0.97, "--schedule=exponential: the learning rate is multiplied by this after every "
                                      "epoch (1 = constant)")
    schedule: str = described("exponential", "exponential (--lr_decay per epoch, early stopping after --patience "
                                             "epochs without a better validation accuracy) or a fixed budget of "
                                             "--epochs: cosine or linear (after --warmup, the rate falls to zero at "
                                             "the last step, every step; no early stopping)")
    warmup: float = described(0.0, "--schedule=cosine or linear: epochs (may be a fraction) over which the rate rises "
                                   "linearly from near zero to --learning_rate")
    clip_norm: float = described(5.0, "clip gradients to this global norm")
    seed: int = described(1, "random seed for initial weights, data order, distortions and dropout")
    validation_size: int = described(5000, "training images held out for validation")
    validation_split: str = described("shuffled", "which training images validate: shuffled (a fixed permutation) or "
                                                  "first (the first --validation_size, as TensorFlow's MNIST reader)")
    train_examples: Optional[int] = described(None, "use only the first N training images (set by --preset=tiny)")
    augment: float = described(0.0, "random affine distortions of the training images (rotation, scaling, shear, "
                                    "shift): 1 = up to 10 degrees, 10%, 0.1, 2 px; 0.5 = half that; 0 = off")
    dropout: float = described(0.0, "dropout rate on the non-recurrent connections, in training only (0 = off)")
    l2: float = described(0.0, "weight decay: this times the sum of squared weights is added to the loss")
    # Speed only: the same model, rounded differently.
    towers: int = described(0, "training: cut each batch into this many parts, unrolled side by side, one core each "
                               "(same model; 1 = one chain; 0 = the unroller's own default, which the training log "
                               "names)")

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if f.type is float and whole(value):
                object.__setattr__(self, f.name, float(value))  # 1 from JSON or a flag means 1.0
        for name in ("epochs", "patience", "batch_size", "seed", "validation_size", "towers"):
            if not whole(getattr(self, name)):
                raise ConfigError("--{} must be a whole number, not {!r}".format(name, getattr(self, name)))
        if not isinstance(self.schedule, str):
            raise ConfigError("--schedule is a word ({}), not {!r}".format(", ".join(SCHEDULES), self.schedule))
        for name in ("learning_rate", "lr_decay", "clip_norm", "augment", "dropout", "l2", "warmup"):
            if not isinstance(getattr(self, name), (int, float)) or isinstance(getattr(self, name), bool):
                raise ConfigError("--{} must be a number, not {!r}".format(name, getattr(self, name)))
        # Each range check below also turns away nan and inf.
        for name in ("epochs", "patience", "batch_size", "learning_rate", "clip_norm", "validation_size"):
            if not (getattr(self, name) > 0 and math.isfinite(getattr(self, name))):
                raise ConfigError("--{} must be a positive number, not {}".format(name, getattr(self, name)))
        if self.batch_size > MAX_BATCH:
            raise ConfigError("--batch_size={} is more than the {:,} training images".format(self.batch_size,
                                                                                              MAX_BATCH))
        if self.schedule not in SCHEDULES:
            raise ConfigError("unknown --schedule={!r}; choose {}".format(self.schedule, ", ".join(SCHEDULES)))
        if not (0 <= self.warmup < self.epochs and math.isfinite(self.warmup)):
            raise ConfigError("--warmup is a number of epochs from 0 up to (not including) --epochs={}, not "
                              "{}".format(self.epochs, self.warmup))
        if self.warmup and self.schedule == "exponential":
            raise ConfigError("--warmup={:g} needs a fixed budget: add --schedule=cosine or --schedule=linear".format(
                self.warmup))
        if not 0 < self.lr_decay <= 1:
            raise ConfigError("--lr_decay must be at most 1 and above 0, not {:g}".format(self.lr_decay))
        if not 0.0 <= self.dropout < 1.0:
            raise ConfigError("--dropout is a rate in [0, 1), not {}".format(self.dropout))
        if not (self.l2 >= 0 and math.isfinite(self.l2)):
            raise ConfigError("--l2 must be zero or a positive number, not {}".format(self.l2))
        if not 0.0 <= self.augment <= 3.0:
            raise ConfigError("--augment must be between 0 (off) and 3 (three times the standard distortions), "
                              "not {}".format(self.augment))
        if not 0 <= self.seed <= MAX_SEED:
            raise ConfigError("--seed must be between 0 and {}, not {}".format(MAX_SEED, self.seed))
        if self.validation_split not in SPLITS:
            raise ConfigError("unknown --validation_split={!r}; choose {}".format(self.validation_split,
                                                                                  " or ".join(SPLITS)))
        if self.train_examples is not None and not (whole(self.train_examples) and self.train_examples > 0):
            raise ConfigError("--train_examples must be a positive whole number, not {!r}".format(
                self.train_examples))
        if self.towers < 0:
            raise ConfigError("--towers must be positive (or 0 for the runtime's default), not {}".format(
                self.towers))
        if self.towers > MAX_TOWERS:
            raise ConfigError("--towers={} is more than this program uses (at most {}; one per core is the "
                              "point)".format(self.towers, MAX_TOWERS))
        if self.towers and self.batch_size % self.towers:
            raise ConfigError("--batch_size={} must be a multiple of --towers={}; pass --towers=1 or a batch size "
                              "that is a multiple".format(self.batch_size, self.towers))

    @property
    def budget(self):
        """Whether the run is a fixed budget (a schedule to zero over --epochs, no early stopping)."""
        return self.schedule != "exponential"

    def resumes(self, other):
        """Whether a run trained with `other` may be continued with this recipe (--patience may change on
        resume, and --epochs where it does not shape the schedule; nothing else)."""
        return replace(self, epochs=self.epochs if self.budget else other.epochs, patience=other.patience) == other

    def recorded(self):
        """The recipe as a result file records it: every field but the speed-only towers, and the split only
        where it is not the usual one (so that results written before it existed read the same)."""
        out = {k: v for k, v in asdict(self).items() if k != "towers"}
        if self.validation_split == "shuffled":
            del out["validation_split"]
        if not self.budget:  # as results written before the budget schedules existed
            del out["schedule"], out["warmup"]
        return out


@dataclass(frozen=True)
class Trained:
    """What trained a run, recorded by train.py when it starts: the weights' count, TensorFlow, Python and the
    processor (training is deterministic per processor, not across processors)."""
    parameters: int
    tf_version: str
    python_version: str
    machine: Optional[dict] = None

    def __post_init__(self):
        if not (whole(self.parameters) and self.parameters > 0):
            raise ConfigError("'parameters' must be a positive whole number, not {!r}".format(self.parameters))
        for name in ("tf_version", "python_version"):
            if not isinstance(getattr(self, name), str):
                raise ConfigError("'{}' must be a version string, not {!r}".format(name, getattr(self, name)))
        if self.machine is not None and not isinstance(self.machine, dict):
            raise ConfigError("'machine' must be an object, not {!r}".format(self.machine))


@dataclass(frozen=True)
class Config:
    """One run's configuration, as config.json stores it: the architecture, the recipe, where the recipe came
    from (`source`), the unroller, and once training has started what trained it."""
    arch: Arch
    recipe: Recipe = Recipe()
    source: Optional[str] = None  # "lstm_h32", "general" or "plain", + preset, + the flags given
    unroll: str = DEFAULT_UNROLL
    trained: Optional[Trained] = None

    def __post_init__(self):
        if self.unroll not in UNROLLS:
            raise ConfigError("unknown --unroll={!r}; the unrollers here are {}".format(self.unroll, ", ".join(UNROLLS)))

    @property
    def name(self):
        return self.arch.name

    @classmethod
    def make(cls, arch, overrides=None, recipe="recorded", preset=None, unroll=DEFAULT_UNROLL):
        """The architecture with its recipe: the plain defaults, then (recipe="recorded") the one recorded for it
        or the general default, then a preset, then `overrides` (the flags given on the command line)."""
        if recipe == "plain":
            source, settings = "plain", {}
        elif recipe == "recorded" or recipe in RECIPE_SETS:
            source, settings = recipe_for(arch, recipe)
        else:
            raise ConfigError("unknown --recipe={!r}; choose recorded (the recorded recipe, or the general "
                              "default), {} (a named set of recipes, core/recipes.py) or plain (main.py's plain "
                              "defaults)".format(recipe, " or ".join(sorted(RECIPE_SETS))))
        if preset:
            if preset not in PRESETS:
                raise ConfigError("unknown --preset={!r}; the only preset is 'tiny'".format(preset))
            settings.update(PRESETS[preset])
        before = replace(Recipe(), **settings)
        overrides = overrides or {}
        given = sorted(k for k, v in overrides.items() if k != "towers" and v != getattr(before, k))
        source += ("" if not preset else " + preset " + preset) + ("" if not given else " + " + ", ".join(
            "--" + k for k in given))
        merged = dict(asdict(before), **overrides)
        if "warmup" not in overrides and merged["schedule"] != "exponential" and \
                isinstance(merged["epochs"], int) and 0 < merged["epochs"] <= merged["warmup"]:
            # A budget cut with --epochs to the recipe's warm-up or below: the warm-up is the recipe's choice,
            # not the user's, so it shrinks to half the budget instead of refusing the run.
            overrides = dict(overrides, warmup=merged["epochs"] / 2.0)
            source += " (warm-up cut to {:g} epochs)".format(overrides["warmup"])
        return cls(arch, replace(before, **overrides), source, unroll)

    def with_towers(self, towers):
        """The same configuration with the runtime's number of towers filled in (towers=0 means: the default)."""
        return replace(self, recipe=replace(self.recipe, towers=towers))

    def with_trained(self, trained):
        return replace(self, trained=trained)

    def resumes(self, stored):
        """Whether the run `stored` was trained so that this configuration may continue it."""
        return self.arch == stored.arch and self.recipe.resumes(stored.recipe)

    def describe(self):
        """The recipe in force, one setting each, for the training log; a fixed budget has no --patience or
        --lr_decay to show (its schedule does not read them), early stopping no --warmup."""
        unused = ("patience", "lr_decay") if self.recipe.budget else ("schedule", "warmup")
        return "recipe {}: {}".format(self.source or "?", ", ".join(
            "{}={}".format(k, v) for k, v in asdict(self.recipe).items() if v is not None and k not in unused))

    def to_json(self):
        """config.json's object: flat, as every version of this program has written it."""
        out = dict(asdict(self.arch), layers=list(self.arch.layers), name=self.name, unroll=self.unroll,
                   **asdict(self.recipe))
        if self.source is not None:
            out["recipe"] = self.source
        if self.trained is not None:
            out.update(asdict(self.trained))
            if self.trained.machine is None:
                del out["machine"]
        return out

    @classmethod
    def from_json(cls, stored):
        """A config.json's object, checked; files of older versions are upgraded here: layers from hidden_unit,
        no bidirectional, crop_augment, augment, dropout, l2, validation_split, unroll, recipe or machine."""
        if not isinstance(stored, dict):
            raise ConfigError("it holds {} where an object belongs".format(type(stored).__name__))
        stored = dict(stored)
        if "layers" not in stored and "hidden_unit" in stored:  # the oldest files
            hidden = stored["hidden_unit"]
            stored["layers"] = hidden if isinstance(hidden, list) else [hidden]
        required = ["model", "layers"] + [f.name for f in fields(Recipe) if f.name in _ALWAYS_WRITTEN]
        missing = [k for k in required if k not in stored]
        if missing:
            raise ConfigError("it has no '{}'".format("', '".join(missing)))
        arch = Arch(**{f.name: stored[f.name] for f in fields(Arch) if f.name in stored})
        recipe = Recipe(**{f.name: stored[f.name] for f in fields(Recipe) if f.name in stored})
        trained = None
        if any(k in stored for k in ("parameters", "tf_version", "python_version")):
            missing = [k for k in ("parameters", "tf_version", "python_version") if k not in stored]
            if missing:
                raise ConfigError("it has no '{}'".format("', '".join(missing)))
            trained = Trained(**{f.name: stored[f.name] for f in fields(Trained) if f.name in stored})
        # A run trained with an unroller this copy lacks (or whose config.json names none) is evaluated with the default
        # here: the same model, since every unroller computes the same steps, up to float rounding.
        unroll = stored.get("unroll", DEFAULT_UNROLL)
        config = cls(arch, recipe, stored.get("recipe"), unroll if unroll in UNROLLS else DEFAULT_UNROLL, trained)
        if stored.get("name", config.name) != config.name:
            raise ConfigError("its name {!r} is not that of its architecture, {}".format(stored["name"], config.name))
        return config


# Recipe fields every config.json has held; the rest are newer and take their defaults when missing.
_ALWAYS_WRITTEN = ("epochs", "patience", "batch_size", "learning_rate", "lr_decay", "clip_norm", "seed",
                   "validation_size")
