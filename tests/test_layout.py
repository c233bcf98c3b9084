"""The tree a grader reads: the card's files at the top, one core package, imports that run one way.

Layers, lowest first: core/ (imports only itself); the card's library modules (cells, model, data_loader,
train, evaluate, download_weights); the other assignments; the tools; the entry points (main.py,
plot_results.py). A module imports only its own layer or lower ones, and no two folders import each other.
"""
import ast
import os
import re

from conftest import ROOT

CARD = ("main.py", "cells.py", "model.py", "data_loader.py", "train.py", "evaluate.py", "plot_results.py",
        "download_weights.py", "weights", "Report.pdf", "README.md")
LIBRARY = ("cells", "model", "data_loader", "train", "evaluate", "download_weights")
ENTRY = ("main", "plot_results")
# The palindrome hand-in runs alone on the course skeleton, without the project: its train.py stops on a kill
# by itself. Every other program goes through core.common.guarded.
OWN_SIGNAL_HANDLING = {"assignments/palindrome_pytorch/train.py"}


# What a downloaded archive does not have, or a user's work adds: hidden folders (.git, .venv, .venv36, caches),
# runs/ and logs/ (trainings), zips and weights.tar.gz (hand-ins, packed weights). No git is needed to list files.
NOT_THE_PROJECTS = re.compile(r"^(\..*|__pycache__|runs|logs|.*\.zip|weights\.tar\.gz)$")


def project_files():
    """Relative paths of the project's files, found by walking the tree (as in a copy without .git)."""
    found = []
    for here, dirs, names in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if not NOT_THE_PROJECTS.match(d))
        found += [os.path.relpath(os.path.join(here, n), ROOT).replace(os.sep, "/") for n in sorted(names)
                  if not NOT_THE_PROJECTS.match(n)]
    return found


def python_files():
    return [p for p in project_files() if p.endswith(".py") and not p.startswith("tests/")]


def unit(path_or_module):
    """The folder-level unit of a file (core, assignments/memory, tools/reporting, tools, main, ...) or of a
    dotted module name."""
    parts = path_or_module.replace(".py", "").replace(".", "/").split("/")
    if parts[0] in ("assignments", "tools") and len(parts) > 2:
        return "/".join(parts[:2])
    return parts[0]


def rank(name):
    if name == "core":
        return 0
    if name in LIBRARY:
        return 1
    if name.startswith("assignments"):
        return 2
    if name.startswith("tools"):
        return 3
    return 4


def project_imports(path):
    """(module, [(name, the name it is bound to)]) of every import of this project's code in a file."""
    tree = ast.parse(open(os.path.join(ROOT, path)).read())
    tops = {p[:-3] for p in os.listdir(ROOT) if p.endswith(".py")} | {"core", "assignments", "tools"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in tops:
                    yield alias.name, []
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module.split(".")[0] in tops:
            yield node.module, [(a.name, a.asname or a.name) for a in node.names]


def edges():
    found = {}
    for path in python_files():
        for module, names in project_imports(path):
            target = unit(module)
            if target in ("assignments", "tools") and names:  # from tools import make_report
                target = unit(module + "." + names[0][0]) if module.count(".") == 0 else target
            if target != unit(path):
                found.setdefault(unit(path), set()).add(target)
    return found


def test_the_top_level_is_the_card_and_a_few_folders():
    entries = sorted({p.split("/")[0] for p in project_files()})
    assert set(CARD) <= set(entries), set(CARD) - set(entries)
    assert len(entries) <= 22, entries
    assert {"core", "assignments", "tools", "tests", "docs", "results"} <= set(entries)


def test_imports_run_one_way_and_no_two_folders_import_each_other():
    graph = edges()
    for source, targets in graph.items():
        for target in targets:
            assert rank(target) <= rank(source), "{} (layer {}) imports {} (layer {})".format(
                source, rank(source), target, rank(target))
    seen, stack = set(), []

    def visit(node):
        assert node not in stack, "an import cycle: " + " -> ".join(stack[stack.index(node):] + [node])
        if node in seen:
            return
        seen.add(node)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            visit(target)
        stack.pop()
    for node in sorted(graph):
        visit(node)
    assert graph["core"] == set() if "core" in graph else True


def test_no_private_name_crosses_a_module_and_nothing_is_imported_only_to_be_passed_on():
    for path in python_files():
        source = open(os.path.join(ROOT, path)).read()
        tree = ast.parse(source)
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        used |= {n.value.id for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)}
        for module, names in project_imports(path):
            for name, bound in names:
                assert not name.startswith("_"), "{} imports the private {}.{}".format(path, module, name)
                if not path.endswith("__init__.py"):
                    assert bound in used, "{} imports {} from {} and never uses it (a re-export?)".format(
                        path, name, module)


def test_one_way_to_stop_on_a_kill():
    for path in python_files():
        text = open(os.path.join(ROOT, path)).read()
        if re.search(r"signal\.signal\(\s*signal\.SIGTERM", text):
            assert path == "core/common.py" or path in OWN_SIGNAL_HANDLING, path


def test_the_configuration_has_one_form():
    """No dict-era helpers: the typed configuration's fields are read directly."""
    for path in python_files():
        text = open(os.path.join(ROOT, path)).read()
        for word in ("graph_options", "regularisers", "layer_sizes"):
            assert word not in text, (path, word)
