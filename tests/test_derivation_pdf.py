"""assignments/numpy_rnn/lstm_bptt.pdf: typeset from assignments/numpy_rnn/lstm_bptt.md (its one source) by
assignments/numpy_rnn/build_pdf.py. It answers IE643's Question 1 under the sheet's own letters: (a) the forward pass and the
squared errors, (b) dE/dw_ij for a weight from h(t-1) to i. the input gate, ii. the forget gate, iii. the
candidate state, iv. the output gate, (c) the two recurrences, (d) the LSTM against the RNN, and nothing after
(d); it stands alone (IE643 hands it in without the project). The roll number is stamped on it in pure Python
(assignments/numpy_rnn/pdf_stamp.py) where it cannot be typeset. The PDF is read with pdftotext where installed, else pypdf;
rebuilding it needs pandoc and chromium, which CI installs."""
import os
import re
import shutil
import subprocess
import sys

import pytest

from core.common import PROJECT_DIR

sys.path.insert(0, os.path.join(PROJECT_DIR, "assignments", "numpy_rnn"))
import build_pdf  # noqa: E402
import pdf_stamp  # noqa: E402

# The sheet's parts, as the PDF's headings read with the spaces taken out (math extractors space it differently).
PARTS = (("a", "(a)Forwardpassandsquarederror"), ("b", "(b)𝜕𝐸/𝜕𝑤𝑖𝑗foraweightfromℎ(𝑡−1)toeachgateandto𝐶(𝑡)"),
         ("c", "(c)Therecurrencesof𝜕𝐸/𝜕𝐶(𝑡)and𝜕𝐸/𝜕ℎ(𝑡)"),
         ("d", "(d)DoestheLSTMpreservegradientsoverlongerspansthananRNN?"))
CASES = re.compile(r"(?<![iv])(i|ii|iii|iv)\.Fromℎ\(𝑡−1\)tothe")


def text_of(path):
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", str(path), "-"], stdout=subprocess.PIPE, check=True).stdout.decode("utf-8")
    pypdf = pytest.importorskip("pypdf", reason="install pdftotext (poppler-utils) or pypdf (tools/requirements-docs.txt)")
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages)


def parts_of(text):
    """{letter: that part's text, spaces removed}; each heading once, in the sheet's order."""
    flat = re.sub(r"\s+|\u0303", "", text)  # and the tilde of C~, which the extractors put before or after the C
    starts = [flat.find(heading) for _, heading in PARTS]
    assert -1 not in starts and starts == sorted(starts), list(zip(PARTS, starts))
    assert all(flat.count(heading) == 1 for _, heading in PARTS)
    return {letter: flat[start:end] for (letter, _), start, end in zip(PARTS, starts, starts[1:] + [len(flat)])}


def test_the_markdown_has_the_sheets_parts_and_no_other_section():
    from assignments.numpy_rnn import derivation
    alone = derivation.markdown(project_notes=False)
    sections = re.findall(r"^## (.*)$", alone, re.M)
    assert [s[:3] for s in sections] == ["(a)", "(b)", "(c)", "(d)"], sections  # nothing unlabelled after (d)
    b = alone.split("\n## ")[2]
    cases = re.findall(r"^### (i|ii|iii|iv)\. From \$h\(t-1\)\$ to the (input gate|forget gate|candidate state|"
                       r"output gate)", b, re.M)
    assert cases == [("i", "input gate"), ("ii", "forget gate"), ("iii", "candidate state"), ("iv", "output gate")]
    assert "### The output layer" in b and b.index("### The output layer") < b.index("### i.")
    assert "### " not in alone.split("\n## ")[4]  # (d) is one answer, not a heading of its own


def test_b_holds_the_four_gate_gradients_and_the_output_layer_they_use():
    b = parts_of(text_of(build_pdf.OUTPUT))["b"]
    assert "𝜕𝑊𝑦" in b and "𝜕𝑏𝑦" in b  # the output layer's gradients, where (b) starts from 2e(t)
    found = [(m.group(1), m.start()) for m in CASES.finditer(b)]
    assert [n for n, _ in found] == ["i", "ii", "iii", "iv"], found
    ends = [at for _, at in found[1:]] + [b.index("Allweightsatonce")]
    case = {n: b[at:end] for (n, at), end in zip(found, ends)}
    assert all("𝜕𝐸" in c and "𝜕𝑤𝑖𝑗" in c and "ℎ𝑖(𝑡−1)" in c and "𝑇" in c for c in case.values())  # a sum over t
    assert "inputgate" in case["i"] and "𝛿𝐶𝑗(𝑡)" in case["i"] and "𝑖𝑗(𝑡)(1−𝑖𝑗(𝑡))ℎ𝑖(𝑡−1)" in case["i"]
    assert "forgetgate" in case["ii"] and "𝛿𝐶𝑗(𝑡)𝐶𝑗(𝑡−1)𝑓𝑗(𝑡)(1−𝑓𝑗(𝑡))ℎ𝑖(𝑡−1)" in case["ii"]
    assert "candidatestate" in case["iii"] and re.search(r"𝛿𝐶𝑗\(𝑡\)𝑖𝑗\(𝑡\)\(1−𝐶𝑗\(𝑡\)2?\)ℎ𝑖\(𝑡−1\)", case["iii"])
    assert "2" in case["iii"]  # the square of C~ (pdftotext may set it apart from its base)
    assert "outputgate" in case["iv"] and "𝛿ℎ𝑗(𝑡)tanh(𝐶𝑗(𝑡))𝑜𝑗(𝑡)(1−𝑜𝑗(𝑡))ℎ𝑖(𝑡−1)" in case["iv"]
    assert "∑𝑘2𝑒𝑘(𝑡)(𝑊𝑦)𝑗𝑘" in b  # the output layer's error inside dE/dh_j(t), which case iv uses


