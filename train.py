"""Training with validation every epoch, early stopping, best-checkpoint keeping and resume.

Resume rule: if weights/<config>/ holds an unfinished run with the same
training settings, `--train` continues it from its last finished epoch (the
per-epoch shuffles and --crop_augment crops come from seed+epoch, and dropout
masks from seed+step, so a resumed run sees the same data as an uninterrupted
one). Any other run found there is moved aside to
weights/<config>.previous-<time>/ and training starts from scratch; nothing is
deleted.

Per epoch: one line of log, a row of weights/<config>/log.csv (loss,
accuracy, the gradient's global norm before clipping) and the same numbers
as TensorBoard scalars in logs/<config>/.
"""
import csv
import datetime
import io
import os
import sys
import time

import numpy as np

import augment
import data_loader
from checkpoint import RunDir
from common import UserError, atomic_write_bytes, format_duration, is_tty, log, relpath
from model import EVAL_BATCH_SIZE, Diverged, Model, run_epoch, session_config
from tfcompat import TF_VERSION, tf

# Settings that must be equal for a run to be resumed (the rest may change, e.g. --epochs).
RESUME_KEYS = ("model", "hidden_unit", "layers", "bidirectional", "crop_augment", "dropout", "l2", "learning_rate",
               "lr_decay", "batch_size", "clip_norm", "seed", "validation_size", "train_examples", "towers")
LOG_FIELDS = ("epoch", "time", "learning_rate", "train_loss", "train_accuracy", "val_loss", "val_accuracy",
              "grad_norm", "grad_norm_max", "seconds", "best")


class ProgressBar(object):
    """A one-line, in-place progress display for an epoch (terminals only; logs get the epoch line)."""

    def __init__(self, title):
        self.title, self.start, self.last = title, time.time(), 0.0
        self.enabled = is_tty()

    def __call__(self, done, total, loss, accuracy):
        now = time.time()
        if not self.enabled or (now - self.last < 0.25 and done < total):
            return
        self.last = now
        left = (now - self.start) / done * (total - done)
        bar = "#" * int(20 * done / total)
        sys.stdout.write("\r{} [{:<20}] {:3.0%} loss {:.4f} acc {:6.2%} left {}   ".format(
            self.title, bar, done / float(total), loss, accuracy, format_duration(left)))
        sys.stdout.flush()

    def close(self):
        if self.enabled:
            sys.stdout.write("\r" + " " * 100 + "\r")


def _write_log(run, rows):
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=LOG_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_bytes(run.log_path, text.getvalue().encode("utf-8"))


def _read_log(run, upto_epoch):
    if not os.path.isfile(run.log_path):
        return []
    with open(run.log_path) as f:
        return [row for row in csv.DictReader(f) if int(row["epoch"]) <= upto_epoch]


def _prepare(run, config):
    """Return the state of a run to resume, or None after clearing the way for a new one."""
    state, old = run.load_state(), run.load_config()
    if state and old and not state.get("finished") and state.get("resume") \
            and all(old.get(k) == config.get(k) for k in RESUME_KEYS):
        return state
    if run.exists():
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = "{}.previous-{}".format(run.path, stamp)
        os.rename(run.path, aside)
        log("an earlier run was in {}; moved it to {} and starting afresh".format(relpath(run.path), relpath(aside)))
    return None


def _summary(values):
    """Scalars for TensorBoard as a Summary protocol buffer (no summary ops in the graph needed)."""
    return tf.Summary(value=[tf.Summary.Value(tag=tag, simple_value=float(v)) for tag, v in sorted(values.items())])


