"""One folder per configuration, weights/<config>/ or runs/<config>/, and the rules for changing it.

    config.json    how the model was built and trained (all --test needs)
    state.json     progress: epochs done, best epoch, which checkpoints are current
    log.csv        one row per epoch
    best-<epoch>.*      model variables of the best epoch by validation accuracy
    resume-<epoch>.*    everything (incl. Adam's slots) after the last finished
                        epoch, while training is unfinished; removed at the end

Checkpoint files get a new name every time and state.json is replaced
atomically afterwards, so a kill at any moment leaves a consistent folder.
A new run beside an existing one trains in <config>.new/ and takes the
folder's place only after its first finished epoch (the old run then moves
to <config>.previous-<time>/); one process at a time trains a folder
(core/folders.py's `training_lock` and `swap_in`).
"""
import glob
import os
import re

from core.common import WEIGHTS_DIR, UserError, atomic_write_json, log, read_json, relpath
from core.config import Arch, Config, ConfigError, whole
from core.folders import aside_name, promote

# log.csv's columns, a row per epoch (train.py writes them).
LOG_FIELDS = ("epoch", "time", "learning_rate", "train_loss", "train_accuracy", "val_loss", "val_accuracy",
              "grad_norm", "grad_norm_max", "seconds", "best")
STATE_KEYS = ("epoch", "best_epoch", "best_val_accuracy", "best", "resume", "finished", "train_seconds")
# The files of a finished run, as weights/ holds them (and its manifest lists them).
RUN_FILE = re.compile(r"^(config\.json|state\.json|log\.csv|best-\d+\.(index|data-\d+-of-\d+))$")
OUR_FILE = re.compile(r"^(config\.json|state\.json|log\.csv|(best|resume)-\d+\.(index|data-\d+-of-\d+)|\.tmp-.*)$")


# What TensorFlow's file errors mean, in the words of the operating system (its messages bury them).
OS_REASONS = ("No space left on device", "Permission denied", "Read-only file system", "Not a directory",
              "Is a directory", "Disk quota exceeded")


def tf_error_reason(error):
    """The line of a TensorFlow error worth printing: the OS reason if there is one, else its first line."""
    text = str(error)
    return next((r for r in OS_REASONS if r.lower() in text.lower()), text.strip().splitlines()[0] if text else "?")


MAX_EPOCH = 100000
CHECKPOINT = re.compile(r"^(best|resume)-(\d{1,6})$")


def _state_problem(state):
    """What is wrong with a state.json's object, or None."""
    if not isinstance(state, dict):
        return "it holds {} where an object belongs".format(type(state).__name__)
    missing = [k for k in STATE_KEYS if k not in state]
    if missing:
        return "it has no '{}'".format("', '".join(missing))
    for key in ("epoch", "best_epoch"):
        if not (whole(state[key]) and 0 <= state[key] <= MAX_EPOCH):
            return "'{}' is {!r}, not a whole number of epochs from 0 to {}".format(key, state[key], MAX_EPOCH)
    if state["best_epoch"] > state["epoch"]:
        return "'best_epoch' {} is after 'epoch' {}".format(state["best_epoch"], state["epoch"])
    accuracy = state["best_val_accuracy"]
    if not (isinstance(accuracy, (int, float)) and not isinstance(accuracy, bool) and -1 <= accuracy <= 1):
        return "'best_val_accuracy' is {!r}, not a fraction".format(accuracy)
    seconds = state["train_seconds"]
    if not (isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and 0 <= seconds < 1e9):
        return "'train_seconds' is {!r}, not a duration".format(seconds)
    if not isinstance(state["finished"], bool):
        return "'finished' is {!r}, not true or false".format(state["finished"])
    for key, kind, epoch in (("best", "best", state["best_epoch"]), ("resume", "resume", state["epoch"])):
        name = state[key]
        if name is None:
            continue
        match = CHECKPOINT.match(name) if isinstance(name, str) else None
        if not match or match.group(1) != kind or int(match.group(2)) != epoch:
            return "'{}' is {!r}, not {}-{} (the checkpoint of that epoch in this folder)".format(key, name, kind,
                                                                                                epoch)
    return None


