"""Training with validation every epoch, best-checkpoint keeping and resume; `train` is the loop, top to bottom.

Schedules (--schedule): exponential (the rate times --lr_decay each epoch, early stopping after --patience
epochs without a better validation accuracy) or a fixed budget of --epochs (cosine or linear decay to zero after
--warmup, made in the graph per step; no early stopping). Either way the best-validation checkpoint is kept.

Resume rule: if the configuration's folder holds an unfinished run with the
same training settings, `--train` continues it from its last finished epoch
(the per-epoch shuffles, --augment distortions and --crop_augment crops come
from seed+epoch, and dropout masks from seed+step, so a resumed run sees the same data as an
uninterrupted one). Any other run with a finished epoch stays where it is
while the new one trains in <config>.new/; after the new run's first epoch
the old one moves to <config>.previous-<time>/ (core/runs.py). Nothing with
a finished epoch is ever deleted.

Per epoch: one line of log, a row of <weights_dir>/<config>/log.csv (runs/ by default; loss,
accuracy, the gradient's global norm before clipping) and the same numbers
as TensorBoard scalars in logs/<config>/.
"""
import csv
import dataclasses
import datetime
import io
import os
import sys
import time

import numpy as np

import data_loader
from core import augment
from core.folders import promote, training_lock
from core.runs import LOG_FIELDS, open_for_training, tf_error_reason
from core.common import UserError, atomic_write_bytes, format_duration, is_tty, log, machine, relpath
from core.config import Trained
from model import EVAL_BATCH_SIZE, Diverged, Model, run_epoch
from core.tfcompat import TF_VERSION, session_config, tf



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


def _summary(values):
    """Scalars for TensorBoard as a Summary protocol buffer (no summary ops in the graph needed)."""
    return tf.Summary(value=[tf.Summary.Value(tag=tag, simple_value=float(v)) for tag, v in sorted(values.items())])


def epoch_seed(config, epoch, stream=0):
    """The seed of one epoch's shuffle (stream 0), crops (1) or distortions (2): any --seed, in NumPy's range."""
    return (config.recipe.seed * 100003 + epoch + 50000 * stream) % 2 ** 32


def _load_data(config, data_dir):
    images, labels = data_loader.load_split(data_dir, "train")
    (train_x, train_y), val = data_loader.train_validation_split(images, labels, config.recipe.validation_size,
                                                                 config.recipe.validation_split)
    if config.recipe.train_examples:
        train_x, train_y = train_x[:config.recipe.train_examples], train_y[:config.recipe.train_examples]
    if len(train_x) < config.recipe.batch_size:
        raise UserError("the training set has {} images, fewer than one batch (--batch_size={})".format(
            len(train_x), config.recipe.batch_size))
    return (train_x, train_y), val


