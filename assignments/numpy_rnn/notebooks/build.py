"""Build and run the BPTT assignment's notebooks: numpy_rnn_mnist4.ipynb and lstm_bptt.ipynb.

    python assignments/numpy_rnn/notebooks/build.py                 # build both, run them top to bottom (full setting), store them
    python assignments/numpy_rnn/notebooks/build.py --quick         # the reduced setting of CI, written to a temporary copy only

lstm_bptt.ipynb is the derivation (lstm_bptt.md, split at its sections) with a numerical check after each result.
Each notebook carries its code, so that it runs in Google Colab as it is: rnn.py's and mnist4.py's sources are
pasted in by this script (tests/test_notebooks.py checks they have not drifted). Its first code cell installs
what it needs; its data cell reads MNIST from ../data or ../shared/data/mnist, or downloads it, verified by
SHA-256. A cell tagged "parameters" holds the setting; --quick replaces it (one epoch on a subset) before
running. Needs tools/requirements-docs.txt (nbformat, nbclient, ipykernel).
"""
import inspect
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(HERE))))  # the project

import data_loader  # noqa: E402
from assignments.numpy_rnn import mnist4  # noqa: E402
from core.common import ArgumentParser, atomic_write_bytes, guarded, log, print_error  # noqa: E402

NOTEBOOK, DERIVATION = os.path.join(HERE, "numpy_rnn_mnist4.ipynb"), os.path.join(HERE, "lstm_bptt.ipynb")
FULL = "EPOCHS = 8\nRATES = (0.01, 0.001, 0.0001)\nTRAIN_SUBSET = None  # all training images of the four digits\n" \
       "BATCH_SIZE = 64\nSEED = 1"
QUICK = "EPOCHS = 1\nRATES = (0.01, 0.001)\nTRAIN_SUBSET = 2000\nBATCH_SIZE = 64\nSEED = 1"
TIMEOUT = 3600  # seconds a cell may take (the full run's training cell: about 4 minutes on two cores)
INSTALL = '''# What this notebook needs ({colab}; elsewhere pip installs {them} once).
import importlib.util, subprocess, sys
missing = [p for p in {packages} if importlib.util.find_spec(p) is None]
if missing:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q"] + missing)'''


def install_cell(packages):
    """The first code cell: installs each package the notebook imports where missing (IE643: runs in Colab as is)."""
    one = len(packages) == 1
    listed = "(" + ", ".join('"{}"'.format(p) for p in packages) + ("," if one else "") + ")"
    return INSTALL.format(packages=listed, colab="Colab has it" if one else "Colab has both", them="it" if one else "them")

DATA = '''# MNIST: from ../data or ../shared/data/mnist if there (beside this notebook's folder, or beside the project
# that holds it in assignments/numpy_rnn/notebooks/), else downloaded into ./mnist and checked by SHA-256.
import gzip, hashlib, os, urllib.request
import numpy as np

FILES = {files!r}
SHA256 = {sha!r}
MIRRORS = {mirrors!r}
PLACES = ["../data", "../shared/data/mnist", "../../../../data", "../../../../shared/data/mnist", "mnist"]


def mnist_file(name):
    for folder in PLACES:
        for path in (os.path.join(folder, name), os.path.join(folder, name + ".gz")):
            if os.path.isfile(path):
                return path
    os.makedirs("mnist", exist_ok=True)
    for mirror in MIRRORS:
        try:
            packed = urllib.request.urlopen(mirror + name + ".gz", timeout=60).read()
        except OSError as e:
            print("could not fetch", mirror + name + ".gz", e)
            continue
        if hashlib.sha256(gzip.decompress(packed)).hexdigest() == SHA256[name]:
            path = os.path.join("mnist", name + ".gz")
            with open(path + ".part", "wb") as f:
                f.write(packed)
            os.replace(path + ".part", path)  # only a verified file gets the real name
            return path
        print(mirror + name + ".gz", "does not match the standard file's SHA-256; trying the next mirror")
    raise RuntimeError("MNIST file {{}} not found in {{}} and no mirror gave it".format(name, PLACES))


def read_idx(path):
    data = open(path, "rb").read()
    data = gzip.decompress(data) if path.endswith(".gz") else data
    assert hashlib.sha256(data).hexdigest() == SHA256[os.path.basename(path).replace(".gz", "")], path
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * k:8 + 4 * k], "big") for k in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_split(split):
    images, labels = (read_idx(mnist_file(name)) for name in FILES[split])
    return images.astype(np.float32) / 255.0, labels.astype(np.int64)  # [N, 28, 28] in [0, 1], [N]'''

