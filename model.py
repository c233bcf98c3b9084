"""The classifier: hand-written cells unrolled over the 28 rows of an image.

    image [B, 28, 28] -> time-major rows [28*B, 28] -> one or more layers, each
    forward or both ways -> final hidden state [B, H*dirs] -> linear layer ->
    10 logits -> softmax cross-entropy

One `Model` exposes `logits`, `loss`, `accuracy` and `train_op`; `run_epoch`
drives it for training, validation and test alike. The network's layout is
written here once (`_network`); each direction of each layer is run by an
interchangeable unroller, `--unroll` (core/unroll.py: the interface, `loop`, a
plain Python loop that calls the cell once per time step, and any other unroller
present; all give the same results).
"""
import zlib

import numpy as np

from cells import CELLS
from core.arch import CONVOLUTIONS
from core.tfcompat import stateless_uniform, tf
from core.unroll import NUM_STEPS, has_towers, make_unroller

INPUT_SIZE = 28   # pixels per row = inputs per step
NUM_CLASSES = 10
EVAL_BATCH_SIZE = 1000  # validation and test: large batches, forward pass only


def name_seed(name):
    """An initializer's op seed from its variable's name: with the graph seed (--seed) it fixes the initial
    values, whatever order the graph's ops are made in."""
    return zlib.crc32(name.encode("utf-8")) & 0x7FFFFFFF


class Dense(object):
    """A fully connected layer, h = relu(x W + b): the non-recurrent baseline (--model=mlp) reads all 784
    pixels at once through these. Variables <name>/W [in, H] (Glorot-uniform) and <name>/b [H] (zero)."""

    def __init__(self, num_units, name):
        self.num_units, self.name, self.W, self.b = int(num_units), name, None, None

    def build(self, input_size, seed=None):
        with tf.variable_scope(self.name):
            self.W = tf.get_variable("W", [input_size, self.num_units],
                                     initializer=tf.glorot_uniform_initializer(seed=seed))
            self.b = tf.get_variable("b", [self.num_units], initializer=tf.zeros_initializer())

    def __call__(self, x):
        return tf.nn.relu(tf.matmul(x, self.W) + self.b)  # [B, in] x [in, H] -> [B, H]

    def variables(self):
        return [self.W, self.b]


