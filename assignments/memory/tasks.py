"""The memory tasks' figures and findings: results/tasks/<task>.jsonl -> results/tasks/*.png and README.md
(palindromes: palindrome.py; recall and binary addition: figures.py).

Drawn by `python assignments/memory/sequence_tasks.py --plot`; the sentences, with their
numbers, are what results/tasks/README.md and the report's task pages say. Every comparison goes
through core/compare.py's rule on the runs' test accuracies (one per seed); a run "succeeds" when
its validation accuracy reached the target within the step budget.
"""
import os

from core.common import UserError, atomic_write_bytes, relpath
from core.figures import png
from assignments.memory.figures import (addition, addition_curves, addition_hidden, addition_hidden_text,
                                        addition_text, recall, recall_curves, recall_text)
from assignments.memory.palindrome import (PYTORCH_FILE, draw_palindrome, draw_palindrome_ablation,
                                           draw_palindrome_curves, draw_palindrome_gradients, palindrome_text,
                                           pytorch_text)
from assignments.memory.task_runs import load_task


def task_summaries(folder):
    """{task: the sentences with the numbers}, from the result files (the report and the tasks page)."""
    text = {}
    for task, write in (("palindrome", palindrome_text), ("recall", recall_text), ("binary_addition", addition_text)):
        records = load_task(folder, task)
        if records:
            text[task] = write(records)
    if "binary_addition" in text and addition_hidden_text(load_task(folder, "binary_addition")):
        text["binary_addition"] += " " + addition_hidden_text(load_task(folder, "binary_addition"))
    if "palindrome" in text:
        text["palindrome"] += pytorch_text(load_task(folder, "palindrome", PYTORCH_FILE), load_task(folder, "palindrome"))
    return text


DRAWINGS = (("palindrome", "palindrome.png", draw_palindrome, (6.4, 7.0)),
            ("palindrome", "palindrome_ablation.png", draw_palindrome_ablation, (6.4, 4.2)),
            ("palindrome", "palindrome_gradients.png", draw_palindrome_gradients, (6.4, 4.2)),
            ("palindrome", "palindrome_curves.png", draw_palindrome_curves, (9.6, 3.8)),
            ("recall", "recall.png", recall, (6.4, 4.2)), ("recall", "recall_curves.png", recall_curves, (9.6, 3.8)),
            ("binary_addition", "binary_addition.png", addition, (6.4, 4.2)),
            ("binary_addition", "binary_addition_curves.png", addition_curves, (9.6, 3.8)),
            ("binary_addition", "binary_addition_hidden.png", addition_hidden, (6.4, 4.2)))


def plot_tasks(folder):
    """Every figure the task result files allow, and README.md; returns the paths written. All files are read
    (and checked) before anything is written."""
    records = {task: load_task(folder, task) for task in ("palindrome", "recall", "binary_addition")}
    if not any(records.values()):
        raise UserError("no task results in {}; run python assignments/memory/sequence_tasks.py first".format(relpath(folder)))
    summaries = task_summaries(folder)
    written = [path for task, name, draw, size in DRAWINGS if records[task]
               for path in [png(lambda fig, box, d=draw, r=records[task]: d(r, fig, box), os.path.join(folder, name),
                                 size)] if path]
    lines = ["# Memory tasks: what the result files say", "",
             "Written by `python assignments/memory/sequence_tasks.py --plot` from the `.jsonl` files here (assignments/memory/sequence_tasks.py; every run in "
             "them: `bash assignments/memory/experiments.sh`). "
             "Success: the validation accuracy reached the target within the step budget. Comparisons: two "
             "results differ only when both have at least 3 seeds and their means are further apart than their "
             "two standard deviations added together; otherwise they tie.", ""]
    for task, sentence in sorted(summaries.items()):
        figures = [os.path.basename(p) for p in written if os.path.basename(p).startswith(task)]
        lines += ["## " + task.replace("_", " "), "", sentence, ""] + ["![{}]({})".format(f, f) for f in figures] + [""]
    page = os.path.join(folder, "README.md")
    atomic_write_bytes(page, "\n".join(lines).encode("utf-8"))
    return written + [page]
