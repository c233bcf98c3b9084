"""One folder per configuration: weights/<model>_h<hidden>/.

    config.json    how the model was built and trained (all --test needs)
    state.json     progress: epochs done, best epoch, which checkpoints are current
    log.csv        one row per epoch
    best-<epoch>.*      model variables of the best epoch by validation accuracy
    resume-<epoch>.*    everything (incl. Adam's slots) after the last finished
                        epoch, while training is unfinished; removed at the end

Checkpoint files get a new name every time and state.json is replaced
atomically afterwards, so a kill at any moment leaves a consistent folder.
"""
import glob
import os

from common import UserError, atomic_write_json, read_json, relpath
from tfcompat import tf


class RunDir(object):
    def __init__(self, weights_dir, name):
        self.name = name
        self.path = os.path.join(weights_dir, name)
        self.config_path = os.path.join(self.path, "config.json")
        self.state_path = os.path.join(self.path, "state.json")
        self.log_path = os.path.join(self.path, "log.csv")

    def exists(self):
        return os.path.isdir(self.path) and bool(os.listdir(self.path))

    def load_config(self):
        return read_json(self.config_path) if os.path.isfile(self.config_path) else None

    def load_state(self):
        return read_json(self.state_path) if os.path.isfile(self.state_path) else None

    def save_config(self, config):
        atomic_write_json(self.config_path, config)

    def save_state(self, state):
        atomic_write_json(self.state_path, state)

    def save(self, session, saver, prefix):
        """Write checkpoint files <prefix>.index/.data-* and return the prefix."""
        os.makedirs(self.path, exist_ok=True)
        saver.save(session, os.path.join(self.path, prefix), write_meta_graph=False, write_state=False)
        return prefix

    def remove(self, prefix):
        if prefix:
            for path in glob.glob(os.path.join(self.path, prefix + ".*")):
                os.remove(path)

    def restore(self, session, saver, prefix, variables):
        """Restore `prefix`, first checking that it holds every variable with the graph's shape."""
        full = os.path.join(self.path, prefix)
        try:
            shapes = tf.train.NewCheckpointReader(full).get_variable_to_shape_map()
        except Exception as e:  # NotFoundError, DataLossError, ... differ between versions
            raise UserError("cannot read the checkpoint {} ({}); train again or fetch the weights with "
                            "download_weights.py".format(relpath(full), str(e).splitlines()[0]))
        for v in variables:
            name, want = v.op.name, v.shape.as_list()
            if name not in shapes:
                raise UserError("the checkpoint {} has no variable {}: it was written by another kind of model; "
                                "check --model".format(relpath(full), name))
            if list(shapes[name]) != want:
                raise UserError("the checkpoint {} has {} of shape {} but these flags need {}: the weights belong "
                                "to another configuration; check --model and --hidden_unit".format(
                                    relpath(full), name, list(shapes[name]), want))
        saver.restore(session, full)
