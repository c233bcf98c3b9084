"""The NumPy RNN (assignments/numpy_rnn/rnn.py) on MNIST digits 0, 5, 6 and 9, read row by row, trained by hand-written BPTT.

    python -m assignments.numpy_rnn.mnist4 [--data_dir=../data] [--epochs=8] [--rates=0.01,0.001,0.0001]

28 inputs per step, 28 steps, two hidden layers of 100 ReLU units, 4 linear outputs at the last step and
softmax cross-entropy; plain SGD on batches of 64 (gradients clipped to global norm 5, so one bad batch cannot
wreck the weights). Every learning rate is trained on the project's training split and judged on its
validation split; the best one by validation accuracy (its best epoch) is then measured once on the test
images of the four classes. Writes results/numpy_rnn/mnist4.json (every rate's curves, the choice, the test
accuracy, seconds per epoch) and mnist4.png.
"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))  # the project, also as python assignments/numpy_rnn/mnist4.py

from core.common import (ArgumentParser, PROJECT_DIR, UserError, atomic_write_json, guarded, log,  # noqa: E402
                         print_error, relpath)
from assignments.numpy_rnn import rnn  # noqa: E402

CLASSES = (0, 5, 6, 9)
HIDDEN = (100, 100)
CLIP = 5.0


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


def train(train_set, val_set, rate, epochs, batch_size, seed):
    """SGD at one learning rate: (per-epoch curves, the parameters of the best validation epoch)."""
    # float32 (twice as fast as float64 here); tests/test_numpy_lstm.py checks the gradients in float64
    params = {k: v.astype(np.float32) for k, v in rnn.init_params(28, HIDDEN, len(CLASSES), seed=seed).items()}
    rng = np.random.RandomState(seed)
    x, y = train_set
    curves, best = [], (-1.0, None)
    for epoch in range(1, epochs + 1):
        started, losses, right = time.time(), [], 0
        order = rng.permutation(len(x))
        for start in range(0, len(x) - batch_size + 1, batch_size):
            idx = order[start:start + batch_size]
            loss, grads, p = rnn.loss_and_grads(params, x[idx], y[idx])
            if not np.isfinite(loss):
                raise UserError("training at learning rate {:g} diverged in epoch {}".format(rate, epoch))
            norm = np.sqrt(sum((g ** 2).sum() for g in grads.values()))
            scale = min(1.0, CLIP / (norm + 1e-12))
            for name in params:
                params[name] -= rate * scale * grads[name]
            losses.append(loss)
            right += int((p.argmax(1) == y[idx]).sum())
        val_loss, val_acc = evaluate(params, *val_set)
        row = {"epoch": epoch, "train_loss": float(np.mean(losses)),
               "train_accuracy": right / float(len(losses) * batch_size), "val_loss": val_loss,
               "val_accuracy": val_acc, "seconds": round(time.time() - started, 2)}
        curves.append(row)
        log("rate {:g} epoch {}/{}: train loss {:.4f} acc {:.2%} | validation loss {:.4f} acc {:.2%} | {:.1f}s".format(
            rate, epoch, epochs, row["train_loss"], row["train_accuracy"], val_loss, val_acc, row["seconds"]))
        if val_acc > best[0]:
            best = (val_acc, {k: v.copy() for k, v in params.items()})
    return curves, best[1]


PLOT_SIZE = (10, 4)  # inches


def draw(result, fig, box):
    """The sweep's curves into box (figure fractions: left, bottom, right, top) of fig: the PNG, or the
    report's page, where they stay vector."""
    from core.figures import grid_in
    grid = grid_in(fig, box, 1, 2, wspace=0.25)
    left, right = fig.add_subplot(grid[0]), fig.add_subplot(grid[1])
    for k, (rate, curves) in enumerate(sorted(result["curves"].items(), key=lambda kv: -float(kv[0]))):
        color = "C{}".format(k)
        epochs = [r["epoch"] for r in curves]
        for ax, key in ((left, "loss"), (right, "accuracy")):
            ax.plot(epochs, [r["train_" + key] for r in curves], color=color, linestyle="--",
                    label="train, rate {}".format(rate))
            ax.plot(epochs, [r["val_" + key] for r in curves], color=color, label="validation, rate {}".format(rate))
    left.set_ylabel("cross-entropy")
    right.set_ylabel("accuracy")
    for ax in (left, right):
        ax.set_xlabel("epoch")
        ax.grid(True, alpha=0.3)
    right.legend(fontsize=7)
    fig.text((box[0] + box[2]) / 2, box[3] + 0.12 / fig.get_size_inches()[1],
             "NumPy RNN on MNIST 0/5/6/9: best rate {} on validation, test accuracy {:.2%}".format(
                 result["best_rate"], result["test_accuracy"]), ha="center", va="bottom")
    return True


def plot(result, path):
    from core.figures import png
    png(lambda fig, box: draw(result, fig, box), path, PLOT_SIZE, dpi=110)


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


def main(argv=None):
    import data_loader
    parser = ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data_dir", default=data_loader.DEFAULT_DATA_DIR)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch_size", type=int, default=64)
    parser.add_argument("--rates", default="0.01,0.001,0.0001")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=os.path.join(PROJECT_DIR, "results", "numpy_rnn"))
    args = parser.parse_args(argv)
    try:
        rates = [float(r) for r in args.rates.split(",")]
        if not 1 <= args.epochs <= 1000 or args.batch_size < 1 or not all(0 < r < 10 for r in rates):
            raise ValueError
    except ValueError:
        return print_error("--epochs must be 1-1000, --batch_size positive and --rates numbers in (0, 10), like "
                           "0.01,0.001")
    if not 0 <= args.seed < 2 ** 32:
        return print_error("--seed={} is outside 0..{}; give a seed like --seed=1".format(args.seed, 2 ** 32 - 1))
    # A kill stops like Ctrl-C: one line, nothing half-written.
    return guarded(lambda: _train_and_test(args, rates), fix="point --out at a folder you can write (and --data_dir "
                                                             "at MNIST's files), then run again")


def _train_and_test(args, rates):
    """Every rate trained, the best on validation tested once, the result and its figure written."""
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
    curves, best = {}, None
    for rate in rates:
        curves[repr(rate)], params = train(train_set, val_set, rate, args.epochs, args.batch_size, args.seed)
        top = max(curves[repr(rate)], key=lambda r: r["val_accuracy"])
        if best is None or top["val_accuracy"] > best[1]["val_accuracy"]:
            best = (rate, top, params)
    rate, top, params = best
    test_loss, test_acc = evaluate(params, *test_set)  # the test set, once, for the chosen rate
    seconds = [r["seconds"] for c in curves.values() for r in c]
    result = {"classes": list(CLASSES), "hidden": list(HIDDEN), "batch_size": args.batch_size,
              "epochs": args.epochs, "seed": args.seed, "rates": rates, "curves": curves, "best_rate": repr(rate),
              "best_epoch": top["epoch"], "best_val_accuracy": top["val_accuracy"], "test_accuracy": test_acc,
              "test_loss": test_loss, "test_count": len(test_set[0]),
              "test_correct": int(round(test_acc * len(test_set[0]))),
              "seconds_per_epoch": round(float(np.median(seconds)), 2)}
    atomic_write_json(os.path.join(args.out, "mnist4.json"), result)
    plot(result, os.path.join(args.out, "mnist4.png"))
    log("best learning rate {} (validation {:.2%} at epoch {}); test accuracy {:.2%} ({:,} of {:,}); written to "
        "{}".format(rate, top["val_accuracy"], top["epoch"], test_acc, result["test_correct"],
                    result["test_count"], relpath(args.out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
