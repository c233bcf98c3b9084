"""No output flag reaches past its place (#46): each program writes only its own kind of file where its flag says
(never over main.py, README.md, a weights file, the MANIFEST or a pipe; --force where that makes sense), and
removes its temporary files on every exit; what a kill -9 left, the next run removes. Each case runs the program
in a copy of the project and checks that every file outside the program's own outputs is unchanged."""
import os
import shutil
import signal
import stat
import subprocess
import sys

import pytest

from conftest import ROOT, assert_one_line_error

BAIT = {"notes.zip": b"my notes\n", "notes.pdf": b"my notes\n", "notes.tar.gz": b"my notes\n",
        "mine/lstm_h32.js": b"// my own script\n", "theirs/index.js": b"// another page's index\n"}
PIPES = ("pipe.zip", "pipe.pdf", "pipe.tar.gz")


def snapshot(root):
    """{relative path: bytes, or the kind of a file that is not regular}: every file of the copy, to compare."""
    found = {}
    for base, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files + [d for d in dirs if os.path.islink(os.path.join(base, d))]:
            path = os.path.join(base, name)
            mode = os.lstat(path).st_mode
            if stat.S_ISREG(mode):
                with open(path, "rb") as f:
                    found[os.path.relpath(path, root)] = f.read()
            else:
                found[os.path.relpath(path, root)] = "fifo" if stat.S_ISFIFO(mode) else "link"
    return found


def changed(before, after):
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


@pytest.fixture
def project(tmp_path):
    """A copy of the project as a user has it (no .git, no runs/), with files an output flag might name."""
    root = str(tmp_path / "project")
    shutil.copytree(ROOT, root, ignore=shutil.ignore_patterns(".git", ".venv*", "runs", "logs", "__pycache__",
                                                              "*.zip", ".tmp-*", "weights.tar.gz"))
    for name, data in BAIT.items():
        os.makedirs(os.path.dirname(os.path.join(root, name)), exist_ok=True)
        with open(os.path.join(root, name), "wb") as f:
            f.write(data)
    for name in PIPES:
        os.mkfifo(os.path.join(root, name))
    return root


def run(root, script, *args, tmp=None, code=None):
    """The program run from the copy `root` as a user runs it; `code` runs first (to make a fault happen)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", **({"TMPDIR": tmp} if tmp else {}))
    command = [sys.executable, os.path.join(root, script)] + list(args)
    if code:
        command = [sys.executable, "-c", "import runpy, sys; sys.path.insert(0, {root!r}); sys.argv = {argv!r}; "
                   "{code}; runpy.run_path(sys.argv[0], run_name='__main__')".format(
                       root=root, argv=command[1:], code=code)]
    proc = subprocess.run(command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=600)
    return proc.returncode, proc.stdout, proc.stderr


REFUSED = [
    ("tools/handin.py", ["--roll=R1", "--output=main.py"], [".zip"]),
    ("tools/handin.py", ["--roll=R1", "--output=README.md"], [".zip"]),
    ("tools/handin.py", ["--roll=R1", "--output=weights/lstm_h32/config.json"], [".zip"]),
    ("tools/handin.py", ["--roll=R1", "--output=pipe.zip"], ["pipe"]),
    ("tools/handin.py", ["--roll=R1", "--output=notes.zip"], ["not a zip", "--force"]),
    ("tools/make_report.py", ["--output=main.py"], [".pdf"]),
    ("tools/make_report.py", ["--technical=README.md"], ["--technical", ".pdf"]),
    ("tools/make_report.py", ["--ee6123=weights/MANIFEST.sha256"], ["--ee6123", ".pdf"]),
    ("tools/make_report.py", ["--output=pipe.pdf"], ["pipe"]),
    ("tools/make_report.py", ["--output=notes.pdf"], ["not a PDF", "--force"]),
    ("assignments/numpy_rnn/build_pdf.py", ["--output=main.py"], [".pdf"]),
    ("assignments/numpy_rnn/build_pdf.py", ["--output=notes.pdf"], ["not a PDF", "--force"]),
    ("download_weights.py", ["--pack", "--output=weights/MANIFEST.sha256"], [".tar.gz"]),
    ("download_weights.py", ["--pack", "--output=main.py"], [".tar.gz"]),
    ("download_weights.py", ["--pack", "--output=pipe.tar.gz"], ["pipe"]),
    ("download_weights.py", ["--pack", "--output=notes.tar.gz"], ["not a .tar.gz", "--force"]),
    ("tools/export_weights.py", ["--names=lstm_h32", "--out=mine"], ["lstm_h32.js", "--force"]),
    ("tools/export_weights.py", ["--names=lstm_h32", "--out=theirs"], ["index.js", "--force"]),
    ("tools/export_weights.py", ["--names=lstm_h32", "--out=main.py"], ["not a folder"]),
]


@pytest.mark.parametrize("script, args, words", REFUSED, ids=[" ".join([s] + a) for s, a, _ in REFUSED])
def test_an_output_flag_never_replaces_a_file_of_another_kind(project, script, args, words):
    before = snapshot(project)
    status, out, err = run(project, script, *args)
    assert_one_line_error(status, err, *words, out=out)
    assert changed(before, snapshot(project)) == []


def test_the_screenshot_and_its_record_go_only_over_their_own_files(project, capsys):
    """tools/web/screenshot.py writes <out>.png and <out>.json beside it: --out=weights/lstm_h32/config.png would
    put its record over the configuration; checked before the browser starts."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("screenshot", os.path.join(ROOT, "tools", "web", "screenshot.py"))
    screenshot = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(screenshot)
    before = snapshot(project)
    for out, words in (("main.py", ".png"), ("weights/lstm_h32/config.png", "config.json"), ("pipe.zip", ".png")):
        with pytest.raises(SystemExit) as stop:
            screenshot.check_places(os.path.join(project, out))
        assert str(stop.value).startswith("error: ") and words in str(stop.value), stop.value
    screenshot.check_places(os.path.join(project, "tools", "web", "screenshot.png"))  # its own: no error
    assert changed(before, snapshot(project)) == []


