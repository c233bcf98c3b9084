"""Hand-ins as their graders receive them: each assignment's files, under the names it gives, in one zip.

    python tools/handin.py --roll=<roll> [--author='<your name>'] [--assignment=a4] [--a3=98.7] [--output=<zip>]
    make submission ROLL=<roll> [A3=98.7]       # Assignment 4: Assignment4_<roll>.zip

Each hand-in is declared once, as a typed record in its own module of tools/handins/ (its files and the names
they get, its README, its report). The zip is built from the files on disk, not from git (a project unpacked
from an archive builds it too), is written atomically, and holds only what the assignment needs.
"""
import io
import os
import re
import sys
import tempfile
import zipfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the project root, for core

from core.common import ArgumentParser, PROJECT_DIR, RUNS_DIR, UserError, atomic_write_bytes, guarded, log, relpath  # noqa
from core.outputs import SCRATCH, check_output, remove_stale  # noqa: E402
from core.runs import RunDir  # noqa: E402
from download_weights import sha256_file  # noqa: E402
from tools.handins import ALL as HANDINS, ie643  # noqa: E402
from tools.handins.a4 import report_pdf  # noqa: E402
from tools.handins.common import BASIC  # noqa: E402

ROLL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


def manifest_of(files):
    """weights/MANIFEST.sha256 of the weights packed (download_weights.py checks an archive against it)."""
    lines = ["{}  {}\n".format(sha256_file(os.path.join(PROJECT_DIR, source)), name[len("weights/"):])
             for source, name in sorted(files, key=lambda f: f[1]) if name.startswith("weights/")]
    return "".join(lines).encode("utf-8")


def build(assignment, roll, a3=None, yours=(), author=""):
    """(zip name, the zip's bytes, the weights packed)."""
    if not ROLL.match(roll or ""):
        raise UserError("--roll={!r} is not a roll number: use letters, digits, '-' or '_' (at most 40), e.g. "
                        "make submission ROLL=CS20B042".format(roll))
    handin = HANDINS[assignment]
    folder = handin.folder.format(roll=roll)
    files = handin.files(tuple(yours))
    packed = sorted({p.split("/")[1] for _, p in files if p.startswith("weights/")})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for source, name in files:
            z.write(os.path.join(PROJECT_DIR, source), "{}/{}".format(folder, name.replace("{roll}", roll)))
        if packed:
            z.writestr("{}/weights/MANIFEST.sha256".format(folder), manifest_of(files))
        requirements = handin.requirements()
        if requirements:
            z.writestr("{}/requirements.txt".format(folder), requirements)
        # "{by}" in a README's title: the author, where --author gives one
        z.writestr("{}/README.md".format(folder), handin.readme().replace("{roll}", roll).replace(
            "{by}", ", " + author if author else "").encode("utf-8"))
        if handin.report:
            z.writestr("{}/{}".format(folder, handin.report.format(roll=roll)), report_pdf(roll, a3, files))
        for name, make in handin.made:  # files made for this student
            z.writestr("{}/{}".format(folder, name.replace("{roll}", roll)), make(roll, author))
    return handin.zip.format(roll=roll), buffer.getvalue(), packed


def author_of(text):
    """--author, checked: a name of printable characters, at most 80."""
    name = " ".join(text.split())
    if len(name) > 80 or not all(c.isprintable() for c in name):
        raise UserError("--author={!r} is not a name: use at most 80 printable characters, e.g. --author='A. "
                        "Student'".format(text))
    return name


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
    parser.add_argument("--author", default="", help="your name, as a report made for you gives it (EE6123, IE643)")
    parser.add_argument("--assignment", default="a4", help="which hand-in: " + ", ".join(sorted(HANDINS)) +
                        ", or all (each under its own name in the project folder)")
    parser.add_argument("--list", action="store_true", help="list the hand-ins and the names their zips get")
    parser.add_argument("--a3", type=float, default=None, help="your Assignment 3 test accuracy in percent: the "
                        "report compares with it")
    parser.add_argument("--output", default="", help="where to write the zip (default: its name, in the project folder)")
    parser.add_argument("--weights", default="shipped", help="shipped: the shipped weights and results; yours: "
                        "those of runs/ for each configuration you trained and tested (the report is made from "
                        "them), the shipped ones for the rest")
    parser.add_argument("--force", action="store_true", help="replace the file --output names even when it is "
                        "not a zip")
    parser.add_argument("--ie643_q2", default="", type=ie643.question2_notebook, metavar="NOTEBOOK.ipynb",
                        help="IE643: your Question 2 notebook (the course's Part II notebook, completed), packed as "
                        "IE643_<roll>_scribingassignment_Ex2.ipynb")
    args = parser.parse_args(argv)
    if args.ie643_q2 and args.assignment not in ("ie643", "all"):
        parser.error("--ie643_q2 is IE643's Question 2 notebook; pass it with --assignment=ie643 (or all)")
    ie643.QUESTION2["path"] = args.ie643_q2
    args.written = []  # the zips written so far: an interruption of --assignment=all says which
    return guarded(lambda: write(args), lambda: interrupted(args.written),
                   fix="free some space, or pass --output=<a file in a folder you can write>")


def interrupted(written):
    if not written:
        return "interrupted; no zip was written"
    return "interrupted after writing {}; the other zips were not written (run the same command again for them)"\
        .format(" and ".join(relpath(p) for p in written))


def output_of(args, key, roll):
    """Where the zip goes, checked before anything is built: a zip, or a new file whose name ends in .zip."""
    output = args.output or os.path.join(PROJECT_DIR, HANDINS[key].zip.format(roll=roll))
    if ROLL.match(roll):  # a bad roll is said by build(), in its own words
        check_output(output, "--output", ".zip", args.force)
    return output


def write(args):
    if args.list:
        for key in sorted(HANDINS):
            print("{:<11} {:<36} {}".format(key, HANDINS[key].zip.format(roll="<roll>"), HANDINS[key].description))
        print("make handin ROLL=<roll> [ASSIGNMENT=<name>] writes them (make submission ROLL=<roll>: Assignment 4)")
        return 0
    if args.assignment == "all":
        if args.output:
            raise UserError("--output names one zip; with --assignment=all each is written under its own name")
        for key in sorted(HANDINS):  # every zip's place is checked before the first is written
            output_of(args, key, args.roll.strip())
        for key in sorted(HANDINS):
            try:
                status = write(argparse_namespace(args, assignment=key))
            except UserError as e:  # say what was written before it, as an interruption does
                if not args.written:
                    raise
                raise UserError("{} ({} written before it)".format(e, " and ".join(relpath(p) for p in args.written)))
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
    output = output_of(args, args.assignment, roll)
    remove_stale(PROJECT_DIR)  # what a killed build left: its zip's temporary file, its scratch folder
    remove_stale(tempfile.gettempdir(), SCRATCH)
    mine = own_runs()
    yours = mine if args.weights == "yours" else []
    wanted, data, packed = build(args.assignment, roll, args.a3, yours, author_of(args.author))
    atomic_write_bytes(output, data)
    args.written.append(output)
    named = "" if os.path.basename(output) == wanted else "; the assignment wants it named " + wanted
    report = HANDINS[args.assignment].report
    print("wrote {} ({:.1f} MB): the folder {}/{}{}".format(
        relpath(output), len(data) / 1e6, HANDINS[args.assignment].folder.format(roll=roll),
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
