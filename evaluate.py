"""Test a trained configuration on the whole test set and record the result.

The graph is rebuilt from weights/<config>/config.json (never from a .meta
file, which would tie the checkpoint to one TensorFlow version), the best
checkpoint is restored after a shape check, and the result goes to
results/<config>.json for plots and the report. The headline is the accuracy
on the 10,000 test images. Every model is also measured on a fixed randomly
cropped copy of the test set (data_loader.py), read as variable-length pixel
streams; that figure is recorded in the JSON and printed, on a line of its
own, for models trained on crops or when asked (--crop_test).

A result file is rewritten only when what it records changes, so testing an
unchanged model leaves a git checkout clean.
"""
import os
import sys
import time

import numpy as np

import data_loader
from helpers.checkpoint import RunDir, check_trained
from helpers.common import RUNS_DIR, atomic_write_json, log, read_json, relpath
from helpers.configuration import graph_options, layer_sizes, regularisers
from model import EVAL_BATCH_SIZE, Model, run_epoch, session_config
from helpers.tfcompat import TF_VERSION, tf

# Facts of one testing run, not of the model: they do not make a result file "changed".
# (TF 1.5 and 2.x sum the loss in different orders, so its last digits differ.)
RUN_FACTS = ("tested_with",)
LOSS_TOLERANCE = 1e-5


def same_result(old, new):
    """Whether `new` records the same as `old`, apart from the testing run's own facts."""
    if not isinstance(old, dict) or set(old) != set(new):
        return False
    for key in new:
        if key in RUN_FACTS:
            continue
        if key.endswith("_loss"):
            if not isinstance(old[key], float) or abs(old[key] - new[key]) > LOSS_TOLERANCE:
                return False
        elif old[key] != new[key]:
            return False
    return True


def evaluate(spec, data_dir, weights_dir, results_dir, show_crops=False):
    run = RunDir(weights_dir, spec["name"])
    config, state = check_trained(run, spec)
    if not state.get("finished"):
        log("note: training of {} was interrupted; testing its best checkpoint so far (epoch {})".format(
            run.name, state["best_epoch"]))
    images, labels = data_loader.load_split(data_dir, "test")
    # The same test images as variable-length pixel streams (data_loader.py), the same crops every time.
    crops, crop_lengths = data_loader.random_crops(images, np.random.RandomState(data_loader.TEST_CROP_SEED))

    graph = tf.Graph()
    with graph.as_default():
        model = Model(config)
        saver = tf.train.Saver(model.model_variables)
    with tf.Session(graph=graph, config=session_config()) as session:
        run.restore(session, saver, state["best"], model.model_variables)
        started = time.time()
        stats = run_epoch(session, model, images, labels, EVAL_BATCH_SIZE)
        seconds = time.time() - started
        # A model trained without crops has no lengths input: it reads the zero padding as steps too.
        cropped = run_epoch(session, model, crops, labels, EVAL_BATCH_SIZE, lengths=crop_lengths)

    layers = layer_sizes(config)
    result = {
        "name": run.name, "model": config["model"], "hidden_unit": layers[0] if len(layers) == 1 else layers,
        "test_accuracy": stats["accuracy"], "test_correct": stats["correct"], "test_count": stats["count"],
        "test_loss": stats["loss"],
        "crop_test_accuracy": cropped["accuracy"], "crop_test_correct": cropped["correct"],
        "val_accuracy": state["best_val_accuracy"], "best_epoch": state["best_epoch"],
        "epochs_run": state["epoch"], "finished": state["finished"], "train_seconds": round(state["train_seconds"], 1),
        "parameters": config["parameters"], "trained_with": {"tensorflow": config["tf_version"],
                                                             "python": config["python_version"]},
        "tested_with": {"tensorflow": TF_VERSION, "python": sys.version.split()[0]},
        "config": dict({k: config[k] for k in ("learning_rate", "lr_decay", "batch_size", "clip_norm", "epochs",
                                               "patience", "seed", "validation_size", "train_examples")},
                       **dict(graph_options(config), **regularisers(config))),
    }
    path = os.path.join(results_dir, run.name + ".json")
    old = read_json(path) if os.path.isfile(path) else None
    if same_result(old, result):
        where = "unchanged in {}".format(relpath(path))
    else:
        atomic_write_json(path, result)
        where = "written to {}".format(relpath(path))
    log("test accuracy of {} ({}): {:,} of {:,} images correct = {:.2%} ({:.1f}s); {}".format(
        run.name, relpath(run.path), stats["correct"], stats["count"], stats["accuracy"], seconds, where))
    if show_crops:
        log("on the randomly cropped test images, read as variable-length pixel streams: {:,} of {:,} correct "
            "({:.2%})".format(cropped["correct"], cropped["count"], cropped["accuracy"]))
    return result


EXPLAIN_DIR = os.path.join(RUNS_DIR, "explain")


def _explain(run, config, state, image, title, stem):
    from helpers import explain
    weights = explain.load_weights(run, state, config)
    trace, p = explain.read_rows(config["model"], weights, image[None])
    path = os.path.join(EXPLAIN_DIR, "{}_{}.png".format(run.name, stem))
    explain.figure(config["model"], image, {k: v[0] for k, v in trace.items()}, p[0], title, path)
    log("the cell reading it, row by row: {}".format(relpath(path)))
    return path


def explain_test_image(spec, data_dir, weights_dir, index):
    """--explain: the figure for test image `index`."""
    run = RunDir(weights_dir, spec["name"])
    config, state = check_trained(run, spec)
    images, labels = data_loader.load_split(data_dir, "test")
    return _explain(run, config, state, images[index], "{} reading test image {} (a {})".format(
        run.name, index, labels[index]), "test{}".format(index))


def predict(spec, paths, weights_dir, explain=False):
    """The trained configuration's digit for each image file (--predict): [(path, digit, 10 probabilities)]."""
    run = RunDir(weights_dir, spec["name"])
    config, state = check_trained(run, spec)
    images = np.stack([data_loader.load_digit_image(p) for p in paths])  # N x [28, 28]
    graph = tf.Graph()
    with graph.as_default():
        model = Model(config)
        probabilities = tf.nn.softmax(model.logits)
        saver = tf.train.Saver(model.model_variables)
    with tf.Session(graph=graph, config=session_config()) as session:
        run.restore(session, saver, state["best"], model.model_variables)
        feed = {model.images: images}
        if model.lengths is not None:
            feed[model.lengths] = np.full(len(images), 28, np.int32)  # whole images: every row is real
        p = session.run(probabilities, feed)
    answers = []
    for path, row in zip(paths, p):
        digit = int(row.argmax())
        log("{}: {} ({:.1%}) by {}; all ten: {}".format(relpath(path), digit, row[digit], run.name, " ".join(
            "{}:{:.3f}".format(d, v) for d, v in enumerate(row))))
        answers.append((path, digit, [float(v) for v in row]))
    if explain:
        for path, image in zip(paths, images):
            stem = os.path.splitext(os.path.basename(path))[0]
            _explain(run, config, state, image, "{} reading {}".format(run.name, os.path.basename(path)), stem)
    return answers
