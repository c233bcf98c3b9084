"""Hand-ins as their graders receive them: each assignment's files, under the names it gives, in one zip.

    python tools/handin.py --roll=<roll> [--assignment=a4] [--a3=98.7] [--output=<zip>]
    make submission ROLL=<roll> [A3=98.7]       # Assignment 4: Assignment4_<roll>.zip

An assignment's hand-in is a list, in one place (HANDINS): the files it takes and the names it gives them,
its own short README, its report. The zip is built from the files on disk, not from git (a project
unpacked from an archive builds it too), is written atomically, and holds only what the assignment
needs: no tests, CI, web page, benchmarks, tuning or other assignments.

Assignment 4 (the card): the folder Assignment4_<roll>/ with the card's programs, the core package they
import, weights/ of the eight configurations the report describes, the result files plot_results.py
reads, <roll>_Report.pdf (made for this roll), a README for the grader and requirements.txt for
Python 3.6 + TensorFlow 1.5. The assignment keeps MNIST in ../data, beside the folder.
"""
import io
import os
import re
import subprocess
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the project root, for core

from core.common import ArgumentParser, PROJECT_DIR, RUNS_DIR, UserError, atomic_write_bytes, guarded, log, relpath  # noqa
from core.config import Arch  # noqa: E402
from core.runs import SHIPPED_FILE, RunDir  # noqa: E402
from core import study  # noqa: E402
from download_weights import sha256_file  # noqa: E402
from tools.handin_texts import (README_A4, README_EE6123, README_IE643, README_NO_RNN_API, README_PALINDROME,  # noqa
                                REQUIREMENTS_PALINDROME)

ROLL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
CARD_PROGRAMS = ("main.py", "cells.py", "model.py", "data_loader.py", "train.py", "evaluate.py", "plot_results.py",
                 "download_weights.py")
BASIC = [Arch(m, (h,)).name for m in ("lstm", "gru") for h in (32, 64, 128, 256)]
SKIPPED = re.compile(r"(^|/)(__pycache__|\.tmp-[^/]*)(/|$)|\.pyc$")


def _files(folder, keep=lambda path: True):
    """The files under PROJECT_DIR/folder (relative paths), sorted, without caches or temporary files."""
    found = []
    for here, dirs, names in os.walk(os.path.join(PROJECT_DIR, folder)):
        dirs[:] = sorted(d for d in dirs if not SKIPPED.search(d + "/"))
        for name in sorted(names):
            path = os.path.relpath(os.path.join(here, name), PROJECT_DIR).replace(os.sep, "/")
            if not SKIPPED.search(path) and keep(path):
                found.append(path)
    return found


def assignment4_files(yours=()):
    """[(path in the project, path in the hand-in)] of Assignment 4, without its report and README. The
    configurations in `yours` come from runs/ (their weights and their --test result), without seeds."""
    wanted = [(p, p) for p in CARD_PROGRAMS]
    wanted += [(p, p) for p in _files("core", lambda p: p.endswith(".py"))]
    for name in BASIC:
        if name in yours:
            source = os.path.relpath(os.path.join(RUNS_DIR, name), PROJECT_DIR)
            wanted += [(p, "weights/{}/{}".format(name, os.path.basename(p)))
                       for p in _files(source, lambda p: SHIPPED_FILE.match(os.path.basename(p)))]
            result = os.path.relpath(os.path.join(RUNS_DIR, "results", name + ".json"), PROJECT_DIR)
            wanted.append((result, "results/{}.json".format(name)))
            continue
        wanted += [(p, p) for p in _files(os.path.join("weights", name), lambda p: SHIPPED_FILE.match(
            os.path.basename(p)))]
        wanted.append(("results/{}.json".format(name), "results/{}.json".format(name)))
        arch = Arch.parse(name)  # the seeds behind the plot's mean
        recipe = study.recipe_of(arch.model, arch.layers[0])
        for seed in study.SEEDS:
            path = os.path.relpath(os.path.join(study.result_folder(recipe, seed), name + ".json"), PROJECT_DIR)
            wanted.append((path, path))
    missing = [p for p, _ in wanted if not os.path.isfile(os.path.join(PROJECT_DIR, p))]
    if missing:
        raise UserError("{} is missing (and {} more); {}".format(
            missing[0], len(missing) - 1, "test your run first: python main.py ... --test" if missing[0].startswith(
                "runs") else "restore it, or run python tools/reproduce.py --skip_training"))
    return wanted


def manifest_of(files):
    """weights/MANIFEST.sha256 of the weights packed (download_weights.py checks an archive against it)."""
    lines = ["{}  {}\n".format(sha256_file(os.path.join(PROJECT_DIR, source)), name[len("weights/"):])
             for source, name in sorted(files, key=lambda f: f[1]) if name.startswith("weights/")]
    return "".join(lines).encode("utf-8")