SPLIT = '''# The project's split: the same 5,000 validation images every time (a fixed permutation).
VALIDATION_SIZE, SPLIT_SEED = {size}, {seed}
class UserError(Exception):
    pass

{split}'''

TRAIN = '''# Training at one learning rate (SGD, gradients clipped to norm 5), judged on validation every epoch.
import time, types
CLASSES, HIDDEN, CLIP = {classes!r}, {hidden!r}, {clip!r}
rnn = types.SimpleNamespace(init_params=init_params, forward=forward, loss_and_grads=loss_and_grads)
def log(message):
    print(time.strftime("[%H:%M:%S]"), message, flush=True)

{four}

{evaluate}

{train}'''

RUN = '''images, labels = load_split("train")
(train_x, train_y), (val_x, val_y) = train_validation_split(images, labels)
train_set, val_set = four_classes(train_x, train_y), four_classes(val_x, val_y)
if TRAIN_SUBSET:
    train_set = (train_set[0][:TRAIN_SUBSET], train_set[1][:TRAIN_SUBSET])
print("{:,} training and {:,} validation images of the digits 0, 5, 6, 9".format(len(train_set[0]), len(val_set[0])))
curves, best = {}, None
for rate in RATES:
    curves[rate], params = train(train_set, val_set, rate, EPOCHS, BATCH_SIZE, SEED)
    top = max(curves[rate], key=lambda r: r["val_accuracy"])
    if best is None or top["val_accuracy"] > best[1]["val_accuracy"]:
        best = (rate, top, params)
best_rate, best_epoch, best_params = best[0], best[1], best[2]
print("best learning rate on validation: {} ({:.2%} at epoch {})".format(best_rate, best_epoch["val_accuracy"],
                                                                         best_epoch["epoch"]))'''

PLOT = '''import matplotlib.pyplot as plt
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
for k, (rate, rows) in enumerate(sorted(curves.items(), reverse=True)):
    epochs = [r["epoch"] for r in rows]
    for ax, key in ((left, "loss"), (right, "accuracy")):
        ax.plot(epochs, [r["train_" + key] for r in rows], "--", color="C%d" % k, label="train, rate %g" % rate)
        ax.plot(epochs, [r["val_" + key] for r in rows], color="C%d" % k, label="validation, rate %g" % rate)
left.set_ylabel("cross-entropy"); right.set_ylabel("accuracy")
for ax in (left, right):
    ax.set_xlabel("epoch"); ax.grid(alpha=0.3)
right.legend(fontsize=7)
plt.show()'''

TEST = '''# The test images of the four digits, touched once, with the rate chosen on validation.
test_set = four_classes(*load_split("test"))
test_loss, test_accuracy = evaluate(best_params, *test_set)
print("TEST ACCURACY {:.2%} ({:,} of {:,} test images), learning rate {}".format(
    test_accuracy, int(round(test_accuracy * len(test_set[0]))), len(test_set[0]), best_rate))'''

