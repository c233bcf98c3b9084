"""The classifier: hand-written cells unrolled over the 28 rows of an image.

    image [B, 28, 28] -> 28 steps of [B, 28] -> static_rnn (one or more layers,
    forward or both ways) -> final hidden state [B, H] -> linear layer -> 10
    logits -> softmax cross-entropy

One `Model` exposes `logits`, `loss`, `accuracy` and `train_op`; `run_epoch`
drives it for training, validation and test alike.
"""
import numpy as np

from cells import CELLS, Preprojected
from common import graph_options
from tfcompat import IS_TF1, static_bidirectional_rnn, static_rnn, stateless_uniform, tf

NUM_STEPS = 28    # rows of an image = time steps
INPUT_SIZE = 28   # pixels per row = inputs per step
NUM_CLASSES = 10
EVAL_BATCH_SIZE = 1000  # validation and test: large batches, forward pass only
# main.py --towers: one chain of steps per core of this 2-core machine on TF 2.x. TF 1.5 (whose
# wheel has no AVX) trained 10-20% slower per epoch with two towers (benchmarks/README.md).
DEFAULT_TOWERS = 1 if IS_TF1 else 2


def final_h(state):
    """The hidden state h of a cell's state (the LSTM's is the tuple (c, h))."""
    return state[1] if isinstance(state, tuple) else state


