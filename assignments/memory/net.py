"""One recurrent layer of the hand-written cells (cells.py) over a memory task, trained and chosen on validation.

    train(setting(task, ...)) -> the run's result record (one JSON line of results/tasks/<task>.jsonl)

The training sequences, the validation sequences (for stopping) and the test sequences (measured once,
at the end) come from three seeds. The record keeps the whole setting, so that every result line says
how it was trained: encoding, W_h initialisation, the keep-gate bias, optimiser, clipping, budget.
"""
import time

import numpy as np

from assignments.memory import data
from core.common import UserError, log, machine

PRINTOUT = 5  # recall: test sequences printed with their truth and prediction
EVAL_EVERY = 100  # training steps between validation measurements (and points of the curve)
THREADS = int(__import__("os").environ.get("TASK_THREADS", "1"))
ADDITION_TEST_LENGTHS = range(1, 41)  # binary addition is tested on sums of 1..40 bits
VALIDATION_SEED, TEST_SEED, LENGTH_TEST_SEED = 10 ** 6, 2 * 10 ** 6, 3 * 10 ** 6
# Each task's default setting. Palindromes: a PyTorch palindrome exercise's usual one
# (scalar digits, 128 units, batch 128, RMSProp 0.001, clipping at 10); recall and binary addition: Adam 0.01
# with betas (0.9, 0.99), as the EE6123 report on these tasks used.
DEFAULTS = {
    "palindrome": dict(hidden=128, length=10, encoding="scalar", optimizer="rmsprop", learning_rate=0.001,
                       beta2=None, steps=10000, batch_size=128, clip_norm=10.0, target=0.99),
    "recall": dict(hidden=5, length=10, encoding="onehot", optimizer="adam", learning_rate=0.01, beta2=0.99,
                   steps=3000, batch_size=64, clip_norm=0.0, target=1.0),
    "binary_addition": dict(hidden=5, length=5, encoding="bits", optimizer="adam", learning_rate=0.01, beta2=0.99,
                            steps=3000, batch_size=64, clip_norm=0.0, target=1.0)}
RECALL = dict(min_length=5, position=2)  # recall: sequences of 5..length digits, the 2nd asked for


def setting(task, model="lstm", seed=1, loss="ce", recurrent_init="orthogonal", keep_bias=1.0,
            validation_size=2000, test_size=2000, **given):
    """One run's settings, every key a result line records: the task's DEFAULTS, then `given` (hidden, length,
    steps, ...; recall also min_length and position)."""
    chosen = dict(DEFAULTS[task], **{k: v for k, v in given.items() if k in DEFAULTS[task]})
    out = dict(chosen, task=task, model=model, seed=seed, loss=loss if task == "binary_addition" else "ce",
               recurrent_init=recurrent_init, keep_bias=None if model == "rnn" else keep_bias,
               validation_size=validation_size, test_size=test_size)
    if task == "recall":
        out.update({k: given.get(k, v) for k, v in RECALL.items()})
    unknown = set(given) - set(DEFAULTS[task]) - set(RECALL)
    if unknown:
        raise ValueError("unknown settings {}".format(sorted(unknown)))
    return out


def time_steps(task, length):
    """Unrolled steps: T-1 for palindromes, the longest sequence for recall, the training sum + its carry."""
    return {"palindrome": length - 1, "recall": length, "binary_addition": length + 1}[task]


def peak_bytes(s):
    """About the least memory a run of setting `s` needs at its peak, in bytes (float32 throughout): the values a
    training batch keeps for its backward pass and their gradients, one pass over the validation or test
    sequences (evaluated in one piece), those sequences themselves, and the weights with Adam's two slots."""
    addition = s["task"] == "binary_addition"
    steps = time_steps(s["task"], s["length"])
    per_step = s["hidden"] * ({"lstm": 4, "gru": 3, "rnn": 1}[s["model"]] + 3)  # gates, state, output, cell
    width = data.input_size(s["task"], s["encoding"])
    evaluated = max(s["validation_size"], s["test_size"])
    floats = (3 * s["batch_size"] * steps * per_step + evaluated * steps * per_step + 3 * evaluated * steps * width
              + (500 * (max(ADDITION_TEST_LENGTHS) + 1) * per_step if addition else 0)
              + 4 * per_step * (s["hidden"] + width + 1))
    return 4 * floats


