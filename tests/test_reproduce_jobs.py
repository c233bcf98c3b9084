"""tools/reproduce.py's training steps, one or several at a time (train_all, --jobs): here with small Python programs
standing in for main.py, so that timing, failures and stops can be checked in seconds."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tools import train_queue  # noqa: E402


def step(tmp_path, name, code):
    """A stand-in for one main.py --train: its arguments, its name, its log file, where its run would be."""
    return train_queue.Step(["-c", textwrap.dedent(code)], name, str(tmp_path / "logs" / (name + ".log")),
                          str(tmp_path / "weights"), "lstm_h32")


def test_two_jobs_run_side_by_side_each_into_its_log(tmp_path, capsys):
    marker = tmp_path / "started"
    code = """
        import os, sys, time
        open({!r} + sys.argv[0], "w").close()
        print("epoch 1/1 of", sys.argv[0]); time.sleep(1.5)
    """.format(str(marker))
    steps = [step(tmp_path, n, code.replace("sys.argv[0]", repr(n))) for n in ("a", "b")]
    started = time.time()
    train_queue.train_all(steps, jobs=2)
    took = time.time() - started
    assert took < 2.9, "two 1.5 s steps at once took {:.1f} s".format(took)  # one after the other: 3 s or more
    for name in ("a", "b"):
        assert (tmp_path / "logs" / (name + ".log")).read_text() == "epoch 1/1 of {}\n".format(name)
        assert os.path.exists(str(marker) + name)
    out = capsys.readouterr().out
    assert "training a; progress in" in out and "trained b in" in out


def test_one_job_runs_them_in_order_with_progress_on_the_terminal(tmp_path, capfd):
    steps = [step(tmp_path, n, "import time; print('progress of {}', flush=True); time.sleep(0.3)".format(n))
             for n in ("a", "b")]
    train_queue.train_all(steps, jobs=1)
    out = capfd.readouterr().out
    assert out.index("progress of a") < out.index("trained a in") < out.index("progress of b")
    assert not (tmp_path / "logs").exists()  # nothing redirected


def test_a_failed_step_stops_new_ones_lets_the_others_finish_and_says_why(tmp_path):
    finished = tmp_path / "b-finished"
    never = tmp_path / "c-started"
    steps = [step(tmp_path, "a", "import sys, time; time.sleep(0.2); print('error: no MNIST in ../data; "
                                 "use --data_dir'); sys.exit(1)"),
             step(tmp_path, "b", "import time; time.sleep(1.5); open({!r}, 'w').close()".format(str(finished))),
             step(tmp_path, "c", "open({!r}, 'w').close()".format(str(never)))]
    with pytest.raises(train_queue.StepFailed) as failed:
        train_queue.train_all(steps, jobs=2)
    message = str(failed.value)
    assert "exited with status 1: error: no MNIST in ../data; use --data_dir" in message
    assert "run tools/reproduce.py again" in message
    assert finished.exists(), "the step running beside the failed one should have run to its end"
    assert not never.exists(), "no new step should start after a failure"


def test_a_stop_reaches_every_running_training_once_and_they_end_cleanly(tmp_path):
    """SIGTERM to tools/reproduce.py (a background run being stopped) stops both trainings the way main.py stops on
    Ctrl-C: each gets one SIGTERM, saves, and exits; tools/reproduce.py then ends with its one-line error."""
    child = """
        import signal, sys, time
        def stop(signum, frame):
            open({out!r}, "a").write("stopped\\n"); sys.exit(130)
        signal.signal(signal.SIGTERM, stop)
        open({ready!r}, "w").close()
        time.sleep(60)
    """
    driver = tmp_path / "driver.py"
    steps = []
    for name in ("a", "b"):
        code = textwrap.dedent(child).format(out=str(tmp_path / (name + ".stopped")),
                                             ready=str(tmp_path / (name + ".ready")))
        steps.append((["-c", code], name, str(tmp_path / "logs" / (name + ".log")), str(tmp_path / "w"), "lstm_h32"))
    driver.write_text(textwrap.dedent("""
        import sys
        sys.path.insert(0, {root!r})
        from core.common import guarded
        from tools import train_queue
        sys.exit(guarded(lambda: train_queue.train_all([train_queue.Step(*s) for s in {steps!r}], jobs=2),
                         interrupted="interrupted; run tools/reproduce.py again"))
    """).format(root=ROOT, steps=steps))
    proc = subprocess.Popen([sys.executable, str(driver)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True)
    deadline = time.time() + 30
    while not all((tmp_path / (n + ".ready")).exists() for n in ("a", "b")):
        assert time.time() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert err.strip().splitlines() == ["error: interrupted; run tools/reproduce.py again"]
    for name in ("a", "b"):
        assert (tmp_path / (name + ".stopped")).read_text() == "stopped\n"  # once, and it ended before we did


def test_jobs_below_one_is_a_one_line_error():
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools/reproduce.py"), "--jobs=0", "--train_only"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, cwd=ROOT)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == ["error: --jobs must be 1 or more, not 0; 1 trains one run at a time"]


def _run_with_epochs(weights, name, recipe_flags, seconds):
    """A run folder as train.py leaves it after len(seconds) epochs: config.json and log.csv."""
    from core.config import Arch, Config
    from core.runs import LOG_FIELDS, RunDir
    config = Config.make(Arch.parse(name), recipe_flags)
    run = RunDir(weights, name)
    os.makedirs(run.path)
    run.save_config(config)
    rows = [",".join(LOG_FIELDS)] + ["{},2026-12-06T00:00:00,0.01,0.1,0.9,0.1,0.9,1,1,{},1".format(i + 1, s)
                                     for i, s in enumerate(seconds)]
    with open(run.log_path, "w") as f:
        f.write("\n".join(rows) + "\n")


def test_the_progress_line_counts_runs_shows_epochs_and_an_eta_from_measured_epoch_times(tmp_path):
    a = train_queue.Step(["main.py", "--train", "--model=lstm", "--hidden_unit=32", "--recipe=budget"], "a",
                       "", str(tmp_path / "a"), "lstm_h32")
    b = train_queue.Step(["main.py", "--train", "--model=lstm", "--hidden_unit=32", "--recipe=budget", "--epochs=10"], "b",
                       "", str(tmp_path / "b"), "lstm_h32")
    c = train_queue.Step(["main.py", "--train", "--model=gru", "--hidden_unit=64", "--recipe=budget"], "c",
                       "", str(tmp_path / "c"), "gru_h64")
    budget = {"schedule": "cosine", "warmup": 1.0, "epochs": 10}
    _run_with_epochs(str(tmp_path / "a"), "lstm_h32", budget, [9.0, 4.0, 4.0, 4.0])  # 6 epochs to go at 4 s
    line = train_queue.progress([a, b, c], done=[], running=[a], jobs=1)
    assert "0 of 3 trainings done, 3 left" in line and "now a epoch 5/10" in line
    assert "time left known once gru_h64 has a finished epoch" in line
    _run_with_epochs(str(tmp_path / "c"), "gru_h64", budget, [5.0, 2.0])
    line = train_queue.progress([a, b, c], done=[], running=[a, c], jobs=1)
    # a: 6 x 4 s; b (not started, the same configuration): 10 x 4 s; c: 8 x 2 s -> 80 s
    assert "about 1m20s left" in line, line
    assert "about 40s left" in train_queue.progress([a, b, c], done=[], running=[a, c], jobs=2)


@pytest.mark.parametrize("obeys", [2, None])
def test_a_stop_is_sent_again_while_a_training_runs_on_and_then_it_is_killed(tmp_path, obeys):
    """A SIGTERM that reaches a training just started, before its program runs, is lost: the stop sends it
    again after a grace, and a training that never stops is killed (it resumes from its last epoch)."""
    from tools import train_queue
    ready, seen = tmp_path / "ready", tmp_path / "seen"
    code = textwrap.dedent("""
        import signal, sys, time
        count = [0]
        def term(signum, frame):
            count[0] += 1
            open({seen!r}, "a").write("term\\n")
            if count[0] == {obeys!r}:
                sys.exit(130)
        signal.signal(signal.SIGTERM, term)
        open({ready!r}, "w").close()
        while True:
            time.sleep(0.05)
    """).format(seen=str(seen), ready=str(ready), obeys=obeys)
    proc = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.time() + 30
    while not ready.exists():
        assert time.time() < deadline and proc.poll() is None
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)  # the first, which this training "loses"
    started = time.time()
    train_queue.stop(proc, grace=0.5, tries=3)
    assert proc.returncode == (130 if obeys else -signal.SIGKILL)
    count = seen.read_text().count("term")  # the first, then one a grace (the last may meet the kill first)
    assert count == 2 if obeys else count in (3, 4), count
    assert time.time() - started < 10
