"""assignments/numpy_rnn/lstm_bptt.pdf: typeset from assignments/numpy_rnn/lstm_bptt.md (its one source) by tools/build_pdf.py, holding the four
weight-gradient cases and the two recurrences, its answers labelled (a)-(d), and standing alone (IE643 hands it
in without the project). Needs pypdf (tools/requirements-docs.txt); rebuilding needs pandoc
and chromium, which CI installs."""
import os
import shutil
import sys

import pytest

from core.common import PROJECT_DIR

if os.environ.get("CI") != "true" or sys.version_info < (3, 8):
    pytest.importorskip("pypdf", reason="pip install -r tools/requirements-docs.txt")
import pypdf  # noqa: E402

sys.path.insert(0, os.path.join(PROJECT_DIR, "tools"))
import build_pdf  # noqa: E402


def text_of(path):
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


def test_the_pdf_holds_the_four_cases_and_the_two_recurrences():
    text = text_of(build_pdf.OUTPUT)
    for case in ("input gate:", "forget gate:", "candidate", "output gate:"):
        assert case in text, case
    assert text.count("𝜕𝐸") >= 4 and "𝑤𝑚𝑛" in text  # typeset math (MathML italics), not LaTeX source
    assert "\\frac" not in text and "$$" not in text
    assert "Hidden state." in text and "Cell state." in text
    assert "𝛿𝐶(𝑡) = 𝛿ℎ(𝑡) ⊙ 𝑜(𝑡) ⊙ tanh ′(𝐶(𝑡)) + 𝛿𝐶(𝑡 + 1) ⊙ 𝑓(𝑡 + 1)" in text  # the cell-state recurrence
    assert "𝛿ℎ(𝑡) = 2𝑒(𝑡)𝑊𝑦 ⊤" in text and "(forget gate)" in text  # the hidden-state one, written out


def test_the_pdf_labels_its_answers_and_points_to_nothing_outside_itself():
    import re
    text = text_of(build_pdf.OUTPUT)
    headings = [text.find(h) for h in ("(a) Forward pass", "(b) The output layer", "(c) The two recurrences",
                                       "(d) The gates")]
    assert -1 not in headings and headings == sorted(headings), headings
    assert not re.search(r"\w\.py\b|tests/|assignments/|results/|Report\.pdf|project", text), \
        re.search(r".{40}(\w\.py\b|tests/|assignments/|results/|Report\.pdf|project).{40}", text, re.S).group(0)


def test_the_project_notes_are_paired_and_left_out_only_of_the_pdf(tmp_path, monkeypatch, capsys):
    from assignments.numpy_rnn import derivation
    whole, alone = derivation.markdown(), derivation.markdown(project_notes=False)
    assert "tests/test_numpy_lstm.py" in whole and "tests/" not in alone and "<!--" not in whole + alone
    assert "## (d) The gates" in alone and "## What the experiments show" not in alone
    broken = tmp_path / "lstm_bptt.md"
    broken.write_text(open(derivation.SOURCE).read().replace("<!-- /project -->", "", 1))
    monkeypatch.setattr(derivation, "SOURCE", str(broken))
    with pytest.raises(ValueError, match="unpaired"):
        derivation.markdown()
    if shutil.which("pandoc") and build_pdf.browser():  # the typesetter says so in one line, and writes nothing
        from conftest import assert_one_line_error
        status = build_pdf.main(["--output=" + str(tmp_path / "out.pdf")])
        assert_one_line_error(status, capsys.readouterr().err, "unpaired")
        assert not (tmp_path / "out.pdf").exists()


@pytest.mark.skipif(not (shutil.which("pandoc") and build_pdf.browser()) and os.environ.get("CI") != "true",
                    reason="rebuilding needs pandoc and chromium")
def test_the_stored_pdf_is_typeset_from_the_current_source(tmp_path):
    fresh = build_pdf.build(output=str(tmp_path / "fresh.pdf"))
    assert text_of(fresh) == text_of(build_pdf.OUTPUT), \
        "assignments/numpy_rnn/lstm_bptt.pdf is out of date with assignments/numpy_rnn/lstm_bptt.md: run python tools/build_pdf.py"


def test_a_missing_tool_or_folder_output_is_one_line(capsys, tmp_path, monkeypatch):
    from conftest import assert_one_line_error
    assert_one_line_error(build_pdf.main(["--output=" + str(tmp_path)]), capsys.readouterr().err, "is a folder")
    monkeypatch.setattr(build_pdf.shutil, "which", lambda name: None)
    before = os.path.getmtime(build_pdf.OUTPUT)
    assert_one_line_error(build_pdf.main([]), capsys.readouterr().err, "pandoc")
    assert os.path.getmtime(build_pdf.OUTPUT) == before  # the stored PDF is left as it was
