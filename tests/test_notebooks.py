"""assignments/numpy_rnn/notebooks/: the BPTT assignment's notebook is stored executed, from the current sources, and runs top to
bottom (CI: the reduced setting of its parameter cell) to a test accuracy. Jupyter's tools are installed in
the modern runtime by CI (tools/requirements-docs.txt); the pinned Python 3.6 leg has none."""
import os
import sys

import pytest

from conftest import SHARED_MNIST

if os.environ.get("CI") != "true" or sys.version_info < (3, 8):
    pytest.importorskip("nbclient", reason="pip install -r tools/requirements-docs.txt")
import nbformat  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "assignments", "numpy_rnn", "notebooks"))
import build  # noqa: E402


def stored(path=build.NOTEBOOK):
    with open(path) as f:
        return nbformat.read(f, as_version=4)


def test_the_stored_notebook_is_built_from_the_current_sources():
    nb, fresh = stored(), build.build()
    assert [c.source for c in nb.cells] == [c.source for c in fresh.cells], \
        "assignments/numpy_rnn/notebooks/numpy_rnn_mnist4.ipynb is out of date: run python assignments/numpy_rnn/notebooks/build.py"
    assert "def loss_and_grads" in "".join(c.source for c in nb.cells)  # the hand-written BPTT itself


def test_the_derivation_notebook_is_the_derivation_with_a_check_after_each_result():
    nb, fresh = stored(build.DERIVATION), build.build(cell_list=build.derivation_cells())
    assert [c.source for c in nb.cells] == [c.source for c in fresh.cells], \
        "assignments/numpy_rnn/notebooks/lstm_bptt.ipynb is out of date: run python assignments/numpy_rnn/notebooks/build.py --only=lstm_bptt"
    markdown = "".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "frac{\\partial E}{\\partial w^{i}_{ij}}" in markdown and "## (c) The recurrences of" in markdown
    text = build.outputs_text(nb)
    for check in ("dC(t) against nudging C(t)", "dh(t) written out against backward", "i. input gate    dE/dw_ij",
                  "ii. forget gate  dE/dw_ij", "iii. candidate   dE/dw_ij", "iv. output gate  dE/dw_ij",
                  "sigma(1) = 0.7311; sigma(1)^40 = 3.6e-06"):
        assert check in text, check
    assert not any(out.get("output_type") == "error" for c in nb.cells for out in c.get("outputs", []))


def test_each_notebook_installs_what_it_imports_in_its_first_code_cell():
    """Colab as it is: the first code cell installs every package the notebook imports that the runtime lacks."""
    import re
    for nb in (stored(), stored(build.DERIVATION)):
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        imported = {m for source in code for m in re.findall(r"^\s*(?:import|from) (\w+)", source, re.M)}
        third_party = imported - {"importlib", "subprocess", "sys", "gzip", "hashlib", "os", "urllib", "time",
                                  "types", "math", "json"}
        assert "pip" in code[0] and all('"{}"'.format(p) in code[0] for p in third_party), (third_party, code[0])


def test_the_stored_notebook_holds_a_full_run():
    nb = stored()
    text = build.outputs_text(nb)
    assert "TEST ACCURACY" in text and "best learning rate on validation" in text
    assert "largest gap between BPTT and finite differences" in text
    assert any(out.get("output_type") == "display_data" and "image/png" in out.get("data", {})
               for c in nb.cells if c.cell_type == "code" for out in c.get("outputs", []))  # the curves
    assert nb.cells[3].source == build.FULL and "parameters" in nb.cells[3].metadata["tags"]
    assert "CLIP_NORM = 0" in build.FULL  # plain SGD, as IE643's Exercise 3 asks


def test_the_stored_run_is_the_one_results_numpy_rnn_records():
    """The notebook's stored full run and `python -m assignments.numpy_rnn.mnist4` (results/numpy_rnn/mnist4.json) are
    the same computation: same seed, same split, one BLAS thread, one processor. Their choice and test count agree."""
    import json
    with open(os.path.join(build.HERE, "..", "..", "..", "results", "numpy_rnn", "mnist4.json")) as f:
        result = json.load(f)
    text = build.outputs_text(stored())
    assert "best learning rate on validation: {} ({:.2%} at epoch {})".format(
        float(result["best_rate"]), result["best_val_accuracy"], result["best_epoch"]) in text, text[-1500:]
    assert "TEST ACCURACY {:.2%} ({:,} of {:,} test images)".format(
        result["test_accuracy"], result["test_correct"], result["test_count"]) in text
    for rate, why in result["stopped"].items():
        assert "rate {:g}: {} epochs, {}".format(float(rate), len(result["curves"][rate]), why) in text


def test_the_notebook_runs_top_to_bottom_in_the_reduced_setting(tmp_path):
    assert os.path.isdir(SHARED_MNIST)
    nb = build.build(build.QUICK)
    build.execute(nb, build.HERE, SHARED_MNIST)  # MNIST_DIR names the project's MNIST: nothing is downloaded
    text = build.outputs_text(nb)
    assert "TEST ACCURACY" in text, text[-2000:]
    accuracy = float(text.split("TEST ACCURACY ")[1].split("%")[0])
    assert accuracy > 40.0  # four classes: chance is 25%, one quick epoch on 2,000 images is enough to beat it
    derivation = build.execute(build.build(cell_list=build.derivation_cells()), build.HERE)
    assert "sigma(1) = 0.7311" in build.outputs_text(derivation)  # every check cell asserted on the way


def test_the_mnist4_notebook_speaks_only_of_itself():
    """Handed in alone (IE643's Question 3): it names no file, tool or test of the project, and its split is the
    project's split, written out in the notebook rather than pasted with data_loader's flags and messages."""
    import re
    import numpy as np
    import data_loader
    nb = stored()
    for cell in nb.cells:
        found = re.search(r".{0,30}(\bCI\b|build\.py|project|assignments/|tests/|tools/|shared/|--\w).{0,30}",
                          cell.source)
        assert not found, found.group(0)
    (split,) = [c.source for c in nb.cells if "def train_validation_split" in c.source]
    space = {"np": np}
    exec(split, space)  # the cell as the notebook runs it
    images, labels = np.arange(12000).reshape(6000, 2), np.arange(6000)
    ours, theirs = space["train_validation_split"](images, labels), data_loader.train_validation_split(images, labels)
    assert all(np.array_equal(a, b) for pair in zip(ours, theirs) for a, b in zip(*pair))
