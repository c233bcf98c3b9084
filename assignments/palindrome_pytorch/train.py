"""Train the palindrome LSTM or vanilla RNN, with the course skeleton's flags, meanings and defaults.

    python train.py --model_type=LSTM --input_length=10

As in the skeleton, --input_length is the number of input digits: the palindrome has input_length + 1
digits (T), the last one the target. One scalar per digit, cross-entropy on the last step, RMSprop, the
gradient clipped at --max_norm after backward. --device is the skeleton's cuda:0; where CUDA is missing, the
run says so and trains on the CPU, so the default works on any machine.
Training stops when the accuracy on validation palindromes (their own seed) reaches --target, or after
--train_steps; the test palindromes (another seed) are measured once, at the end. Progress every 1,000 steps;
the result is one JSON line (the curve, the processor, the CPU time), printed and appended to --results
(default: results.jsonl beside this file). One CPU thread, so that a seed gives the same numbers run after run
on one processor.
"""
import argparse
import datetime
import json
import os
import platform
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if __package__:  # imported as part of a package: its own modules, and sys.path and sys.modules left alone
    from . import results_file
else:  # run as a program: dataset.py, lstm.py, vanilla_rnn.py beside this file, wherever it is run from
    sys.path.insert(0, HERE)
    import results_file  # noqa: E402
DEFAULT_RESULTS = os.path.join(HERE, "results.jsonl")
DEVICES = ("cpu", "cuda", "mps")  # devices that train; others (meta, ...) hold no numbers to learn from


class ArgumentParser(argparse.ArgumentParser):
    def error(self, message):  # one line and status 2, not a usage block
        self.exit(2, "error: {}; --help lists the flags\n".format(message))


def print_error(message, status=1):
    sys.stdout.flush()
    sys.stderr.write("error: {}\n".format(message))
    return status


def log(message):
    print("[{:%Y-%m-%d %H:%M:%S}] {}".format(datetime.datetime.now(), message), flush=True)


def processor():
    """What trained the run: a seed gives the same numbers on one processor, not across them."""
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()



VALIDATION_SEED, TEST_SEED = 10 ** 6, 2 * 10 ** 6  # three separate draws per seed: training, validation, test
EVAL_EVERY = 100


def parse(argv):
    parser = ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model_type", type=str, default="RNN", help="model type: RNN or LSTM")
    parser.add_argument("--input_length", type=int, default=10, help="input digits; the palindrome has one more")
    parser.add_argument("--input_dim", type=int, default=1, help="dimensionality of an input (1: one digit)")
    parser.add_argument("--num_classes", type=int, default=10, help="number of classes (digits)")
    parser.add_argument("--num_hidden", type=int, default=128, help="number of hidden units")
    parser.add_argument("--batch_size", type=int, default=128, help="examples per step")
    parser.add_argument("--learning_rate", type=float, default=0.001, help="RMSprop learning rate")
    parser.add_argument("--train_steps", type=int, default=10000, help="training steps at most")
    parser.add_argument("--max_norm", type=float, default=10.0, help="clip the gradient's norm to this")
    parser.add_argument("--device", type=str, default="cuda:0", help="cuda:0 (the skeleton's default; the CPU "
                        "where CUDA is missing) or cpu")
    parser.add_argument("--seed", type=int, default=1, help="seed of the weights and the training palindromes")
    parser.add_argument("--target", type=float, default=0.99, help="stop at this validation accuracy")
    parser.add_argument("--validation_size", type=int, default=2000, help="validation palindromes")
    parser.add_argument("--test_size", type=int, default=2000, help="test palindromes")
    parser.add_argument("--rmsprop_start", type=float, default=0.0,
                        help="RMSprop's mean square at the start: 0 is PyTorch's, 1 TensorFlow's")
    parser.add_argument("--results", default=DEFAULT_RESULTS, help="the .jsonl file the result line is appended to")
    args = parser.parse_args(argv)
    args.model_type = args.model_type.strip().upper()
    checks = [(args.model_type in ("RNN", "LSTM"), "--model_type is RNN or LSTM, not {!r}".format(args.model_type)),
              (1 <= args.input_length <= 999, "--input_length (input digits; the palindrome has one more) must be "
                                              "in 1..999"),
              (args.input_dim == 1, "--input_dim must be 1: each digit is one scalar input"),
              (args.num_classes == 10, "--num_classes must be 10: the digits 0..9"),
              (1 <= args.num_hidden <= 4096, "--num_hidden must be in 1..4096"),
              (1 <= args.batch_size <= 65536, "--batch_size must be in 1..65536"),
              (0 < args.learning_rate < 10, "--learning_rate must be in (0, 10)"),
              (1 <= args.train_steps <= 10 ** 6, "--train_steps must be in 1..1,000,000"),
              (0 < args.max_norm < float("inf"), "--max_norm must be positive and finite"),
              (0 <= args.rmsprop_start <= 1000, "--rmsprop_start must be in 0..1000 (0: PyTorch's, 1: TensorFlow's)"),
              (0 <= args.seed < 2 ** 31 - TEST_SEED, "--seed must be in 0..{}".format(2 ** 31 - TEST_SEED - 1)),
              (0 < args.target <= 1, "--target is an accuracy in (0, 1]"),
              (1 <= args.validation_size <= 100000 and 1 <= args.test_size <= 100000,
               "--validation_size and --test_size must be in 1..100,000")]
    for ok, message in checks:
        if not ok:
            raise ValueError(message)
    return args


