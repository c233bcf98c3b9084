"""Export trained weights for the draw-a-digit page (tools/web/index.html).

    python tools/export_weights.py                 # the eight basic configurations in weights/
    python tools/export_weights.py --names=lstm_h128,gru_h32 [--weights_dir=runs] [--out=tools/web/weights]

Each configuration becomes tools/web/weights/<config>.js, a script (not a .json
file, so the page works opened straight from the file system, where browsers
refuse to fetch files) that calls

    MNIST_RNN.register({"name": "lstm_h128", "model": "lstm", "hidden": 128,
                        "gates": ["i", "f", "o", "g"], "checkpoint": "best-24",
                        "test_accuracy": 0.99, "shapes": {...}, "arrays": {...}})

`arrays` maps each checkpoint variable (lstm/W_x [28, kH], lstm/W_h [H, kH],
lstm/b [kH], logits/W [H, 10], logits/b [10]; gru/... likewise) to its
float32 values, little-endian, row-major, base64: exact, and a third of the
size of decimal text. The gate blocks lie side by side in the columns of
W_x, W_h and b in the order of `gates` (cells.py): i, f, o, g for the LSTM;
r, z, n for the GRU. tools/web/weights/index.js lists what was exported. Only
single-layer, forward models can be drawn on.
"""
import base64
import json
import os
import sys
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the project root, for its core package

import numpy as np

from core.results import read_if_there
from core.runs import RunDir, check_trained
from core.common import (ArgumentParser, guarded, PROJECT_DIR, WEIGHTS_DIR, UserError, atomic_write_bytes,
                         log, relpath, results_dir_for)
from core.config import Arch
from core.explain import GATES

WEB_WEIGHTS = os.path.join(PROJECT_DIR, "tools", "web", "weights")
BASIC = ["{}_h{}".format(m, h) for m in ("lstm", "gru") for h in (32, 64, 128, 256)]


def export(name, weights_dir, out, results_dir=None):
    """Write out/<name>.js; returns its entry for index.js. Its test accuracy is the one --test wrote for these
    weights (results/ for weights/, runs/results/ for any other folder), of the same best epoch, else none."""
    arch = Arch.parse(name)
    if arch is None:
        raise UserError("{!r} is not a configuration name such as lstm_h128".format(name))
    result_path = os.path.join(results_dir or results_dir_for(weights_dir), name + ".json")
    result = read_if_there(result_path)  # checked first (core/results.py): a fraction, or one error line
    run = RunDir(weights_dir, name)
    config, state = check_trained(run, arch)
    accuracy = result["test_accuracy"] if result and result.get("best_epoch") in (None, state["best_epoch"]) else None
    if result and accuracy is None:
        log("note: {} is of best epoch {}, these weights of {}: the page shows no test accuracy for {}; run "
            "{} to test them".format(relpath(result_path), result["best_epoch"], state["best_epoch"], name,
                                     arch.command("test")))
    from core.explain import load_weights
    weights = load_weights(run, state, config)
    model = arch.model
    wanted = [model + "/W_x", model + "/W_h", model + "/b", "logits/W", "logits/b"]
    entry = {"name": name, "model": model, "hidden": arch.layers[0], "gates": list(GATES[model]),
             "checkpoint": state["best"], "test_accuracy": accuracy}
    payload = dict(entry, shapes={k: list(weights[k].shape) for k in wanted}, arrays={
        k: base64.b64encode(np.ascontiguousarray(weights[k], dtype="<f4").tobytes()).decode("ascii") for k in wanted})
    text = "// Written by tools/export_weights.py from {}/{} ({}); the format is in its docstring.\n".format(
        os.path.basename(os.path.abspath(weights_dir)), name, state["best"])
    text += "MNIST_RNN.register({});\n".format(json.dumps(payload, sort_keys=True))
    atomic_write_bytes(os.path.join(out, name + ".js"), text.encode("ascii"))
    log("exported {} ({:,} weights) to {}".format(name, sum(int(np.prod(weights[k].shape)) for k in wanted),
                                                   relpath(os.path.join(out, name + ".js"))))
    return entry


def kept_entries(out, exported):
    """The index's entries for models not exported this time whose .js is still in `out` (so exporting one
    model keeps the others on the page's menu)."""
    path = os.path.join(out, "index.js")
    if not os.path.isfile(path):
        return []
    with open(path) as f:
        text = f.read()
    start, end = text.find("MNIST_RNN.available("), text.rfind(");")
    try:
        old = json.loads(text[start + len("MNIST_RNN.available("):end]) if start >= 0 and end > start else []
    except ValueError:
        raise UserError("{} is damaged; delete it and run python tools/export_weights.py to write it again".format(
            relpath(path)))
    names = {e["name"] for e in exported}
    return [e for e in old if isinstance(e, dict) and e.get("name") not in names
            and os.path.isfile(os.path.join(out, str(e.get("name")) + ".js"))]


MARK = b"// Written by tools/export_weights.py"  # the first line of every file this program writes


def check_targets(out, names, force=False):
    """Before anything is written: each file this run would write in --out (<name>.js, index.js) is new, or one this
    program wrote (its first line says so), or --force; never main.py, README.md or a pipe that happens to be there."""
    import stat
    if os.path.exists(out) and not os.path.isdir(out):
        raise UserError("--out={} is a file, not a folder; give the folder the .js files go to".format(relpath(out)))
    for name in list(names) + ["index"]:
        path = os.path.join(out, name + ".js")
        if not os.path.lexists(path):
            continue
        try:
            regular = stat.S_ISREG(os.stat(path).st_mode)
        except OSError:
            regular = False
        if not regular:
            raise UserError("{} is a pipe, a device, a folder or a link to nothing, not a file this program wrote; "
                            "move it away, or give another --out".format(relpath(path)))
        with open(path, "rb") as f:
            if not force and not f.read(len(MARK)) == MARK:
                raise UserError("{} was not written by tools/export_weights.py, so it is not replaced; give another "
                                "--out, or add --force to replace it".format(relpath(path)))


def write_index(out, entries):
    text = "// Written by tools/export_weights.py: the configurations in this folder, for the page's menu.\n"
    text += "MNIST_RNN.available({});\n".format(json.dumps(entries, sort_keys=True, indent=1))
    atomic_write_bytes(os.path.join(out, "index.js"), text.encode("ascii"))


def run(argv=None):
    parser = ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--names", default=",".join(BASIC), help="comma-separated configuration folder names")
    parser.add_argument("--weights_dir", default=WEIGHTS_DIR)
    parser.add_argument("--out", default=WEB_WEIGHTS)
    parser.add_argument("--force", action="store_true", help="replace <name>.js and index.js in --out even when "
                        "this program did not write them")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.names.split(",") if n.strip()]
    if not names:
        raise UserError("--names is empty; give configuration names such as lstm_h128")
    for name in names:
        arch = Arch.parse(name)
        if arch and (len(arch.layers) != 1 or arch.bidirectional or arch.crop_augment):
            raise UserError("{} cannot be drawn on: the page runs single-layer, forward models on whole "
                            "images".format(name))
    check_targets(args.out, names, args.force)
    entries = [export(name, args.weights_dir, args.out) for name in names]
    kept = kept_entries(args.out, entries)
    write_index(args.out, entries + kept)
    return 0


def main(argv=None):
    """run(), with every problem as one line and a non-zero status."""
    return guarded(lambda: run(argv), fix="pass --out=<file> in a folder you can write, then run again")


if __name__ == "__main__":
    sys.exit(main())
