"""Build and run the BPTT assignment's notebooks: numpy_rnn_mnist4.ipynb and lstm_bptt.ipynb.

    python assignments/numpy_rnn/notebooks/build.py                 # build both, run them top to bottom (full setting), store them
    python assignments/numpy_rnn/notebooks/build.py --quick         # the reduced setting of CI, written to a temporary copy only

lstm_bptt.ipynb is the derivation (lstm_bptt.md, split at its sections) with a numerical check after each result.
Each notebook carries its code, so that it runs in Google Colab as it is: rnn.py's and mnist4.py's sources are
pasted in by this script (tests/test_notebooks.py checks they have not drifted). Its first code cell installs
what it needs; its data cell reads MNIST from the folder MNIST_DIR names (this script sets it to the
project's MNIST) or ../data, or downloads it, verified by SHA-256. A cell tagged "parameters" holds the
setting; --quick replaces it (one epoch on a subset) before running. Needs tools/requirements-docs.txt (nbformat, nbclient, ipykernel).
"""
import inspect
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(HERE))))  # the project

import data_loader  # noqa: E402
from assignments.numpy_rnn import mnist4  # noqa: E402
from assignments.numpy_rnn.notebooks.derivation_checks import CHECKS  # noqa: E402
from core.common import ArgumentParser, atomic_write_bytes, guarded, log, print_error  # noqa: E402

NOTEBOOK, DERIVATION = os.path.join(HERE, "numpy_rnn_mnist4.ipynb"), os.path.join(HERE, "lstm_bptt.ipynb")
FULL = ("RATES = (0.01, 0.001, 0.0001)\n"
        "PATIENCE = {}  # each rate trains until validation accuracy and loss have not improved for this many epochs\n"
        "MAX_EPOCHS = {}  # and at most this many\n"
        "CLIP_NORM = 0  # plain SGD, as the exercise asks (5 would clip the gradients' global norm)\n"
        "TRAIN_SUBSET = None  # all training images of the four digits\n"
        "BATCH_SIZE = 64\nSEED = 1").format(mnist4.PATIENCE, mnist4.MAX_EPOCHS)
QUICK = "RATES = (0.01, 0.001)\nPATIENCE = 1\nMAX_EPOCHS = 1\nCLIP_NORM = 0\nTRAIN_SUBSET = 2000\nBATCH_SIZE = 64\nSEED = 1"
TIMEOUT = 4 * 3600  # seconds a cell may take (the full run's training cell: 6 minutes here; up to 300 epochs a rate)
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

DATA = '''# MNIST: from the folder the environment variable MNIST_DIR names, or ../data (beside this notebook's folder),
# if the files are there; else downloaded into ./mnist and checked by SHA-256.
import gzip, hashlib, os, urllib.request, zlib
import numpy as np

FILES = {files!r}
SHA256 = {sha!r}
MIRRORS = os.environ.get("MNIST_MIRROR", "").split() + {mirrors!r}  # your own mirror first, if MNIST_MIRROR names one
PLACES = [p for p in (os.environ.get("MNIST_DIR"), "../data", "mnist") if p]


def mnist_file(name):
    for folder in PLACES:
        for path in (os.path.join(folder, name), os.path.join(folder, name + ".gz")):
            if os.path.isfile(path):
                return path
    os.makedirs("mnist", exist_ok=True)
    for mirror in MIRRORS:
        try:
            packed = urllib.request.urlopen(mirror + name + ".gz", timeout=60).read(20 * 10 ** 6)  # MNIST's largest: 9.9 MB
            good = hashlib.sha256(gzip.decompress(packed)).hexdigest() == SHA256[name]
        except (OSError, EOFError, zlib.error) as e:  # unreachable, or not a whole gzip file
            print("could not fetch", mirror + name + ".gz:", e)
            continue
        if good:
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
    if hashlib.sha256(data).hexdigest() != SHA256[os.path.basename(path).replace(".gz", "")]:
        raise RuntimeError("{{}} is not the standard MNIST file (its SHA-256 differs): delete it and run this cell "
                           "again to download it".format(path))
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * k:8 + 4 * k], "big") for k in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_split(split):
    images, labels = (read_idx(mnist_file(name)) for name in FILES[split])
    return images.astype(np.float32) / 255.0, labels.astype(np.int64)  # [N, 28, 28] in [0, 1], [N]'''

SPLIT = '''# The validation split: the same {size:,} training images validate every time (a fixed permutation).
VALIDATION_SIZE, SPLIT_SEED = {size}, {seed}


def train_validation_split(images, labels):
    order = np.random.RandomState(SPLIT_SEED).permutation(len(images))
    val, train = order[:VALIDATION_SIZE], order[VALIDATION_SIZE:]
    return (images[train], labels[train]), (images[val], labels[val])'''

TRAIN = '''# Training at one learning rate (SGD), judged on validation every epoch, until validation stops improving.
import time, types
CLASSES, HIDDEN = {classes!r}, {hidden!r}
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
curves, stopped, best = {}, {}, None
for rate in RATES:
    curves[rate], params, stopped[rate] = train(train_set, val_set, rate, BATCH_SIZE, SEED, PATIENCE, MAX_EPOCHS,
                                                CLIP_NORM)
    if params is None:  # diverged before its first validation
        continue
    top = max(curves[rate], key=lambda r: r["val_accuracy"])
    if best is None or top["val_accuracy"] > best[1]["val_accuracy"]:
        best = (rate, top, params)
best_rate, best_epoch, best_params = best[0], best[1], best[2]
for rate in RATES:
    print("rate {:g}: {} epochs, {}{}".format(rate, len(curves[rate]), stopped[rate], "; best validation {:.2%}".format(
        max(r["val_accuracy"] for r in curves[rate])) if curves[rate] else ""))
print("best learning rate on validation: {} ({:.2%} at epoch {})".format(best_rate, best_epoch["val_accuracy"],
                                                                         best_epoch["epoch"]))'''

