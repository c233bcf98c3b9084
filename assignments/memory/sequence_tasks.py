"""Memory tasks for the same hand-written cells: what gates buy over a vanilla RNN, and what the
initialisation and the input encoding buy.

    python assignments/memory/sequence_tasks.py --task=palindrome --model=rnn,lstm,gru --length=5,10,15,20 --seeds=1,2,3,4,5
    python assignments/memory/sequence_tasks.py --task=palindrome --model=rnn --length=20 --encoding=scalar,onehot \\
        --recurrent_init=orthogonal,gaussian --seeds=1,2,3,4,5          # the ablation
    python assignments/memory/sequence_tasks.py --task=recall --model=lstm --hidden=2,5,10 --seeds=1,2,3,4,5
    python assignments/memory/sequence_tasks.py --task=binary_addition --model=lstm --length=3,5,10 --loss=ce,mse --seeds=1,2,3,4,5
    python assignments/memory/sequence_tasks.py --plot          # figures and results/tasks/README.md from the result files

palindrome       the first T-1 digits of a palindrome of length T; predict the T-th, which equals the
                 first: the cell must carry one digit across T-1 steps. Cross-entropy on the last step,
                 h(0) = 0. Defaults: the course skeleton's (PalindromeDataset, train.py): each digit one
                 scalar input, 128 units, batch 128, RMSProp 0.001, 10,000 steps, clipping at norm 10.
recall           random digits, random length in [--min_length, --length], one-hot; the answer is the
                 digit at --position (1-based): 3 5 8 6 8 -> 5 for position 2. Adam 0.01, betas
                 (0.9, 0.99), as the student report on this task used.
binary_addition  two L-bit numbers, least significant bit first, one bit pair per step, and one more
                 step of (0, 0) for the carry; one sum bit out per step. Cross-entropy or squared error
                 on the bits, Adam 0.01, betas (0.9, 0.99); tested on sums of 1..40 bits.

The project's own choices are flags, recorded in every result line: --encoding (scalar or one-hot
digits), --recurrent_init (orthogonal W_h, or N(0, 0.01^2) as small-Gaussian skeletons draw it) and
--keep_bias (the starting bias of the gate that keeps the state: LSTM forget gate, GRU update gate;
1.0 for both, so that the two gated cells start alike).

Training stops when the accuracy on validation sequences (their own seed) reaches --target, or after
--steps; the test sequences (another seed) are measured once, at the end. Each flag may list values;
every combination runs (seconds to minutes each, no checkpoints). Each run ends with one JSON line,
printed and appended to results/tasks/<task>.jsonl.
"""
import json
import os
import sys
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))  # the project root, for its core package

from absl import flags

from assignments.memory import data
from assignments.memory.net import ADDITION_TEST_LENGTHS, DEFAULTS, EVAL_EVERY, check_memory, setting, train
from core.common import PROJECT_DIR, UserError, append_line, guarded, log, print_error

FLAGS = flags.FlagValues()  # its own, so that main.py's flags can live in the same process
flags.DEFINE_string("task", "palindrome", "palindrome, recall or binary_addition", flag_values=FLAGS)
flags.DEFINE_string("model", "lstm", "lstm, gru or rnn; several: lstm,rnn", flag_values=FLAGS)
flags.DEFINE_string("hidden", "", "hidden units (default: 128 palindrome, 5 recall and binary_addition)", flag_values=FLAGS)
flags.DEFINE_string("length", "", "T for palindrome (default 10), the longest sequence for recall (default 10), "
                    "the training bits L for binary_addition (default 5)", flag_values=FLAGS)
flags.DEFINE_integer("min_length", 5, "recall: the shortest sequence", flag_values=FLAGS)
flags.DEFINE_integer("position", 2, "recall: which digit to recall (1 = the first)", flag_values=FLAGS)
flags.DEFINE_string("loss", "ce", "binary_addition: ce (cross-entropy on the bits) or mse (squared error)", flag_values=FLAGS)
flags.DEFINE_string("encoding", "", "digits as one scalar input or one-hot (default: scalar palindrome, onehot "
                    "recall); several: scalar,onehot", flag_values=FLAGS)