def available_bytes():
    """The memory the system can still give (MemAvailable), or None where it does not say."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def check_memory(s, available=None, lower=None):
    """A UserError, before anything is allocated, when the run cannot fit in the free memory; `lower` names the
    calling program's flags that shrink it (default: --batch_size, --validation_size, --test_size, --hidden,
    --length)."""
    need, free = peak_bytes(s), available if available is not None else available_bytes()
    if free is not None and need > free:
        raise UserError("{} {}-{} at length {} needs about {:.1f} GB of memory and {:.1f} GB are free; lower {}".format(
            s["task"], s["model"], s["hidden"], s["length"], need / 1e9, free / 1e9, lower or (
                "--batch_size ({}), --validation_size/--test_size ({}/{}), --hidden or --length".format(
                    s["batch_size"], s["validation_size"], s["test_size"]))))


class TaskModel(object):
    """The cell over T steps, then a linear head on the last real step (on every step for binary addition).
    Built inside a reusing variable scope, a second TaskModel over more steps shares the weights (binary
    addition trains on L + 1 steps and is tested on up to 41)."""

    def __init__(self, s, steps, training=True):
        from cells import CELLS
        from core.unroll_plain import static_rnn
        from core.tfcompat import tf
        from core.unroll import final_h
        per_step = s["task"] == "binary_addition"
        self.inputs = tf.placeholder(tf.float32, [None, steps, data.input_size(s["task"], s["encoding"])], "inputs")
        self.lengths = tf.placeholder(tf.int32, [None], name="lengths")
        self.targets = tf.placeholder(tf.float32 if per_step else tf.int64, [None, steps] if per_step else [None])
        keep = s["keep_bias"] if s["model"] != "rnn" else None
        cell = CELLS[s["model"]](s["hidden"], name=s["model"], recurrent_init=s["recurrent_init"], keep_bias=keep)
        self.steps = tf.unstack(self.inputs, axis=1)  # [B, T, D] -> T x [B, D]
        # Palindromes all have T-1 steps; the other tasks pad, and sequence_length stops each example in time.
        outputs, state = static_rnn(cell, self.steps, dtype=tf.float32,
                                    sequence_length=None if s["task"] == "palindrome" else self.lengths)
        hidden, width = s["hidden"], 1 if per_step else 10
        W = tf.get_variable("head/W", [hidden, width], initializer=tf.glorot_uniform_initializer())
        b = tf.get_variable("head/b", [width], initializer=tf.zeros_initializer())
        if per_step:
            h = tf.stack(outputs, axis=1)  # T x [B, H] -> [B, T, H]
            logits = tf.reshape(tf.matmul(tf.reshape(h, [-1, hidden]), W) + b, [-1, steps])  # [B*T, 1] -> [B, T]
            real = tf.sequence_mask(self.lengths, steps, dtype=tf.float32)  # [B, T]: 1 on real steps
            if s["loss"] == "mse":
                per_bit = tf.square(tf.sigmoid(logits) - self.targets)
            else:  # the proper loss for a bit: sigmoid cross-entropy of its logit
                per_bit = tf.nn.sigmoid_cross_entropy_with_logits(labels=self.targets, logits=logits)
            self.loss = tf.reduce_sum(per_bit * real) / tf.reduce_sum(real)
            bit_right = tf.cast(tf.equal(tf.cast(logits > 0, tf.float32), self.targets), tf.float32) * real
            self.bit_accuracy = tf.reduce_sum(bit_right) / tf.reduce_sum(real)
            self.accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.reduce_sum(bit_right, 1), tf.reduce_sum(real, 1)),
                                                   tf.float32))  # every bit of the sum right
            self.prediction = tf.cast(logits > 0, tf.int32)
        else:
            logits = tf.matmul(final_h(state), W) + b  # [B, H] -> [B, 10], at each example's last real step
            self.loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=self.targets,
                                                                                      logits=logits))
            self.prediction = tf.argmax(logits, 1)
            self.accuracy = tf.reduce_mean(tf.cast(tf.equal(self.prediction, self.targets), tf.float32))
            self.bit_accuracy = None
        if not training:
            return
        if s["optimizer"] == "rmsprop":  # the decay and epsilon of PyTorch's RMSprop
            optimizer = tf.train.RMSPropOptimizer(s["learning_rate"], decay=0.99, epsilon=1e-8)
        else:
            optimizer = tf.train.AdamOptimizer(s["learning_rate"], beta1=0.9, beta2=s["beta2"])
        variables = tf.trainable_variables()
        grads = tf.gradients(self.loss, variables)
        if s["clip_norm"]:
            grads, _ = tf.clip_by_global_norm(grads, s["clip_norm"])
        self.train_op = optimizer.apply_gradients(zip(grads, variables))
        # |dL/dx_t| per input step: how far back the loss reaches (palindromes).
        self.input_gradients = tf.gradients(self.loss, self.steps)


def train(s):
    """Train one setting `s` (a dict made by setting()) and return its record. Memory running out is one
    UserError saying which sizes to lower, whether foreseen (check_memory) or met."""
    from core.tfcompat import tf
    check_memory(s)
    try:
        return _train(s)
    except (MemoryError, tf.errors.ResourceExhaustedError):
        raise UserError("{} {}-{} at length {} ran out of memory; lower --batch_size, --validation_size, "
                        "--test_size, --hidden or --length".format(s["task"], s["model"], s["hidden"], s["length"]))


def _train(s):
    from core.tfcompat import tf
    task, length, seed = s["task"], s["length"], s["seed"]
    steps = time_steps(task, length)
    rng = np.random.RandomState(seed)
    validation = data.draw(task, np.random.RandomState(VALIDATION_SEED + seed), s["validation_size"], length, s, steps)
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(seed)
        with tf.variable_scope("task", reuse=tf.AUTO_REUSE):
            net = TaskModel(s, steps)
            longest = max(ADDITION_TEST_LENGTHS) + 1
            long_net = TaskModel(s, longest, training=False) if task == "binary_addition" else None
        init = tf.global_variables_initializer()
    # One thread each: these graphs are tiny, and a pool per op costs more than it saves (measured).
    session = tf.Session(graph=graph, config=tf.ConfigProto(intra_op_parallelism_threads=THREADS,
                                                            inter_op_parallelism_threads=THREADS))
    session.run(init)

    def feed(batch):
        return {net.inputs: batch[0], net.targets: batch[1], net.lengths: batch[2]}

    def measure(batch, net=net):  # [loss, accuracy(, bit accuracy)]
        fetches = [net.loss, net.accuracy] + ([net.bit_accuracy] if net.bit_accuracy is not None else [])
        feed = {net.inputs: batch[0], net.targets: batch[1], net.lengths: batch[2]}
        return [float(v) for v in session.run(fetches, feed)]

    started, done, curve, stopped = time.time(), 0, [], "budget"
    what = "{} {}-{} length {} seed {}".format(task, s["model"], s["hidden"], length, seed)
    while done < s["steps"]:
        losses = [session.run([net.train_op, net.loss], feed(data.draw(task, rng, s["batch_size"], length, s, steps)))[1]
                  for _ in range(EVAL_EVERY)]
        done += EVAL_EVERY
        score = measure(validation)
        curve.append([done, round(float(np.mean(losses)), 5)] + [round(v, 5) for v in score])
        reached = score[-1] >= s["target"]  # bit accuracy for binary addition, accuracy otherwise
        if done % 1000 == 0 or reached:
            log("{}: step {:,}, train loss {:.4f}, validation accuracy {:.4f}{}, {:.0f}s".format(
                what, done, curve[-1][1], score[1], ", bit accuracy {:.4f}".format(score[2]) if len(score) > 2 else "",
                time.time() - started))
        if reached:
            stopped = "target"
            break
    record = dict(s, steps_done=done, stopped=stopped, seconds=round(time.time() - started, 1), machine=machine(),
                  tensorflow=tf.__version__,
                  curve_columns=["step", "train_loss", "validation_loss", "validation_accuracy"] +
                  (["validation_bit_accuracy"] if task == "binary_addition" else []), curve=curve)
    record["validation_accuracy"] = curve[-1][3]
    if task == "palindrome":  # on validation sequences: the figure says how far back the loss reaches
        grads = session.run(net.input_gradients, feed(validation))
        record["input_gradient_norms"] = [float(np.linalg.norm(g, axis=1).mean()) for g in grads]
    # The test sequences, touched once, after training has stopped.
    test = data.draw(task, np.random.RandomState(TEST_SEED + seed), s["test_size"], length, s, steps)
    scores = measure(test)
    record["test_accuracy"] = scores[1]
    if task == "binary_addition":
        record["validation_bit_accuracy"], record["test_bit_accuracy"] = curve[-1][4], scores[2]
        record["test_bit_accuracy_by_length"] = {
            str(bits): measure(data.additions(np.random.RandomState(LENGTH_TEST_SEED + bits), 500, bits, longest),
                               long_net)[2]
            for bits in ADDITION_TEST_LENGTHS}
    if task == "recall":  # a randomised printout of test sequences: the input, the truth, the prediction
        inputs, truth, lengths = data.draw(task, np.random.RandomState(TEST_SEED + seed), PRINTOUT, length, s, steps)
        guesses = session.run(net.prediction, feed((inputs, truth, lengths)))
        digits = inputs.argmax(2) if inputs.shape[2] > 1 else inputs[:, :, 0].round().astype(int)  # [N, T]
        record["printout"] = [{"input": [int(d) for d in digits[k, :lengths[k]]], "truth": int(truth[k]),
                               "prediction": int(guesses[k])} for k in range(PRINTOUT)]
        for row in record["printout"]:
            log("test sequence {} -> digit {}: truth {}, prediction {}".format(
                "".join(map(str, row["input"])), s["position"], row["truth"], row["prediction"]))
    session.close()
    log("{}: {} after {:,} steps; validation accuracy {:.4f}, test accuracy {:.4f}".format(
        what, "reached the target" if stopped == "target" else "budget spent", done, record["validation_accuracy"],
        record["test_accuracy"]))
    return record