def memory_needed(args):
    """Bytes a run on the CPU needs, roughly and on the high side: the weights with their gradients and
    RMSprop's state; what autograd keeps per step and example (each gate's input and output, c, tanh(c), h);
    the evaluation's palindromes and one step's temporaries."""
    H, L, gates = args.num_hidden, args.input_length, 4 if args.model_type == "LSTM" else 1
    weights = 4 * 4 * (gates * (H + H * H + H) + 10 * H + 10)
    kept = 4 * args.batch_size * L * H * (3 * gates + 3)
    n = max(args.validation_size, args.test_size)
    evaluation = n * (2 * (4 * (L + 1) + 112) + 4 * H * (2 * gates + 4))
    return weights + kept + evaluation


def memory_available():
    """Bytes this process may still use (Linux: MemAvailable, and a cgroup's limit where one is set), or None."""
    found = []
    try:
        with open("/proc/meminfo") as f:
            found += [int(line.split()[1]) * 1024 for line in f if line.startswith("MemAvailable:")]
        with open("/sys/fs/cgroup/memory.max") as f, open("/sys/fs/cgroup/memory.current") as g:
            limit = f.read().strip()
            if limit != "max":
                found.append(int(limit) - int(g.read()))
    except (OSError, ValueError):
        pass
    return min(found) if found else None


def accuracy(model, batch):
    import torch
    with torch.no_grad():
        logits = model(batch[0])
        return float((logits.argmax(1) == batch[1]).float().mean()), logits


def train(args):
    import torch
    if __package__:
        from .dataset import PalindromeDataset
        from .lstm import LSTM
        from .vanilla_rnn import VanillaRNN
    else:
        from dataset import PalindromeDataset
        from lstm import LSTM
        from vanilla_rnn import VanillaRNN
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    make = LSTM if args.model_type == "LSTM" else VanillaRNN
    length = args.input_length + 1  # the palindrome: the inputs and the digit to predict (the skeleton's +1)
    model = make(args.input_length, args.input_dim, args.num_hidden, args.num_classes, args.batch_size, device)
    from torch.utils.data import DataLoader
    # As in the skeleton, a DataLoader samples the mini-batches: inputs [B, T-1] float32, targets [B] int64.
    data_loader = iter(DataLoader(PalindromeDataset(length, seed=args.seed), batch_size=args.batch_size))
    one_batch = lambda seed, size: next(iter(DataLoader(PalindromeDataset(length, seed=seed), batch_size=size)))  # noqa: E731
    validation = [t.to(device) for t in one_batch(VALIDATION_SEED + args.seed, args.validation_size)]
    optimizer = torch.optim.RMSprop(model.parameters(), lr=args.learning_rate)
    if args.rmsprop_start:  # TensorFlow's RMSProp starts its mean square at 1, PyTorch's at 0 (big first steps)
        for p in model.parameters():
            optimizer.state[p] = {"step": torch.zeros(()), "square_avg": torch.full_like(p, args.rmsprop_start)}
    loss_fn = torch.nn.CrossEntropyLoss()
    started, cpu_started, curve, stopped, step = time.time(), time.process_time(), [], "budget", 0
    while step < args.train_steps:
        inputs, targets = next(data_loader)
        loss = loss_fn(model(inputs.to(device)), targets.to(device))
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=args.max_norm)  # after backward, not before
        optimizer.step()
        step += 1
        if step % EVAL_EVERY == 0:
            acc, logits = accuracy(model, validation)
            curve.append([step, round(loss.item(), 5), round(float(loss_fn(logits, validation[1])), 5), round(acc, 5)])
            if step % 1000 == 0 or acc >= args.target:
                speed = step / (time.time() - started)
                log("{} T={} seed {}: step {:,}/{:,}, train loss {:.4f}, validation accuracy {:.4f}, {:.0f} steps/s, "
                    "at most {:.0f}s left".format(args.model_type, length, args.seed, step,
                                                  args.train_steps, loss.item(), acc, speed,
                                                  (args.train_steps - step) / speed))
            if acc >= args.target:
                stopped = "target"
                break
    test = [t.to(device) for t in one_batch(TEST_SEED + args.seed, args.test_size)]
    test_acc, _ = accuracy(model, test)
    record = dict(task="palindrome", framework="pytorch", model=args.model_type.lower(), length=length,
                  input_length=args.input_length,
                  hidden=args.num_hidden, batch_size=args.batch_size, learning_rate=args.learning_rate,
                  optimizer="rmsprop", rmsprop_start=args.rmsprop_start, clip_norm=args.max_norm, encoding="scalar",
                  recurrent_init="orthogonal", validation_size=args.validation_size, test_size=args.test_size,
                  keep_bias=1.0 if args.model_type == "LSTM" else None, seed=args.seed, steps=args.train_steps,
                  steps_done=step, stopped=stopped, target=args.target, validation_accuracy=curve[-1][3] if curve else
                  accuracy(model, validation)[0], test_accuracy=test_acc, seconds=round(time.time() - started, 1),
                  cpu_seconds=round(time.process_time() - cpu_started, 1),
                  curve=curve, curve_columns=["step", "train_loss", "validation_loss", "validation_accuracy"],
                  machine={"processor": processor(), "cores": os.cpu_count(), "python": platform.python_version()},
                  torch=torch.__version__, device=str(device))
    log("{} T={} seed {}: {} after {:,} steps; validation accuracy {:.4f}, test accuracy {:.4f}".format(
        args.model_type, length, args.seed, "reached the target" if stopped == "target" else "budget spent",
        step, record["validation_accuracy"], test_acc))
    return record


