"""Memory tasks for the same hand-written cells: what gates buy over a vanilla RNN.

    python sequence_tasks.py --task=palindrome --model=lstm --length=5
    python sequence_tasks.py --task=palindrome --model=rnn,lstm,gru --length=5,10,20,30,40 --seeds=1,2,3,4,5
    python sequence_tasks.py --task=recall --model=lstm --hidden=2,5,10 --seeds=1,2,3,4,5
    python sequence_tasks.py --task=binary_addition --model=lstm --hidden=5 --length=3,5,10 --loss=ce,mse
    python sequence_tasks.py --plot          # figures in results/tasks/ from the result files

palindrome       the first T-1 digits of a palindrome of length T, one-hot; predict the T-th, which
                 equals the first: the cell must carry one digit across T-1 steps. Cross-entropy on
                 the last step, RMSProp, h(0) = 0.
recall           random digits, random length in [--min_length, --length]; the answer is the digit
                 at --position (1-based): 3 5 8 6 8 -> 5 for position 2. Adam.
binary_addition  two L-bit numbers, least significant bit first, one bit pair per step, and one
                 more step of (0, 0) for the carry; one sum bit out per step (a per-step head).
                 Cross-entropy or squared error on the bits, Adam; tested at lengths 1..20.

Each flag may list values; every combination runs (seconds to minutes each, no checkpoints).
Progress goes to stdout; each run ends with one JSON line, also appended to
results/tasks/<task>.jsonl. A run stops at --target test accuracy or after --steps.
"""
import json
import os
import sys
import time

from absl import flags

import numpy as np

from project.common import PROJECT_DIR, UserError, atomic_write_bytes, log, print_error

FLAGS = flags.FlagValues()  # its own, so that main.py's flags can live in the same process
flags.DEFINE_string("task", "palindrome", "palindrome, recall or binary_addition", flag_values=FLAGS)
flags.DEFINE_string("model", "lstm", "lstm, gru or rnn; several: lstm,rnn", flag_values=FLAGS)
flags.DEFINE_string("hidden", "", "hidden units (default: 128 palindrome, 5 recall and binary_addition)", flag_values=FLAGS)
flags.DEFINE_string("length", "", "T for palindrome (default 5), the longest sequence for recall (default 10), "
                    "the training bits L for binary_addition (default 5)", flag_values=FLAGS)
flags.DEFINE_integer("min_length", 5, "recall: the shortest sequence", flag_values=FLAGS)
flags.DEFINE_integer("position", 2, "recall: which digit to recall (1 = the first)", flag_values=FLAGS)
flags.DEFINE_string("loss", "ce", "binary_addition: ce (cross-entropy on the bits) or mse (squared error)", flag_values=FLAGS)
flags.DEFINE_string("learning_rate", "", "default: 0.001 (RMSProp) for palindrome, 0.01 (Adam) otherwise", flag_values=FLAGS)
flags.DEFINE_integer("steps", 0, "training steps at most (default: 10,000 palindrome, 3,000 otherwise)", flag_values=FLAGS)
flags.DEFINE_integer("batch_size", 64, "examples per step", flag_values=FLAGS)
flags.DEFINE_string("seeds", "1", "seeds for weights and data, e.g. 1,2,3,4,5", flag_values=FLAGS)
flags.DEFINE_float("target", 0.99, "stop when the test accuracy (bit accuracy for binary_addition) reaches this", flag_values=FLAGS)
flags.DEFINE_integer("test_size", 2000, "test examples, drawn with their own seed", flag_values=FLAGS)
flags.DEFINE_boolean("gradients", False, "palindrome: also record |dL/dx_t| for every input step after training", flag_values=FLAGS)
flags.DEFINE_string("results_dir", os.path.join(PROJECT_DIR, "results", "tasks"), "where the .jsonl files go", flag_values=FLAGS)
flags.DEFINE_boolean("plot", False, "only draw the figures from the result files", flag_values=FLAGS)

TASKS = ("palindrome", "recall", "binary_addition")
DEFAULTS = {"palindrome": {"hidden": 128, "length": 5, "learning_rate": 0.001, "steps": 10000},
            "recall": {"hidden": 5, "length": 10, "learning_rate": 0.01, "steps": 3000},
            "binary_addition": {"hidden": 5, "length": 5, "learning_rate": 0.01, "steps": 3000}}
EVAL_EVERY = 100
ADDITION_TEST_LENGTHS = range(1, 21)


