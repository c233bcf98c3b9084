"""The NumPy RNN (assignments/numpy_rnn/rnn.py) on MNIST digits 0, 5, 6 and 9, read row by row, trained by hand-written BPTT.

    python -m assignments.numpy_rnn.mnist4 [--data_dir=../data] [--rates=0.01,0.001,0.0001] [--patience=10]

28 inputs per step, 28 steps, two hidden layers of 100 ReLU units, 4 linear outputs at the last step and
softmax cross-entropy; plain SGD on batches of 64, as the assignment asks (--clip_norm=5 clips gradients
instead, for comparison). Every learning rate gets the same fair budget: it trains on the project's training
split until neither its validation accuracy nor its validation loss has reached a new best for --patience
epochs (at most --max_epochs), and its epoch of best validation accuracy counts. The best rate by validation
accuracy is then measured once on the test images of the four classes. A rate whose loss stops being finite
is recorded as diverged. Each finished rate is kept in <out>/mnist4.partial/, so a sweep that is stopped
resumes at the next rate. Writes results/numpy_rnn/mnist4.json (every rate's curves and why it stopped, the
choice, the test accuracy, seconds per epoch, the processor) and mnist4.png (their reader and figure:
mnist4_result.py).
"""
import json
import os
import shutil
import sys
import time
import zipfile
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))  # the project, also as python assignments/numpy_rnn/mnist4.py

from core.common import (ArgumentParser, PROJECT_DIR, UserError, atomic_write_bytes, atomic_write_json, guarded, log,  # noqa: E402
                         machine, print_error, read_json, relpath)
from assignments.numpy_rnn import rnn  # noqa: E402
from assignments.numpy_rnn.mnist4_result import curves_problem, plot  # noqa: E402

CLASSES = (0, 5, 6, 9)
HIDDEN = (100, 100)
PATIENCE, MAX_EPOCHS = 10, 300  # the fair budget: epochs without a new best validation accuracy or loss; the cap


def four_classes(images, labels):
    keep = np.isin(labels, CLASSES)
    index = {c: k for k, c in enumerate(CLASSES)}
    return images[keep].astype(np.float32), np.array([index[int(y)] for y in labels[keep]])


def evaluate(params, images, labels, batch=1000):
    losses, right = [], 0
    for start in range(0, len(images), batch):
        p, _ = rnn.forward(params, images[start:start + batch])
        y = labels[start:start + batch]
        losses.append(-np.log(p[np.arange(len(y)), y] + 1e-300).sum())
        right += int((p.argmax(1) == y).sum())
    return float(sum(losses) / len(images)), right / float(len(images))