INTRO = """# A NumPy RNN on MNIST digits 0, 5, 6, 9, trained by hand-written backpropagation through time

Each 28x28 image is read row by row: 28 steps of 28 pixels. Two ReLU recurrent layers of 100 units, a
softmax over the four classes at the last step, cross-entropy, plain SGD. The forward pass and its
backward pass through time are written out in NumPy below (no autodiff). Three learning rates are tried;
the one with the best **validation** accuracy is chosen, and only then is the test set touched, once.

Runs in Google Colab as it is: the first cell installs what is missing, the data cell downloads MNIST
(checked by SHA-256) when it is not on disk. Built by `assignments/numpy_rnn/notebooks/build.py` from the project's sources
(`assignments/numpy_rnn/rnn.py`, `assignments/numpy_rnn/mnist4.py`)."""

MODEL = """## The network: forward pass and hand-written BPTT

`loss_and_grads` walks the stored states from the last step back to the first: at each step the error on
h2(t) passes through relu' into the second layer's weights, down into h1(t), and back in time through
W2h and W1h (`dh2`, `dh1_next`). The gradients are checked against finite differences in the next cell."""


def _source(obj):
    return inspect.getsource(obj).strip()


def cells():
    """[(kind, source, tags)] of the notebook, in order."""
    from assignments.numpy_rnn import rnn
    rnn_source = open(rnn.__file__).read()
    rnn_source = rnn_source[rnn_source.index('"""', 3) + 3:].strip()  # the code, without the module docstring
    check = ('# Finite differences against the hand-written gradients, on a tiny network in float64.\n'
             'rng = np.random.RandomState(0)\n'
             'tiny = init_params(5, (4, 3), 4, seed=2)\n'
             'tiny = {k: v + 0.1 * rng.randn(*v.shape) for k, v in tiny.items()}  # away from the identity start\n'
             'xs, ys = rng.rand(6, 7, 5), rng.randint(0, 4, 6)\n'
             '_, grads, _ = loss_and_grads(tiny, xs, ys)\n'
             'worst = 0.0\n'
             'for name, value in tiny.items():\n'
             '    for index in list(np.ndindex(value.shape))[:6]:\n'
             '        old = value[index]\n'
             '        value[index] = old + 1e-6; up = loss(tiny, xs, ys)\n'
             '        value[index] = old - 1e-6; down = loss(tiny, xs, ys)\n'
             '        value[index] = old\n'
             '        worst = max(worst, abs((up - down) / 2e-6 - grads[name][index]))\n'
             'print("largest gap between BPTT and finite differences: {:.1e}".format(worst))\n'
             'assert worst < 1e-6')
    return [
        ("markdown", INTRO, []),
        ("code", install_cell(("numpy", "matplotlib")), []),
        ("markdown", "The setting. CI runs this notebook with a reduced setting in place of this cell.", []),
        ("code", FULL, ["parameters"]),
        ("code", DATA.format(files=data_loader.FILES, sha=data_loader.SHA256, mirrors=data_loader.MIRRORS), []),
        ("code", SPLIT.format(size=data_loader.VALIDATION_SIZE, seed=data_loader.SPLIT_SEED,
                              split=_source(data_loader.train_validation_split)), []),
        ("markdown", MODEL, []),
        ("code", rnn_source, []),
        ("code", check, []),
        ("markdown", "## Training, and the learning-rate sweep on validation", []),
        ("code", TRAIN.format(classes=mnist4.CLASSES, hidden=mnist4.HIDDEN, clip=mnist4.CLIP,
                              four=_source(mnist4.four_classes), evaluate=_source(mnist4.evaluate),
                              train=_source(mnist4.train)), []),
        ("code", RUN, []),
        ("markdown", "## Train and validation loss and accuracy", []),
        ("code", PLOT, []),
        ("markdown", "## Test accuracy", []),
        ("code", TEST, []),
    ]

