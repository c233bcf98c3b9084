"""Plots from the result files: test accuracy against hidden size, and validation curves.

    python plot_results.py [--results_dir=results] [--weights_dir=weights]
    python plot_results.py --rows_until_known [--data_dir=../data]

Reads results/<model>_h<hidden>.json (written by main.py --test), the
result files of each configuration's seeds under results/study/ (the mean and
sd drawn) and weights/<model>_h<hidden>/log.csv (written by main.py --train)
of the basic single-layer LSTM and GRU configurations (variants such as
lstm_h128_bi are left out); writes results/accuracy_vs_hidden.png and
results/validation_curves.png.
"""
import os
import sys

from core.common import ArgumentParser, PROJECT_DIR, UserError, guarded, log, print_error, relpath, save_png
from core.plots import load_log, load_results, plot_accuracy, plot_curves, plt, write_rows_until_known

def main(argv=None):
    """The figures; bad input (a damaged result file, a missing folder) is one error line."""
    return guarded(lambda: _main(argv), fix="point --results_dir at a folder you can write, then run again")


def _main(argv):
    parser = ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results_dir", default=os.path.join(PROJECT_DIR, "results"),
                        help="the folder of the test result files (results/ here); the figures are written there too")
    parser.add_argument("--weights_dir", default=os.path.join(PROJECT_DIR, "weights"),
                        help="the trained models' folders (their log.csv draws the validation curves)")
    parser.add_argument("--rows_until_known", action="store_true",
                        help="instead: for each basic model in weights/, the test images right after every row "
                             "(results/rows_until_known.json and .png), read from --data_dir")
    parser.add_argument("--data_dir", default=os.path.join(os.path.dirname(PROJECT_DIR), "data"),
                        help="MNIST's folder, for --rows_until_known (default ../data)")
    args = parser.parse_args(argv)
    if not os.path.isdir(args.weights_dir):
        return print_error("--weights_dir={} is not a folder; give the folder of the trained models (weights/ "
                           "here)".format(relpath(args.weights_dir)))
    if args.rows_until_known:
        try:
            import data_loader
            from core.results import other_set_folder
            found, out, marker = data_loader.test_set_of(args.data_dir), args.results_dir, None
            if not found["standard"]:  # filed apart, as --test files results on another set: never over MNIST's
                out, marker = other_set_folder(args.results_dir, found), {"count": found["count"],
                                                                          "sha256": found["sha256"]}
                log("note: {} holds a test set other than MNIST's 10,000 images ({:,} images); the summary goes "
                    "to {}/, marked as such".format(relpath(args.data_dir), found["count"], relpath(out)))
            write_rows_until_known(args.results_dir, args.weights_dir, *data_loader.load_split(args.data_dir, "test"),
                                   out=out, test_set=marker)
        except UserError as e:
            return print_error(e)
        print("wrote {}".format(relpath(os.path.join(out, "rows_until_known.png"))))
        return 0
    results = load_results(args.results_dir)
    if not results:
        return print_error("no results in {}; test a trained model first, e.g. python main.py --model=lstm --test "
                           "--hidden_unit=32".format(relpath(args.results_dir)))
    for result in results:  # every log the curves draw, checked before either figure is written
        load_log(args.weights_dir, result["name"])
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    plot_accuracy(results, ax)
    save_png(fig, os.path.join(args.results_dir, "accuracy_vs_hidden.png"))
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    plot_curves(results, args.weights_dir, ax)
    save_png(fig, os.path.join(args.results_dir, "validation_curves.png"))
    print("wrote {} and {}".format(relpath(os.path.join(args.results_dir, "accuracy_vs_hidden.png")),
                                   relpath(os.path.join(args.results_dir, "validation_curves.png"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