class RunDir(object):
    def __init__(self, weights_dir, name, folder=None):
        self.name = name
        self.weights_dir = weights_dir
        self.path = os.path.join(weights_dir, folder or name)
        self.config_path = os.path.join(self.path, "config.json")
        self.state_path = os.path.join(self.path, "state.json")
        self.log_path = os.path.join(self.path, "log.csv")

    def load_config(self):
        """The run's Config, checked (None before training wrote it); a damaged file is one UserError."""
        if not os.path.isfile(self.config_path):
            return None
        try:
            return Config.from_json(read_json(self.config_path))
        except ConfigError as e:
            raise UserError("{} is not a configuration this program wrote ({}); delete the folder or restore "
                            "it".format(relpath(self.config_path), e))

    def load_state(self):
        """The run's progress (None before its first epoch), every field checked before anything acts on it:
        checkpoint names are this folder's own pattern (best-<n>, resume-<n>), never paths."""
        if not os.path.isfile(self.state_path):
            return None
        state = read_json(self.state_path)
        problem = _state_problem(state)
        if problem:
            raise UserError("{} is not a training state this program wrote ({}); delete the folder or restore "
                            "it".format(relpath(self.state_path), problem))
        return state

    def read_log(self, upto_epoch=None):
        """log.csv's rows as written (strings), checked: its header, epochs 1, 2, ... in order, a number in every
        numeric field; with upto_epoch, exactly the epochs 1 to upto_epoch (a resumed run must find them all)."""
        import csv
        import io
        import math
        if not os.path.isfile(self.log_path):
            rows = []
        else:
            damaged = "{} is damaged ({}); restore it or train the configuration again"
            try:
                with open(self.log_path, "rb") as f:
                    text = f.read()
                try:
                    text = text.decode("utf-8")
                except UnicodeDecodeError as e:
                    raise ValueError("it is not UTF-8 text: byte {} is 0x{:02x}".format(e.start, text[e.start]))
                if text and not text.endswith("\n"):  # train.py writes whole files, each row ending in a newline
                    raise ValueError("its last row is cut off")
                reader = csv.DictReader(io.StringIO(text, newline=""))
                if reader.fieldnames is not None and list(reader.fieldnames[:len(LOG_FIELDS)]) != list(LOG_FIELDS):
                    raise ValueError("its header is not {}".format(",".join(LOG_FIELDS)))
                rows = list(reader)
                for number, row in enumerate(rows, 1):
                    if row.get("epoch") != str(number):
                        raise ValueError("row {} is epoch {!r}, not {}".format(number, row.get("epoch"), number))
                    if None in row or None in row.values():
                        raise ValueError("row {} has {} fields than the header".format(
                            number, "more" if None in row else "fewer"))
                    for key in LOG_FIELDS[2:]:
                        value = float(row[key])  # a ValueError names the value
                        if not math.isfinite(value) or key.endswith("accuracy") and not 0 <= value <= 1:
                            raise ValueError("row {}'s {} is {}".format(number, key, row[key]))
            except (KeyError, ValueError, TypeError, UnicodeDecodeError, csv.Error) as e:
                raise UserError(damaged.format(relpath(self.log_path), str(e).splitlines()[0] if str(e) else
                                               type(e).__name__))
        if upto_epoch is not None:
            rows = rows[:upto_epoch]
            if len(rows) != upto_epoch:
                raise UserError("{} has {} epochs but state.json says {} finished; restore log.csv, or delete the "
                                "folder and train again".format(relpath(self.log_path), len(rows), upto_epoch))
        return rows

    def curves(self):
        """Loss and accuracy per epoch from log.csv, as floats ([] if there is none yet)."""
        keys = ("train_loss", "train_accuracy", "val_loss", "val_accuracy")
        return [dict({"epoch": int(row["epoch"])}, **{k: float(row[k]) for k in keys}) for row in self.read_log()]

    def holds_progress(self):
        """Whether the folder holds at least one finished epoch (anything worth keeping)."""
        state = self.load_state() if os.path.isdir(self.path) else None
        return bool(state and state["epoch"] >= 1)

    def save_config(self, config):
        atomic_write_json(self.config_path, config.to_json())

    def save_state(self, state):
        atomic_write_json(self.state_path, state)

    def save(self, session, saver, prefix):
        """Write checkpoint files <prefix>.index/.data-* and return the prefix."""
        os.makedirs(self.path, exist_ok=True)
        try:
            saver.save(session, os.path.join(self.path, prefix), write_meta_graph=False, write_state=False)
        except Exception as e:  # TensorFlow's own errors (a full disk, a read-only folder), not OSError
            for path in glob.glob(os.path.join(self.path, prefix + ".*")):
                os.remove(path)  # half-written files and TensorFlow's *.tempstate* leftovers
            raise UserError("cannot write the checkpoint {} ({}); free some space or fix the folder's permissions, "
                            "then run the same command again, which resumes from the last finished epoch".format(
                                relpath(os.path.join(self.path, prefix)), tf_error_reason(e)))
        return prefix

    def remove(self, prefix):
        if prefix:
            for path in glob.glob(os.path.join(self.path, prefix + ".*")):
                os.remove(path)

    def remove_strays(self, state):
        """Delete what a kill left behind: checkpoints state.json does not name, half-written temporary files."""
        keep = {state.get("best"), state.get("resume")} if state else set()
        for name in os.listdir(self.path):
            match = re.match(r"^((?:best|resume)-\d+)\.", name)
            if name.startswith(".tmp-") or (match and match.group(1) not in keep):
                os.remove(os.path.join(self.path, name))

    def clear(self):
        """Remove a folder that holds no finished epoch; files this program did not write are kept, and the
        folder with them is moved aside."""
        for name in os.listdir(self.path):
            if OUR_FILE.match(name):
                os.remove(os.path.join(self.path, name))
        if os.listdir(self.path):
            aside = aside_name(self.path)
            os.rename(self.path, aside)
            log("files this program did not write were in {}; moved them to {}".format(relpath(self.path),
                                                                                       relpath(aside)))
        else:
            os.rmdir(self.path)

    def read_checkpoint(self, prefix, expected):
        """The arrays of checkpoint `prefix`, {name: array} for each name of `expected` ({name: shape}), after
        checking that it holds every one with that shape: the one check --test, --predict, --explain and
        the weights export all go through."""
        from core.tfcompat import tf  # here, so that checking a folder (check_trained) needs no TensorFlow
        full = os.path.join(self.path, prefix)
        damaged = "cannot read the checkpoint {} ({}); train again, or restore the folder from a good copy"
        try:
            reader = tf.train.NewCheckpointReader(full)
            shapes = reader.get_variable_to_shape_map()
        except Exception as e:  # NotFoundError, DataLossError, ... differ between versions
            raise UserError(damaged.format(relpath(full), str(e).splitlines()[0] if str(e) else type(e).__name__))
        for name, want in expected.items():  # in the graph's order: the first layer's first
            if name not in shapes:
                raise UserError("the checkpoint {} has no variable {}: it was written by another kind of model; "
                                "check --model".format(relpath(full), name))
            if list(shapes[name]) != list(want):
                raise UserError("the checkpoint {} has {} of shape {} but these flags need {}: the weights belong "
                                "to another configuration; check --model and --hidden_unit".format(
                                    relpath(full), name, list(shapes[name]), list(want)))
        try:
            return {name: reader.get_tensor(name) for name in expected}
        except Exception as e:  # a truncated or empty .data file passes the index check above
            raise UserError(damaged.format(relpath(full), str(e).splitlines()[0] if str(e) else type(e).__name__))

    def restore(self, session, saver, prefix, variables):
        """Restore `prefix` into the graph's `variables`, checked first by read_checkpoint."""
        self.read_checkpoint(prefix, {v.op.name: v.shape.as_list() for v in variables})
        try:
            saver.restore(session, os.path.join(self.path, prefix))
        except Exception as e:  # a bit-flipped .data file can pass the reads above
            raise UserError("cannot read the checkpoint {} ({}); train again, or restore the folder from "
                            "a good copy".format(relpath(os.path.join(self.path, prefix)),
                                                         str(e).splitlines()[0] if str(e) else type(e).__name__))


