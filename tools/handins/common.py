"""What every hand-in is made of: the record that declares one (HandIn) and the helpers the records share.

Each hand-in is declared once, in its own module of this package (a4.py, cs324.py, ee6123.py, ie643.py,
no_rnn_api.py), as a HandIn; tools/handin.py builds the zips from them.
"""
import os
import re
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Tuple

from core.common import PROJECT_DIR
from core.config import Arch

# [(path in the project, path in the hand-in's folder)]; "{roll}" in a hand-in path is the roll number.
Files = List[Tuple[str, str]]

CARD_PROGRAMS = ("main.py", "cells.py", "model.py", "data_loader.py", "train.py", "evaluate.py", "plot_results.py",
                 "download_weights.py")
BASIC = [Arch(m, (h,)).name for m in ("lstm", "gru") for h in (32, 64, 128, 256)]
SKIPPED = re.compile(r"(^|/)(__pycache__|\.tmp-[^/]*)(/|$)|\.pyc$")


@dataclass(frozen=True)
class HandIn:
    """One assignment's hand-in: the zip and the one folder in it ("{roll}" filled in), its files, its README
    (text with {roll}), its report's name in the folder (None: the assignment asks for none), its requirements.txt
    (empty: none), and files made for the student [(name in the folder, make(roll, author) -> bytes)]."""
    key: str
    description: str
    zip: str
    folder: str
    files: Callable[[Tuple[str, ...]], Files]
    readme: Callable[[], str]
    report: Optional[str] = None
    requirements: Callable[[], bytes] = lambda: b""
    made: Tuple[Tuple[str, Callable[[str, str], bytes]], ...] = field(default=())


def project_files(folder, keep=lambda path: True):
    """The files under PROJECT_DIR/folder (relative paths), sorted, without caches or temporary files."""
    found = []
    for here, dirs, names in os.walk(os.path.join(PROJECT_DIR, folder)):
        dirs[:] = sorted(d for d in dirs if not SKIPPED.search(d + "/"))
        for name in sorted(names):
            path = os.path.relpath(os.path.join(here, name), PROJECT_DIR).replace(os.sep, "/")
            if not SKIPPED.search(path) and keep(path):
                found.append(path)
    return found


def requirements_of(path, leave_out=("pytest", "selenium")):
    """A requirements file of the project for a grader: without the test runner and the browser driver."""
    with open(os.path.join(PROJECT_DIR, path)) as f:
        return "".join(line for line in f if not line.startswith(leave_out)).encode("utf-8")


def imported_modules(programs, package="core"):
    """The modules of `package` that the programs (paths in the project) import, directly or through each
    other, anywhere in their code (an import inside a function counts): the package's part a hand-in needs,
    and no module that nothing in it imports. Returns paths in the project, sorted, with the package's
    __init__.py. core/unroll.py finds the other unrollers by their files (core/unroll_<name>.py) and imports them
    by name, so a hand-in that imports it holds them all (a builder may leave some out)."""
    import ast
    import glob
    wanted, todo = {package + "/__init__.py"}, list(programs)
    while todo:
        with open(os.path.join(PROJECT_DIR, todo.pop()), encoding="utf-8") as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module] + ["{}.{}".format(node.module, a.name) for a in node.names]
            for name in names:
                path = name.replace(".", "/") + ".py"
                if name.startswith(package + ".") and path not in wanted and os.path.isfile(
                        os.path.join(PROJECT_DIR, path)):
                    wanted.add(path)
                    todo.append(path)
                    if path == package + "/unroll.py":  # its plug-ins, found by file name
                        plugins = [os.path.relpath(p, PROJECT_DIR).replace(os.sep, "/") for p in sorted(glob.glob(
                            os.path.join(PROJECT_DIR, package, "unroll_*.py")))]
                        wanted.update(plugins)
                        todo.extend(plugins)
    return sorted(wanted)