class Model(object):
    """The graph for one configuration (a dict as stored in config.json).

    Like the PTB tutorial, training and evaluation use two instances that share
    the variables: `Model(config, training=True, batch_size=B)` adds the loss
    gradients and `train_op` for batches of exactly B (a static batch size lets
    TensorFlow drop the broadcasting bookkeeping from the gradients, about 4%
    faster), and `Model(config)` measures batches of any size. Build the
    training one first in a graph; a later one reuses its variables.

    Variables (checkpoint names): <model>/W_x, <model>/W_h, <model>/b for the
    first layer's cell, <model>_2/... and so on for further layers,
    <model>_bw/... (<model>_bw_2/...) for the backward cells of a
    bidirectional model, and logits/W, logits/b for the classifier.
    """

    def __init__(self, config, training=False, batch_size=None, defer_recurrent_gradient=True):
        options = graph_options(config)
        self.batch_size = batch_size
        self.images = tf.placeholder(tf.float32, [batch_size, NUM_STEPS, INPUT_SIZE], name="images")
        self.labels = tf.placeholder(tf.int64, [batch_size], name="labels")
        # Made even when unused: the ops made before the variables set their initial values'
        # seeds, and the shipped runs must stay reproducible with this code.
        dynamic_batch = tf.shape(self.images)[0]
        # Steps that hold data per example (--crop_augment); the rest is padding that must not count.
        self.lengths = tf.placeholder(tf.int32, [batch_size], name="lengths") if options["crop_augment"] else None
        batch = batch_size or dynamic_batch
        self.global_step = None  # made by the first dropout site or by _add_training
        defer = training and defer_recurrent_gradient
        keep = 1.0 - options["dropout"] if training else 1.0
        self._dropout_sites, self._seed = 0, config.get("seed", 0)
        self.cells = []  # (cell, projected inputs xw [28*B, kH], steps reversed?) for the W_h gradients

        with tf.variable_scope(tf.get_variable_scope(), reuse=tf.AUTO_REUSE):
            layers, input_size = [], INPUT_SIZE
            for number, units in enumerate(options["layers"], 1):
                suffix = "" if number == 1 else "_{}".format(number)  # layer 1 keeps the single-layer names
                pair = [CELLS[config["model"]](units, name=config["model"] + direction + suffix,
                                               defer_recurrent_gradient=defer)
                        for direction in (("", "_bw") if options["bidirectional"] else ("",))]
                for cell in pair:
                    cell.build(input_size)
                layers.append(pair)
                input_size = units * len(pair)
            with tf.variable_scope("logits"):
                W = tf.get_variable("W", [input_size, NUM_CLASSES], initializer=tf.glorot_uniform_initializer())
                b = tf.get_variable("b", [NUM_CLASSES], initializer=tf.zeros_initializer())
        self.model_variables = [v for pair in layers for cell in pair for v in (cell.W_x, cell.W_h, cell.b)] + [W, b]

        # Towers: the training batch is cut into `towers` equal parts, each unrolled as its own
        # chain of 28 steps. Every step's ops are small, so one core per op (session_config)
        # and the two chains side by side keep both cores busier than splitting each op in two.
        # Same variables and logits; the gradients differ only in float rounding.
        self.towers = towers = int(config.get("towers", 1)) if training and batch_size else 1
        if towers > 1 and batch % towers:
            raise ValueError("batch size {} is not a multiple of towers={}".format(batch, towers))
        tower_batch = batch if towers == 1 else batch // towers  # the batch may be a tensor (evaluation)
        split = (lambda t: tf.split(t, towers, axis=0)) if towers > 1 else (lambda t: [t])  # -> T x [B/T, ...]
        tower_lengths = split(self.lengths) if self.lengths is not None else [None] * towers
        # The input projection does not depend on h, so it runs for all steps at once.
        # Tower-major, then time-major: each step's rows are contiguous (cheap split, cheap gradient).
        x = tf.reshape(self.images, [towers, -1, NUM_STEPS, INPUT_SIZE])  # [B, 28, 28] -> [T, B/T, 28, 28]
        x = tf.transpose(x, [0, 2, 1, 3])                       # -> [T, 28, B/T, 28]
        x = tf.reshape(x, [-1, INPUT_SIZE])                     # -> [T*28*B/T, 28]
        for number, pair in enumerate(layers, 1):
            if number > 1:
                x = tf.concat(outputs, 0)                       # T*28 x [B/T, H*dirs] -> [T*28*B/T, H*dirs]
            # Dropout on the connections into each layer and into the classifier, never on
            # the recurrent ones (Zaremba et al. 2014): the memory is not disturbed.
            x = self._dropout(x, keep)
            xws = [cell.project_inputs(x) for cell in pair]     # [T*28*B/T, in] -> [T*28*B/T, kH] per cell
            # Both directions get the same list of steps, so each step carries both projections.
            width = int(xws[0].shape[1])
            joined = tf.concat(xws, 1) if len(pair) > 1 else xws[0]  # [T*28*B/T, kH * dirs]
            outputs, finals = [], []
            for part, lengths in zip(split(joined), tower_lengths):  # one [28*B/T, kH*dirs] per tower
                tower_outputs, tower_finals = self._unroll(pair, tf.split(part, NUM_STEPS, axis=0),  # -> 28 x [B/T, .]
                                                           tower_batch, width, lengths)
                outputs += tower_outputs
                finals.append(tower_finals)
            finals = [tf.concat(f, 0) if towers > 1 else f[0] for f in zip(*finals)]  # T x [B/T, H] -> [B, H]
            self.cells += [(cell, xw, reverse) for cell, xw, reverse in zip(pair, xws, (False, True))]
        # The classifier reads the final states (with sequence_length, those of each example's last
        # real step; outputs after it are zeros), both directions side by side.
        self.features = self._dropout(tf.concat(finals, 1) if len(finals) > 1 else finals[0], keep)  # [B, H*dirs]
        self.logits = tf.matmul(self.features, W) + b           # [B, 10]

        self.loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=self.labels, logits=self.logits))
        hits = tf.cast(tf.equal(tf.argmax(self.logits, 1), self.labels), tf.int32)
        self.correct = tf.reduce_sum(hits)
        self.accuracy = tf.reduce_mean(tf.cast(hits, tf.float32))
        if training:
            self._add_training(config, options["l2"])

    def _unroll(self, pair, steps, batch, width, lengths):
        """One layer over one tower's 28 steps: (28 outputs [b, H*dirs], final h of each direction).

        Variable lengths are masks, not static_rnn's sequence_length: that wraps every step in a
        conditional, which made crop layouts slow to build and hid the steps from the deferred W_h
        gradient. Each step gets (xw_t, t < length) and Preprojected keeps the state and zeroes the
        output past the last real step, which is what sequence_length does. The backward cell reads
        steps 28..1 with its state held at zero through the padding, so it starts at the last real
        step, as sequence_length's per-example reversal would.
        """
        if lengths is not None:
            # static_rnn wants every input at least [b, 1]: 28 x ([b, kH*dirs], [b, 1] bool)
            steps = [(xw, tf.expand_dims(tf.less(t, lengths), 1)) for t, xw in enumerate(steps)]
        states = [cell.zero_state(batch, tf.float32) for cell in pair]
        if len(pair) == 1:
            outputs, state = static_rnn(Preprojected(pair[0]), steps, initial_state=states[0])
            return outputs, [final_h(state)]
        outputs, state_fw, state_bw = static_bidirectional_rnn(
            Preprojected(pair[0], (0, width)), Preprojected(pair[1], (width, 2 * width)), steps,
            initial_state_fw=states[0], initial_state_bw=states[1])
        return outputs, [final_h(state_fw), final_h(state_bw)]  # fw: after the last real row; bw: after row 1

    def _dropout(self, x, keep):
        """Inverted dropout with masks from (seed, training step, site): a resumed run draws the same ones."""
        if keep >= 1.0:
            return x
        self._dropout_sites += 1
        if self.global_step is None:
            self.global_step = tf.Variable(0, trainable=False, name="global_step")
        step_seed = tf.stack([tf.constant(self._seed, tf.int64),
                              tf.cast(self.global_step, tf.int64) * 64 + self._dropout_sites])
        mask = tf.floor(keep + stateless_uniform(tf.shape(x), seed=step_seed))  # 1 with probability keep
        return x * mask / keep

    def _add_training(self, config, l2):
        if self.global_step is None:
            self.global_step = tf.Variable(0, trainable=False, name="global_step")
        # The data loss plus, with --l2, a weight decay on the matrices (biases are left alone).
        matrices = [v for v in self.model_variables if v.op.name.split("/")[-1] != "b"]
        self.objective = self.loss
        if l2:
            self.objective += l2 * tf.add_n([tf.reduce_sum(tf.square(m)) for m in matrices])
        # With deferral (the default; cells.py says why), W_h's gradient is one matmul with the
        # gradient of xw, which tf.gradients computes anyway on the way to W_x and b.
        deferred = {cell.W_h.op.name: (cell, xw, reverse) for cell, xw, reverse in self.cells
                    if cell.defer_recurrent_gradient}
        others = [v for v in self.model_variables if v.op.name not in deferred]
        xws = [xw for _, xw, _ in deferred.values()]
        grads = tf.gradients(self.objective, others + xws)
        by_name = {v.op.name: g for v, g in zip(others, grads)}
        for (name, (cell, _, reverse)), d_xw in zip(deferred.items(), grads[len(others):]):
            by_name[name] = cell.recurrent_gradient(d_xw, reverse=reverse, towers=self.towers)
            if l2:
                by_name[name] += 2 * l2 * cell.W_h
        self.gradients = [by_name[v.op.name] for v in self.model_variables]
        # Clipping by global norm keeps an occasional exploding gradient from
        # wrecking the weights while leaving normal steps untouched.
        clipped, self.grad_norm = tf.clip_by_global_norm(self.gradients, config["clip_norm"])
        # Set per epoch by the training loop (--lr_decay); a variable, so no feed is needed per step.
        self.learning_rate = tf.Variable(float(config["learning_rate"]), trainable=False, name="learning_rate")
        self._new_learning_rate = tf.placeholder(tf.float32, [], name="new_learning_rate")
        self._set_learning_rate = tf.assign(self.learning_rate, self._new_learning_rate)
        optimizer = tf.train.AdamOptimizer(self.learning_rate)
        self.train_op = optimizer.apply_gradients(zip(clipped, self.model_variables),
                                                  global_step=self.global_step)

    def set_learning_rate(self, session, value):
        session.run(self._set_learning_rate, {self._new_learning_rate: value})

    def num_parameters(self):
        return int(sum(np.prod(v.shape.as_list()) for v in self.model_variables))


