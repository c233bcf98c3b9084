"""Question 2: an LSTM recalls the k-th digit of a random sequence of digits.

    python3 q2.py --H 2,5,10          # the hidden sizes compared, five seeds each; then the figures and a printout

Sequences of 5 to 10 random digits, one-hot, one per step; the answer is the digit at position 2 (3 5 8 6 8 -> 5).
One LSTM layer of H units, its state at the last digit into a linear layer over the ten digits, cross-entropy;
Adam at 0.01 with betas (0.9, 0.99), batches of 64, at most 3,000 steps (stopping once every validation
sequence is right). Validation and test sequences are drawn with seeds of their own; the test sequences are
read once, after training. Runs already in results/tasks/recall.jsonl are not trained again (delete the file
to train them all afresh). --preset tiny: 100 steps, in a folder of its own, to check that it runs.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = HERE if os.path.isfile(os.path.join(HERE, "main.py")) else os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)  # main.py's folder: the hand-in's, where this file sits beside it

from core.common import ArgumentParser, UserError, guarded, log, relpath  # noqa: E402
from assignments.ee6123 import memory  # noqa: E402
from assignments.memory.figures import recall_text  # noqa: E402


def run(args):
    if args.preset not in ("", "tiny"):
        raise UserError("the only --preset is tiny, not {!r}".format(args.preset))
    tiny = args.preset == "tiny"
    hidden = memory.numbers("--H", args.H, 1, 4096, "2,5,10")
    seeds = memory.numbers("--seeds", args.seeds, 1, 10 ** 6, "1,2,3")
    folder = memory.results_dir(tiny)
    records = memory.train_missing(memory.settings("recall", seeds, tiny, hidden=hidden), folder)
    for path in memory.draw("recall", folder):
        log("wrote {}".format(relpath(path)))
    print(recall_text(records))
    print(memory.printout(records))
    return 0


def main(argv=None):
    parser = ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--H", default="2,5,10", help="LSTM hidden units, one or more: 2,5,10")
    parser.add_argument("--seeds", default="1,2,3,4,5", help="seeds of the weights and the training sequences")
    parser.add_argument("--preset", default="", help="tiny: 100 steps, to check that it runs")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    return guarded(lambda: run(args), interrupted="interrupted; the finished runs are kept, and the same command "
                                                  "trains the rest")


if __name__ == "__main__":
    sys.exit(main())