def train(config, data_dir, weights_dir, logs_dir):
    run = RunDir(weights_dir, config["name"])
    images, labels = data_loader.load_split(data_dir, "train")
    (train_x, train_y), (val_x, val_y) = data_loader.train_validation_split(images, labels, config["validation_size"])
    if config["train_examples"]:
        train_x, train_y = train_x[:config["train_examples"]], train_y[:config["train_examples"]]
    if len(train_x) < config["batch_size"]:
        raise UserError("the training set has {} images, fewer than one batch (--batch_size={})".format(
            len(train_x), config["batch_size"]))
    state = _prepare(run, config)

    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(config["seed"])
        model = Model(config, training=True, batch_size=config["batch_size"])
        eval_model = Model(config)  # the same variables, for validation batches of any size
        best_saver = tf.train.Saver(model.model_variables, max_to_keep=None)
        all_variables = tf.global_variables()  # with Adam's slots and the step counter
        resume_saver = tf.train.Saver(all_variables, max_to_keep=None)
        init = tf.global_variables_initializer()
    session = tf.Session(graph=graph, config=session_config(model.towers))
    # TensorBoard: the graph and per-epoch curves, in logs/<config>/ (`tensorboard --logdir logs`).
    writer = tf.summary.FileWriter(os.path.join(logs_dir, run.name), graph)

    if state:
        run.restore(session, resume_saver, state["resume"], all_variables)
        rows = _read_log(run, state["epoch"])
        log("resuming {} after epoch {} (best so far: {:.2%} validation accuracy at epoch {})".format(
            run.name, state["epoch"], state["best_val_accuracy"], state["best_epoch"]))
    else:
        session.run(init)
        config = dict(config, parameters=model.num_parameters(), tf_version=TF_VERSION,
                      python_version=sys.version.split()[0])
        run.save_config(config)
        state = {"epoch": 0, "best_epoch": 0, "best_val_accuracy": -1.0, "best": None, "resume": None,
                 "finished": False, "train_seconds": 0.0}
        rows = []
        log("training {} ({} parameters) on {} images, validating on {}; up to {} epochs, "
            "early stop after {} without improvement".format(
                run.name, config["parameters"], len(train_x), len(val_x), config["epochs"], config["patience"]))

    epoch_times = []
    for epoch in range(state["epoch"] + 1, config["epochs"] + 1):
        if state["epoch"] - state["best_epoch"] >= config["patience"]:
            log("stopping early: no better validation accuracy for {} epochs".format(config["patience"]))
            break
        started = time.time()
        bar = ProgressBar("epoch {}/{}".format(epoch, config["epochs"]))
        order = np.random.RandomState(config["seed"] * 100003 + epoch).permutation(len(train_x))
        learning_rate = config["learning_rate"] * config["lr_decay"] ** (epoch - 1)
        model.set_learning_rate(session, learning_rate)
        fit = None
        try:
            images_in, lengths = train_x, None
            if config.get("crop_augment"):  # new random crops every epoch, from the epoch's own seed
                images_in, lengths = augment.random_crops(
                    train_x, np.random.RandomState(config["seed"] * 100003 + epoch + 50000))
            fit = run_epoch(session, model, images_in, train_y, config["batch_size"], train=True,
                            order=order, on_batch=bar, lengths=lengths)
            bar.close()
            val = run_epoch(session, eval_model, val_x, val_y, EVAL_BATCH_SIZE)
        except Diverged as e:
            bar.close()
            kept = ("the best checkpoint so far (epoch {}) is kept".format(state["best_epoch"])
                    if state["best"] else "no checkpoint was written")
            raise UserError("training diverged in epoch {} ({}): {}; lower --learning_rate (now {}) or --clip_norm; "
                            "{}".format(epoch, "validation" if fit else "training", e, config["learning_rate"], kept))
        improved = val["accuracy"] > state["best_val_accuracy"]
        if improved:
            previous_best = state["best"]
            state.update(best=run.save(session, best_saver, "best-{}".format(epoch)),
                         best_epoch=epoch, best_val_accuracy=val["accuracy"])
        previous_resume = state["resume"]
        state["resume"] = run.save(session, resume_saver, "resume-{}".format(epoch))
        seconds = time.time() - started
        epoch_times.append(seconds)
        state.update(epoch=epoch, train_seconds=state["train_seconds"] + seconds)
        rows.append({"epoch": epoch, "time": datetime.datetime.now().isoformat(timespec="seconds"),
                     "learning_rate": "{:.6g}".format(learning_rate),
                     "train_loss": "{:.5f}".format(fit["loss"]), "train_accuracy": "{:.5f}".format(fit["accuracy"]),
                     "val_loss": "{:.5f}".format(val["loss"]), "val_accuracy": "{:.5f}".format(val["accuracy"]),
                     "grad_norm": "{:.4f}".format(fit["grad_norm"]), "grad_norm_max": "{:.4f}".format(fit["grad_norm_max"]),
                     "seconds": "{:.1f}".format(seconds), "best": int(improved)})
        _write_log(run, rows)
        writer.add_summary(_summary({"train/loss": fit["loss"], "train/accuracy": fit["accuracy"],
                                     "train/grad_norm": fit["grad_norm"], "train/grad_norm_max": fit["grad_norm_max"],
                                     "train/learning_rate": learning_rate, "validation/loss": val["loss"],
                                     "validation/accuracy": val["accuracy"]}), epoch)
        writer.flush()
        run.save_state(state)  # the commit point: only now do the new files count
        if improved:
            run.remove(previous_best)
        run.remove(previous_resume)
        left = np.mean(epoch_times) * (config["epochs"] - epoch)
        log("epoch {}/{}: train loss {:.4f} acc {:.2%} grad norm {:.2f} | validation loss {:.4f} acc {:.2%}{} | {} "
            "(at most {} left)".format(epoch, config["epochs"], fit["loss"], fit["accuracy"], fit["grad_norm"],
                                      val["loss"], val["accuracy"], " (best so far, saved)" if improved else "",
                                      format_duration(seconds), format_duration(left)))

    run.remove(state["resume"])
    state.update(resume=None, finished=True)
    run.save_state(state)
    writer.close()
    session.close()
    log("finished {} after {} epochs in {}: best validation accuracy {:.2%} at epoch {}; weights in {}".format(
        run.name, state["epoch"], format_duration(state["train_seconds"]), state["best_val_accuracy"],
        state["best_epoch"], relpath(run.path)))
    return state