class Diverged(Exception):
    """The training loss became NaN or infinite."""


def run_epoch(session, model, images, labels, batch_size, train=False, order=None, on_batch=None, lengths=None):
    """One pass over (images, labels): trains if `train`, else only measures.

    A model with a static batch size sees only whole batches (the last
    len(images) % batch_size examples of `order` are left out). `order` is
    the example order (a permutation when training); `lengths` the number of
    real steps per example (for a model with a lengths input; default: all
    28); `on_batch` is called as on_batch(examples_done, total, mean_loss,
    accuracy) for progress. Returns {"loss", "accuracy", "correct", "count"}
    over the whole pass, and when training the mean and largest gradient norm
    before clipping ("grad_norm", "grad_norm_max").
    """
    if model.batch_size:  # a static batch size: full batches only; the shuffle varies the rest
        batch_size = model.batch_size
        if len(images) < batch_size:
            raise ValueError("{} examples are fewer than one batch of {}".format(len(images), batch_size))
        count = len(images) - len(images) % batch_size
    else:
        count = len(images)
    if model.lengths is not None and lengths is None:
        lengths = np.full(len(images), NUM_STEPS, np.int32)
    if order is None:
        order = np.arange(len(images))
    fetches = [model.loss, model.correct] + ([model.grad_norm, model.train_op] if train else [])
    total_loss, total_correct, norms = 0.0, 0, []
    for start in range(0, count, batch_size):
        idx = order[start:start + batch_size]
        feed = {model.images: images[idx], model.labels: labels[idx]}
        if model.lengths is not None:
            feed[model.lengths] = lengths[idx]
        values = session.run(fetches, feed)
        loss = float(values[0])
        if not np.isfinite(loss):
            raise Diverged("the loss became {} after {} of {} examples".format(loss, start, count))
        n = len(idx)
        total_loss += loss * n
        total_correct += int(values[1])
        if train:
            norms.append(float(values[2]))
        if on_batch is not None:
            done = start + n
            on_batch(done, count, total_loss / done, total_correct / float(done))
    stats = {"loss": total_loss / count, "accuracy": total_correct / float(count),
             "correct": total_correct, "count": count}
    if train:
        stats.update(grad_norm=float(np.mean(norms)), grad_norm_max=float(np.max(norms)))
    return stats


def session_config(towers=1):
    """Session settings shared by training, testing and the benchmarks.

    With towers, each op runs on one thread and up to `towers` ops run side by
    side (the towers' steps). TensorFlow sizes its thread pools once per
    process, from the first session's settings.
    """
    if towers > 1:
        return tf.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=towers)
    return tf.ConfigProto()