def requirements_36():
    """requirements.txt for the grader: the pinned runtime's packages, without the test runner."""
    with open(os.path.join(PROJECT_DIR, "requirements-tf1.5.txt")) as f:
        lines = [line for line in f if not line.startswith("pytest")]
    return "".join(lines).encode("utf-8")


NO_RNN_API_MODEL = "lstm_h64-64_crop"  # trained with --unroll=loop --validation_split=first (its config.json)
LEFT_OUT_OF_NO_RNN_API = ("core/fast.py", "core/static.py")  # the two unrollers that call static_rnn


def no_rnn_api_files(yours=()):
    """The assignment that forbids TensorFlow's RNN API: the card's programs and core/ without the two unrollers
    that call it (so --unroll=loop is the default), the loop-trained deep crop LSTM with its log and TensorBoard
    files."""
    wanted = [(p, p) for p in CARD_PROGRAMS if p not in ("plot_results.py", "download_weights.py")]
    wanted += [(p, p) for p in _files("core", lambda p: p.endswith(".py") and p not in LEFT_OUT_OF_NO_RNN_API)]
    wanted += [(p, p) for p in _files(os.path.join("weights", NO_RNN_API_MODEL))]
    wanted.append(("results/{}.json".format(NO_RNN_API_MODEL), "results/{}.json".format(NO_RNN_API_MODEL)))
    wanted += [(p, "training_logs/" + os.path.basename(p))
               for p in _files("results/{}_training".format(NO_RNN_API_MODEL))]
    return wanted


def requirements_modern():
    with open(os.path.join(PROJECT_DIR, "requirements.txt")) as f:
        lines = [line for line in f if not line.startswith(("pytest", "selenium"))]
    return "".join(lines).encode("utf-8")


PALINDROME = "assignments/palindrome_pytorch"


def palindrome_files(yours=()):
    """CS324's palindrome assignment: the course skeleton's files, filled in, which run alone."""
    return [(os.path.join(PALINDROME, n), n) for n in ("dataset.py", "lstm.py", "vanilla_rnn.py", "train.py")]


def palindrome_readme():
    """The hand-in's README: how to run it, and the assignment's question answered from the runs, by the rule."""
    from assignments.memory.palindrome import lstm_against_rnn
    from assignments.memory.task_runs import load_task
    runs = load_task(os.path.join(PROJECT_DIR, "results", "tasks"), "palindrome", "palindrome_pytorch.jsonl")
    return README_PALINDROME.replace("{answer}", lstm_against_rnn(runs))


IE643 = "IE643_{roll}_scribingassignment"


def ie643_files(yours=()):
    """IE643's scribing assignment: Exercise 3's notebook as stored, executed (it installs what it needs and
    fetches MNIST itself, so it runs in Colab as it is). Exercise 1's PDF is made for the roll (ie643_pdf)."""
    return [("assignments/numpy_rnn/notebooks/numpy_rnn_mnist4.ipynb", IE643 + "_Ex3.ipynb")]


def ie643_pdf(roll):
    """Exercise 1: the derivation, typeset with the roll number under its title; where pandoc or Chromium is
    missing, the stored PDF (the same text, without the roll) and a line saying so."""
    import tempfile
    from tools import build_pdf
    with tempfile.TemporaryDirectory() as scratch:
        try:
            path = build_pdf.build(os.path.join(scratch, "ex1.pdf"), "IE643 scribing assignment, Exercise 1 - " + roll)
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            log("note: {}; the PDF is the stored {}, without your roll number on it".format(
                str(e).splitlines()[0] if str(e) else type(e).__name__, relpath(build_pdf.OUTPUT)))
            path = build_pdf.OUTPUT
        with open(path, "rb") as f:
            return f.read()


def ie643_readme():
    """The hand-in's README: what each file answers, Exercise 2's note, Exercise 3's measured choice."""
    from assignments.numpy_rnn import mnist4
    result = mnist4.read_result(os.path.join(PROJECT_DIR, "results", "numpy_rnn", "mnist4.json"), new=True)
    def stop(rate):
        why, epochs = result["stopped"].get(rate, ""), len(result["curves"][rate])
        return "{} {}".format(rate, why if why.startswith(("diverged", "reached")) else
                              "stopped after {} epochs".format(epochs))
    stops = "; ".join(stop(rate) for rate in sorted(result["curves"], key=lambda r: -float(r)))
    clipped = mnist4.read_ablation(os.path.join(PROJECT_DIR, "results", "numpy_rnn"))
    from tools.reporting.pages import clipping_text  # the report's sentence, word for word
    clipping = " " + clipping_text(result, clipped) if clipped else ""
    return README_IE643.format(roll="{roll}", rate=result["best_rate"], epoch=result["best_epoch"],
                               val=100 * result["best_val_accuracy"], test=100 * result["test_accuracy"],
                               correct=result["test_correct"], count=result["test_count"], stops=stops,
                               patience=result["patience"], machine=result["machine"]["processor"], clipping=clipping)