def test_all_hand_ins_are_refused_before_the_first_when_one_place_holds_another_file(project):
    with open(os.path.join(project, "EE6123_R1.zip"), "w") as f:
        f.write("not a zip")
    before = snapshot(project)
    status, out, err = run(project, "tools/handin.py", "--roll=R1", "--assignment=all")
    assert_one_line_error(status, err, "EE6123_R1.zip", "--force", out=out)
    assert changed(before, snapshot(project)) == []


def test_a_zip_it_wrote_is_replaced_and_force_replaces_another_file(project):
    before = snapshot(project)
    for name in ("old.zip", "old.zip", "notes.zip"):  # new, then its own zip again, then a file with --force
        status, out, err = run(project, "tools/handin.py", "--roll=R1", "--assignment=cs324", "--output=" + name,
                               *(["--force"] if name == "notes.zip" else []))
        assert status == 0, err
    assert changed(before, snapshot(project)) == ["notes.zip", "old.zip"]
    with open(os.path.join(project, "notes.zip"), "rb") as f:
        assert f.read(4) == b"PK\x03\x04"


def test_pack_with_force_writes_only_the_archive_and_the_same_manifest(project):
    before = snapshot(project)
    status, out, err = run(project, "download_weights.py", "--pack", "--output=notes.tar.gz", "--force")
    assert status == 0, err
    assert changed(before, snapshot(project)) == ["notes.tar.gz"]  # the manifest rewritten, to the same bytes


def test_appending_results_goes_only_to_a_json_lines_file(tmp_path):
    from core.common import UserError, append_line
    script = tmp_path / "main.py"
    script.write_text("print('hello')\n")
    other = tmp_path / "notes.jsonl"
    other.write_text("my notes\n")
    for path in (script, other):
        with pytest.raises(UserError, match="jsonl|JSON line"):
            append_line(str(path), '{"a": 1}')
    assert script.read_text() == "print('hello')\n" and other.read_text() == "my notes\n"
    assert sorted(os.listdir(str(tmp_path))) == ["main.py", "notes.jsonl"]  # no main.py.lock either
    append_line(str(tmp_path / "new.jsonl"), '{"a": 1}')
    assert (tmp_path / "new.jsonl").read_text() == '{"a": 1}\n'


def _dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_write_removes_what_a_killed_writer_left_and_nothing_else(tmp_path):
    from core.common import atomic_write_bytes
    dead, alive = _dead_pid(), os.getppid()
    names = {".tmp-report.pdf.{}.abcd_123".format(dead): False, ".tmp-other.json.{}.x1y2z3w4".format(dead): False,
             ".tmp-report.pdf.{}.abcd_123".format(alive): True, ".tmp-notes.txt": True, "report.tmp-1.x": True}
    for name in names:
        (tmp_path / name).write_text("x")
    atomic_write_bytes(str(tmp_path / "report.pdf"), b"%PDF-")
    assert sorted(os.listdir(str(tmp_path))) == sorted([n for n, kept in names.items() if kept] + ["report.pdf"])


KILL_AT_FSYNC = "import os, signal; os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)"
KILL_AT_REPORT = ("import os, signal, subprocess; real = subprocess.run; subprocess.run = lambda *a, **k: os.kill("
                  "os.getpid(), signal.SIGKILL) if 'make_report' in str(a[0]) else real(*a, **k)")