def test_a_and_c_hold_the_forward_pass_errors_and_both_recurrences():
    parts = parts_of(text_of(build_pdf.OUTPUT))
    for piece in ("inputgate", "forgetgate", "candidatestate", "outputgate", "cellstate", "hiddenstate", "𝑒𝑗(𝑡)=",
                  "𝑒2(𝑡)=", "𝐸="):
        assert piece in parts["a"], piece
    c = parts["c"]
    assert "Cellstate." in c and "Hiddenstate." in c
    assert "𝛿𝐶(𝑡)=𝛿ℎ(𝑡)⊙𝑜(𝑡)⊙tanh′(𝐶(𝑡))+𝛿𝐶(𝑡+1)⊙𝑓(𝑡+1)" in c  # the cell-state recurrence
    assert all(g in c for g in ("(inputgate)", "(forgetgate)", "(candidate)", "(outputgate)"))  # the h one, written out


def test_d_compares_the_lstm_with_the_rnn_from_the_recurrences():
    d = parts_of(text_of(build_pdf.OUTPUT))["d"]
    for piece in ("TheLSTM’scellstate.", "AvanillaRNN.", "productofforgetgates", "∥𝑊ℎ∥", "Answer.Yes."):
        assert piece in d, piece
    assert "𝜎(1)" in d and "3.6⋅10" in d  # the start of training, as the notebook's check computes it


def test_the_pdf_is_typeset_and_points_to_nothing_outside_itself():
    text = text_of(build_pdf.OUTPUT)
    assert "\\frac" not in text and "$$" not in text and "\\tilde" not in text  # typeset math, not LaTeX source
    found = re.search(r".{0,40}(\w\.py\b|tests/|tools/|assignments/|results/|Report\.pdf|project|\bCI\b).{0,40}",
                      text, re.S)
    assert not found, found.group(0)


def test_the_project_notes_are_paired_and_left_out_only_of_the_pdf(tmp_path, monkeypatch, capsys):
    from assignments.numpy_rnn import derivation
    whole, alone = derivation.markdown(), derivation.markdown(project_notes=False)
    assert "tests/test_numpy_lstm.py" in whole and "tests/" not in alone and "<!--" not in whole + alone
    assert "## (d) Does the LSTM" in alone and "### In the project's experiments" in whole
    assert "project" not in alone
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
        "assignments/numpy_rnn/lstm_bptt.pdf is out of date with assignments/numpy_rnn/lstm_bptt.md: run python assignments/numpy_rnn/build_pdf.py"


def test_a_missing_tool_or_folder_output_is_one_line(capsys, tmp_path, monkeypatch):
    from conftest import assert_one_line_error
    assert_one_line_error(build_pdf.main(["--output=" + str(tmp_path)]), capsys.readouterr().err, "is a folder")
    monkeypatch.setattr(build_pdf.shutil, "which", lambda name: None)
    before = os.path.getmtime(build_pdf.OUTPUT)
    assert_one_line_error(build_pdf.main([]), capsys.readouterr().err, "pandoc")
    assert os.path.getmtime(build_pdf.OUTPUT) == before  # the stored PDF is left as it was


def test_the_stamp_puts_a_line_on_the_first_page_and_leaves_the_rest(tmp_path):
    with open(build_pdf.OUTPUT, "rb") as f:
        stored = f.read()
    line = "IE643 scribing assignment, Question 1 - 22B0042, José Núñez (a) \\ b"  # Windows-1252, escapes
    stamped = pdf_stamp.stamp(stored, line)
    assert stamped.startswith(stored)  # an incremental update: the typeset bytes are untouched
    (tmp_path / "stamped.pdf").write_bytes(stamped)
    text = text_of(tmp_path / "stamped.pdf")
    assert line in text
    assert re.sub(r"\s+", "", text.replace(line, "")) == \
        re.sub(r"\s+", "", text_of(build_pdf.OUTPUT))  # the rest reads as before
    first = text.split("\f")[0] if "\f" in text else text
    assert "22B0042" in first
    twice = tmp_path / "twice.pdf"  # an updated PDF updates again (its /Prev chain is followed)
    twice.write_bytes(pdf_stamp.stamp(stamped, "second line"))
    assert re.search(r"second\s+line", text_of(twice)) and "22B0042" in text_of(twice)  # drawn over the first
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(twice)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True)
        assert info.returncode == 0 and not info.stderr.strip() and re.search(r"Pages:\s+3\b", info.stdout), info


def test_the_stamp_refuses_what_it_cannot_do_safely():
    with open(build_pdf.OUTPUT, "rb") as f:
        stored = f.read()
    with pytest.raises(ValueError, match="cannot draw"):
        pdf_stamp.stamp(stored, "roll 22B0042, \u0905\u0928\u093f\u0932")  # Devanagari: not in the standard font
    with pytest.raises(ValueError, match="printable"):
        pdf_stamp.stamp(stored, "two\nlines")
    with pytest.raises(ValueError, match="cross-references in a stream"):  # PDF 1.5's xref streams: not guessed at
        pdf_stamp.stamp(stored[:stored.rindex(b"startxref")] + b"startxref\n15\n%%EOF\n", "x")


def test_an_inline_formula_keeps_the_full_stop_after_it_on_its_line():
    page = ('leaves as <math display="inline"><mi>h</mi></math>. The <math display="inline"><mi>K</mi></math> '
            'neurons <math display="block"><mi>y</mi></math>.')
    kept = build_pdf.keep_punctuation(page)
    assert kept.count('<span style="white-space: nowrap">') == 1  # only the inline formula with its full stop
    assert '<span style="white-space: nowrap"><math display="inline"><mi>h</mi></math>.</span> The' in kept
