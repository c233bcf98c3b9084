"""Test a trained configuration on the whole test set and record the result.

The graph is rebuilt from the run folder's config.json (never from a .meta
file, which would tie the checkpoint to one TensorFlow version), the best
checkpoint is restored after a shape check, and the result goes to
results/<config>.json, which the plots read. The headline is the accuracy
on the 10,000 test images. Models trained on crops, or any model when asked
(--crop_test), are also measured on a fixed randomly cropped copy of the
test set (data_loader.py), read as variable-length pixel streams; that
figure is then printed on a line of its own and recorded in the JSON. The
JSON also holds the run's curves (from log.csv: loss and accuracy per
epoch) and what trained and tested it (processor, TensorFlow, NumPy, Python).

A result file is rewritten only when what it records changes, so testing an
unchanged model leaves its files as they were.
"""
import os
import sys
import time

import numpy as np

import data_loader
from core import photos
from core.folders import training_pid
from core.runs import RunDir, check_trained
from core.common import RUNS_DIR, UserError, atomic_write_json, log, machine, read_json, relpath
from core.results import other_set_folder
from model import EVAL_BATCH_SIZE, Model, run_epoch
from core.tfcompat import TF_VERSION, session_config, tf

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


def comparison_with_weights(run, result):
    """For a run of your own of a configuration in weights/: that run's figure and its seeds' spread, to
    see whether yours agrees (same recipe, seed, TensorFlow and kind of processor: the same count, else one
    within the spread). None for the runs in weights/ themselves or other configurations."""
    from core import study
    from core.common import RESULTS_DIR, WEIGHTS_DIR
    record_path = os.path.join(RESULTS_DIR, run.name + ".json")
    if os.path.abspath(run.weights_dir) == os.path.abspath(WEIGHTS_DIR) or not os.path.isfile(record_path):
        return None
    try:
        record = read_json(record_path)
        if any(result["config"].get(k) != record["config"].get(k) for k in result["config"] if k != "seed"):
            return None  # trained another way: no comparison
        seeds = study.summary(record["model"], record["hidden_unit"]) if isinstance(record["hidden_unit"], int) \
            else None
        trained = record["trained_with"]
        how = ["seed {}".format(record["config"]["seed"])] + (
            ["TensorFlow " + trained["tensorflow"]] if trained.get("tensorflow") else []) + (
            [trained["machine"]["processor"]] if trained.get("machine", {}).get("processor") else [])
        text = "for comparison: weights/{} ({}) got {:,} ({:.2%})".format(
            run.name, ", ".join(how), record["test_correct"], record["test_accuracy"])
    except (UserError, KeyError, TypeError, AttributeError):
        return None  # a damaged file of weights/ is reported by the programs that read it; not here
    if seeds:
        text += "; its {} seeds: {:.2f} +- {:.2f}% ({:,}-{:,} correct)".format(
            seeds["n"], 100 * seeds["test_mean"], 100 * seeds["test_sd"], min(c for _, c, _, _ in seeds["seeds"]),
            max(c for _, c, _, _ in seeds["seeds"]))
    # Yours is named by what differs from the shipped run (seed, TensorFlow, processor): with nothing named, the
    # same count is expected.
    mine = result.get("trained_with") or {}
    theirs_processor = (trained.get("machine") or {}).get("processor")
    mine_processor = (mine.get("machine") or {}).get("processor")
    differs = []
    if result["config"].get("seed") != record["config"].get("seed"):
        differs.append("seed {}".format(result["config"].get("seed")))
    if mine.get("tensorflow") and mine["tensorflow"] != trained.get("tensorflow"):
        differs.append("TensorFlow " + mine["tensorflow"])
    if mine_processor and mine_processor != theirs_processor:
        differs.append(mine_processor)
    return text + "; yours: {:,}".format(result["test_correct"]) + (" ({})".format(", ".join(differs)) if differs
                                                                    else "")


def restore_best(run, session, saver, variables, state):
    """Restore the run's best checkpoint; while another process trains it, a better epoch can replace that
    checkpoint between reading state.json and reading the files, so state.json is read again (a few times).
    Returns the state whose checkpoint was restored."""
    for attempt in range(5):
        try:
            run.restore(session, saver, state["best"], variables)
            return state
        except UserError:
            if attempt == 4 or not training_pid(run.weights_dir, run.name):
                raise
            time.sleep(0.2)
            state = run.load_state()
    return state