class Trainer(object):
    """The training graph, its session and savers, for one run."""

    def __init__(self, config, logs_dir, n_train):
        graph = tf.Graph()
        with graph.as_default():
            tf.set_random_seed(config.recipe.seed)
            kind = Model.of(config)
            self.model = kind(config, training=True, batch_size=config.recipe.batch_size,
                              steps_per_epoch=n_train // config.recipe.batch_size)  # whole batches only
            self.eval_model = kind(config)  # the same variables, for validation batches of any size
            self.best_saver = tf.train.Saver(self.model.model_variables, max_to_keep=None)
            self.all_variables = tf.global_variables()  # with Adam's slots and the step counter
            self.resume_saver = tf.train.Saver(self.all_variables, max_to_keep=None)
            self.init = tf.global_variables_initializer()
        self.session = tf.Session(graph=graph, config=session_config(self.model.towers))
        # TensorBoard: the graph and per-epoch curves, in logs/<config>/ (`tensorboard --logdir logs`).
        folder = os.path.join(logs_dir, config.name)
        try:
            self.writer = tf.summary.FileWriter(folder, graph)
        except Exception as e:  # TensorFlow's errors: a file where the folder should be, no permission
            self.session.close()
            raise UserError("cannot write TensorBoard files in {} ({}); point --logs_dir at a folder you can "
                            "write".format(relpath(folder), tf_error_reason(e)))

    def summarize(self, values, epoch):
        """Per-epoch TensorBoard scalars. They are a view of log.csv, so a failure (a full disk) only stops them."""
        if self.writer is None:
            return
        try:
            self.writer.add_summary(_summary(values), epoch)
            self.writer.flush()
        except Exception as e:
            log("note: TensorBoard files can no longer be written ({}); training goes on, log.csv has the same "
                "numbers".format(tf_error_reason(e)))
            self.writer = None

    def close(self):
        if self.writer is not None:
            try:
                self.writer.close()
            except Exception:
                pass  # reported by summarize already
        self.session.close()


def _start(trainer, run, config, state, rows, n_train, n_val):
    """Restore the run to resume (its log `rows` read and checked already), or initialise a new one; returns
    (config, state, log rows)."""
    if state:
        run.restore(trainer.session, trainer.resume_saver, state["resume"], trainer.all_variables)
        log("resuming {} after epoch {} (best so far: {:.2%} validation accuracy at epoch {})".format(
            run.name, state["epoch"], state["best_val_accuracy"], state["best_epoch"]))
        stored = run.load_config()
        if stored.recipe != config.recipe:  # only --epochs and --patience may change on resume
            stored = dataclasses.replace(stored, recipe=config.recipe)
            run.save_config(stored)
        return stored, state, rows
    trainer.session.run(trainer.init)
    config = config.with_trained(Trained(trainer.model.num_parameters(), TF_VERSION, sys.version.split()[0],
                                         machine()))
    os.makedirs(run.path, exist_ok=True)
    run.save_config(config)
    r = config.recipe
    plan = ("a fixed budget of {} epochs, {} decay to zero after {:g} warm-up epochs".format(r.epochs, r.schedule,
                                                                                          r.warmup)
            if r.budget else "up to {} epochs, early stop after {} without improvement".format(r.epochs, r.patience))
    log("training {} ({} parameters) on {} images, validating on {}; {}".format(
        run.name, config.trained.parameters, n_train, n_val, plan))
    state = {"epoch": 0, "best_epoch": 0, "best_val_accuracy": -1.0, "best": None, "resume": None,
             "finished": False, "train_seconds": 0.0}
    return config, state, []


def _epoch_images(config, epoch, train_x, distorted):
    """The epoch's training images (its distorted copy with --augment, made while the last epoch trained) and,
    with --crop_augment, its random crops' lengths (from the epoch's own seed)."""
    images, lengths = train_x, None
    if distorted is not None:
        try:
            images = distorted.epoch(epoch, config.recipe.epochs)
        except augment.WorkerStopped as e:
            raise UserError("{} in epoch {}; run the same command again to resume from the last finished "
                            "epoch".format(e, epoch))
    if config.arch.crop_augment:
        images, lengths = data_loader.random_crops(images, np.random.RandomState(epoch_seed(config, epoch, 1)))
    return images, lengths


def _distortions(config, train_x):
    """With --augment, the worker process that distorts the next epoch's images while this one trains."""
    if not config.recipe.augment:
        return None
    try:
        return augment.Prefetch(train_x, config.recipe.augment, lambda e: epoch_seed(config, e, 2))
    except augment.WorkerStopped as e:
        raise UserError("{}; run the same command again".format(e))


def _diverged(config, epoch, state, error, during):
    r = config.recipe
    kept = ("the best checkpoint so far (epoch {}) is kept".format(state["best_epoch"]) if state["best"] else
            "no checkpoint was written")
    return UserError("training diverged in epoch {} ({}): {}; lower --learning_rate (now {:g}), --lr_decay (now {:g}) "
                     "or --l2 (now {:g}), or --clip_norm; {}".format(epoch, during, error, r.learning_rate, r.lr_decay,
                                                                     r.l2, kept))


def _log_row(epoch, learning_rate, fit, val, seconds, improved):
    return {"epoch": epoch, "time": datetime.datetime.now().isoformat(timespec="seconds"),
            "learning_rate": "{:.6g}".format(learning_rate),
            "train_loss": "{:.5f}".format(fit["loss"]), "train_accuracy": "{:.5f}".format(fit["accuracy"]),
            "val_loss": "{:.5f}".format(val["loss"]), "val_accuracy": "{:.5f}".format(val["accuracy"]),
            "grad_norm": "{:.4f}".format(fit["grad_norm"]), "grad_norm_max": "{:.4f}".format(fit["grad_norm_max"]),
            "seconds": "{:.1f}".format(seconds), "best": int(improved)}


def _save_epoch(trainer, run, state, epoch, improved):
    """Write the epoch's checkpoints, then state.json (the commit point), then delete the superseded files."""
    superseded = [state["resume"]] + ([state["best"]] if improved else [])
    if improved:
        state.update(best=run.save(trainer.session, trainer.best_saver, "best-{}".format(epoch)))
    state["resume"] = run.save(trainer.session, trainer.resume_saver, "resume-{}".format(epoch))
    run.save_state(state)  # only now do the new files count
    for prefix in superseded:
        run.remove(prefix)


def train(config, data_dir, weights_dir, logs_dir):
    """Train (or resume) one configuration: the loop, top to bottom; returns the run's final state."""
    (train_x, train_y), (val_x, val_y) = _load_data(config, data_dir)
    with training_lock(weights_dir, config.name):
        run, replaces, state = open_for_training(weights_dir, config)
        rows = run.read_log(state["epoch"]) if state else []  # a damaged log stops a resume before any write
        trainer, distorted = Trainer(config, logs_dir, len(train_x)), None
        try:
            config, state, rows = _start(trainer, run, config, state, rows, len(train_x), len(val_x))
            recipe, model = config.recipe, trainer.model
            distorted = _distortions(config, train_x)
            epoch_times = []
            for epoch in range(state["epoch"] + 1, recipe.epochs + 1):
                if not recipe.budget and state["epoch"] - state["best_epoch"] >= recipe.patience:
                    log("stopping early: no better validation accuracy for {} epochs".format(recipe.patience))
                    break
                started = time.time()
                # The rate: the epoch's own (exponential), or the peak the graph's schedule works from.
                model.set_learning_rate(trainer.session, recipe.learning_rate if recipe.budget else
                                        recipe.learning_rate * recipe.lr_decay ** (epoch - 1))
                learning_rate = float(trainer.session.run(model.rate))  # the epoch's first step's, for the log
                images, lengths = _epoch_images(config, epoch, train_x, distorted)
                order = np.random.RandomState(epoch_seed(config, epoch)).permutation(len(train_x))
                bar = ProgressBar("epoch {}/{}".format(epoch, recipe.epochs))
                try:
                    fit = run_epoch(trainer.session, model, images, train_y, recipe.batch_size, train=True,
                                    order=order, on_batch=bar, lengths=lengths)
                except Diverged as e:
                    raise _diverged(config, epoch, state, e, "training")
                finally:
                    bar.close()
                try:
                    val = run_epoch(trainer.session, trainer.eval_model, val_x, val_y, EVAL_BATCH_SIZE)
                except Diverged as e:
                    raise _diverged(config, epoch, state, e, "validation")
                improved = val["accuracy"] > state["best_val_accuracy"]
                if improved:
                    state.update(best_epoch=epoch, best_val_accuracy=val["accuracy"])
                seconds = time.time() - started
                epoch_times.append(seconds)
                state.update(epoch=epoch, train_seconds=state["train_seconds"] + seconds)
                rows.append(_log_row(epoch, learning_rate, fit, val, seconds, improved))
                _write_log(run, rows)
                trainer.summarize({
                    "train/loss": fit["loss"], "train/accuracy": fit["accuracy"], "train/grad_norm": fit["grad_norm"],
                    "train/grad_norm_max": fit["grad_norm_max"], "train/learning_rate": learning_rate,
                    "validation/loss": val["loss"], "validation/accuracy": val["accuracy"]}, epoch)
                _save_epoch(trainer, run, state, epoch, improved)
                if replaces is not None:  # the new run has a finished epoch: now it may take the old one's place
                    run, replaces = promote(run, replaces), None
                left = format_duration(np.mean(epoch_times) * (recipe.epochs - epoch))
                log("epoch {}/{}: train loss {:.4f} acc {:.2%} grad norm {:.2f} | validation loss {:.4f} acc {:.2%}{} "
                    "| {} ({} left)".format(epoch, recipe.epochs, fit["loss"], fit["accuracy"], fit["grad_norm"],
                                            val["loss"], val["accuracy"], " (best so far, saved)" if improved else "",
                                            format_duration(seconds), left if recipe.budget else "at most " + left))
            _finish(run, state)
            return state
        except BaseException:
            if os.path.isdir(run.path) and not run.holds_progress():
                run.clear()  # failed before its first epoch: leave no trace (an older run stays as it was)
            raise
        finally:
            if distorted is not None:
                distorted.close()
            trainer.close()


def _finish(run, state):
    """Mark the run finished (the commit point), then delete its resume checkpoint."""
    last_resume = state["resume"]
    state.update(resume=None, finished=True)
    run.save_state(state)  # finished first: a kill after this leaves a finished run, before it a resumable one
    run.remove(last_resume)
    log("finished {} after {} epochs in {}: best validation accuracy {:.2%} at epoch {}; weights in {}".format(
        run.name, state["epoch"], format_duration(state["train_seconds"]), state["best_val_accuracy"],
        state["best_epoch"], relpath(run.path)))
