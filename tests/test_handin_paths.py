"""Each hand-in speaks only of itself: every path its files name is inside its zip.

All five zips are built from a copy of the project without .git (as a downloaded archive has it) and each is
read alone. A path is named in a README or other text file, a notebook's cells, or a .py file's comments,
docstrings and prose strings (help texts, messages): a mention with a folder part (`tools/reproduce.py`,
`weights/<config>/log.csv`, `runs/`) or a file name with a file's ending (`sequence_tasks.py`). It is there when
the zip holds it, seen from the hand-in's folder or from the file that names it; `<...>`, `{...}`, `*` and `...`
stand for any name. A path the programs write when run (`runs/<config>/`) is there too when each of its named
parts is a name the zip's code uses (a string literal of code, not of prose). `../data` and other paths outside
the folder, absolute paths and web addresses are the user's, not the zip's.
"""
import ast
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tokenize
import zipfile

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow

ENDINGS = ("py", "md", "json", "jsonl", "png", "pdf", "csv", "ipynb", "txt", "zip", "log", "sha256", "sh", "npz",
           "html", "tex", "yml", "yaml", "cfg", "ini", "gz")
PIECE = r"(?:<[^<>/\n]*>|[\w.{}*%-])"
# A mention starts after a space, quote or bracket (not after "=": a flag's value is the user's file) and ends
# before one, or before punctuation ("dE/dw" is no folder E/).
MENTION = re.compile(r"(?<![\w/.:~@$<=-])(\.{0,2}/?(?:%s+/)+%s*|%s*[\w>}*]\.(?:%s))(?=[\s`'\")\],;:.!?]|$)" % (
    PIECE, PIECE, PIECE, "|".join(ENDINGS)))
PLACEHOLDER = re.compile(r"<[^<>/]*>|\{[^{}/]*\}|\*|%[sd]")
# The five hand-ins and their zips' names (tools/handin.py --list).
ZIPS = {"a4": "Assignment4_{roll}.zip", "cs324": "{roll}_assignment3.zip", "ee6123": "EE6123_{roll}.zip",
        "ie643": "IE643_{roll}_scribingassignment.zip", "no-rnn-api": "{roll}_lstm_without_rnn_api.zip"}
HANDINS = [z.format(roll="R42") for z in ZIPS.values()]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A copy of the project without .git, as a downloaded archive has it."""
    copy = tmp_path_factory.mktemp("handins") / "project"
    shutil.copytree(ROOT, str(copy), ignore=shutil.ignore_patterns(".git", ".venv*", "runs", "logs", "__pycache__",
                                                                   "*.zip"))
    return copy


@pytest.fixture(scope="module")
def zips(project):
    """{zip name: [(path in the hand-in's folder, bytes)]}, each hand-in built on its own (a hand-in that does not
    build fails its own tests only)."""
    built = {}

    def files(zip_name):
        if zip_name not in built:
            key = {z.format(roll="R42"): k for k, z in ZIPS.items()}[zip_name]
            proc = subprocess.run([sys.executable, os.path.join(str(project), "tools", "handin.py"), "--roll=R42",
                                   "--assignment=" + key], cwd=str(project), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, universal_newlines=True, timeout=900)
            assert proc.returncode == 0, proc.stderr
            with zipfile.ZipFile(str(project / zip_name)) as z:
                built[zip_name] = [(n.split("/", 1)[1], z.read(n)) for n in z.namelist()
                                   if "/" in n and not n.endswith("/")]
        return built[zip_name]
    return files


def _string(node):
    """A string literal's text (ast.Str on Python 3.6, ast.Constant later), else None."""
    value = node.s if type(node).__name__ == "Str" else getattr(node, "value", None) \
        if isinstance(node, getattr(ast, "Constant", ())) else None
    return value if isinstance(value, str) else None


def python_texts(source):
    """(prose, code names) of a .py file: its comments, docstrings and strings with spaces in them (help texts,
    messages) as prose; the other string literals (a folder or file name the code builds a path from) as names."""
    prose, names = [], set()
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return [source], names
    docstrings = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and _string(body[0].value) is not None:
            docstrings.add(id(body[0].value))
    for node in ast.walk(tree):
        text = _string(node)
        if text is not None:
            if id(node) in docstrings or re.search(r"\s", text):
                prose.append(text)
            else:
                names.add(text)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            prose.append(token.string)
    return prose, names


def texts_of(files):
    """[(file, text)] of what a grader reads, and the set of names the zip's code uses."""
    found, names = [], set()
    for name, data in files:
        if name.endswith(".py"):
            prose, used = python_texts(data.decode("utf-8"))
            found += [(name, text) for text in prose]
            names |= used
        elif name.endswith(".ipynb"):
            for cell in json.loads(data.decode("utf-8"))["cells"]:
                source = "".join(cell["source"])
                if cell["cell_type"] == "code":
                    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("!", "%"))]
                    prose, used = python_texts("\n".join(lines))
                    found += [(name, text) for text in prose]
                    names |= used
                else:
                    found.append((name, source))
        elif name.endswith((".md", ".txt")):
            found.append((name, data.decode("utf-8")))
    return found, names