def open_for_training(weights_dir, config):
    """Decide where a --train run goes: (run folder to write, folder it will replace or None, state to resume or None).

    Call with the training lock held.
    """
    name = config.name
    final = RunDir(weights_dir, name)
    staged = RunDir(weights_dir, name, name + ".new")
    if os.path.isdir(staged.path):
        if staged.holds_progress():  # killed between its first epoch and the swap: finish the swap
            promote(staged, final)
        else:
            staged.clear()  # a new run killed before its first epoch: ours go, anything else is moved aside
    if not os.path.isdir(final.path):
        return final, None, None
    if not final.holds_progress():
        final.clear()  # config only, or killed before its first epoch
        return final, None, None
    state, old = final.load_state(), final.load_config()
    for name in (state["best"], state["resume"]):  # what the state depends on is there before anything goes
        if name and not os.path.isfile(os.path.join(final.path, name + ".index")):
            raise UserError("{} names the checkpoint {}, whose files are not in {}; restore them, or move the folder "
                            "aside and train again".format(relpath(final.state_path), name, relpath(final.path)))
    final.remove_strays(state)
    if not state["finished"] and state["resume"] and old is not None and config.resumes(old):
        return final, None, state
    return staged, final, None


def names_in_weights():
    """The configurations weights/ holds trained weights of."""
    found = os.listdir(WEIGHTS_DIR) if os.path.isdir(WEIGHTS_DIR) else []
    return sorted(n for n in found if Arch.parse(n) and os.path.isfile(os.path.join(WEIGHTS_DIR, n,
                                                                                       "state.json")))