def ee6123_files(yours=()):
    """The EE6123 report: the document made by tools/make_report.py from the results (the code it describes is
    the project's: assignments/memory/, core/, cells.py)."""
    return [("docs/ee6123_report.pdf", "EE6123_report.pdf")]


# Each assignment's hand-in: its zip and folder names, the function listing its files (with the names they get),
# its README, its report (None: the assignment asks for none), its requirements, and files made for the roll.
HANDINS = {
    "a4": {"zip": "Assignment4_{roll}.zip", "folder": "Assignment4_{roll}", "files": assignment4_files,
           "readme": README_A4, "report": "{roll}_Report.pdf", "requirements": requirements_36},
    "cs324": {"zip": "{roll}_assignment3.zip", "folder": "{roll}_assignment3", "files": palindrome_files,
              "readme": palindrome_readme, "report": None, "requirements": lambda: REQUIREMENTS_PALINDROME},
    "ie643": {"zip": IE643 + ".zip", "folder": IE643, "files": ie643_files, "readme": ie643_readme, "report": None,
              "requirements": lambda: b"", "made": [(IE643 + "_Ex1.pdf", ie643_pdf)]},
    "ee6123": {"zip": "EE6123_{roll}.zip", "folder": "EE6123_{roll}", "files": ee6123_files, "readme": README_EE6123,
               "report": None, "requirements": lambda: b""},
    "no-rnn-api": {"zip": "{roll}_lstm_without_rnn_api.zip", "folder": "{roll}_lstm_without_rnn_api",
                   "files": no_rnn_api_files, "readme": README_NO_RNN_API, "report": None,
                   "requirements": requirements_modern},
}


def report_pdf(roll, a3=None, files=()):
    """Report.pdf made for this hand-in (the roll number on the page; --a3 when given), in memory, from the
    results and logs the hand-in packs (with the baselines and the pinned runtime's seeds of results/)."""
    import shutil
    import tempfile
    with tempfile.TemporaryDirectory() as scratch:
        results, weights = os.path.join(scratch, "results"), os.path.join(scratch, "weights")
        shutil.copytree(os.path.join(PROJECT_DIR, "results"), results)
        for name in BASIC:  # only what the hand-in packs stands for these configurations
            for seed in study.SEEDS:
                arch = Arch.parse(name)
                stale = os.path.join(study.result_folder(study.recipe_of(arch.model, arch.layers[0]), seed, results),
                                     name + ".json")
                if os.path.isfile(stale):
                    os.remove(stale)
        for source, name in files:
            if name.startswith("results/") or name.endswith("/log.csv"):
                os.makedirs(os.path.dirname(os.path.join(scratch, name)), exist_ok=True)
                shutil.copy(os.path.join(PROJECT_DIR, source), os.path.join(scratch, name))
        out = os.path.join(scratch, "Report.pdf")
        args = [sys.executable, os.path.join(PROJECT_DIR, "tools", "make_report.py"), "--output=" + out,
                "--technical=", "--readme=", "--roll=" + roll, "--results_dir=" + results,
                "--weights_dir=" + weights] + (["--a3={}".format(a3)] if a3 is not None else [])
        proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        if proc.returncode:
            raise UserError("the report could not be made: {}".format(proc.stderr.strip().splitlines()[-1]
                                                                       if proc.stderr.strip() else proc.returncode))
        with open(out, "rb") as f:
            return f.read()


def build(assignment, roll, a3=None, yours=()):
    """(zip name, the zip's bytes, the weights packed)."""
    if not ROLL.match(roll or ""):
        raise UserError("--roll={!r} is not a roll number: use letters, digits, '-' or '_' (at most 40), e.g. "
                        "make submission ROLL=CS20B042".format(roll))
    handin = HANDINS[assignment]
    folder = handin["folder"].format(roll=roll)
    files = handin["files"](yours)
    packed = sorted({p.split("/")[1] for _, p in files if p.startswith("weights/")})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for source, name in files:
            z.write(os.path.join(PROJECT_DIR, source), "{}/{}".format(folder, name.replace("{roll}", roll)))
        if packed:
            z.writestr("{}/weights/MANIFEST.sha256".format(folder), manifest_of(files))
        if handin["requirements"]():
            z.writestr("{}/requirements.txt".format(folder), handin["requirements"]())
        readme = handin["readme"]() if callable(handin["readme"]) else handin["readme"]
        z.writestr("{}/README.md".format(folder), readme.format(roll=roll, model=NO_RNN_API_MODEL).encode("utf-8"))
        if handin["report"]:
            z.writestr("{}/{}".format(folder, handin["report"].format(roll=roll)), report_pdf(roll, a3, files))
        for name, make in handin.get("made", ()):  # files made for this roll
            z.writestr("{}/{}".format(folder, name.replace("{roll}", roll)), make(roll))
    return handin["zip"].format(roll=roll), buffer.getvalue(), packed


