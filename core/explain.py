"""Watch a trained cell read a digit: every step's gates and states, and the classifier after every row.

The cells' equations (cells.py) are re-run here in NumPy from a checkpoint's weights, so that every gate is at
hand; the last step gives TensorFlow's logits, up to rounding. The classifier is applied to
h(t) after every row t. The models were trained on the last step only, so earlier readings are what that
same classifier makes of a partial image, not something it was trained to say.
"""
import os

import numpy as np

from core.numpy_steps import STEPS, state_of
from core.common import UserError, atomic_write_json, relpath, save_png
from core.arch import GATE_BLOCKS
from core.figures import grid_in, png

GATES = {"lstm": ("i", "f", "o", "g"), "gru": ("r", "z", "n"), "rnn": ()}


def load_weights(run, state, config):
    """{variable name: array} of a run's best checkpoint (a single-layer, forward model), checked as --test
    checks it (RunDir.read_checkpoint)."""
    arch = config.arch
    if arch.model not in GATES:
        raise UserError("--explain shows a recurrent cell reading row by row; {} reads all pixels at once".format(
            run.name))
    if len(arch.layers) != 1 or arch.bidirectional:
        raise UserError("--explain reads single-layer, forward models; {} has {} layer(s){}".format(
            run.name, len(arch.layers), ", both ways" if arch.bidirectional else ""))
    blocks, units = GATE_BLOCKS[arch.model], arch.layers[0]
    m = arch.model
    expected = {m + "/W_x": [28, blocks * units], m + "/W_h": [units, blocks * units], m + "/b": [blocks * units],
                "logits/W": [units, 10], "logits/b": [10]}
    return run.read_checkpoint(state["best"], expected)


def read_rows(model, weights, images):
    """images [N, 28, 28] -> {gate or state: [N, 28, H]} and probabilities after every row [N, 28, 10]."""
    W_x, W_h, b = (weights[model + "/" + v].astype(np.float64) for v in ("W_x", "W_h", "b"))
    H = W_h.shape[0]
    n = len(images)
    state = (np.zeros((n, H)), np.zeros((n, H))) if model == "lstm" else np.zeros((n, H))
    trace = {k: [] for k in GATES[model] + (("c", "h") if model == "lstm" else ("h",))}
    for t in range(images.shape[1]):
        step = STEPS[model](images[:, t].astype(np.float64) @ W_x + b, state, W_h)  # cells.py's equations
        state = state_of(model, step)
        for k in trace:
            trace[k].append(step[k])
    trace = {k: np.stack(v, axis=1) for k, v in trace.items()}  # 28 x [N, H] -> [N, 28, H]
    logits = trace["h"] @ weights["logits/W"].astype(np.float64) + weights["logits/b"]  # [N, 28, 10]
    logits -= logits.max(axis=2, keepdims=True)
    p = np.exp(logits)
    return trace, p / p.sum(axis=2, keepdims=True)


def rows_until_known(probabilities, labels):
    """Fraction of images whose prediction is right after row t and stays right to the last row, t = 1..28."""
    right = probabilities.argmax(axis=2) == labels[:, None]  # [N, 28]
    stays = np.flip(np.cumprod(np.flip(right, axis=1), axis=1), axis=1).astype(bool)  # right from t to the end
    return stays.mean(axis=0).tolist()