flags.DEFINE_string("recurrent_init", "orthogonal", "W_h: orthogonal or gaussian (N(0, 0.01^2)); several allowed",
                    flag_values=FLAGS)
flags.DEFINE_string("keep_bias", "1", "starting bias of the LSTM forget gate and the GRU update gate; several: 0,1",
                    flag_values=FLAGS)
flags.DEFINE_string("learning_rate", "", "default: 0.001 (RMSProp) for palindrome, 0.01 (Adam) otherwise", flag_values=FLAGS)
flags.DEFINE_integer("steps", 0, "training steps at most (default: 10,000 palindrome, 3,000 otherwise)", flag_values=FLAGS)
flags.DEFINE_integer("batch_size", 0, "examples per step (default: 128 palindrome, 64 otherwise)", flag_values=FLAGS)
flags.DEFINE_float("clip_norm", -1, "clip the gradient's global norm (default: 10 palindrome, none otherwise; 0: none)",
                   flag_values=FLAGS)
flags.DEFINE_string("seeds", "1", "seeds for weights and data, e.g. 1,2,3,4,5", flag_values=FLAGS)
flags.DEFINE_float("target", 0, "stop when the validation accuracy (bit accuracy for binary_addition) reaches "
                   "this (default: 0.99 palindrome, 1.0 otherwise)", flag_values=FLAGS)
flags.DEFINE_integer("validation_size", 2000, "validation sequences, drawn with their own seed", flag_values=FLAGS)
flags.DEFINE_integer("test_size", 2000, "test sequences, drawn with another seed", flag_values=FLAGS)
flags.DEFINE_string("results_dir", os.path.join(PROJECT_DIR, "results", "tasks"), "where the .jsonl files go", flag_values=FLAGS)
flags.DEFINE_boolean("plot", False, "only draw the figures from the result files", flag_values=FLAGS)

TASKS = ("palindrome", "recall", "binary_addition")
MODELS = ("lstm", "gru", "rnn")
LIMITS = {"batch_size": 65536, "validation_size": 100000, "test_size": 100000}  # beyond: memory, not insight


def _values(name, text, convert, allowed=None, low=None, high=None):
    """A comma list flag -> its values, or one UserError line that says what the flag takes."""
    words = [w.strip().strip("'\"") for w in str(text).split(",")]
    try:
        values = [convert(w.lower() if allowed else w) for w in words]
    except ValueError:
        raise UserError("--{} takes {} separated by commas, not {!r}".format(
            name, "whole numbers" if convert is int else "numbers", text))
    for v in values:
        if allowed and v not in allowed:
            raise UserError("unknown --{}={!r}; choose {} (or several, separated by commas)".format(
                name, v, " or ".join(allowed)))
        if low is not None and not low <= v <= high:
            raise UserError("--{} must be between {:g} and {:g}, not {!r}".format(name, low, high, text))
    return values


def _one(name, value, default, low, high, unset=0):
    """A single-number flag with a per-task default, used when the flag is left at `unset`; given on the
    command line, even as `unset` (--batch_size=0), it is checked like any value."""
    if value == unset and not FLAGS[name].present:
        value = default
    if not low <= value <= high:
        raise UserError("--{} must be between {:g} and {:g}, not {:g}".format(name, low, high, value))
    return value


