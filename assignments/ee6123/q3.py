"""Question 3: an LSTM adds two binary numbers, bit by bit, trained with squared error or with cross-entropy.

    python3 q3.py --loss MSE,CE --L 3,5,10          # the two losses at three training lengths, H = 5
    python3 q3.py --loss MSE,CE --L 5 --H 2,3,5,10  # the hidden sizes, at L = 5

Two L-bit numbers, least significant bit first, one pair of bits per step and one more step of (0, 0) for
the carry; at every step a linear layer reads the LSTM's state and gives one bit of the sum. Squared error
(MSE) on the sigmoid of that output, or cross-entropy (CE) on it as the probability of a 1. Adam at 0.01 with
betas (0.9, 0.99), batches of 64, at most 3,000 steps (stopping once every validation sum is right); then
tested on sums of 1 to 40 bits. Runs already in results/tasks/binary_addition.jsonl are not trained again
(delete the file to train them all afresh). --preset tiny: 100 steps, in a folder of its own.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = HERE if os.path.isfile(os.path.join(HERE, "main.py")) else os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)  # main.py's folder: the hand-in's, where this file sits beside it

from core.common import ArgumentParser, UserError, guarded, log, relpath  # noqa: E402
from assignments.ee6123 import memory  # noqa: E402
from assignments.memory.figures import addition_hidden_text, addition_text  # noqa: E402
from assignments.memory.net import ADDITION_TEST_LENGTHS  # noqa: E402

LOSSES = ("mse", "ce")


def run(args):
    if args.preset not in ("", "tiny"):
        raise UserError("the only --preset is tiny, not {!r}".format(args.preset))
    tiny = args.preset == "tiny"
    losses = [w.strip().lower() for w in args.loss.split(",")]
    if not losses or any(w not in LOSSES for w in losses):
        raise UserError("--loss takes MSE, CE or both (MSE,CE), not {!r}".format(args.loss))
    lengths = memory.numbers("--L", args.L, 1, max(ADDITION_TEST_LENGTHS), "3,5,10")
    hidden = memory.numbers("--H", args.H, 1, 4096, "2,5,10")
    seeds = memory.numbers("--seeds", args.seeds, 1, 10 ** 6, "1,2,3")
    folder = memory.results_dir(tiny)
    # The runs this command asks for (the figures draw every run in the file: the report's).
    records = memory.train_missing(memory.settings("binary_addition", seeds, tiny, loss=losses, length=lengths,
                                                   hidden=hidden), folder)
    for path in memory.draw("binary_addition", folder):
        log("wrote {}".format(relpath(path)))
    print(addition_text(records))
    hidden_text = addition_hidden_text(records)  # "" where one hidden size was trained
    if hidden_text:
        print(hidden_text)
    return 0


def main(argv=None):
    parser = ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--loss", default="MSE,CE", help="MSE (squared error), CE (cross-entropy) or both")
    parser.add_argument("--L", default="3,5,10", help="bits of the numbers trained on, one or more: 3,5,10")
    parser.add_argument("--H", default="5", help="LSTM hidden units, one or more: 2,3,5,10")
    parser.add_argument("--seeds", default="1,2,3,4,5", help="seeds of the weights and the training sums")
    parser.add_argument("--preset", default="", help="tiny: 100 steps, to check that it runs")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    return guarded(lambda: run(args), interrupted="interrupted; the finished runs are kept, and the same command "
                                                  "trains the rest")


if __name__ == "__main__":
    sys.exit(main())