def check_replaceable(path, old, name, test_set=None):
    """A result file is replaced only by a result of the same configuration on the same test set: one on another
    set never replaces an MNIST record (whatever link leads there), nor a test on MNIST another set's record."""
    if old is None:
        return
    if not isinstance(old, dict) or old.get("name") != name:
        raise UserError("{} is not a result of {}, so it is not replaced; move it away or give another "
                        "--results_dir".format(relpath(path), name))
    marked = old.get("test_set")  # absent on MNIST's records
    theirs = marked.get("sha256") if isinstance(marked, dict) else marked
    if theirs != (test_set or {}).get("sha256"):
        raise UserError("{} holds {}'s result on {}, so a result on {} does not replace it; give another "
                        "--results_dir".format(relpath(path), name, "another test set" if theirs else
                                               "MNIST's 10,000 test images", "another test set" if test_set else
                                               "MNIST's test set"))


def result_record(config):
    """A result file's "config": the architecture's options and the recipe, as core.config records them."""
    return dict(layers=list(config.arch.layers), bidirectional=config.arch.bidirectional,
                crop_augment=config.arch.crop_augment, **config.recipe.recorded())


def evaluate(arch, data_dir, weights_dir, results_dir, show_crops=False):
    run = RunDir(weights_dir, arch.name)
    config, state = check_trained(run, arch)
    if not state.get("finished"):
        pid = training_pid(weights_dir, run.name)
        log("note: {}: {}; testing its best checkpoint so far (epoch {})".format(
            run.name, "training is in progress (pid {})".format(pid) if pid else "training was interrupted",
            state["best_epoch"]))
    images, labels = data_loader.load_split(data_dir, "test")
    test_set = data_loader.test_set_of(data_dir)

    graph = tf.Graph()
    with graph.as_default():
        model = Model.of(config)(config)
        saver = tf.train.Saver(model.model_variables)
    with tf.Session(graph=graph, config=session_config()) as session:
        state = restore_best(run, session, saver, model.model_variables, state)
        started = time.time()
        stats = run_epoch(session, model, images, labels, EVAL_BATCH_SIZE)
        seconds = time.time() - started
        cropped = None
        if show_crops:  # the same test images as pixel streams of 21-28 steps, the same crops every time
            crops, crop_lengths = data_loader.random_crops(images, np.random.RandomState(data_loader.TEST_CROP_SEED))
            # A model trained without crops has no lengths input: it reads the zero padding as steps too.
            cropped = run_epoch(session, model, crops, labels, EVAL_BATCH_SIZE, lengths=crop_lengths)

    layers, trained = list(config.arch.layers), config.trained
    result = {
        "name": run.name, "model": config.arch.model, "hidden_unit": layers[0] if len(layers) == 1 else layers,
        "test_accuracy": stats["accuracy"], "test_correct": stats["correct"], "test_count": stats["count"],
        "test_loss": stats["loss"],
        "val_accuracy": state["best_val_accuracy"], "best_epoch": state["best_epoch"],
        "epochs_run": state["epoch"], "finished": state["finished"], "train_seconds": round(state["train_seconds"], 1),
        "parameters": trained.parameters,
        "trained_with": dict({"tensorflow": trained.tf_version, "python": trained.python_version},
                             **({"machine": trained.machine} if trained.machine else {})),
        "tested_with": {"tensorflow": TF_VERSION, "python": sys.version.split()[0], "machine": machine()},
        "history": run.curves(),
        "config": result_record(config),
    }
    if cropped is not None:
        result.update(crop_test_accuracy=cropped["accuracy"], crop_test_correct=cropped["correct"])
    if not test_set["standard"]:  # another test set: marked, and never filed over weights/' record of MNIST's
        result["test_set"] = {"count": test_set["count"], "sha256": test_set["sha256"]}
        results_dir = other_set_folder(results_dir, test_set)
        log("note: {} holds a test set other than MNIST's 10,000 images ({:,} images, SHA-256 {}...); its result "
            "goes to {}/, marked as such".format(relpath(data_dir), test_set["count"], test_set["sha256"][:12],
                                                 relpath(results_dir)))
    path = os.path.join(results_dir, run.name + ".json")
    old = read_json(path) if os.path.isfile(path) else None
    check_replaceable(path, old, run.name, result.get("test_set"))
    if same_result(old, result):
        where = "unchanged in {}".format(relpath(path))
    else:
        atomic_write_json(path, result)
        where = "written to {}".format(relpath(path))
    log("test accuracy of {} ({}): {:,} of {:,} {}images correct = {:.2%} ({:.1f}s); {}".format(
        run.name, relpath(run.path), stats["correct"], stats["count"], "" if test_set["standard"] else "other ",
        stats["accuracy"], seconds, where))
    log("the checkpoint tested is epoch {} of {}, chosen on validation: {:.2%} validation accuracy ({:.2%} "
        "validation error)".format(state["best_epoch"], state["epoch"], state["best_val_accuracy"],
                                  1 - state["best_val_accuracy"]))
    comparison = comparison_with_weights(run, result) if test_set["standard"] else None
    if comparison:
        log(comparison)
    if cropped is not None:
        log("on the randomly cropped test images, read as variable-length pixel streams: {:,} of {:,} correct "
            "({:.2%})".format(cropped["correct"], cropped["count"], cropped["accuracy"]))
    return result


