"""Test a trained configuration on the whole test set and record the result.

The graph is rebuilt from weights/<config>/config.json (never from a .meta
file, which would tie the checkpoint to one TensorFlow version), the best
checkpoint is restored after a shape check, and the result goes to
results/<config>.json for plots and the report.
"""
import datetime
import os
import sys
import time

import data_loader
from checkpoint import RunDir
from common import UserError, atomic_write_json, config_name, log, relpath
from model import EVAL_BATCH_SIZE, Model, run_epoch, session_config
from tfcompat import TF_VERSION, tf



def check_trained(run, model, hidden_unit):
    """Return (config, state) of a finished run or raise a UserError that says what to do."""
    train_cmd = "python main.py --model={} --train --hidden_unit={}".format(model, hidden_unit)
    config, state = run.load_config(), run.load_state()
    if config is None or state is None or not state.get("best"):
        raise UserError("no trained weights for {} in {}; train them with: {} (or fetch the shipped weights with "
                        "python download_weights.py)".format(run.name, relpath(run.path), train_cmd))
    if (config.get("model"), config.get("hidden_unit")) != (model, hidden_unit):
        raise UserError("{} holds weights of model={} hidden_unit={}, not model={} hidden_unit={}; the folder "
                        "was renamed or copied by hand; retrain with: {}".format(
                            relpath(run.path), config.get("model"), config.get("hidden_unit"), model,
                            hidden_unit, train_cmd))
    if not state.get("finished"):
        log("note: training of {} was interrupted; testing its best checkpoint so far (epoch {})".format(
            run.name, state["best_epoch"]))
    return config, state


def evaluate(model_name, hidden_unit, data_dir, weights_dir, results_dir):
    run = RunDir(weights_dir, config_name(model_name, hidden_unit))
    config, state = check_trained(run, model_name, hidden_unit)
    images, labels = data_loader.load_split(data_dir, "test")

    graph = tf.Graph()
    with graph.as_default():
        model = Model(config)
        saver = tf.train.Saver(model.model_variables)
    with tf.Session(graph=graph, config=session_config()) as session:
        run.restore(session, saver, state["best"], model.model_variables)
        started = time.time()
        stats = run_epoch(session, model, images, labels, EVAL_BATCH_SIZE)
        seconds = time.time() - started

    result = {
        "name": run.name, "model": config["model"], "hidden_unit": config["hidden_unit"],
        "test_accuracy": stats["accuracy"], "test_correct": stats["correct"], "test_count": stats["count"],
        "test_loss": stats["loss"], "test_seconds": round(seconds, 2),
        "val_accuracy": state["best_val_accuracy"], "best_epoch": state["best_epoch"],
        "epochs_run": state["epoch"], "finished": state["finished"], "train_seconds": round(state["train_seconds"], 1),
        "parameters": config["parameters"], "trained_with": {"tensorflow": config["tf_version"],
                                                             "python": config["python_version"]},
        "tested_with": {"tensorflow": TF_VERSION, "python": sys.version.split()[0]},
        "config": {k: config[k] for k in ("learning_rate", "lr_decay", "batch_size", "clip_norm", "epochs", "patience",
                                          "seed", "validation_size", "train_examples")},
        "tested_at": datetime.datetime.now().isoformat(timespec="seconds"),
    }
    path = os.path.join(results_dir, run.name + ".json")
    atomic_write_json(path, result)
    log("test accuracy of {}: {:,} of {:,} images correct = {:.2%} ({:.1f}s); written to {}".format(
        run.name, stats["correct"], stats["count"], stats["accuracy"], seconds, relpath(path)))
    return result