def pattern(path):
    """A regular expression of the paths a mention stands for (placeholders match any one name)."""
    parts = []
    for part in path.strip("/").split("/"):
        if part == "...":
            parts.append("(?:[^/]+/)*?[^/]+")
            continue
        pieces = PLACEHOLDER.split(part)
        parts.append("[^/]*".join(re.escape(p) for p in pieces))
    return re.compile("/".join(parts).replace("/(?:[^/]+/)*?[^/]+/", "/(?:[^/]+/)*"))


def mentions(text, folders):
    """The path-like mentions in a text: with a folder part that is a folder (of the project or the zip) or
    ends in '/', or ending in a file's ending."""
    for match in MENTION.finditer(text):
        path = match.group(1).rstrip(".,;:)")
        if path.startswith(("../", "/", "~")) or path in ("./", "../") or "//" in path:
            continue  # outside the hand-in's folder: the user's
        if "/" not in path and (path.startswith(".") or not PLACEHOLDER.sub("", path.rsplit(".", 1)[0])):
            continue  # a file ending (.tar.gz) or any file of a kind (<name>.png, {}.gz)
        path = path[2:] if path.startswith("./") else path
        parts = path.rstrip("/").split("/")
        if "/" in path and not (path.endswith("/") or re.search(r"\.(%s)$" % "|".join(ENDINGS), path)
                                or parts[0] in folders):
            continue  # "LSTM/GRU", "and/or": words, not paths
        yield path


def missing(files):
    """[(file, path)] of the paths named in the zip's files that it does not hold."""
    held = {name for name, _ in files}
    held |= {"/".join(name.split("/")[:i]) for name in held for i in range(1, name.count("/") + 1)}
    project = {n for n in os.listdir(ROOT)}
    folders = project | {part for name in held for part in name.split("/")[:-1]}
    texts, names = texts_of(files)
    gone = []
    for where, text in texts:
        here = os.path.dirname(where)
        for path in mentions(text, folders):
            wanted = pattern(path)
            candidates = held if not here else held | {os.path.relpath(h, here) for h in held}
            if any(wanted.fullmatch(h) or wanted.fullmatch(os.path.basename(h)) and "/" not in path.strip("/")
                   for h in candidates):
                continue
            named = [p for part in path.strip("/").split("/") if part != "..." for p in PLACEHOLDER.split(part) if p]
            if named and all(any(p in name for name in names) for p in named):
                continue  # written by the zip's own code when it runs (runs/<config>/, <config>.new/)
            gone.append((where, path))
    return sorted(set(gone))




@pytest.mark.parametrize("handin", HANDINS)
def test_every_path_a_handin_names_is_inside_it(zips, handin):
    gone = missing(zips(handin))
    assert not gone, "{} names {} path(s) it does not hold:\n{}".format(
        handin, len(gone), "\n".join("  {}: {}".format(where, path) for where, path in gone))


def test_the_check_finds_a_missing_path_and_passes_a_present_one():
    files = [("README.md", b"Run `python main.py`; weights in `weights/<config>/log.csv`; see tests/test_x.py, "
                           b"tools/ and sequence_tasks.py; LSTM/GRU, dE/dw, --predict=digit.png and ../data are not paths.\n"),
             ("main.py", b'"""Trains; see core/fast.py."""\nimport os\nRUNS = os.path.join("runs")  # runs/<x>/\n'),
             ("weights/lstm_h32/log.csv", b"")]
    assert missing(files) == [("README.md", "sequence_tasks.py"), ("README.md", "tests/test_x.py"),
                              ("README.md", "tools/"), ("main.py", "core/fast.py")]


def imported_names(source):
    """The modules a Python text imports (anywhere, also inside functions), and module.name for each
    `from module import name`."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update("{}.{}".format(node.module, a.name) for a in node.names)
    return found


@pytest.mark.parametrize("handin", HANDINS)
def test_every_module_a_handin_holds_is_imported_there(zips, handin):
    """A module in a folder of the hand-in (a package's, not a program run by name) is imported by one of its
    files: no module that nothing in the zip uses."""
    imported = set()
    for name, data in zips(handin):
        if name.endswith(".py"):
            imported |= imported_names(data.decode("utf-8"))
        elif name.endswith(".ipynb"):
            for cell in json.loads(data.decode("utf-8"))["cells"]:
                if cell["cell_type"] == "code":
                    imported |= imported_names("\n".join(line for line in "".join(cell["source"]).splitlines()
                                                         if not line.lstrip().startswith(("!", "%"))))
    if "core.unroll" in imported:  # core/unroll.py imports the other unrollers by name, found by their files
        imported |= {name[:-3].replace("/", ".") for name, _ in zips(handin) if name.startswith("core/unroll_")}
    unused = [name for name, _ in zips(handin) if name.endswith(".py") and "/" in name
              and not name.endswith("/__init__.py") and name[:-3].replace("/", ".") not in imported]
    assert not unused, "{} holds modules nothing in it imports: {}".format(handin, ", ".join(unused))
