"""The reports, from the result files: Report.pdf, the card's assignment on one page (tools/reporting/card.py);
docs/technical_report.pdf, every assignment, the grid, the memory tasks and BPTT; docs/ee6123_report.pdf, the
EE6123 report's experiments in that report's order.

    python tools/make_report.py [--results_dir=results] [--weights_dir=weights] [--output=Report.pdf]
                                [--technical=docs/technical_report.pdf] [--ee6123=docs/ee6123_report.pdf] [--a3=98.7]

Also rewrites the results and ablation tables in README.md (between their markers). Every number comes from
results/<config>.json, the seeds' results in results/study/ and the training logs; nothing is typed in by hand.
Uses matplotlib's PDF backend only (no LaTeX).
"""
import io
import logging
import os
import sys
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the project root, for its core package
import tempfile

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["pdf.use14corefonts"] = True  # plain-text PDF: small, and its numbers can be checked
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)  # "Helvetica weight" notices
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402

from core import plots  # noqa: E402
from core.common import (ArgumentParser, PROJECT_DIR, UserError, atomic_write_bytes, guarded, print_error,  # noqa: E402
                            relpath)
from core.outputs import check_output  # noqa: E402

from tools.reporting.pages import A4, pct, table_block, paragraphs, bptt_page, known_page, task_pages  # noqa: E402
from tools.reporting import card, ee6123, grid  # noqa: E402
from tools.reporting.text import (plain_reference, ABLATION_HEADER, VARIANT_HEADER_PDF, ablation_tables, readme_ablation,  # noqa: E402
                                 readme_table, readme_variants, settings, summary, table, targets, variant_rows)


def _replace_block(text, marker, block):
    begin, end = "<!-- {}:begin -->\n".format(marker), "<!-- {}:end -->".format(marker)
    if begin not in text or end not in text:
        return text
    head, rest = text.split(begin, 1)
    return head + begin + block + end + rest.split(end, 1)[1]


def update_readme(path, results, variants=(), ablation=(), gains="", reference=None, grid_line=None):
    """Replace the text between the README's results (and variants, ablation) markers with the tables."""
    with open(path) as f:
        text = f.read()
    new = _replace_block(text, "results", readme_table(results) + "\n" + targets(results) + "\n")
    if variants:
        new = _replace_block(new, "variants", readme_variants(variants, results, reference))
    if ablation:
        new = _replace_block(new, "ablation", readme_ablation(ablation, gains))
    if grid_line:
        new = _replace_block(new, "grid", grid_line)
    if new == text and "<!-- results:begin -->" not in text:
        return False
    atomic_write_bytes(path, new.encode("utf-8"))
    return True


def variants_page(variants, results, reference=None):
    """Appendix: the variants next to the runs trained alike (reference: the plain LSTM-128's seeds)."""
    fig = plt.figure(figsize=A4)
    fig.text(0.08, 0.95, "Appendix: variants", fontsize=16, weight="bold")
    intro = ["Each variant changes one thing against a single-layer 128-unit model and was trained once, with the "
             "plain recipe (no augmentation, no dropout), so it is compared with the runs trained alike: the "
             "ablation's plain LSTM-128{}. One run against three seeds gives no verdict by the comparison rule "
             "(page 1); the differences are shown, not ranked. 'Cropped test acc.' is the accuracy on the "
             "test images as random crops (24-28 pixels a side, fixed seed) read as pixel streams of 21-28 steps; "
             "models trained without crops read the zero padding of the last steps as input.".format(
                 " ({} over {} seeds)".format(pct(reference["test_mean"]), reference["n"]) if reference else
                 " (not trained yet)")]
    y = paragraphs(fig, 0.91, intro)
    rows = [[cell.replace(", ", "\n") if i == 2 else cell.replace(" vs ", "\nvs ").replace(" (", "\n(")
             for i, cell in enumerate(row)] for row in variant_rows(variants, results, reference)]  # narrow columns
    y = table_block(fig, 0.05, y - 0.01, 0.9, VARIANT_HEADER_PDF, rows,
               [0.22, 0.09, 0.11, 0.09, 0.08, 0.1, 0.11, 0.09, 0.09], 7)
    paragraphs(fig, y - 0.02, [
        "One training run each: the seeds of the plain LSTM-128 spread by {:.2f} points (sd), as much as most "
        "of these differences.".format(100 * reference["test_sd"]) if reference else
        "One training run each."], size=9)
    return fig