def own_runs():
    """The basic configurations the user has trained in runs/ (finished, with a best checkpoint)."""
    found = []
    for name in BASIC:
        state = RunDir(RUNS_DIR, name).load_state() if os.path.isdir(os.path.join(RUNS_DIR, name)) else None
        if state and state.get("finished") and state.get("best"):
            found.append(name)
    return found


def argparse_namespace(args, **changes):
    import argparse
    return argparse.Namespace(**dict(vars(args), **changes))


def main(argv=None):
    parser = ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--roll", default="", help="your roll number")
    parser.add_argument("--assignment", default="a4", help="which hand-in: " + ", ".join(sorted(HANDINS)) +
                        ", or all (each under its own name in the project folder)")
    parser.add_argument("--list", action="store_true", help="list the hand-ins and the names their zips get")
    parser.add_argument("--a3", type=float, default=None, help="your Assignment 3 test accuracy in percent: the "
                        "report compares with it")
    parser.add_argument("--output", default="", help="where to write the zip (default: its name, in the project folder)")
    parser.add_argument("--weights", default="shipped", help="shipped: the shipped weights and results; yours: "
                        "those of runs/ for each configuration you trained and tested (the report is made from "
                        "them), the shipped ones for the rest")
    args = parser.parse_args(argv)
    return guarded(lambda: write(args), "interrupted; no zip was written",
                   fix="free some space, or pass --output=<a file in a folder you can write>")


DESCRIPTIONS = {"a4": "Assignment 4, the card: LSTM and GRU from scratch, weights, <roll>_Report.pdf",
                "cs324": "CS324's palindrome assignment in PyTorch, on the course skeleton",
                "ie643": "IE643's scribing assignment: the BPTT derivation (PDF), Exercise 3's notebook",
                "ee6123": "the EE6123 report's experiments: the grid, recall, binary addition (a PDF)",
                "no-rnn-api": "the TensorFlow LSTM without TensorFlow's RNN API, a loop-trained crop model"}


def write(args):
    if args.list:
        for key in sorted(HANDINS):
            print("{:<11} {:<36} {}".format(key, HANDINS[key]["zip"].format(roll="<roll>"), DESCRIPTIONS[key]))
        print("make handin ROLL=<roll> [ASSIGNMENT=<name>] writes them (make submission ROLL=<roll>: Assignment 4)")
        return 0
    if args.assignment == "all":
        if args.output:
            raise UserError("--output names one zip; with --assignment=all each is written under its own name")
        for key in sorted(HANDINS):
            status = write(argparse_namespace(args, assignment=key))
            if status:
                return status
        return 0
    if args.assignment not in HANDINS:
        raise UserError("unknown --assignment={!r}; choose {} or all".format(args.assignment,
                                                                            ", ".join(sorted(HANDINS))))
    if args.a3 is not None and not 0 < args.a3 <= 100:
        raise UserError("--a3 is a test accuracy in percent, like --a3=98.7, not {:g}".format(args.a3))
    if args.weights not in ("shipped", "yours"):
        raise UserError("unknown --weights={!r}; choose shipped or yours".format(args.weights))
    roll = args.roll.strip()
    mine = own_runs()
    yours = mine if args.weights == "yours" else []
    wanted, data, packed = build(args.assignment, roll, args.a3, yours)
    output = args.output or os.path.join(PROJECT_DIR, wanted)
    if os.path.isdir(output):
        raise UserError("--output={} is a folder; give a file name ending in .zip".format(relpath(output)))
    atomic_write_bytes(output, data)
    named = "" if os.path.basename(output) == wanted else "; the assignment wants it named " + wanted
    report = HANDINS[args.assignment]["report"]
    print("wrote {} ({:.1f} MB): the folder {}/{}{}".format(
        relpath(output), len(data) / 1e6, HANDINS[args.assignment]["folder"].format(roll=roll),
        " with " + report.format(roll=roll) if report else "", named))
    shipped = [n for n in packed if n not in yours]
    if packed:
        print("weights packed: {}".format("; ".join(part for part in (
            "yours from runs/ " + ", ".join(yours) if yours else "", "the shipped " + ", ".join(shipped) if shipped
            else "") if part)))
    if mine and not yours:
        log("note: runs/ holds your own {}; this zip packs the shipped weights and their results (--weights=yours, "
            "or make submission WEIGHTS=yours, packs yours)".format(", ".join(mine)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
