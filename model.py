"""The classifier: a hand-written cell unrolled over the 28 rows of an image.

    image [B, 28, 28] -> 28 steps of [B, 28] -> static_rnn -> h at step 28 [B, H]
                      -> linear layer -> 10 logits -> softmax cross-entropy

One `Model` exposes `logits`, `loss`, `accuracy` and `train_op`; `run_epoch`
drives it for training, validation and test alike.
"""
import numpy as np

from cells import CELLS, Preprojected
from tfcompat import static_rnn, tf

NUM_STEPS = 28    # rows of an image = time steps
INPUT_SIZE = 28   # pixels per row = inputs per step
NUM_CLASSES = 10
EVAL_BATCH_SIZE = 1000  # validation and test: large batches, forward pass only


class Model(object):
    """The graph for one configuration (a dict as stored in config.json).

    Like the PTB tutorial, training and evaluation use two instances that share
    the variables: `Model(config, training=True, batch_size=B)` adds the loss
    gradients and `train_op` for batches of exactly B (a static batch size lets
    TensorFlow drop the broadcasting bookkeeping from the gradients, about 4%
    faster), and `Model(config)` measures batches of any size. Build the
    training one first in a graph; a later one reuses its variables.

    Variables (checkpoint names): <model>/W_x, <model>/W_h, <model>/b from the
    cell, and logits/W, logits/b from the classifier.
    """

    def __init__(self, config, training=False, batch_size=None, defer_recurrent_gradient=True):
        self.batch_size = batch_size
        self.images = tf.placeholder(tf.float32, [batch_size, NUM_STEPS, INPUT_SIZE], name="images")
        self.labels = tf.placeholder(tf.int64, [batch_size], name="labels")
        dynamic_batch = tf.shape(self.images)[0]

        with tf.variable_scope(tf.get_variable_scope(), reuse=tf.AUTO_REUSE):
            cell = CELLS[config["model"]](config["hidden_unit"], name=config["model"],
                                          defer_recurrent_gradient=training and defer_recurrent_gradient)
            cell.build(INPUT_SIZE)
            with tf.variable_scope("logits"):
                W = tf.get_variable("W", [cell.output_size, NUM_CLASSES],
                                    initializer=tf.glorot_uniform_initializer())
                b = tf.get_variable("b", [NUM_CLASSES], initializer=tf.zeros_initializer())
        self.model_variables = [cell.W_x, cell.W_h, cell.b, W, b]

        # The input projection does not depend on h, so it runs for all steps at once.
        # Time-major, so that each step's rows are contiguous (cheap split, cheap gradient).
        x = tf.transpose(self.images, [1, 0, 2])                # [B, 28, 28] -> [28, B, 28]
        x = tf.reshape(x, [-1, INPUT_SIZE])                     # [28, B, 28] -> [28*B, 28]
        xw = cell.project_inputs(x)                             # [28*B, 28] -> [28*B, kH]
        steps = tf.split(xw, NUM_STEPS, axis=0)                 # [28*B, kH] -> 28 x [B, kH]
        outputs, _ = static_rnn(Preprojected(cell), steps,
                                initial_state=cell.zero_state(batch_size or dynamic_batch, tf.float32))
        last = outputs[-1]                                      # [B, H]: the state after the last row
        self.logits = tf.matmul(last, W) + b                    # [B, 10]

        self.loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=self.labels, logits=self.logits))
        hits = tf.cast(tf.equal(tf.argmax(self.logits, 1), self.labels), tf.int32)
        self.correct = tf.reduce_sum(hits)
        self.accuracy = tf.reduce_mean(tf.cast(hits, tf.float32))
        if training:
            self._add_training(config, cell, xw)

    def _add_training(self, config, cell, xw):
        self.global_step = tf.Variable(0, trainable=False, name="global_step")
        # With deferral (the default; cells.py says why), W_h's gradient is one matmul with the
        # gradient of xw, which tf.gradients computes anyway on the way to W_x and b.
        deferred = cell.W_h.op.name if cell.defer_recurrent_gradient else None
        others = [v for v in self.model_variables if v.op.name != deferred]
        grads = tf.gradients(self.loss, others + [xw])
        by_name = {v.op.name: g for v, g in zip(others, grads)}
        if deferred:
            by_name[deferred] = cell.recurrent_gradient(grads[-1])
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


def run_epoch(session, model, images, labels, batch_size, train=False, order=None, on_batch=None):
    """One pass over (images, labels): trains if `train`, else only measures.

    A model with a static batch size sees only whole batches (the last
    len(images) % batch_size examples of `order` are left out). `order` is
    the example order (a permutation when training); `on_batch`
    is called as on_batch(examples_done, total, mean_loss, accuracy) for progress.
    Returns {"loss", "accuracy", "correct", "count"} over the whole pass.
    """
    if model.batch_size:  # a static batch size: full batches only; the shuffle varies the rest
        batch_size = model.batch_size
        if len(images) < batch_size:
            raise ValueError("{} examples are fewer than one batch of {}".format(len(images), batch_size))
        count = len(images) - len(images) % batch_size
    else:
        count = len(images)
    fetches = [model.loss, model.correct] + ([model.train_op] if train else [])
    total_loss, total_correct = 0.0, 0
    for start in range(0, count, batch_size):
        if order is None:
            feed = {model.images: images[start:start + batch_size], model.labels: labels[start:start + batch_size]}
        else:
            idx = order[start:start + batch_size]
            feed = {model.images: images[idx], model.labels: labels[idx]}
        loss, correct = session.run(fetches, feed)[:2]
        loss = float(loss)
        if not np.isfinite(loss):
            raise Diverged("the loss became {} after {} of {} examples".format(loss, start, count))
        n = len(feed[model.labels])
        total_loss += loss * n
        total_correct += int(correct)
        if on_batch is not None:
            done = start + n
            on_batch(done, count, total_loss / done, total_correct / float(done))
    return {"loss": total_loss / count, "accuracy": total_correct / float(count),
            "correct": total_correct, "count": count}


def session_config():
    """Session settings shared by training, testing and the benchmarks."""
    return tf.ConfigProto()