EXPLAIN_DIR = os.path.join(RUNS_DIR, "explain")


def _explain(run, config, state, image, title, stem):
    from core import explain
    weights = explain.load_weights(run, state, config)
    trace, p = explain.read_rows(config.arch.model, weights, image[None])
    path = os.path.join(EXPLAIN_DIR, "{}_{}.png".format(run.name, stem))
    explain.figure(config.arch.model, image, {k: v[0] for k, v in trace.items()}, p[0], title, path)
    log("the cell reading it, row by row: {}".format(relpath(path)))
    return path


def explain_test_image(arch, data_dir, weights_dir, index):
    """--explain: the figure for test image `index`."""
    run = RunDir(weights_dir, arch.name)
    config, state = check_trained(run, arch)
    images, labels = data_loader.load_split(data_dir, "test")
    if not 0 <= index < len(images):  # another test set than MNIST's 10,000 images can be smaller
        raise UserError("--test_image={} is past the {:,} images of the test set in {}; give one from 0 to "
                        "{}".format(index, len(images), relpath(data_dir), len(images) - 1))
    return _explain(run, config, state, images[index], "{} reading test image {} (a {})".format(
        run.name, index, labels[index]), "test{}".format(index))


# --predict warns below this top probability: the model's reading is then a guess between digits.
UNSURE = 0.5


def figure_stems(paths):
    """A name per image for its --explain figure, distinct within one call: the file name with its extension
    (<name>.png and <name>.jpg are two images), and -2, -3 for the same name from other folders."""
    stems, used = [], set()
    for path in paths:
        stem = os.path.basename(path).replace(".", "_")
        if len(stem.encode("utf-8", "surrogateescape")) > 100:  # the figure's name must fit the file system's 255
            import hashlib  # bytes: a long name is cut, and a digest of it keeps two such names apart
            whole = stem.encode("utf-8", "surrogateescape")
            stem = whole[:80].decode("utf-8", "ignore") + "-" + hashlib.sha256(whole).hexdigest()[:8]
        name, n = stem, 1
        while name in used:
            n += 1
            name = "{}-{}".format(stem, n)
        used.add(name)
        stems.append(name)
    return stems


def predict(arch, paths, weights_dir, explain=False):
    """The trained configuration's digit for each image file (--predict): [(path, digit, 10 probabilities)]."""
    run = RunDir(weights_dir, arch.name)
    config, state = check_trained(run, arch)
    read = [photos.read_digit(p) for p in paths]
    images = np.stack([image for image, _ in read])  # N x [28, 28]
    graph = tf.Graph()
    with graph.as_default():
        model = Model.of(config)(config)
        probabilities = tf.nn.softmax(model.logits)
        saver = tf.train.Saver(model.model_variables)
    with tf.Session(graph=graph, config=session_config()) as session:
        run.restore(session, saver, state["best"], model.model_variables)
        feed = {model.images: images}
        if model.lengths is not None:
            feed[model.lengths] = np.full(len(images), 28, np.int32)  # whole images: every row is real
        p = session.run(probabilities, feed)
    answers = []
    for path, row, (_, doubts) in zip(paths, p, read):
        digit = int(row.argmax())
        if row[digit] < UNSURE:
            doubts = doubts + ["no digit above {:.0%}".format(UNSURE)]
        warning = "; warning: {}".format(", ".join(doubts)) if doubts else ""
        log("{}: {} ({:.1%}) by {}; all ten: {}{}".format(relpath(path), digit, row[digit], run.name, " ".join(
            "{}:{:.3f}".format(d, v) for d, v in enumerate(row)), warning))
        answers.append((path, digit, [float(v) for v in row]))
    if explain:
        for path, image, stem in zip(paths, images, figure_stems(paths)):
            _explain(run, config, state, image, "{} reading {}".format(run.name, os.path.basename(path)), stem)
    return answers
