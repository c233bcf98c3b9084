"""Question 1: the vanilla RNN, the LSTM and the GRU on MNIST read row by row (28 steps of 28 pixels).

    python3 q1.py --model LSTM --bi 1 -l 64       # one row of the grid: train and test its three seeds, draw
    python3 q1.py --model GRU --bi 0 -l 64,64     # two layers of 64
    python3 q1.py --all                           # every row: RNN, LSTM, GRU x 64, 128, 64,64 x one way, both ways
    python3 q1.py --plot                          # only the table and the figures, from the result files

Each seed is trained by main.py and tested once, after training; a run that is interrupted resumes from its last
finished epoch when the same command is given again, and a seed already tested is not trained again. MNIST's
four files are read from ../data beside this folder (or --data_dir). --preset tiny: 2 epochs on 2,000 images,
in folders of their own, to check that everything runs.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = HERE if os.path.isfile(os.path.join(HERE, "main.py")) else os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)  # main.py's folder: the hand-in's, where this file sits beside it

from core.common import ArgumentParser, UserError, guarded, log, relpath  # noqa: E402
from data_loader import DEFAULT_DATA_DIR, FILES  # noqa: E402
from assignments.ee6123 import findings, grid, plots  # noqa: E402


def parse(argv):
    parser = ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="", help="RNN, LSTM or GRU")
    parser.add_argument("--bi", default="0", help="1: read the rows both ways (bidirectional); 0: top to bottom")
    parser.add_argument("-l", "--layers", default="", help="hidden units per layer: 64, 128 or 64,64")
    parser.add_argument("--seeds", default=",".join(map(str, grid.SEEDS)), help="seeds to train, e.g. 1,2,3")
    parser.add_argument("--all", action="store_true", help="every row of the grid, one run at a time")
    parser.add_argument("--plot", action="store_true", help="only draw the figures and print the table")
    parser.add_argument("--data_dir", default=DEFAULT_DATA_DIR,
                        help="the folder with MNIST's four IDX files (default: ../data beside this folder)")
    parser.add_argument("--rates", default="", help="instead: train the row at each of these peak rates, e.g. "
                        "0.01,0.003 (validation only), to choose the rate")
    parser.add_argument("--preset", default="", help="tiny: 2 epochs on 2,000 images, to check that it runs")
    return parser.parse_args(argv)


def chosen_rows(args):
    """The rows the flags ask for, checked against the grid."""
    if args.all or args.plot:
        if args.model or args.layers:
            raise UserError("--all and --plot take every row; leave out --model and -l")
        return grid.rows() if args.all else []
    model = args.model.strip().lower()
    if model not in grid.MODELS:
        raise UserError("--model must be RNN, LSTM or GRU, not {!r} (or pass --all for every row)".format(args.model))
    if args.bi not in ("0", "1"):
        raise UserError("--bi is 1 (both directions) or 0 (one), not {!r}".format(args.bi))
    try:
        layers = tuple(int(n) for n in args.layers.split(","))
    except ValueError:
        layers = None
    if layers not in grid.LAYERS:
        raise UserError("-l must be one of the grid's sizes: {}, not {!r}".format(
            ", ".join(",".join(map(str, l)) for l in grid.LAYERS), args.layers))
    return [(model, layers, args.bi == "1")]


def seeds_of(text):
    try:
        seeds = sorted({int(s) for s in text.split(",")})
    except ValueError:
        seeds = []
    if not seeds or min(seeds) < 1 or max(seeds) > 10 ** 6:
        raise UserError("--seeds takes whole numbers from 1 separated by commas, like 1,2,3, not {!r}".format(text))
    return seeds


def check_data(data_dir):
    """MNIST's four files in data_dir (or gzipped), else one line saying where they go."""
    if not os.path.isdir(data_dir):
        raise UserError("data folder {} does not exist; put MNIST's four IDX files there, or point --data_dir at "
                        "the folder that holds them".format(relpath(data_dir)))
    for name in [n for pair in FILES.values() for n in pair]:
        if not any(os.path.isfile(os.path.join(data_dir, n)) for n in (name, name + ".gz")):
            raise UserError("{} (or {}.gz) is missing from {}; copy MNIST's four IDX files there, or point "
                            "--data_dir at the folder that holds them".format(name, name, relpath(data_dir)))


def run(args):
    if args.preset not in ("", "tiny"):
        raise UserError("the only --preset is tiny, not {!r}".format(args.preset))
    tiny = args.preset == "tiny"
    wanted, seeds = chosen_rows(args), seeds_of(args.seeds)
    data_dir = os.path.abspath(os.path.expanduser(args.data_dir))
    if not args.rates and any(not grid.done(m, layers, bi, seed, tiny) for m, layers, bi in wanted for seed in seeds):
        check_data(data_dir)  # here, once, before any training starts
    if args.rates:
        return try_rates(args, wanted, seeds, data_dir, tiny)
    for number, (model, layers, bi) in enumerate(wanted, 1):
        for seed in seeds:
            log("row {} of {}: {}, seed {}".format(number, len(wanted), grid.title(model, layers, bi), seed))
            grid.run(model, layers, bi, seed, data_dir, tiny)
    entries = grid.load(tiny)
    for path in plots.write_q1(entries, tiny):
        log("wrote {}".format(relpath(path)))
    print(plots.table_text(entries))
    for text in [findings.rank_text(entries)] + [findings.factor_text(entries, f) for f in findings.FACTORS]:
        if text:
            print(text)
    return 0


def try_rates(args, wanted, seeds, data_dir, tiny):
    """--rates: the row at each rate, on validation; prints what each reached."""
    try:
        rates = [float(r) for r in args.rates.split(",")]
    except ValueError:
        rates = []
    if not rates or not all(0 < r < 1 for r in rates) or len(wanted) != 1:
        raise UserError("--rates takes peak rates between 0 and 1, like 0.01,0.003, for one row (--model, --bi, "
                        "-l), not {!r}".format(args.rates))
    for rate in rates:
        for seed in seeds:
            grid.try_rate(*wanted[0], seed=seed, rate=rate, data_dir=data_dir, tiny=tiny,
                          before=lambda: check_data(data_dir))
    for r in grid.load_rates(tiny):
        print("{} seed {} rate {:g}: validation {:.2f}% at epoch {}".format(
            grid.title(r["model"], tuple(r["layers"]), r["bidirectional"]), r["seed"], r["learning_rate"],
            100 * r["val_accuracy"], r["best_epoch"]))
    return 0


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    return guarded(lambda: run(args), interrupted="interrupted; the same command resumes from the last finished "
                                                  "epoch of the run it stopped")


if __name__ == "__main__":
    sys.exit(main())