class Model(object):
    """The graph for one configuration (core.config.Config).

    Training and evaluation use two instances that share the variables
    (one graph, two batch sizes): `Model(config, training=True, batch_size=B)` adds the loss
    gradients and `train_op` for batches of exactly B (a static batch size lets
    TensorFlow drop the broadcasting bookkeeping from the gradients, about 4%
    faster), and `Model(config)` measures batches of any size. Build the
    training one first in a graph; a later one reuses its variables.
    `Model.of(config)` is the right class for a configuration: this one, or
    `MLP` for the non-recurrent baseline.

    Variables (checkpoint names): <model>/W_x, <model>/W_h, <model>/b for the
    first layer's cell, the same under the scope <model>_2 and so on for further
    layers, under <model>_bw (then <model>_bw_2 and on) for the backward cells
    of a bidirectional model, and logits/W, logits/b for the classifier.
    """

    @staticmethod
    def of(config):
        return {"mlp": MLP, "cnn": CNN}.get(config.arch.model, Model)

    def __init__(self, config, training=False, batch_size=None, unroll=None, steps_per_epoch=None):
        arch, recipe = config.arch, config.recipe
        unroll = unroll or config.unroll
        self.batch_size = batch_size
        self.images = tf.placeholder(tf.float32, [batch_size, NUM_STEPS, INPUT_SIZE], name="images")
        self.labels = tf.placeholder(tf.int64, [batch_size], name="labels")
        # Steps that hold data per example (--crop_augment); the rest is padding that must not count.
        self.lengths = tf.placeholder(tf.int32, [batch_size], name="lengths") if arch.crop_augment else None
        self.global_step = None  # made by the first dropout site or by _add_training
        self._keep = 1.0 - recipe.dropout if training else 1.0
        self._dropout_sites, self._seed = 0, recipe.seed

        with tf.variable_scope(tf.get_variable_scope(), reuse=tf.AUTO_REUSE):
            layers = self._make_layers(arch)
            with tf.variable_scope("logits"):
                W = tf.get_variable("W", [len(layers[-1]) * layers[-1][0].num_units, NUM_CLASSES],
                                    initializer=tf.glorot_uniform_initializer(seed=name_seed("logits/W")))
                b = tf.get_variable("b", [NUM_CLASSES], initializer=tf.zeros_initializer())
        self.model_variables = [v for pair in layers for layer in pair for v in layer.variables()] + [W, b]

        # Towers cut a training batch into parts unrolled side by side, where the unroller has them; one
        # otherwise, the whole batch stepped through at once. Their number divides the batch (core.config.Recipe
        # checks it).
        self.towers = (recipe.towers or 1) if training and batch_size and has_towers(unroll) else 1
        self.unroller = make_unroller(unroll, self.towers, defer=training)
        finals = self._network(layers)
        # The classifier reads the final states (with lengths, those of each example's last real
        # step), both directions side by side: [forward, backward].
        self.features = self._dropout(tf.concat(finals, 1) if len(finals) > 1 else finals[0])  # [B, H*dirs]
        self.logits = tf.matmul(self.features, W) + b  # [B, H*dirs] x [H*dirs, 10] -> [B, 10]

        self.loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=self.labels, logits=self.logits))
        hits = tf.cast(tf.equal(tf.argmax(self.logits, 1), self.labels), tf.int32)
        self.correct = tf.reduce_sum(hits)
        self.accuracy = tf.reduce_mean(tf.cast(hits, tf.float32))
        if training:
            self._add_training(recipe, steps_per_epoch)

    INPUTS = INPUT_SIZE  # what the first layer reads per step

    def _layer(self, arch, units, name):
        return CELLS[arch.model](units, name=name)

    def _make_layers(self, arch):
        """One list of cells per layer: [forward] or [forward, backward], with their variables."""
        layers, input_size = [], self.INPUTS
        for number, units in enumerate(arch.layers, 1):
            suffix = "" if number == 1 else "_{}".format(number)  # layer 1 keeps the single-layer names
            directions = ("", "_bw") if arch.bidirectional else ("",)
            pair = [self._layer(arch, units, arch.model + direction + suffix) for direction in directions]
            for layer in pair:
                layer.build(input_size, seed=name_seed(layer.name))
            layers.append(pair)
            input_size = units * len(pair)  # the next layer reads [forward, backward] joined
        return layers

    def _network(self, layers):
        """The layout, once: each layer reads the previous one's outputs (dropout on the way in), each of its
        directions through the unroller; returns the last layer's final h per direction, [forward, backward]."""
        x = tf.transpose(self.images, [1, 0, 2])  # [B, 28, 28] -> [28, B, 28]
        x = tf.reshape(x, [-1, INPUT_SIZE])       # -> [28*B, 28], time-major: step t is rows t*B .. t*B+B-1
        for pair in layers:
            x = self._dropout(x)
            runs = [self.unroller.layer(cell, x, self.lengths, reverse) for cell, reverse in zip(pair, (False, True))]
            outputs, finals = zip(*runs)
            x = tf.concat(outputs, 1) if len(outputs) > 1 else outputs[0]  # dirs x [28*B, H] -> [28*B, H*dirs]
        return list(finals)

    def _dropout(self, x):
        """Inverted dropout with masks from (seed, training step, site): a resumed run draws the same ones.

        On the connections into each layer and into the classifier, never on the recurrent ones
        (Zaremba et al. 2014), so the memory is not disturbed.
        """
        keep = self._keep
        if keep >= 1.0:
            return x
        self._dropout_sites += 1
        if self.global_step is None:
            self.global_step = tf.Variable(0, trainable=False, name="global_step")
        step_seed = tf.stack([tf.constant(self._seed, tf.int64),
                              tf.cast(self.global_step, tf.int64) * 64 + self._dropout_sites])
        mask = tf.floor(keep + stateless_uniform(tf.shape(x), seed=step_seed))  # 1 with probability keep
        return x * mask / keep

    def _add_training(self, recipe, steps_per_epoch):
        if self.global_step is None:
            self.global_step = tf.Variable(0, trainable=False, name="global_step")
        # The data loss plus, with --l2, a weight decay on the matrices (biases are left alone).
        matrices = [v for v in self.model_variables if v.op.name.split("/")[-1] != "b"]
        self.objective = self.loss
        if recipe.l2:
            self.objective += recipe.l2 * tf.add_n([tf.reduce_sum(tf.square(m)) for m in matrices])
        self.gradients = self.unroller.gradients(self.objective, self.model_variables)
        # Clipping by global norm keeps an occasional exploding gradient from
        # wrecking the weights while leaving normal steps untouched.
        clipped, self.grad_norm = tf.clip_by_global_norm(self.gradients, recipe.clip_norm)
        # Set per epoch by the training loop: the epoch's rate (--schedule=exponential) or the peak rate (the
        # budget schedules); a variable, so no feed is needed per step.
        self.learning_rate = tf.Variable(float(recipe.learning_rate), trainable=False, name="learning_rate")
        self._new_learning_rate = tf.placeholder(tf.float32, [], name="new_learning_rate")
        self._set_learning_rate = tf.assign(self.learning_rate, self._new_learning_rate)
        self.rate = self.learning_rate * self._schedule(recipe, steps_per_epoch)  # the rate of the next step
        optimizer = tf.train.AdamOptimizer(self.rate)
        self.train_op = optimizer.apply_gradients(zip(clipped, self.model_variables),
                                                  global_step=self.global_step)

    def _schedule(self, recipe, steps_per_epoch):
        """The budget schedules' factor on the peak rate at the step about to be taken (global_step = s, from 0):
        (s + 1) / W over the W warm-up steps, then over the remaining steps to T = epochs x steps_per_epoch
        cosine: (1 + cos(pi p)) / 2, linear: 1 - p, with p = (s - W) / (T - W). Exponential: 1 (the training loop
        sets the epoch's rate instead). In the graph, from the step counter, so a resumed run goes on exactly."""
        if not recipe.budget:
            return tf.constant(1.0)
        if not steps_per_epoch:
            raise ValueError("a budget schedule needs the number of steps per epoch")
        step = tf.cast(self.global_step, tf.float32)
        warm, total = float(recipe.warmup * steps_per_epoch), float(recipe.epochs * steps_per_epoch)
        progress = tf.clip_by_value((step - warm) / (total - warm), 0.0, 1.0)
        if recipe.schedule == "cosine":
            decay = 0.5 * (1.0 + tf.cos(np.pi * progress))
        else:
            decay = 1.0 - progress
        if warm <= 0:
            return decay
        return tf.where(step < warm, (step + 1.0) / warm, decay)

    def set_learning_rate(self, session, value):
        session.run(self._set_learning_rate, {self._new_learning_rate: value})

    def num_parameters(self):
        return int(sum(np.prod(v.shape.as_list()) for v in self.model_variables))