def grid_pages(entries, prefix="Appendix: "):
    """Appendix: the related assignments' grid, the L2 comparison, the best row-reader and the baseline, then
    the grid's curves, drawn on the page (vector)."""
    if not entries or not any(e["runs"] for e in entries):
        return
    fig = plt.figure(figsize=A4)
    fig.text(0.08, 0.95, prefix + "the grid of the related assignments", fontsize=16, weight="bold")
    y = paragraphs(fig, 0.92, grid.summary(entries), size=10)
    table_block(fig, 0.08, y - 0.01, 0.84, grid.HEADER, [grid.row(e) for e in entries], [0.4, 0.13, 0.09, 0.16, 0.22], 8)
    yield fig
    fig = plt.figure(figsize=A4)
    fig.text(0.08, 0.96, prefix + "the grid's training curves", fontsize=16, weight="bold")
    for k, model in enumerate(grid.study.GRID_MODELS):
        fig.text(0.06, 0.925 - k * 0.305, grid.CELL_NAMES[model], fontsize=11, weight="bold")
        grid.draw(fig, entries, model, box=(0.08, 0.68 - k * 0.305, 0.88, 0.2))
    yield fig


def pages(results, weights_dir, variants=(), tasks_dir=None, bptt_dir=None, ablation=(), gains="", reference=None,
          grid_entries=()):
    """The report's pages as matplotlib figures (the caller saves and closes them)."""
    fig = plt.figure(figsize=A4)  # page 1: what the assignment asks for
    fig.text(0.08, 0.95, "LSTM and GRU from scratch on row-by-row MNIST", fontsize=16, weight="bold")
    y = paragraphs(fig, 0.92, summary(results))
    header, rows = table(results)
    y = table_block(fig, 0.05, y - 0.01, 0.9, header, rows, [0.07, 0.06, 0.09, 0.13, 0.11, 0.08, 0.09, 0.08, 0.29], 7)
    plots.plot_accuracy(results, fig.add_axes([0.14, 0.07, 0.76, y - 0.12]))  # the rest of the page
    yield fig

    fig = plt.figure(figsize=A4)  # page 2: how they were trained, and the curves
    fig.text(0.08, 0.95, "Settings and training curves", fontsize=16, weight="bold")
    y = paragraphs(fig, 0.92, settings(results) + [targets(results)], size=10)
    if ablation:
        y = paragraphs(fig, y - 0.005, ["What the recipe buys: LSTM-128 trained with each regulariser alone, both, and "
                                   "neither (mean \u00b1 sd over the seeds; the same schedule throughout)."], size=10)
        y = table_block(fig, 0.2, y - 0.005, 0.6, ABLATION_HEADER, ablation, [0.34, 0.12, 0.27, 0.27], 9)
        if gains:
            y = paragraphs(fig, y - 0.005, [gains], size=10)
    plots.plot_curves(results, weights_dir, fig.add_axes([0.12, 0.12, 0.8, min(0.4, y - 0.17)]))
    paragraphs(fig, 0.065, ["Validation error after every epoch of each shipped run (weights/<config>/log.csv), on "
                          "a log scale so that every epoch shows. The learning rate decays each epoch, so the "
                          "curves flatten; early stopping keeps the best epoch."], size=9)
    yield fig
    if variants:
        yield variants_page(variants, results, reference)
    for fig in grid_pages(grid_entries):
        yield fig
    for fig in task_pages(tasks_dir):
        yield fig
    for fig in (known_page(os.path.dirname(tasks_dir)) if tasks_dir else None,
                bptt_page(bptt_dir, tasks_dir, variants, results)):
        if fig is not None:
            yield fig


def card_page(results, results_dir, weights_dir, a3=None, roll=None):
    """Report.pdf: the card's assignment on one page (tools/reporting/card.py): at most four sentences, the
    model parameters, the plot."""
    fig = plt.figure(figsize=A4)
    fig.text(0.08, 0.95, "Assignment 4: LSTM and GRU on row-by-row MNIST", fontsize=15, weight="bold")
    if roll:
        fig.text(0.92, 0.95, roll, fontsize=11, ha="right")
    y = paragraphs(fig, 0.925, card.sentences(results, results_dir, weights_dir, a3), size=9.5, width=100,
                   gap=0.35)
    rows = card.table(results, results_dir)
    y = table_block(fig, 0.05, y - 0.005, 0.9, card.HEADER, rows, card.WIDTHS, 7)
    y = paragraphs(fig, y - 0.008, [card.footnote(results, results_dir)], size=7.5, width=130)
    plots.plot_accuracy(results, fig.add_axes([0.14, 0.05, 0.76, y - 0.09]),  # the rest of the page
                        places=card.decimals(results, results_dir))
    yield fig


def build(figures):
    buffer = io.BytesIO()
    with PdfPages(buffer, metadata={"CreationDate": None}) as pdf:  # the same results give the same bytes
        for fig in figures:
            pdf.savefig(fig)
            plt.close(fig)
    return buffer.getvalue()