def _stop(signum, frame):
    raise KeyboardInterrupt


def _out_of_memory(e):
    text = str(e).lower()
    return isinstance(e, MemoryError) or "out of memory" in text or "can't allocate" in text or \
        "not enough memory" in text


def main(argv=None):
    signal.signal(signal.SIGTERM, _stop)
    try:
        args = parse(argv)
    except ValueError as e:
        return print_error(e, status=2)
    try:
        results_file.check_writable(args.results)
    except results_file.ResultsError as e:
        return print_error(e, status=2)
    try:
        import torch  # noqa: F401
    except ImportError:
        return print_error("PyTorch is not installed; pip install -r {} (the CPU build is enough)".format(
            os.path.relpath(os.path.join(HERE, "requirements.txt"))))
    if args.device.startswith("cuda") and not torch.cuda.is_available():  # the skeleton's default, without CUDA
        log("--device={}: CUDA is not available here; training on the CPU".format(args.device))
        args.device = "cpu"
    try:
        kind = torch.device(args.device).type
        if kind not in DEVICES:
            return print_error("--device={} cannot train (it holds no numbers); use --device=cpu or cuda:0".format(
                args.device), status=2)
        torch.zeros(1, device=torch.device(args.device))  # a device this PyTorch cannot use fails here, not mid-run
    except (RuntimeError, AssertionError, ValueError) as e:
        reason = (str(e).strip().splitlines() or [type(e).__name__])[0].split(". ")[0]
        if len(reason) > 120:  # PyTorch's can list every device it knows: cut at a word, and say so
            reason = reason[:120].rsplit(" ", 1)[0] + " ..."
        return print_error("--device={} cannot be used here ({}); use --device=cpu".format(args.device, reason),
                           status=2)
    available = memory_available() if kind == "cpu" else None
    if available is not None and memory_needed(args) > 0.8 * available:
        return print_error("these sizes need about {:.1f} GB of memory and {:.1f} GB are free; lower --batch_size, "
                           "--num_hidden, --input_length, --validation_size or --test_size".format(
                               memory_needed(args) / 1e9, available / 1e9), status=2)
    try:
        record = train(args)
        line = json.dumps(record, sort_keys=True)
        results_file.append(args.results, line)
    except KeyboardInterrupt:
        return print_error("interrupted; nothing was written (a run is minutes, no checkpoints)", status=130)
    except (RuntimeError, MemoryError) as e:
        if not _out_of_memory(e):
            raise
        return print_error("out of memory with these sizes; lower --batch_size, --num_hidden, --input_length, "
                           "--validation_size or --test_size", status=1)
    except OSError as e:
        return print_error("cannot write --results={} ({}); nothing was written; free some space or point "
                           "--results elsewhere".format(args.results, e.strerror or e))
    print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