def figure(model, image, trace, probabilities, title, path, units=16):
    """One figure: the image, the digit probabilities after every row, and heatmaps of gates and states."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    names = [k for k in trace]
    fig = plt.figure(figsize=(11, 2.6 + 1.45 * len(names)))
    grid = fig.add_gridspec(1 + len(names), 2, width_ratios=[1, 3.2], height_ratios=[2.2] + [1] * len(names))
    final = probabilities[-1].argmax()
    settled = next(t for t in range(28) if (probabilities[t:].argmax(axis=1) == final).all())
    ax = fig.add_subplot(grid[0, 0])
    ax.imshow(image, cmap="gray_r")
    ax.axhline(settled, color="tab:red", linewidth=1.5)
    ax.set_title("input; red: row {} ({} from here on)".format(settled + 1, final), fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([0, 9, 19, 27])
    ax.set_yticklabels(["row 1", "10", "20", "28"], fontsize=7)
    ax = fig.add_subplot(grid[0, 1])
    shown = ax.imshow(probabilities.T, aspect="auto", cmap="viridis", vmin=0, vmax=1, origin="lower")
    ax.set_yticks(range(10))
    ax.set_ylabel("digit")
    ax.set_xticks(range(0, 28, 3))
    ax.set_xticklabels([str(t + 1) for t in range(0, 28, 3)], fontsize=7)
    ax.set_title("P(digit) after each row: the classifier applied to h(t) (trained on the last row only)",
                 fontsize=9)
    fig.colorbar(shown, ax=ax, fraction=0.03)
    busiest = np.argsort(-trace["h"].std(axis=0))[:units]  # the units whose h changes most over the rows
    for row, name in enumerate(names, 1):
        ax = fig.add_subplot(grid[row, 1])
        values = trace[name][:, busiest].T  # [units, 28]
        signed = name in ("g", "n", "c", "h")
        shown = ax.imshow(values, aspect="auto", cmap="RdBu_r" if signed else "magma",
                          vmin=-1 if signed else 0, vmax=1)
        ax.set_ylabel(name, rotation=0, labelpad=12)
        ax.set_yticks([])
        ax.set_xticks(range(0, 28, 3))
        ax.set_xticklabels([str(t + 1) for t in range(0, 28, 3)], fontsize=7)
        fig.colorbar(shown, ax=ax, fraction=0.03)
    ax.set_xlabel("row read (time step), {} busiest units".format(len(busiest)))
    fig.suptitle(title, fontsize=11, y=1.0)
    return save_png(fig, path, dpi=100)


KNOWN_SIZE = (6.4, 4.2)  # inches


def draw_known(curves, count, fig, box):
    """The rows-until-known curves into box (figure fractions) of fig: a PNG, or a region of a page."""
    ax = fig.add_subplot(grid_in(fig, box)[0])
    for k, (name, curve) in enumerate(sorted(curves.items())):
        style = "-" if name.startswith("lstm") else "--"
        ax.plot(range(1, 29), [100 * v for v in curve], style, label=name.replace("_h", "-").upper(),
                color="C{}".format(k))
    ax.set_xlabel("rows read")
    ax.set_ylabel("test images right from here on (%)")
    ax.set_title("How many rows until it knows ({:,} test images)".format(count))
    ax.set_ylim(0, 100)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    return True


def known_summary(folder, runs, images, labels, load, test_set=None):
    """results/rows_until_known.json (+ .png): per model in weights/, the fraction known after t rows. `test_set`
    (another set than MNIST's) is recorded, and a summary on one set never replaces one on another."""
    from core.common import read_json
    path = os.path.join(folder, "rows_until_known.json")
    old = read_json(path) if os.path.isfile(path) else None
    theirs = old.get("test_set") if isinstance(old, dict) else None  # absent on MNIST's
    theirs = theirs.get("sha256") if isinstance(theirs, dict) else theirs
    if old is not None and theirs != (test_set or {}).get("sha256"):
        raise UserError("{} is a summary on {}, so one on {} does not replace it; give another --results_dir".format(
            relpath(path), "another test set" if theirs else "MNIST's 10,000 test images",
            "another test set" if test_set else "MNIST's test set"))
    curves = {}
    for name, model, weights in load(runs):
        _, p = read_rows(model, weights, images)
        curves[name] = rows_until_known(p, labels)
    atomic_write_json(path, dict({"images": len(labels), "curves": curves}, **({"test_set": test_set} if test_set
                                                                              else {})))
    png(lambda fig, box: draw_known(curves, len(labels), fig, box), os.path.join(folder, "rows_until_known.png"),
        KNOWN_SIZE, dpi=120)
    return curves