def main(argv=None):
    parser = ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results_dir", default=os.path.join(PROJECT_DIR, "results"))
    parser.add_argument("--weights_dir", default=os.path.join(PROJECT_DIR, "weights"))
    parser.add_argument("--output", default=os.path.join(PROJECT_DIR, "Report.pdf"),
                        help="the card's one-page report")
    parser.add_argument("--technical", default=None, help="the project's technical report, a section per "
                        "assignment (default: docs/technical_report.pdf, or beside --output when that is given; '' "
                        "for none)")
    parser.add_argument("--ee6123", default=None, help="the EE6123 report, without author or roll (the hand-in's "
                        "has them), from results/ee6123 and results/tasks (default: docs/ee6123_report.pdf, or "
                        "beside --output when that is given; '' for none)")
    parser.add_argument("--a3", type=float, default=None, help="your own Assignment 3 test accuracy in percent "
                        "(98.7): the report compares with it instead of the CNN and MLP baselines")
    parser.add_argument("--roll", default="", help="a roll number to print on the page")
    parser.add_argument("--readme", default=os.path.join(PROJECT_DIR, "README.md"),
                        help="file whose results table to update ('' for none)")
    parser.add_argument("--force", action="store_true", help="replace the files --output, --technical and --ee6123 "
                        "name even when they are not PDFs")
    args = parser.parse_args(argv)
    own = os.path.abspath(args.output) != os.path.abspath(os.path.join(PROJECT_DIR, "Report.pdf"))
    for flag, name in (("technical", "technical_report.pdf"), ("ee6123", "ee6123_report.pdf")):
        if getattr(args, flag) is None:  # the project's documents go to docs/; another report's beside it
            setattr(args, flag, os.path.join(os.path.dirname(os.path.abspath(args.output)) if own else
                                             os.path.join(PROJECT_DIR, "docs"), name))
    if args.a3 is not None and not 0 < args.a3 <= 100:
        return print_error("--a3 is a test accuracy in percent, like --a3=98.7, not {:g}".format(args.a3), 2)
    return guarded(lambda: write(args), fix="pass --output=<file> (and --results_dir) in folders you can write, "
                                                     "then run again")


def _check_paths(args):
    """Every path is checked before anything is written: a bad --readme or --output must not cost the PDF."""
    if args.readme and not os.path.isfile(args.readme):
        raise UserError("--readme={} is not a file; give the README whose results table to update, or "
                        "--readme='' for none".format(args.readme))
    if args.readme:
        with open(args.readme, "rb") as f:
            try:
                text = f.read().decode("utf-8")
            except UnicodeDecodeError:  # a README is text; this one is not, so it is left as it is
                raise UserError("--readme={} is not UTF-8 text; give the README whose results table to update, or "
                                "--readme='' for none".format(args.readme))
            if "<!-- results:begin -->" not in text:
                raise UserError("--readme={} has no '<!-- results:begin -->' marker, so its table cannot be "
                                "updated; add the markers, or pass --readme='' for none".format(args.readme))
    folder = os.path.dirname(os.path.abspath(args.output))
    if os.path.isdir(args.output):
        raise UserError("--output={} is a folder; give a file like Report.pdf (or {})".format(
            args.output, os.path.join(args.output, "Report.pdf")))
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise UserError("--output={} cannot be written: {} is a file, not a folder; give a file like "
                        "Report.pdf".format(args.output, folder))
    for flag in ("output", "technical", "ee6123"):  # PDFs only, never over main.py or README.md
        if getattr(args, flag):
            check_output(getattr(args, flag), "--" + flag, ".pdf", args.force)
    os.makedirs(folder, exist_ok=True)  # an OSError here, before the figures are drawn, is one line (guarded)
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".tmp-probe-")
    except OSError as e:
        raise OSError(e.errno, e.strerror, args.output)  # the user's file in the message, not the probe
    os.close(fd)
    os.remove(probe)


def write(args):
    _check_paths(args)
    results = plots.load_results(args.results_dir)
    if not results:
        return print_error("no results in {}; run python tools/reproduce.py first".format(relpath(args.results_dir)))
    variants = plots.load_variants(args.results_dir)
    ablation, gains = ablation_tables(args.results_dir)
    reference = plain_reference(args.results_dir)
    entries = grid.load(args.results_dir, args.weights_dir)
    for result in results:  # every log the pages draw, checked before any document is written
        plots.load_log(args.weights_dir, result["name"])
    atomic_write_bytes(args.output, build(card_page(results, args.results_dir, args.weights_dir, args.a3,
                                                    args.roll)))
    print("wrote {}".format(relpath(args.output)))
    if args.technical:
        atomic_write_bytes(args.technical, build(pages(results, args.weights_dir, variants, os.path.join(
            args.results_dir, "tasks"), os.path.join(args.results_dir, "numpy_rnn"), ablation, gains, reference,
            entries)))
        print("wrote {}".format(relpath(args.technical)))
    if args.ee6123:
        atomic_write_bytes(args.ee6123, ee6123.report_pdf())  # from results/ee6123 and results/tasks
        print("wrote {}".format(relpath(args.ee6123)))
    if args.readme and update_readme(args.readme, results, variants, ablation, gains, reference,
                                     grid.readme_line(entries, args.results_dir)):
        print("updated the results table in {}".format(relpath(args.readme)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