# ---- data: each generator returns (inputs [N, T, D] float32, targets, lengths [N]) --------------------------

def one_hot(digits, depth=10):
    return np.eye(depth, dtype=np.float32)[digits]


def palindromes(rng, n, length):
    """Inputs: the first T-1 digits of random palindromes of length T; target: the T-th (= the first)."""
    half = rng.randint(0, 10, (n, (length + 1) // 2))
    full = np.concatenate([half, half[:, :length // 2][:, ::-1]], axis=1)  # [N, T], reads the same reversed
    return one_hot(full[:, :-1]), full[:, -1], np.full(n, length - 1, np.int32)


def recall_sequences(rng, n, min_length, max_length, position):
    """Random digits of random length (zero-padded to max_length); target: the digit at `position` (1-based)."""
    digits = rng.randint(0, 10, (n, max_length))
    lengths = rng.randint(min_length, max_length + 1, n).astype(np.int32)
    inputs = one_hot(digits) * (np.arange(max_length)[None, :, None] < lengths[:, None, None])
    return inputs.astype(np.float32), digits[:, position - 1], lengths


def additions(rng, n, bits, steps=None):
    """Bit pairs (a_t, b_t), least significant first, then (0, 0) for the carry; targets: the sum's bits.
    Padded with zeros to `steps` time steps."""
    steps = steps or bits + 1
    a, b = rng.randint(0, 2 ** bits, n, dtype=np.int64), rng.randint(0, 2 ** bits, n, dtype=np.int64)
    place = 2 ** np.arange(steps, dtype=np.int64)
    bit = lambda v: ((v[:, None] // place) % 2).astype(np.float32)  # [N] -> [N, steps], LSB first
    inputs = np.stack([bit(a), bit(b)], axis=2)  # [N, steps, 2]; from step `bits` on both are 0
    return inputs, bit(a + b) * (np.arange(steps) < bits + 1), np.full(n, bits + 1, np.int32)


def make_data(task, rng, n, length, steps=None):
    if task == "palindrome":
        return palindromes(rng, n, length)
    if task == "recall":
        return recall_sequences(rng, n, FLAGS.min_length, length, FLAGS.position)
    return additions(rng, n, length, steps)


# ---- the network: the project's cells, unrolled with static_rnn ------------------------------------------------

class TaskModel(object):
    """One recurrent layer from cells.py over T steps, then a linear head on the last real step (or on every
    step, for binary_addition)."""

    def __init__(self, task, model, hidden, steps, input_size, learning_rate, loss="ce"):
        from cells import CELLS
        from graph.tfcompat import static_rnn, tf
        from graph.unroll import final_h
        per_step = task == "binary_addition"
        self.inputs = tf.placeholder(tf.float32, [None, steps, input_size], name="inputs")
        self.lengths = tf.placeholder(tf.int32, [None], name="lengths")
        self.targets = tf.placeholder(tf.float32 if per_step else tf.int64, [None, steps] if per_step else [None])
        cell = CELLS[model](hidden, name=model)
        self.steps = tf.unstack(self.inputs, axis=1)  # [B, T, D] -> T x [B, D]
        # Palindromes all have T-1 steps; the other tasks pad, and sequence_length stops each example in time.
        outputs, state = static_rnn(cell, self.steps, dtype=tf.float32,
                                    sequence_length=None if task == "palindrome" else self.lengths)
        width = 1 if per_step else 10
        W = tf.get_variable("head/W", [hidden, width], initializer=tf.glorot_uniform_initializer())
        b = tf.get_variable("head/b", [width], initializer=tf.zeros_initializer())
        if per_step:
            h = tf.stack(outputs, axis=1)  # T x [B, H] -> [B, T, H]
            logits = tf.reshape(tf.matmul(tf.reshape(h, [-1, hidden]), W) + b, [-1, steps])  # [B*T, 1] -> [B, T]
            real = tf.sequence_mask(self.lengths, steps, dtype=tf.float32)  # [B, T]: 1 on real steps
            if loss == "mse":
                per_bit = tf.square(tf.sigmoid(logits) - self.targets)
            else:
                per_bit = tf.nn.sigmoid_cross_entropy_with_logits(labels=self.targets, logits=logits)
            self.loss = tf.reduce_sum(per_bit * real) / tf.reduce_sum(real)
            bit_right = tf.cast(tf.equal(tf.cast(logits > 0, tf.float32), self.targets), tf.float32) * real
            self.bit_accuracy = tf.reduce_sum(bit_right) / tf.reduce_sum(real)
            self.accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.reduce_sum(bit_right, 1), tf.reduce_sum(real, 1)),
                                                   tf.float32))  # every bit of the sum right
            self.prediction = tf.cast(logits > 0, tf.int32)
        else:
            last = final_h(state)  # at each example's last real step
            logits = tf.matmul(last, W) + b  # [B, H] -> [B, 10]
            self.loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=self.targets,
                                                                                      logits=logits))
            self.prediction = tf.argmax(logits, 1)
            self.accuracy = tf.reduce_mean(tf.cast(tf.equal(self.prediction, self.targets), tf.float32))
            self.bit_accuracy = None
        optimizer = (tf.train.RMSPropOptimizer if task == "palindrome" else tf.train.AdamOptimizer)(learning_rate)
        self.train_op = optimizer.minimize(self.loss)
        # |dL/dx_t| per input step: how far back the loss reaches (palindrome, --gradients).
        self.input_gradients = tf.gradients(self.loss, self.steps)


def run_one(task, model, hidden, length, seed, learning_rate, steps_budget, loss="ce"):
    """Train and test one configuration; returns its result record."""
    from graph.tfcompat import tf
    rng = np.random.RandomState(seed)
    test_rng = np.random.RandomState(10 ** 6 + seed)
    steps = {"palindrome": length - 1, "recall": length, "binary_addition": max(ADDITION_TEST_LENGTHS) + 1}[task]
    input_size = 2 if task == "binary_addition" else 10
    test = make_data(task, test_rng, FLAGS.test_size, length, steps)
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(seed)
        net = TaskModel(task, model, hidden, steps, input_size, learning_rate, loss)
        init = tf.global_variables_initializer()
    session = tf.Session(graph=graph)
    session.run(init)

    def feed(data):
        return {net.inputs: data[0], net.targets: data[1], net.lengths: data[2]}

    def measure(data):
        fetches = [net.accuracy] + ([net.bit_accuracy] if net.bit_accuracy is not None else [])
        return [float(v) for v in session.run(fetches, feed(data))]

    started, done, score = time.time(), 0, [0.0]
    while done < steps_budget:
        for _ in range(EVAL_EVERY):
            session.run(net.train_op, feed(make_data(task, rng, FLAGS.batch_size, length, steps)))
        done += EVAL_EVERY
        score = measure(test)
        if done % 1000 == 0 or score[-1] >= FLAGS.target:
            log("{} {}-{} length {} seed {}: step {:,}, test accuracy {:.4f}{}".format(
                task, model, hidden, length, seed, done, score[0],
                ", bit accuracy {:.4f}".format(score[1]) if len(score) > 1 else ""))
        if score[-1] >= FLAGS.target:
            break
    record = {"task": task, "model": model, "hidden": hidden, "length": length, "seed": seed, "steps": done,
              "accuracy": score[0], "learning_rate": learning_rate, "seconds": round(time.time() - started, 1)}
    if task == "binary_addition":
        record.update(loss=loss, bit_accuracy=score[1], bit_accuracy_by_length={})
        for test_bits in ADDITION_TEST_LENGTHS:
            data = additions(np.random.RandomState(2 * 10 ** 6 + test_bits), 500, test_bits, steps)
            record["bit_accuracy_by_length"][str(test_bits)] = measure(data)[1]
    if task == "recall":
        record.update(position=FLAGS.position, min_length=FLAGS.min_length)
        example = make_data(task, np.random.RandomState(seed + 99), 1, length, steps)
        guess = session.run(net.prediction, feed(example))[0]
        digits = [int(d) for d in example[0][0][:example[2][0]].argmax(1)]
        log("a random test: input {}, truth {}, prediction {}".format(" ".join(map(str, digits)),
                                                                      int(example[1][0]), int(guess)))
    if task == "palindrome" and FLAGS.gradients:
        grads = session.run(net.input_gradients, feed(test))
        record["input_gradient_norms"] = [float(np.linalg.norm(g, axis=1).mean()) for g in grads]
    session.close()
    return record


# ---- flags, runs, figures ----------------------------------------------------------------------------------------

def _ints(name, text, low=1, high=10 ** 6):
    try:
        values = [int(v) for v in text.split(",")]
    except ValueError:
        raise UserError("--{} takes whole numbers separated by commas, not {!r}".format(name, text))
    if not values or min(values) < low or max(values) > high:
        raise UserError("--{} must be between {} and {}, not {!r}".format(name, low, high, text))
    return values


def plan():
    """Every run the flags ask for: (task, model, hidden, length, seed, learning rate, steps, loss)."""
    task = FLAGS.task.strip().strip("'\"")
    if task not in TASKS:
        raise UserError("unknown --task={!r}; choose palindrome, recall or binary_addition".format(task))
    models = [m.strip() for m in FLAGS.model.split(",")]
    for model in models:
        if model not in ("lstm", "gru", "rnn"):
            raise UserError("unknown --model={!r}; choose lstm, gru or rnn (or several: lstm,rnn)".format(model))
    defaults = DEFAULTS[task]
    hidden = _ints("hidden", FLAGS.hidden or str(defaults["hidden"]), 1, 4096)
    lengths = _ints("length", FLAGS.length or str(defaults["length"]), 2 if task == "palindrome" else 1,
                    200 if task != "binary_addition" else max(ADDITION_TEST_LENGTHS))
    if task == "recall" and not 1 <= FLAGS.position <= FLAGS.min_length <= min(lengths):
        raise UserError("recall needs 1 <= --position <= --min_length <= --length (got {}, {}, {})".format(
            FLAGS.position, FLAGS.min_length, min(lengths)))
    seeds = _ints("seeds", FLAGS.seeds, 0, 2 ** 31 - 1)
    try:
        rates = [float(v) for v in (FLAGS.learning_rate or str(defaults["learning_rate"])).split(",")]
    except ValueError:
        raise UserError("--learning_rate takes numbers separated by commas, not {!r}".format(FLAGS.learning_rate))
    if not all(0 < r < 10 for r in rates):
        raise UserError("--learning_rate must be between 0 and 10, not {!r}".format(FLAGS.learning_rate))
    losses = [v.strip() for v in FLAGS.loss.split(",")] if task == "binary_addition" else ["ce"]
    if set(losses) - {"ce", "mse"}:
        raise UserError("--loss is ce or mse (or both: ce,mse), not {!r}".format(FLAGS.loss))
    steps = FLAGS.steps or defaults["steps"]
    if not 0 < steps <= 10 ** 6 or FLAGS.batch_size < 1 or FLAGS.test_size < 1:
        raise UserError("--steps must be in 1..1,000,000, --batch_size and --test_size positive")
    if not 0 < FLAGS.target <= 1:
        raise UserError("--target is an accuracy in (0, 1], not {}".format(FLAGS.target))
    return [(task, m, h, n, s, r, steps, l) for l in losses for m in models for h in hidden for n in lengths
            for r in rates for s in seeds]


def append_record(record):
    path = os.path.join(FLAGS.results_dir, record["task"] + ".jsonl")
    old = open(path, "rb").read() if os.path.isfile(path) else b""
    atomic_write_bytes(path, old + (json.dumps(record, sort_keys=True) + "\n").encode("utf-8"))


def main(argv):
    FLAGS.unparse_flags()
    try:
        extra = FLAGS(argv)[1:]
    except flags.Error as e:
        return print_error("{}; run python sequence_tasks.py --help to list the flags".format(e), status=2)
    if extra:
        return print_error("unexpected argument {!r}; flags look like --task=palindrome".format(extra[0]), status=2)
    try:
        if FLAGS.plot:
            from reporting.tasks import plot_tasks
            for path in plot_tasks(FLAGS.results_dir):
                log("wrote {}".format(path))
            return 0
        runs = plan()
        for number, run in enumerate(runs, 1):
            log("run {} of {}".format(number, len(runs)))
            record = run_one(*run)
            append_record(record)
            print(json.dumps(record, sort_keys=True), flush=True)
    except UserError as e:
        return print_error(e)
    except OSError as e:
        return print_error("cannot write {}: {}; point --results_dir elsewhere".format(e.filename, e.strerror))
    except KeyboardInterrupt:
        return print_error("interrupted; the finished runs are in {}".format(FLAGS.results_dir), status=130)
    return 0


if __name__ == "__main__":
    if any(arg in ("-h", "--help", "--helpfull") for arg in sys.argv[1:]):
        print(__doc__)
        print(FLAGS.module_help(sys.modules[__name__]))
        sys.exit(0)
    sys.exit(main(sys.argv))
