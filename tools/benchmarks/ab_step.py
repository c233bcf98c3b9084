"""Two versions of the code against each other: training steps alternating in one process.

    git worktree add /tmp/before HEAD~1          # or any other checkout
    python tools/benchmarks/ab_step.py --a=/tmp/before --configs=lstm:128,lstm:256

Between separate processes this shared 2-core VM drifts by +-15%, more than
most speed levers give. Here both versions build their training graph in the
same process (their modules are imported one after the other) and their
steps alternate, A B B A ..., so a slow spell of the machine hits both
alike. Prints the median step time of each and B's speed relative to A's.
Comparing a checkout with itself shows the noise floor (about +-2% with the
default 100 steps).

Session settings such as thread counts cannot be compared this way:
TensorFlow shares one thread pool per process, sized by the first session.
Compare those with separate runs of throughput.py.
"""
import argparse
import os
import sys
import time

import numpy as np

from throughput import BATCH, ROOT, training_session


def import_version(src, checkouts):
    """The `model` module of the checkout at src, imported afresh with the project modules it uses.

    Forgets first every module already imported from any of `checkouts`, so that
    `import model` (and its own imports) read src's files.
    """
    src = os.path.abspath(src)
    folders = {os.path.abspath(c) for c in checkouts} | {ROOT}
    installed = {os.path.abspath(p) + os.sep for p in (sys.prefix, sys.base_prefix)}  # a venv inside a checkout
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)  # None for built-in modules such as sys
        if not path:
            continue
        path = os.path.abspath(path)
        ours = any(path.startswith(f + os.sep) for f in folders) and "site-packages" not in path
        ours = ours and not any(path.startswith(p) for p in installed)
        if ours and name != "__main__":  # a top-level module or one of the project's packages
            del sys.modules[name]
    sys.path.insert(0, src)
    try:
        import model
    finally:
        sys.path.remove(src)
    return model


def build_step(model_module, cell, hidden, towers):
    """A callable running one training step of a fresh model on a fixed batch."""
    session, model = training_session(model_module, cell, hidden, towers)
    rng = np.random.RandomState(0)
    images = rng.rand(BATCH, 28, 28).astype(np.float32)
    labels = rng.randint(0, 10, BATCH)
    step = session.make_callable(model.train_op, feed_list=[model.images, model.labels])
    for _ in range(5):  # warm-up: first steps allocate and pick kernels
        step(images, labels)
    return lambda: step(images, labels)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--a", required=True, help="checkout of version A (the baseline)")
    parser.add_argument("--b", default=ROOT, help="checkout of version B (default: this one)")
    parser.add_argument("--configs", default="lstm:128,gru:128", help="cell:hidden, comma-separated")
    parser.add_argument("--steps", type=int, default=100, help="timed steps of each version per config")
    parser.add_argument("--towers", type=int, default=2,
                        help="chains per training batch, as main.py's --towers (default 2: how TensorFlow 2 trains "
                             "128 units; 1: one chain, the clearest comparison of a single step's ops)")
    args = parser.parse_args()
    for source in (args.a, args.b):
        if not os.path.isfile(os.path.join(source, "model.py")):
            sys.exit("error: {} has no model.py; pass a checkout of this project".format(source))
    versions = [import_version(source, [args.a, args.b]) for source in (args.a, args.b)]
    print("A = {}\nB = {}\ntowers: {}".format(os.path.abspath(args.a), os.path.abspath(args.b), args.towers))
    print("| config | A median ms | B median ms | B speed / A speed |")
    print("|---|---|---|---|")
    for item in args.configs.split(","):
        cell, hidden = item.split(":")
        steps = [build_step(version, cell, int(hidden), args.towers) for version in versions]
        times = [[], []]
        for i in range(args.steps):
            for k in ((0, 1) if i % 2 == 0 else (1, 0)):
                started = time.perf_counter()
                steps[k]()
                times[k].append(time.perf_counter() - started)
        a, b = (float(np.median(t)) for t in times)
        print("| {}-{} | {:.2f} | {:.2f} | {:.3f} |".format(cell, hidden, a * 1e3, b * 1e3, a / b), flush=True)


if __name__ == "__main__":
    main()
