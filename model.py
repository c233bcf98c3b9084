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


class Model(object):
    """The graph for one configuration (a dict as stored in config.json).

    Variables (checkpoint names): <model>/W_x, <model>/W_h, <model>/b from the
    cell, and logits/W, logits/b from the classifier.
    """

    def __init__(self, config, defer_recurrent_gradient=True):
        self.images = tf.placeholder(tf.float32, [None, NUM_STEPS, INPUT_SIZE], name="images")
        self.labels = tf.placeholder(tf.int64, [None], name="labels")
        batch_size = tf.shape(self.images)[0]

        cell = CELLS[config["model"]](config["hidden_unit"], name=config["model"],
                                      defer_recurrent_gradient=defer_recurrent_gradient)
        cell.build(INPUT_SIZE)
        width = cell.NUM_BLOCKS * cell.num_units
        # The input projection does not depend on h, so it runs for all steps at once.
        # Time-major, so that each step's rows are contiguous (cheap split, cheap gradient).
        x = tf.transpose(self.images, [1, 0, 2])                # [B, 28, 28] -> [28, B, 28]
        x = tf.reshape(x, [-1, INPUT_SIZE])                     # [28, B, 28] -> [28*B, 28]
        xw = cell.project_inputs(x)                             # [28*B, 28] -> [28*B, kH]
        steps = tf.split(xw, NUM_STEPS, axis=0)                 # [28*B, kH] -> 28 x [B, kH]
        outputs, _ = static_rnn(Preprojected(cell), steps,
                                initial_state=cell.zero_state(batch_size, tf.float32))
        last = outputs[-1]                                      # [B, H]: the state after the last row

        with tf.variable_scope("logits"):
            W = tf.get_variable("W", [cell.output_size, NUM_CLASSES],
                                initializer=tf.glorot_uniform_initializer())
            b = tf.get_variable("b", [NUM_CLASSES], initializer=tf.zeros_initializer())
        self.logits = tf.matmul(last, W) + b                    # [B, 10]

        self.loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=self.labels, logits=self.logits))
        hits = tf.cast(tf.equal(tf.argmax(self.logits, 1), self.labels), tf.int32)
        self.correct = tf.reduce_sum(hits)
        self.accuracy = tf.reduce_mean(tf.cast(hits, tf.float32))

        self.model_variables = tf.trainable_variables()
        self.global_step = tf.Variable(0, trainable=False, name="global_step")
        # With deferral (the default; cells.py says why), W_h's gradient is one matmul with the
        # gradient of xw, which tf.gradients computes anyway on the way to W_x and b.
        deferred = cell.W_h.op.name if defer_recurrent_gradient else None
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

    `order` is the example order (a permutation when training); `on_batch`
    is called as on_batch(examples_done, total, mean_loss, accuracy) for progress.
    Returns {"loss", "accuracy", "correct", "count"} over the whole pass.
    """
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