def train(train_set, val_set, rate, batch_size, seed, patience=PATIENCE, max_epochs=MAX_EPOCHS, clip_norm=0):
    """SGD at one learning rate until neither validation accuracy nor validation loss has reached a new best for
    `patience` epochs: (per-epoch curves, the parameters of the best validation accuracy's epoch, why it stopped).
    clip_norm=0 is plain SGD."""
    # float32: twice as fast as float64 here; the gradients are checked against finite differences in float64
    params = {k: v.astype(np.float32) for k, v in rnn.init_params(28, HIDDEN, len(CLASSES), seed=seed).items()}
    rng = np.random.RandomState(seed)
    x, y = train_set
    curves, best, best_epoch, lowest, progress = [], (-1.0, None), 0, float("inf"), 0
    for epoch in range(1, max_epochs + 1):
        started, losses, right = time.time(), [], 0
        order = rng.permutation(len(x))
        for start in range(0, len(x) - batch_size + 1, batch_size):
            idx = order[start:start + batch_size]
            with np.errstate(over="ignore", invalid="ignore"):  # overflow is caught just below, as divergence
                loss, grads, p = rnn.loss_and_grads(params, x[idx], y[idx])
            if not np.isfinite(loss) or not all(np.isfinite(g).all() for g in grads.values()):
                # a rate too large for plain SGD: recorded, not fatal to the sweep
                stop = "diverged in epoch {}, batch {}".format(epoch, start // batch_size + 1)
                log("rate {:g} {}: the loss or its gradients are no longer finite".format(rate, stop))
                return curves, best[1], stop
            scale = 1.0
            if clip_norm:
                norm = np.sqrt(sum((g ** 2).sum() for g in grads.values()))
                scale = min(1.0, clip_norm / (norm + 1e-12))
            for name in params:
                params[name] -= rate * scale * grads[name]
            losses.append(loss)
            right += int((p.argmax(1) == y[idx]).sum())
        val_loss, val_acc = evaluate(params, *val_set)
        row = {"epoch": epoch, "train_loss": float(np.mean(losses)),
               "train_accuracy": right / float(len(losses) * batch_size), "val_loss": val_loss,
               "val_accuracy": val_acc, "seconds": round(time.time() - started, 2)}
        curves.append(row)
        if val_acc > best[0] or val_loss < lowest:  # progress: a new best validation accuracy or loss
            progress, lowest = epoch, min(lowest, val_loss)
        if val_acc > best[0]:
            best, best_epoch = (val_acc, {k: v.copy() for k, v in params.items()}), epoch
        log("rate {:g} epoch {}: train loss {:.4f} acc {:.2%} | validation loss {:.4f} acc {:.2%} (best {:.2%} at "
            "epoch {}) | {:.1f}s".format(rate, epoch, row["train_loss"], row["train_accuracy"], val_loss, val_acc,
                                        best[0], best_epoch, row["seconds"]))
        if epoch - progress >= patience:
            return curves, best[1], "no new best validation accuracy or loss for {} epochs".format(patience)
    return curves, best[1], "reached the cap of {} epochs".format(max_epochs)


def _check_out(folder):
    """A UserError unless `folder` is, or can be made, a folder (checked before training)."""
    path = os.path.abspath(folder)
    while not os.path.exists(path):
        path = os.path.dirname(path)
    if not os.path.isdir(path):
        raise UserError("--out={} cannot be a folder: {} is a file; give a folder like --out=results/numpy_rnn".format(
            folder, relpath(path)))
    if not os.access(path, os.W_OK):
        raise UserError("--out={} cannot be written ({} is not writable); give another folder".format(
            folder, relpath(path)))
    # The three names this program writes in --out: each may be only what an earlier run of it wrote there.
    from core.outputs import check_output
    check_output(os.path.join(folder, "mnist4.png"), "--out", ".png")
    result, partial = os.path.join(folder, "mnist4.json"), os.path.join(folder, "mnist4.partial")
    if os.path.lexists(result):
        try:
            ours = "best_rate" in read_json(result)
        except (UserError, TypeError):
            ours = False
        if not ours:
            raise UserError("{} is there and is not this program's result, so it is not replaced; give another "
                            "--out folder".format(relpath(result)))
    if os.path.lexists(partial) and not os.path.isdir(partial):
        raise UserError("{} is a file, where this program keeps its finished rates; give another --out folder".format(
            relpath(partial)))


def main(argv=None):
    import data_loader
    parser = ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data_dir", default=data_loader.DEFAULT_DATA_DIR)
    parser.add_argument("--rates", default="0.01,0.001,0.0001")
    parser.add_argument("--patience", type=int, default=PATIENCE,
                        help="stop a rate after this many epochs without a new best validation accuracy")
    parser.add_argument("--max_epochs", type=int, default=MAX_EPOCHS, help="the cap on any rate's epochs")
    parser.add_argument("--clip_norm", type=float, default=0.0, help="0: plain SGD (the assignment's); >0 clips "
                                                                     "the gradients' global norm")
    parser.add_argument("--batch_size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=os.path.join(PROJECT_DIR, "results", "numpy_rnn"))
    args = parser.parse_args(argv)
    try:
        rates = [float(r) for r in args.rates.split(",")]
        if not all(0 < r < 10 for r in rates) or len(set(rates)) != len(rates):
            raise ValueError
    except ValueError:
        return print_error("--rates={} must be different numbers in (0, 10), comma-separated, like "
                           "--rates=0.01,0.001".format(args.rates))
    for name, value, low, high in (("patience", args.patience, 1, 1000), ("max_epochs", args.max_epochs, 1, 10000),
                                   ("batch_size", args.batch_size, 1, 10 ** 9), ("seed", args.seed, 0, 2 ** 32 - 1)):
        if not low <= value <= high:
            return print_error("--{}={} is outside {}..{}; give one like --{}={}".format(
                name, value, low, high, name, {"patience": PATIENCE, "max_epochs": MAX_EPOCHS, "batch_size": 64,
                                               "seed": 1}[name]))
    if not 0 <= args.clip_norm < float("inf"):
        return print_error("--clip_norm={} must be 0 (plain SGD) or a positive number, like --clip_norm=5".format(
            args.clip_norm))
    # A kill stops like Ctrl-C: one line, nothing half-written; the rates already finished stay in mnist4.partial/.
    return guarded(lambda: _train_and_test(args, rates), fix="point --out at a folder you can write (and --data_dir "
                                                             "at MNIST's files), then run again")


def _settings(args):
    """What a finished rate's record must match to be reused by a resumed sweep."""
    return {"classes": list(CLASSES), "hidden": list(HIDDEN), "batch_size": args.batch_size, "seed": args.seed,
            "stop_rule": "no new best validation accuracy or loss", "patience": args.patience, "max_epochs": args.max_epochs, "clip_norm": args.clip_norm}


def _finished(partial, rate, settings):
    """(curves, params, stop) of a rate an earlier run of this sweep finished, or None. The record must be this
    rate's, of these settings, with the very weights file it was written with (its SHA-256), whole and finite;
    anything else is said in one line and the rate trains again."""
    stem = os.path.join(partial, "rate_{!r}".format(rate))
    if not os.path.exists(stem + ".json"):
        return None
    try:
        why = _unfit(stem, rate, settings)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError, EOFError,
            zipfile.BadZipFile, zlib.error) as e:  # unreadable JSON or weights: damaged
        why = "unreadable: {}".format(str(e).splitlines()[0] if str(e) else type(e).__name__)
    if isinstance(why, tuple):
        return why
    log("rate {:g}: the record {} ({}) is another sweep's or damaged; training the rate again".format(
        rate, relpath(stem + ".json"), why))  # this sweep overwrites it
    return None


def _unfit(stem, rate, settings):
    """What is wrong with a kept record, or (curves, params, stop) when nothing is."""
    import hashlib
    import io
    with open(stem + ".json", "rb") as f:
        record = json.loads(f.read().decode("utf-8"))
    if not isinstance(record, dict):
        return "not a record object"
    if record.get("rate") != repr(rate):  # a record renamed or copied from another rate's
        return "it is the record of rate {}".format(record.get("rate"))
    if record.get("settings") != settings:
        return "its settings differ from this sweep's"
    with open(stem + ".npz", "rb") as f:
        data = f.read()
    if record.get("npz_sha256") != hashlib.sha256(data).hexdigest():
        return "{} is not the weights file written with it".format(os.path.basename(stem) + ".npz")
    with np.load(io.BytesIO(data)) as saved:  # arrays only: no pickled objects are loaded
        params = {k: saved[k] for k in saved.files} or None
    curves, stop = record.get("curves"), record.get("stop")
    if not isinstance(stop, str):
        return "it says no reason the rate stopped"
    problem = curves_problem(curves) or _weights_problem(curves, params, stop)
    return problem or (curves, params, stop)


def _weights_problem(curves, params, stop):
    """Whether a kept rate's weights are what train() returns: this network's shapes, finite; none only where it
    diverged before its first epoch ended."""
    if not curves:
        return None if params is None and stop.startswith("diverged") else "it has weights but no epochs"
    shapes = {k: v.shape for k, v in rnn.init_params(28, HIDDEN, len(CLASSES)).items()}
    if params is None or {k: v.shape for k, v in params.items()} != shapes:
        return "its weights are not this network's"
    if not all(np.isfinite(v).all() for v in params.values()):
        return "its weights are not all finite"
    return None


def _keep(partial, rate, settings, curves, params, stop):
    import hashlib
    import io
    stem = os.path.join(partial, "rate_{!r}".format(rate))
    buffer = io.BytesIO()
    np.savez(buffer, **(params or {}))
    atomic_write_bytes(stem + ".npz", buffer.getvalue())
    atomic_write_json(stem + ".json", {"rate": repr(rate), "settings": settings, "curves": curves, "stop": stop,
                                       "npz_sha256": hashlib.sha256(buffer.getvalue()).hexdigest()})  # last: marks it whole


def _train_and_test(args, rates):
    """Every rate trained to its stopping point, the best on validation tested once, the result and figure written."""
    import data_loader  # the card's reader and split: the same checks and validation images
    _check_out(args.out)  # before the minutes of training, not after them
    images, labels = data_loader.load_split(args.data_dir, "train")
    (train_x, train_y), (val_x, val_y) = data_loader.train_validation_split(images, labels)
    train_set, val_set = four_classes(train_x, train_y), four_classes(val_x, val_y)
    if args.batch_size > len(train_set[0]):
        raise UserError("--batch_size={:,} is more than the {:,} training images of digits {}; give at most "
                        "that, like --batch_size=64".format(args.batch_size, len(train_set[0]),
                                                            "/".join(map(str, CLASSES))))
    test_set = four_classes(*data_loader.load_split(args.data_dir, "test"))
    log("digits {}: {:,} training, {:,} validation, {:,} test images".format(
        ", ".join(map(str, CLASSES)), len(train_set[0]), len(val_set[0]), len(test_set[0])))
    settings, partial = _settings(args), os.path.join(args.out, "mnist4.partial")
    curves, stops, best = {}, {}, None
    for rate in rates:
        done = _finished(partial, rate, settings)
        if done:
            log("rate {:g}: finished by an earlier run ({}), taken from {}".format(rate, done[2], relpath(partial)))
        else:
            done = train(train_set, val_set, rate, args.batch_size, args.seed, args.patience, args.max_epochs,
                         args.clip_norm)
            _keep(partial, rate, settings, *done)
        curves[repr(rate)], params, stops[repr(rate)] = done
        if params is None:
            continue  # diverged before its first validation
        top = max(curves[repr(rate)], key=lambda r: r["val_accuracy"])
        if best is None or top["val_accuracy"] > best[1]["val_accuracy"]:
            best = (rate, top, params)
    if best is None:
        raise UserError("every learning rate diverged; try smaller ones, like --rates=0.001,0.0001")
    rate, top, params = best
    test_loss, test_acc = evaluate(params, *test_set)  # the test set, once, for the chosen rate
    seconds = [r["seconds"] for c in curves.values() for r in c]
    result = dict(settings, rates=rates, curves=curves, stopped=stops, best_rate=repr(rate), best_epoch=top["epoch"],
                  best_val_accuracy=top["val_accuracy"], test_accuracy=test_acc, test_loss=test_loss,
                  test_count=len(test_set[0]), test_correct=int(round(test_acc * len(test_set[0]))),
                  seconds_per_epoch=round(float(np.median(seconds)), 2), machine=machine())
    atomic_write_json(os.path.join(args.out, "mnist4.json"), result)
    plot(result, os.path.join(args.out, "mnist4.png"))
    shutil.rmtree(partial, ignore_errors=True)  # the sweep is whole in mnist4.json now
    log("best learning rate {} (validation {:.2%} at epoch {}); test accuracy {:.2%} ({:,} of {:,}); written to "
        "{}".format(rate, top["val_accuracy"], top["epoch"], test_acc, result["test_correct"],
                    result["test_count"], relpath(args.out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