DERIVATION_CHECKS = {
    "1.": """# Check: the forward pass keeps C(t) = g*i + C(t-1)*f and h(t) = tanh(C(t))*o at every step.
rng = np.random.RandomState(0)
T, B, d, H, K = 5, 3, 4, 6, 2
params = init_params(d, H, K, seed=1)
params = {k: v + 0.1 * rng.randn(*v.shape) for k, v in params.items()}  # no special values
xs, ys = rng.randn(T, B, d), rng.randn(T, B, K)
steps = forward(params, xs)
gap = max(np.abs(s["c"] - (s["g"] * s["i"] + s["c_prev"] * s["f"])).max() + np.abs(s["h"] - np.tanh(s["c"]) * s["o"]).max()
          for s in steps)
print("largest gap in the forward equations: {:.1e}".format(gap)); assert gap < 1e-12""",
    "2.": """# Check: dE/dW_y and dE/db_y against central finite differences.
def numeric(name, index, eps=1e-6):
    old = params[name][index]
    params[name][index] = old + eps; up = loss(params, xs, ys)
    params[name][index] = old - eps; down = loss(params, xs, ys)
    params[name][index] = old
    return (up - down) / (2 * eps)

E, grads, dCs, dhs = loss_and_grads(params, xs, ys, return_state_grads=True)
gap = max(abs(numeric(n, i) - grads[n][i]) for n in ("W_y", "b_y") for i in np.ndindex(params[n].shape))
print("dE/dW_y, dE/db_y: largest gap to finite differences {:.1e}".format(gap)); assert gap < 1e-6""",
    "3.": """# Check both recurrences. dC(t): against nudging C(t) itself. dh(t): the written-out formula, from dh(t+1)
# and dC(t+1) only, against the backward pass.
gap_c = 0.0
for t in range(T):
    for b in range(B):
        for n in range(H):
            nudge = np.zeros((B, H)); nudge[b, n] = 1e-6
            num = (loss(params, xs, ys, c_nudge=(t, nudge)) - loss(params, xs, ys, c_nudge=(t, -nudge))) / 2e-6
            gap_c = max(gap_c, abs(num - dCs[t][b, n]))
W_ih, W_fh, W_oh, W_gh = np.split(params["W_h"], 4, axis=1)
gap_h = 0.0
for t in range(T - 1):
    s, nxt = steps[t], steps[t + 1]
    dh = (2 * (s["y_hat"] - ys[t]) @ params["W_y"].T
          + (dCs[t + 1] * nxt["g"] * nxt["i"] * (1 - nxt["i"])) @ W_ih.T
          + (dCs[t + 1] * s["c"] * nxt["f"] * (1 - nxt["f"])) @ W_fh.T
          + (dhs[t + 1] * np.tanh(nxt["c"]) * nxt["o"] * (1 - nxt["o"])) @ W_oh.T
          + (dCs[t + 1] * nxt["i"] * (1 - nxt["g"] ** 2)) @ W_gh.T)
    gap_h = max(gap_h, np.abs(dh - dhs[t]).max())
print("dC(t) against nudging C(t): {:.1e}; dh(t) written out against backward: {:.1e}".format(gap_c, gap_h))
assert gap_c < 1e-6 and gap_h < 1e-12""",
    "4.": """# Check the four cases: each gate's dE/dw_mn as its sum over steps, against finite differences of W_h.
cases = {"input gate": (0, lambda s, dC, dh: dC * s["g"] * s["i"] * (1 - s["i"])),
         "forget gate": (1, lambda s, dC, dh: dC * s["c_prev"] * s["f"] * (1 - s["f"])),
         "output gate": (2, lambda s, dC, dh: dh * np.tanh(s["c"]) * s["o"] * (1 - s["o"])),
         "candidate": (3, lambda s, dC, dh: dC * s["i"] * (1 - s["g"] ** 2))}
m, n = 2, 4  # from unit m of h(t-1) into unit n of each gate
for gate, (block, local) in cases.items():
    formula = sum((s["h_prev"][:, m] * local(s, dCs[t], dhs[t])[:, n]).sum() for t, s in enumerate(steps))
    num = numeric("W_h", (m, block * H + n))
    print("{:12s} dE/dw_mn: formula {:+.8f}, finite differences {:+.8f}".format(gate, formula, num))
    assert abs(formula - num) < 1e-6""",
    "5.": """# Check the numbers of section 5: the forget gate at initialisation (bias 1) and its product over 38 steps.
start = init_params(10, 128, 10, seed=0)
f0 = 1 / (1 + np.exp(-start["b"][128:256]))
print("sigma(1) = {:.4f}; 0.73^38 = {:.1e}; 0.5^38 = {:.1e}".format(f0.mean(), f0.mean() ** 38, 0.5 ** 38))
assert abs(f0.mean() - 0.7311) < 1e-4""",
}


