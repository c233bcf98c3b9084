"""The queue of trainings behind tools/reproduce.py: each a main.py --train (a Step), one or several at a time,
with a progress line (runs done and left, each running run's epoch, an ETA from measured epoch times)."""
import dataclasses
import os
import signal
import subprocess
import sys
import time

from core.common import PROJECT_DIR, format_duration, log, relpath
from core.config import Arch, Config, Recipe
from core.runs import RunDir

RECIPE_ORDER = [f.name for f in dataclasses.fields(Recipe)]


class StepFailed(Exception):
    """A step of the reproduction exited non-zero (it has printed its own error line)."""


def step_failed(args, status, detail=""):
    """The error of a step that exited non-zero, saying how to go on."""
    return StepFailed("{} exited with status {}{}; fix what it reported and run tools/reproduce.py again (finished "
                      "trainings are kept, an interrupted one resumes)".format(" ".join(args[:3]), status, detail))


def _last_line(path):
    with open(path, errors="replace") as f:
        lines = [line.strip() for line in f if line.strip()]
    return lines[-1] if lines else ""


@dataclasses.dataclass
class Step:
    """One training: main.py's arguments, what it is (for the log), its log file with --jobs above 1, and where
    its run is (weights folder and configuration name), which the progress line reads."""
    args: list
    what: str
    log_path: str
    weights: str
    name: str

    def epochs(self):
        """(finished epochs, planned epochs, [seconds of each finished epoch]) from the run's own files."""
        run = RunDir(self.weights, self.name)
        config = run.load_config() if os.path.isfile(os.path.join(run.path, "config.json")) else None
        rows = run.read_log() if os.path.isfile(run.log_path) else []
        planned = config.recipe.epochs if config else _planned(self.args)
        return len(rows), planned, [float(r["seconds"]) for r in rows]


def _planned(args):
    """The epochs a training's arguments plan, before it has a config.json: main.py's own recipe resolution."""
    flags = dict(a[2:].split("=", 1) for a in args if a.startswith("--") and "=" in a)
    arch = Arch(flags.get("model", "lstm"), tuple(int(n) for n in flags.get("hidden_unit", "128").split(",")),
                "--bidirectional" in args, "--crop_augment" in args)
    overrides = {k: type(getattr(Recipe(), k))(v) for k, v in flags.items() if k in RECIPE_ORDER and k != "train_examples"}
    return Config.make(arch, overrides, recipe=flags.get("recipe", "recorded")).recipe.epochs


def progress(steps, done, running, jobs):
    """One line: runs done and left, each running run's epoch, and the time left from measured epoch times (an
    upper bound for early-stopping recipes, which may stop before their planned epochs)."""
    seconds = {}  # measured seconds per epoch, by configuration name (any of its runs)
    states = {}
    for step in steps:
        try:
            states[id(step)] = step.epochs()
        except Exception:  # a run being written just now: its numbers next time
            states[id(step)] = (0, None, [])
        times = states[id(step)][2]
        if times:
            seconds.setdefault(step.name, []).extend(times[1:] or times)  # the first epoch warms up
    left, unknown = 0.0, []
    for step in steps:
        if step in done:
            continue
        finished, planned, _ = states[id(step)]
        if step.name not in seconds or planned is None:
            unknown.append(step.name)
            continue
        left += (planned - finished) * sum(seconds[step.name]) / len(seconds[step.name])
    now = "; ".join("{} epoch {}/{}".format(step.what, states[id(step)][0] + 1, states[id(step)][1])
                    for step in running)
    eta = "about {} left".format(format_duration(left / jobs)) if not unknown else \
        "time left known once {} has a finished epoch".format(unknown[0])
    return "progress: {} of {} trainings done, {} left{}; {}".format(
        len(done), len(steps), len(steps) - len(done), "; now " + now if now else "", eta)


def stop(proc, grace=10.0, tries=6):
    """Wait for a training sent SIGTERM to stop, sending it again while it runs on: a signal that reaches a
    process just started, before its program has begun, is lost (seen: a run started as the queue was stopped
    trained on). After `tries` graces, SIGKILL: a training resumes from its last finished epoch either way."""
    for _ in range(tries):
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGTERM)
    proc.kill()
    proc.wait()


def train_all(steps, jobs, every=60.0):
    """Run each training Step, `jobs` of them at a time, with a progress line at every start and end and every
    `every` seconds (runs done and left, the epoch of each running one, an ETA from measured epoch times).

    One at a time, a step's progress shows here. With more, each step's output goes to its log file
    (two trainings' lines would interleave) and only starts and ends show here. A failed step stops new
    ones from starting; the others run to their end. A stop (Ctrl-C, SIGTERM) stops them all, resumably."""
    pending, running, done, failure, last = list(steps), {}, [], None, time.time()
    try:
        while running or (pending and failure is None):
            while pending and len(running) < jobs and failure is None:
                step = pending.pop(0)
                out = None
                if jobs > 1:
                    os.makedirs(os.path.dirname(step.log_path), exist_ok=True)
                    out = open(step.log_path, "a")
                    log("training {}; progress in {}".format(step.what, relpath(step.log_path)))
                # Its own session: a Ctrl-C reaches only this process, which passes it on once, below.
                proc = subprocess.Popen([sys.executable] + step.args, cwd=PROJECT_DIR, stdout=out,
                                        stderr=subprocess.STDOUT if out else None, start_new_session=True)
                running[proc] = (step, out, time.time())
                log(progress(steps, done, [s for s, _, _ in running.values()], jobs))
                last = time.time()
            time.sleep(0.2)
            for proc in [p for p in running if p.poll() is not None]:
                step, out, started = running.pop(proc)
                if out is not None:
                    out.close()
                if proc.returncode == 0:
                    done.append(step)
                    log("trained {} in {}".format(step.what, format_duration(time.time() - started)))
                    log(progress(steps, done, [s for s, _, _ in running.values()], jobs))
                    last = time.time()
                elif failure is None:
                    failure = step_failed(step.args, proc.returncode, ": " + _last_line(step.log_path) if out else "")
                    if running:
                        log("{} failed; waiting for the {} other training(s) to end".format(step.what, len(running)))
            if running and time.time() - last >= every:
                log(progress(steps, done, [s for s, _, _ in running.values()], jobs))
                last = time.time()
    finally:
        for proc in running:  # only after an interruption: main.py stops as on Ctrl-C, resumably
            proc.send_signal(signal.SIGTERM)
        for proc, (_, out, _) in running.items():
            stop(proc)
            if out is not None:
                out.close()
    if failure is not None:
        raise failure


