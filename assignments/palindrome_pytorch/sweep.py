"""The LSTM against the vanilla RNN over palindrome lengths: every run of both models, trained alike.

    python sweep.py            # T = 5, 10, 15, 20, 30, 40; seeds 1-10 of both models
    python sweep.py --quick    # a check in seconds: T = 5, seeds 1-2, into quick.jsonl beside this file

Each run is train.py with its defaults except --input_length = T - 1, --seed, --device=cpu and --target=0.995,
and appends its line to --results (default: results/lstm_vs_rnn.jsonl beside this file). A run whose line is already there (the
same model, length, seed and settings) is not run again, so a stopped sweep, run again with the same command,
goes on after its finished runs. The runs go length by length, both models for each seed, so that a stopped sweep
still compares like with like. Progress lines carry the time; compare.py makes the table and the figure.
"""
import argparse
import datetime
import io
import os
import sys
from contextlib import redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
if __package__:  # imported as part of a package: the train.py beside this file, not another found on sys.path
    from . import results_file, train
else:  # run as a program: the files beside this one
    sys.path.insert(0, HERE)
    import results_file  # noqa: E402
    import train  # noqa: E402

DEFAULT_RESULTS = os.path.join(HERE, "results", "lstm_vs_rnn.jsonl")
QUICK_RESULTS = os.path.join(HERE, "quick.jsonl")
# Training goes on to 0.995 validation accuracy, a margin above the 0.99 test accuracy that counts as solved
# (compare.py): a run stopped at its first validation score of 0.99 can test just below 0.99, and would count as
# failed by chance.
TARGET = 0.995
SETTINGS = ("model", "length", "seed", "steps", "hidden", "batch_size", "learning_rate", "clip_norm", "target",
            "rmsprop_start", "validation_size", "test_size")  # what makes two runs the same run


class _Progress(io.TextIOBase):
    """train.py's output without its result line (that line is in the results file)."""
    def __init__(self):
        super().__init__()
        self.skipping = False

    def write(self, text):
        if text.lstrip().startswith("{"):
            self.skipping = True
        elif self.skipping and text == "\n":
            self.skipping = False
        else:
            sys.__stdout__.write(text)
        return len(text)

    def flush(self):
        sys.__stdout__.flush()


def log(message):
    print("[{:%Y-%m-%d %H:%M:%S}] {}".format(datetime.datetime.now(), message), flush=True)


def numbers(text, name, low, high):
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        values = []
    if not values or not all(low <= v <= high for v in values):
        raise ValueError("{} is a comma-separated list of whole numbers in {}..{}, not {!r}".format(
            name, low, high, text))
    return values


def parse(argv):
    parser = train.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lengths", default="5,10,15,20,30,40", help="palindrome lengths T (the inputs are T - 1)")
    parser.add_argument("--seeds", type=int, default=10, help="seeds 1..N of each model at each length")
    parser.add_argument("--models", default="RNN,LSTM", help="RNN, LSTM or both")
    parser.add_argument("--train_steps", type=int, default=10000, help="train.py's --train_steps (its default)")
    parser.add_argument("--results", default=None, help="the .jsonl file of the runs (default: "
                        "results/lstm_vs_rnn.jsonl beside this file; with --quick, quick.jsonl)")
    parser.add_argument("--quick", action="store_true", help="a check in seconds: --lengths=5 --seeds=2")
    args = parser.parse_args(argv)
    if args.quick:
        args.lengths, args.seeds = "5", 2
    args.results = args.results or (QUICK_RESULTS if args.quick else DEFAULT_RESULTS)
    args.lengths = sorted(set(numbers(args.lengths, "--lengths", 2, 1000)))
    args.models = [m.strip().upper() for m in args.models.split(",") if m.strip()]
    if not args.models or not set(args.models) <= {"RNN", "LSTM"}:
        raise ValueError("--models is RNN, LSTM or RNN,LSTM")
    if not 1 <= args.seeds <= 1000:
        raise ValueError("--seeds must be in 1..1000")
    return args


def plan(args):
    """[(train.py's flags, the settings its line will hold)], in the order they run."""
    runs = []
    for length in args.lengths:
        for seed in range(1, args.seeds + 1):
            for model in args.models:
                flags = ["--model_type=" + model, "--input_length={}".format(length - 1), "--seed={}".format(seed),
                         "--train_steps={}".format(args.train_steps), "--target={}".format(TARGET), "--device=cpu",
                         "--results=" + args.results]
                a = train.parse(flags)
                runs.append((flags, dict(model=model.lower(), length=length, seed=seed, steps=a.train_steps,
                                         hidden=a.num_hidden, batch_size=a.batch_size, learning_rate=a.learning_rate,
                                         clip_norm=a.max_norm, target=a.target, rmsprop_start=a.rmsprop_start,
                                         validation_size=a.validation_size, test_size=a.test_size)))
    return runs


def main(argv=None):
    try:
        args = parse(argv)
        runs = plan(args)
        results_file.check_writable(args.results)
        done = results_file.read(args.results)
    except (ValueError, results_file.ResultsError) as e:
        return train.print_error(e, status=2)
    same = runs[0][1]
    other = [r for r in done if any(r.get(k) != same[k] for k in SETTINGS[3:])]
    if other:
        k = next(k for k in SETTINGS[3:] if other[0].get(k) != same[k])
        return train.print_error("--results={} holds runs trained otherwise ({} {!r}, here {!r}); all runs of a "
                                 "comparison are trained alike: give another file".format(
                                     args.results, k, other[0].get(k), same[k]), status=2)
    finished = {tuple(r.get(k) for k in SETTINGS) for r in done}
    todo = [(flags, s) for flags, s in runs if tuple(s[k] for k in SETTINGS) not in finished]
    log("{} runs in all, {} finished before, {} to go; results in {}".format(len(runs), len(runs) - len(todo),
                                                                              len(todo), args.results))
    status, k = 0, 0
    try:
        for k, (flags, s) in enumerate(todo, 1):
            log("run {}/{}: {} T={} seed {}".format(k, len(todo), s["model"].upper(), s["length"], s["seed"]))
            with redirect_stdout(_Progress()):
                status = train.main(flags)
            if status:
                break
    except KeyboardInterrupt:  # between runs (train.py stops a run by itself)
        status = 130
    if status:
        log("stopped; the {} finished runs are kept, and the same command goes on after them".format(
            len(runs) - len(todo) + k - 1))
        return status
    cpu = sum(r.get("cpu_seconds", 0) for r in results_file.read(args.results))
    log("done: {} runs; the CPU time of all runs in {}: {:.0f} s ({:.2f} h). Next: python compare.py "
        "--results={}".format(len(runs), args.results, cpu, cpu / 3600, args.results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
