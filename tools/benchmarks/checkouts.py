"""What differs between checkouts of this project that ab_step.py and throughput.py build models from: where
session_config and default_towers live, and the configuration Model takes (a typed Config since core/, a
dict before). Each function takes the checkout's model.py module."""
import sys


def session_config(model_module):
    """session_config of the checkout `model_module` came from: core/tfcompat.py's, or model.py's own in
    checkouts from before core/."""
    return getattr(model_module, "session_config", None) or sys.modules["core.tfcompat"].session_config


def default_towers(model_module):
    """default_towers of the checkout `model_module` came from (its core package, found through sys.modules;
    the fast unroller's module is core/unroll_fast.py, in older checkouts core/fast.py)."""
    import importlib
    found = getattr(model_module, "default_towers", None)
    for name in ("core.unroll_fast", "core.fast"):
        try:
            return found or importlib.import_module(name).default_towers
        except ImportError:
            continue
    raise ImportError("the checkout has no fast unroller with default_towers")


def train_config(model_module, cell, layers, bi, towers):
    """The benchmark's configuration in the form the checkout's Model takes: core/config.py's typed Config, or
    the dict of checkouts from before it."""
    if hasattr(model_module.Model, "of"):
        import importlib
        typed = importlib.import_module("core.config")  # the checkout's own: its core package came with model.py
        return typed.Config(typed.Arch(cell, tuple(layers), bi),
                            typed.Recipe(learning_rate=1e-3, clip_norm=5.0, towers=towers))
    config = {"model": cell, "hidden_unit": layers if len(layers) > 1 else layers[0], "learning_rate": 1e-3,
              "clip_norm": 5.0, "towers": towers}
    if bi:  # only then: checkouts from before --bidirectional know no such key
        config["bidirectional"] = True
    return config