def test_a_hand_in_killed_while_writing_its_zip_leaves_a_file_the_next_run_removes(project, tmp_path):
    """kill -9 as the zip is written: its temporary file stays in the project (no code runs on SIGKILL); the next
    build, of another roll, removes it."""
    before = snapshot(project)
    status, _, _ = run(project, "tools/handin.py", "--roll=R1", "--assignment=cs324", code=KILL_AT_FSYNC)
    assert status == -signal.SIGKILL
    assert [n for n in os.listdir(project) if n.startswith(".tmp-R1_assignment3.zip.")]
    status, out, err = run(project, "tools/handin.py", "--roll=R2", "--assignment=cs324")
    assert status == 0, err
    assert changed(before, snapshot(project)) == ["R2_assignment3.zip"]


def test_a_hand_in_killed_while_making_its_report_leaves_a_folder_the_next_run_removes(project, tmp_path):
    """kill -9 while Report.pdf is made: the copy of results/ in the system temp folder stays; the next build
    removes it (and no other program's folder)."""
    system_tmp = tmp_path / "system_tmp"
    system_tmp.mkdir()
    (system_tmp / "someone-elses").mkdir()
    before = snapshot(project)
    status, _, err = run(project, "tools/handin.py", "--roll=R1", tmp=str(system_tmp), code=KILL_AT_REPORT)
    assert status == -signal.SIGKILL, err
    left = [n for n in os.listdir(str(system_tmp)) if n.startswith("mnist-rnn-handin.")]
    assert left and os.path.isdir(str(system_tmp / left[0] / "results"))
    status, out, err = run(project, "tools/handin.py", "--roll=R1", "--assignment=cs324", tmp=str(system_tmp))
    assert status == 0, err
    assert os.listdir(str(system_tmp)) == ["someone-elses"]
    assert changed(before, snapshot(project)) == ["R1_assignment3.zip"]


@pytest.mark.slow
@pytest.mark.parametrize("stop", ["SIGTERM", "SIGHUP"])
def test_a_hand_in_stopped_while_making_its_report_removes_its_folder_at_once(project, tmp_path, stop):
    """A kill (SIGTERM) or a closed terminal (SIGHUP) while Report.pdf is made: one line, no zip, and the copy of
    results/ in the system temp folder is gone before the program exits."""
    system_tmp = tmp_path / "system_tmp"
    system_tmp.mkdir()
    before = snapshot(project)
    code = KILL_AT_REPORT.replace("signal.SIGKILL", "signal." + stop)
    if stop == "SIGHUP":  # as from a terminal, also when these tests run under nohup (which makes it ignored)
        code += "; signal.signal(signal.SIGHUP, signal.SIG_DFL)"
    status, out, err = run(project, "tools/handin.py", "--roll=R1", tmp=str(system_tmp), code=code)
    assert_one_line_error(status, err, "interrupted; no zip was written", out=out)
    assert os.listdir(str(system_tmp)) == []
    assert changed(before, snapshot(project)) == []


def test_all_interrupted_after_its_first_zip_says_which_was_written(tmp_path, monkeypatch, capsys):
    from tools import handin
    monkeypatch.setattr(handin, "PROJECT_DIR", str(tmp_path))
    monkeypatch.setattr(handin, "build", lambda key, roll, *rest: (
        handin.HANDINS[key].zip.format(roll=roll), b"PK\x05\x06" + b"\0" * 18, []))
    written = []
    real = handin.atomic_write_bytes

    def write_then_stop(path, data):
        if written:
            raise KeyboardInterrupt
        real(path, data)
        written.append(os.path.basename(path))
    monkeypatch.setattr(handin, "atomic_write_bytes", write_then_stop)
    status = handin.main(["--roll=R1", "--assignment=all"])
    line = assert_one_line_error(status, capsys.readouterr().err, "interrupted after writing", written[0],
                                 "the other zips were not written")
    assert "no zip" not in line and sorted(os.listdir(str(tmp_path))) == written
    status = handin.main(["--roll=R1", "--assignment=cs324", "--output=" + str(tmp_path / "x.zip")])
    assert_one_line_error(status, capsys.readouterr().err, "interrupted; no zip was written")  # each run afresh
    monkeypatch.setattr(handin, "atomic_write_bytes", real)  # a later hand-in that fails says what came before
    (tmp_path / written[0]).unlink()
    built = []

    def second_fails(key, roll, *rest):
        built.append(key)
        if len(built) == 2:
            raise handin.UserError("the second could not be made")
        return handin.HANDINS[key].zip.format(roll=roll), b"PK\x05\x06" + b"\0" * 18, []
    monkeypatch.setattr(handin, "build", second_fails)
    status = handin.main(["--roll=R1", "--assignment=all"])
    assert_one_line_error(status, capsys.readouterr().err, "the second could not be made", written[0] + " written")


def test_a_name_too_long_for_the_file_system_says_what_to_do():
    import errno
    from core.common import os_error_line
    line = os_error_line(OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG), "x" * 300 + ".png"))
    assert "longer than the file system allows" in line and "shorter" in line and "free some space" not in line