def check_trained(run, arch):
    """Return (config, state) of a trained run of `arch` or raise a UserError that says what to do."""
    train_cmd = arch.command("train")
    config, state = run.load_config(), run.load_state()
    if config is None or state is None or not state.get("best"):
        present = names_in_weights()
        weights_run = os.path.join(WEIGHTS_DIR, run.name)
        if run.name in present and os.path.abspath(run.path) != os.path.abspath(weights_run):
            # a folder other than weights/ (--weights_dir): 'weights/ holds: <this name>' would read as a contradiction
            raise UserError("no trained weights for {} in {}; trained ones are in {} (--weights_dir={} "
                            "uses them), or train with: {}".format(run.name, relpath(run.path), relpath(weights_run),
                                                                   relpath(WEIGHTS_DIR), train_cmd))
        raise UserError("no trained weights for {} in {}; train them with: {} (in {}: {})".format(
            run.name, relpath(run.path), train_cmd, relpath(WEIGHTS_DIR) + "/",
            ", ".join(present) or "none in this copy"))
    if config.arch != arch:
        shown = lambda a, k: list(a.layers) if k == "layers" else getattr(a, k)  # noqa: E731
        differ = ", ".join("{}={} (flags: {})".format(k, shown(config.arch, k), shown(arch, k))
                           for k in ("bidirectional", "crop_augment", "layers", "model")
                           if getattr(config.arch, k) != getattr(arch, k))
        raise UserError("{} holds weights of another configuration: {}; the folder was renamed or copied by hand; "
                        "retrain with: {}".format(relpath(run.path), differ, train_cmd))
    if config.trained is None:
        raise UserError("{} has no record of its training (parameters, TensorFlow, Python); train again with: "
                        "{}".format(relpath(run.config_path), train_cmd))
    return config, state