class MLP(Model):
    """The non-recurrent baseline (--model=mlp): every pixel at once through dense ReLU layers, then the same
    classifier, loss and training as the recurrent model."""

    INPUTS = NUM_STEPS * INPUT_SIZE  # all 784 pixels

    def _layer(self, arch, units, name):
        return Dense(units, name)

    def _network(self, layers):
        return [self._dense(tf.reshape(self.images, [-1, NUM_STEPS * INPUT_SIZE]), layers)]  # [B, 28, 28] -> [B, 784]

    def _dense(self, x, layers):
        for (dense,) in layers:
            x = dense(self._dropout(x))  # [B, in] -> [B, H]
        return x


class CNN(MLP):
    """The convolutional baseline (--model=cnn), a small network that sees the whole image at once:
    core.arch.CONVOLUTIONS (3x3 convolutions of 16 and 32 filters, each with ReLU and 2x2 max-pooling)
    and then MLP's dense layers and classifier. Variables cnn_conv<n>/W [k, k, in, filters] (Glorot-uniform),
    cnn_conv<n>/b (zero), then cnn/W, cnn/b for the dense layer."""

    SIDE = NUM_STEPS // 2 ** len(CONVOLUTIONS)  # 28 -> 7 pixels a side after the pools
    INPUTS = SIDE * SIDE * CONVOLUTIONS[-1][0]

    def _network(self, layers):
        x = tf.reshape(self.images, [-1, NUM_STEPS, INPUT_SIZE, 1])  # [B, 28, 28] -> [B, 28, 28, 1 channel]
        channels, convolutions = 1, []
        with tf.variable_scope(tf.get_variable_scope(), reuse=tf.AUTO_REUSE):
            for number, (filters, kernel) in enumerate(CONVOLUTIONS, 1):
                name = "cnn_conv{}".format(number)
                with tf.variable_scope(name):
                    W = tf.get_variable("W", [kernel, kernel, channels, filters],
                                        initializer=tf.glorot_uniform_initializer(seed=name_seed(name)))
                    b = tf.get_variable("b", [filters], initializer=tf.zeros_initializer())
                convolutions += [W, b]
                x = tf.nn.relu(tf.nn.conv2d(x, W, strides=[1, 1, 1, 1], padding="SAME") + b)  # [B, s, s, filters]
                x = tf.nn.max_pool(x, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="SAME")  # [B, s/2, s/2, f]
                channels = filters
        self.model_variables = convolutions + self.model_variables  # checkpoint order: convolutions first
        return [self._dense(tf.reshape(x, [-1, self.INPUTS]), layers)]  # [B, 7, 7, 32] -> [B, 1568]


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