def derivation_cells():
    """The derivation's sections as Markdown cells, each result followed by its check (assignments/numpy_rnn/lstm.py)."""
    from assignments.numpy_rnn import lstm
    from core import numpy_steps as steps
    with open(os.path.join(os.path.dirname(HERE), "lstm_bptt.md")) as f:
        text = f.read()
    parts = text.split("\n## ")
    code = "import numpy as np\n\n" + "\n\n\n".join(_source(f) for f in (steps.sigmoid, steps.lstm_step)) + \
        "\n\n\n" + "\n\n\n".join(_source(f) for f in (lstm.init_params, lstm.forward, lstm.loss, lstm.loss_and_grads))
    cells = [("markdown", parts[0].strip(), []),
             ("code", install_cell(("numpy",)), []),
             ("markdown", "The code every check below runs: `assignments/numpy_rnn/lstm.py`'s LSTM with its hand-written "
                          "backward pass, carried here so that the notebook runs in Colab as it is (numpy only).", []),
             ("code", code, [])]
    for part in parts[1:]:
        cells.append(("markdown", "## " + part.strip(), []))
        number = part.split(" ", 1)[0]
        if number in DERIVATION_CHECKS:
            cells.append(("code", DERIVATION_CHECKS[number], []))
    return cells


def build(parameters=FULL, cell_list=None):
    import nbformat
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["colab"] = {"provenance": []}
    for kind, source, tags in (cell_list if cell_list is not None else cells()):
        source = parameters if "parameters" in tags else source
        cell = nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source)
        if tags:
            cell.metadata["tags"] = tags
        nb.cells.append(cell)
    return nb


def execute(nb, folder):
    from nbclient import NotebookClient
    NotebookClient(nb, timeout=TIMEOUT, kernel_name="python3", resources={"metadata": {"path": folder}}).execute()
    return nb


def outputs_text(nb):
    """Everything the code cells printed (what the test looks for)."""
    return "\n".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                     for out in cell.get("outputs", []) if out.get("output_type") == "stream")


def main(argv=None):
    parser = ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="the reduced setting, into a temporary copy")
    parser.add_argument("--only", choices=("lstm_bptt", "numpy_rnn_mnist4"), help="build just this one")
    args = parser.parse_args(argv)
    return guarded(lambda: _build(args), "interrupted; the notebooks are unchanged (each is written whole or not "
                                         "at all)", fix="free some space, then run again")


def _build(args):
    folder = tempfile.mkdtemp() if args.quick else HERE
    for path, nb_cells in ((DERIVATION, derivation_cells()), (NOTEBOOK, None)):
        if args.only and not path.endswith(args.only + ".ipynb"):
            continue
        try:
            import nbformat
            nb = build(QUICK if args.quick else FULL, nb_cells)
            log("running {} ({} setting)".format(os.path.basename(path), "quick" if args.quick else "full"))
            execute(nb, HERE)
        except ImportError as e:
            return print_error("{}; pip install -r tools/requirements-docs.txt".format(e))
        except Exception as e:  # a failing cell: nbclient's error names the cell and its traceback
            return print_error("{} did not run to the end: {}".format(os.path.basename(path),
                                                                      str(e).strip().splitlines()[-1]))
        target = os.path.join(folder, os.path.basename(path))
        atomic_write_bytes(target, nbformat.writes(nb).encode("utf-8"))
        log("wrote {}: {}".format(target, [line for line in outputs_text(nb).splitlines() if "TEST ACCURACY" in line]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