def plan():
    """Every run the flags ask for, as settings dicts (the keys of every result line)."""
    task = FLAGS.task.strip().strip("'\"").lower()
    if task not in TASKS:
        raise UserError("unknown --task={!r}; choose palindrome, recall or binary_addition".format(FLAGS.task))
    d = DEFAULTS[task]
    models = _values("model", FLAGS.model, str, MODELS)
    hidden = _values("hidden", FLAGS.hidden or d["hidden"], int, low=1, high=4096)
    longest = max(ADDITION_TEST_LENGTHS) if task == "binary_addition" else 200
    lengths = _values("length", FLAGS.length or d["length"], int, low=2 if task == "palindrome" else 1, high=longest)
    if task == "recall" and not 1 <= FLAGS.position <= FLAGS.min_length <= min(lengths):
        raise UserError("recall needs 1 <= --position <= --min_length <= --length (got {}, {}, {})".format(
            FLAGS.position, FLAGS.min_length, min(lengths)))
    seeds = _values("seeds", FLAGS.seeds, int, low=0, high=2 ** 31 - 1 - 3 * 10 ** 6)
    rates = _values("learning_rate", FLAGS.learning_rate or d["learning_rate"], float, low=1e-6, high=10)
    losses = _values("loss", FLAGS.loss, str, ("ce", "mse")) if task == "binary_addition" else ["ce"]
    encodings = ["bits"] if task == "binary_addition" else _values("encoding", FLAGS.encoding or d["encoding"], str,
                                                                   data.ENCODINGS)
    inits = _values("recurrent_init", FLAGS.recurrent_init, str, ("orthogonal", "gaussian"))
    biases = _values("keep_bias", FLAGS.keep_bias, float, low=-10, high=10)
    steps = _one("steps", FLAGS.steps, d["steps"], EVAL_EVERY, 10 ** 6)
    if steps % EVAL_EVERY:  # the budget is checked where validation is measured; a record says what ran
        raise UserError("--steps must be a multiple of {0} (validation is measured every {0} steps), like "
                        "--steps=3000, not {1}".format(EVAL_EVERY, steps))
    common = dict(steps=steps,
                  batch_size=_one("batch_size", FLAGS.batch_size, d["batch_size"], 1, LIMITS["batch_size"]),
                  clip_norm=_one("clip_norm", FLAGS.clip_norm, d["clip_norm"], 0, 1e6, unset=-1),
                  target=_one("target", FLAGS.target, d["target"], 1e-9, 1),
                  validation_size=_one("validation_size", FLAGS.validation_size, 0, 1, LIMITS["validation_size"],
                                       unset=None),
                  test_size=_one("test_size", FLAGS.test_size, 0, 1, LIMITS["test_size"], unset=None))
    if task == "recall":
        common.update(min_length=FLAGS.min_length, position=FLAGS.position)
    return [setting(task, model=m, hidden=h, length=n, seed=s, learning_rate=r, loss=l, encoding=e,
                    recurrent_init=i, keep_bias=k, **common)
            for l in losses for e in encodings for i in inits for k in biases for m in models for h in hidden
            for n in lengths for r in rates for s in seeds
            if not (m == "rnn" and k != biases[0])]  # the RNN has no keep gate: one run, not one per bias


def _run():
    if FLAGS.plot:
        from assignments.memory.tasks import plot_tasks
        for path in plot_tasks(FLAGS.results_dir):
            log("wrote {}".format(path))
        return 0
    runs = plan()
    for settings in runs:  # every run is checked to fit before the first one starts
        check_memory(settings)
    os.makedirs(FLAGS.results_dir, exist_ok=True)
    for task in {s["task"] for s in runs}:  # before the first run, not after the last
        target = os.path.join(FLAGS.results_dir, task + ".jsonl")
        if os.path.isdir(target):
            raise UserError("{} is a folder, where this task's results go; move it, or pass --results_dir".format(
                target))
    for number, settings in enumerate(runs, 1):
        log("run {} of {}".format(number, len(runs)))
        record = train(settings)
        line = json.dumps(record, sort_keys=True)
        append_line(os.path.join(FLAGS.results_dir, record["task"] + ".jsonl"), line)
        print(line, flush=True)
    return 0


def main(argv):
    FLAGS.unparse_flags()
    try:
        extra = FLAGS(argv)[1:]
    except flags.Error as e:
        return print_error("{}; run python assignments/memory/sequence_tasks.py --help to list the flags".format(e),
                           status=2)
    if extra:
        return print_error("unexpected argument {!r}; flags look like --task=palindrome".format(extra[0]), status=2)
    # A kill stops like Ctrl-C: the finished runs are kept (each is appended as it ends).
    return guarded(_run, interrupted="interrupted; the finished runs are in {}".format(FLAGS.results_dir),
                   fix="point --results_dir at a folder you can write")


if __name__ == "__main__":
    if any(arg in ("-h", "--help", "--helpfull") for arg in sys.argv[1:]):
        print(__doc__)
        print(FLAGS.module_help(sys.modules[__name__]))
        sys.exit(0)
    sys.exit(main(sys.argv))
