"""Test a trained configuration on the whole test set and record the result.

The graph is rebuilt from weights/<config>/config.json (never from a .meta
file, which would tie the checkpoint to one TensorFlow version), the best
checkpoint is restored after a shape check, and the result goes to
results/<config>.json for plots and the report. Every model is also measured
on a fixed randomly cropped copy of the test set (augment.py), read as
variable-length pixel streams.
"""
import datetime
import os
import sys
import time

import numpy as np

import augment
import data_loader
from checkpoint import RunDir
from common import UserError, atomic_write_json, log, main_command, relpath
from model import EVAL_BATCH_SIZE, Model, graph_options, run_epoch, session_config
from tfcompat import TF_VERSION, tf


def check_trained(run, spec):
    """Return (config, state) of a finished run or raise a UserError that says what to do."""
    train_cmd = main_command(spec, "train")
    config, state = run.load_config(), run.load_state()
    if config is None or state is None or not state.get("best"):
        raise UserError("no trained weights for {} in {}; train them with: {} (or fetch the shipped weights with "
                        "python download_weights.py)".format(run.name, relpath(run.path), train_cmd))
    found, wanted = dict(graph_options(config), model=config.get("model")), dict(graph_options(spec), model=spec["model"])
    if found != wanted:
        differ = ", ".join("{}={} (flags: {})".format(k, found[k], wanted[k]) for k in sorted(found) if found[k] != wanted[k])
        raise UserError("{} holds weights of another configuration: {}; the folder was renamed or copied by hand; "
                        "retrain with: {}".format(relpath(run.path), differ, train_cmd))
    if not state.get("finished"):
        log("note: training of {} was interrupted; testing its best checkpoint so far (epoch {})".format(
            run.name, state["best_epoch"]))
    return config, state


def evaluate(spec, data_dir, weights_dir, results_dir):
    run = RunDir(weights_dir, spec["name"])
    config, state = check_trained(run, spec)
    images, labels = data_loader.load_split(data_dir, "test")
    # The same test images as variable-length pixel streams (augment.py), the same crops every time.
    crops, crop_lengths = augment.random_crops(images, np.random.RandomState(augment.TEST_CROP_SEED))

    graph = tf.Graph()
    with graph.as_default():
        model = Model(config)
        saver = tf.train.Saver(model.model_variables)
    with tf.Session(graph=graph, config=session_config()) as session:
        run.restore(session, saver, state["best"], model.model_variables)
        started = time.time()
        stats = run_epoch(session, model, images, labels, EVAL_BATCH_SIZE)
        seconds = time.time() - started
        # A model trained without crops has no lengths input: it reads the zero padding too.
        cropped = run_epoch(session, model, crops, labels, EVAL_BATCH_SIZE, lengths=crop_lengths)

    result = {
        "name": run.name, "model": config["model"], "hidden_unit": config["hidden_unit"],
        "test_accuracy": stats["accuracy"], "test_correct": stats["correct"], "test_count": stats["count"],
        "test_loss": stats["loss"], "test_seconds": round(seconds, 2),
        "crop_test_accuracy": cropped["accuracy"], "crop_test_correct": cropped["correct"],
        "val_accuracy": state["best_val_accuracy"], "best_epoch": state["best_epoch"],
        "epochs_run": state["epoch"], "finished": state["finished"], "train_seconds": round(state["train_seconds"], 1),
        "parameters": config["parameters"], "trained_with": {"tensorflow": config["tf_version"],
                                                             "python": config["python_version"]},
        "tested_with": {"tensorflow": TF_VERSION, "python": sys.version.split()[0]},
        "config": dict({k: config[k] for k in ("learning_rate", "lr_decay", "batch_size", "clip_norm", "epochs",
                                               "patience", "seed", "validation_size", "train_examples")},
                       **graph_options(config)),
        "tested_at": datetime.datetime.now().isoformat(timespec="seconds"),
    }
    path = os.path.join(results_dir, run.name + ".json")
    atomic_write_json(path, result)
    log("test accuracy of {}: {:,} of {:,} images correct = {:.2%} ({:.1f}s); on randomly cropped test images "
        "{:.2%}; written to {}".format(run.name, stats["correct"], stats["count"], stats["accuracy"], seconds,
                                       cropped["accuracy"], relpath(path)))
    return result