PLOT = '''import matplotlib.pyplot as plt
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
for k, (rate, rows) in enumerate(sorted(curves.items(), reverse=True)):
    if not rows:  # diverged in its first epoch: named in the legend, nothing to draw
        right.plot([], [], color="C%d" % k, label="rate %g: %s" % (rate, stopped[rate]))
        continue
    epochs = [r["epoch"] for r in rows]
    for ax, key in ((left, "loss"), (right, "accuracy")):
        ax.plot(epochs, [r["train_" + key] for r in rows], "--", color="C%d" % k, label="train, rate %g" % rate)
        ax.plot(epochs, [r["val_" + key] for r in rows], color="C%d" % k, label="validation, rate %g" % rate)
right.plot([best_epoch["epoch"]], [best_epoch["val_accuracy"]], "ko", markersize=4, label="chosen on validation")
left.set_ylabel("cross-entropy"); right.set_ylabel("accuracy")
for ax in (left, right):
    ax.set_xlabel("epoch"); ax.grid(alpha=0.3)
handles, labels = right.get_legend_handles_labels()  # the accuracy panel has them all (the diverged rate too)
fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8)  # one key, below both panels
fig.subplots_adjust(bottom=0.27)
plt.show()'''

TEST = '''# The test images of the four digits, touched once, with the rate chosen on validation.
test_set = four_classes(*load_split("test"))
test_loss, test_accuracy = evaluate(best_params, *test_set)
print("TEST ACCURACY {:.2%} ({:,} of {:,} test images), learning rate {}".format(
    test_accuracy, int(round(test_accuracy * len(test_set[0]))), len(test_set[0]), best_rate))'''

INTRO = """# A NumPy RNN on MNIST digits 0, 5, 6, 9, trained by hand-written backpropagation through time

Each 28x28 image is read row by row: 28 steps of 28 pixels. Two ReLU recurrent layers of 100 units, a
softmax over the four classes at the last step, cross-entropy, plain SGD. The forward pass and its
backward pass through time are written out in NumPy below (no autodiff). Three learning rates are tried,
each with the same fair budget: it trains until neither its validation accuracy nor its validation loss has
reached a new best for {patience} epochs, and its epoch of best validation accuracy counts. The rate with
the best **validation** accuracy is chosen, and only then is the test set touched, once. A rate whose loss
overflows is recorded as diverged.

Runs in Google Colab as it is: the first cell installs what is missing, the data cell downloads MNIST
(checked by SHA-256) when it is not on disk."""

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
        ("markdown", INTRO.format(patience=mnist4.PATIENCE), []),
        ("code", install_cell(("numpy", "matplotlib")), []),
        ("markdown", "The setting: the learning rates tried, each rate's budget, plain SGD or clipped, the batch size "
                     "and the seed.", []),
        ("code", FULL, ["parameters"]),
        ("code", DATA.format(files=data_loader.FILES, sha=data_loader.SHA256, mirrors=list(data_loader.MIRRORS)), []),
        ("code", SPLIT.format(size=data_loader.VALIDATION_SIZE, seed=data_loader.SPLIT_SEED), []),
        ("markdown", MODEL, []),
        ("code", rnn_source, []),
        ("code", check, []),
        ("markdown", "## Training, and the learning-rate sweep on validation", []),
        ("code", TRAIN.format(classes=mnist4.CLASSES, hidden=mnist4.HIDDEN,
                              four=_source(mnist4.four_classes), evaluate=_source(mnist4.evaluate),
                              train=_source(mnist4.train)), []),
        ("code", RUN, []),
        ("markdown", "## Train and validation loss and accuracy", []),
        ("code", PLOT, []),
        ("markdown", "## Test accuracy", []),
        ("code", TEST, []),
    ]

def derivation_cells():
    """The derivation's sections as Markdown cells, each result followed by its check (assignments/numpy_rnn/lstm.py)."""
    from assignments.numpy_rnn import derivation, lstm
    from core import numpy_steps as steps
    parts = derivation.markdown().split("\n## ")
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
        if number in CHECKS:
            cells.append(("code", CHECKS[number], []))
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


def execute(nb, folder, data_dir=None):
    """Runs nb in folder; data_dir, when given, is where its data cell finds MNIST (the kernel's MNIST_DIR)."""
    from nbclient import NotebookClient
    before = os.environ.get("MNIST_DIR")
    if data_dir:
        os.environ["MNIST_DIR"] = data_dir  # the kernel inherits the environment it is started in
    try:
        NotebookClient(nb, timeout=TIMEOUT, kernel_name="python3", resources={"metadata": {"path": folder}}).execute()
    finally:
        if data_dir and before is None:
            del os.environ["MNIST_DIR"]
        elif data_dir:
            os.environ["MNIST_DIR"] = before
    return nb


def project_mnist():
    """The folder the project reads MNIST from (data_loader's default, or the course machines' shared copy, where
    the Makefile looks too), or None."""
    shared = os.path.join(os.path.dirname(data_loader.DEFAULT_DATA_DIR), "shared", "data", "mnist")
    for folder in (data_loader.DEFAULT_DATA_DIR, shared):
        if all(any(os.path.isfile(os.path.join(folder, name + ext)) for ext in ("", ".gz"))
               for names in data_loader.FILES.values() for name in names):  # the four files, gzipped or not
            return folder
    return None


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
            execute(nb, HERE, project_mnist())
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
