"""Training throughput of our cells against tf.keras and PyTorch, side by side in one run.

    python benchmarks/throughput.py            # hidden 32, 64, 128, 256; 3 alternating rounds
    python benchmarks/throughput.py --quick    # one short round, under a minute

Every implementation trains the same network (one recurrent layer over 28
rows of 28 pixels, a linear layer to 10 classes, Adam, batch 128) on random
data of MNIST's shape, in its own worker process (Keras needs eager mode, our
code graph mode), and the workers take turns so that a slow spell of the
machine hits all of them. The best round counts. Prints a table and one JSON
object per line with examples per second.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BATCH = 128


def train_flop(cell, hidden, steps=28, inputs=28):
    """Matmul FLOPs of one training example: forward, plus twice that for the backward pass."""
    width = (4 if cell == "lstm" else 3) * hidden
    return 3 * steps * 2 * width * (inputs + hidden)


def measured_peak():
    """FLOP/s of a large float32 matmul in NumPy on all cores: the machine's attainable peak."""
    a = np.random.rand(2048, 2048).astype(np.float32)
    a.dot(a)
    best = 0.0
    for _ in range(5):
        started = time.time()
        a.dot(a)
        best = max(best, 2 * 2048 ** 3 / (time.time() - started))
    return best


def _data(steps):
    rng = np.random.RandomState(0)
    return rng.rand(BATCH * steps, 28, 28).astype(np.float32), rng.randint(0, 10, BATCH * steps)


def worker_ours(cell, hidden, steps):
    sys.path.insert(0, ROOT)
    from model import Model, run_epoch, session_config
    from tfcompat import tf
    x, y = _data(steps)
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(0)
        model = Model({"model": cell, "hidden_unit": hidden, "learning_rate": 1e-3, "clip_norm": 5.0},
                      training=True, batch_size=BATCH)
        init = tf.global_variables_initializer()
    with tf.Session(graph=graph, config=session_config()) as session:
        session.run(init)
        run_epoch(session, model, x[:3 * BATCH], y[:3 * BATCH], BATCH, train=True, order=np.arange(3 * BATCH))
        started = time.time()
        run_epoch(session, model, x, y, BATCH, train=True, order=np.random.permutation(len(x)))
        return len(x) / (time.time() - started)


def worker_keras(cell, hidden, steps):
    import tensorflow as tf
    if int(tf.__version__.split(".")[0]) < 2:
        return None
    keras = tf.keras
    layer = keras.layers.LSTM if cell == "lstm" else keras.layers.GRU
    model = keras.Sequential([keras.Input((28, 28)), layer(hidden), keras.layers.Dense(10)])
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x, y = _data(steps)
    model.fit(x[:3 * BATCH], y[:3 * BATCH], batch_size=BATCH, epochs=1, verbose=0)
    started = time.time()
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=True)
    return len(x) / (time.time() - started)


def worker_torch(cell, hidden, steps):
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(0)
    rnn = (torch.nn.LSTM if cell == "lstm" else torch.nn.GRU)(28, hidden, batch_first=True)
    head = torch.nn.Linear(hidden, 10)
    params = list(rnn.parameters()) + list(head.parameters())
    optimizer = torch.optim.Adam(params, 1e-3)
    x, y = _data(steps)
    x, y = torch.from_numpy(x), torch.from_numpy(y)

    def epoch(count):
        for start in range(0, count, BATCH):
            optimizer.zero_grad()
            out, _ = rnn(x[start:start + BATCH])
            loss = torch.nn.functional.cross_entropy(head(out[:, -1]), y[start:start + BATCH])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 5.0)
            optimizer.step()
    epoch(3 * BATCH)
    started = time.time()
    epoch(len(x))
    return len(x) / (time.time() - started)


WORKERS = {"ours": worker_ours, "keras": worker_keras, "torch": worker_torch}


def run_worker(impl, configs, steps):
    """Measure configs [(cell, hidden)] with one implementation in a fresh process."""
    cmd = [sys.executable, os.path.abspath(__file__), "--worker=" + impl, "--steps={}".format(steps),
           "--configs=" + ",".join("{}:{}".format(c, h) for c, h in configs)]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    out = subprocess.run(cmd, stdout=subprocess.PIPE, env=env, check=True, universal_newlines=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one short round (under a minute)")
    parser.add_argument("--hidden", default="32,64,128,256")
    parser.add_argument("--cells", default="lstm,gru")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20, help="batches timed per measurement")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--configs", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        for item in args.configs.split(","):
            cell, hidden = item.split(":")
            rate = WORKERS[args.worker](cell, int(hidden), args.steps)
            print(json.dumps({"impl": args.worker, "cell": cell, "hidden": int(hidden), "rate": rate}), flush=True)
        return

    hidden_sizes = [int(h) for h in args.hidden.split(",")]
    cells = args.cells.split(",")
    rounds, steps = (1, 4) if args.quick else (args.rounds, args.steps)
    sys.path.insert(0, ROOT)
    from tfcompat import TF_VERSION, IS_TF1
    peak = measured_peak()
    print("TensorFlow {}, Python {}; batch {}; measured matmul peak {:.0f} GFLOP/s; {} round(s) of {} batches".format(
        TF_VERSION, sys.version.split()[0], BATCH, peak / 1e9, rounds, steps))
    if IS_TF1:
        print("keras column skipped: TensorFlow 1.x has no Keras LSTM/GRU layer to compare with")
    best = {}
    for _ in range(rounds):
        # Alternate: every implementation in turn for each hidden size (all at once when quick).
        groups = [hidden_sizes] if args.quick else [[h] for h in hidden_sizes]
        for group in groups:
            for impl in WORKERS:
                if impl == "keras" and IS_TF1:
                    continue
                for r in run_worker(impl, [(c, h) for h in group for c in cells], steps):
                    key = (r["impl"], r["cell"], r["hidden"])
                    if r["rate"] is not None:
                        best[key] = max(best.get(key, 0.0), r["rate"])

    rows = []
    for cell in cells:
        for hidden in hidden_sizes:
            ours, keras, torch = (best.get((i, cell, hidden)) for i in ("ours", "keras", "torch"))
            rows.append({"cell": cell, "hidden": hidden, "ours": round(ours), "keras": keras and round(keras),
                         "torch": torch and round(torch), "ratio_keras": keras and round(ours / keras, 2),
                         "ratio_torch": torch and round(ours / torch, 2),
                         "peak_fraction": round(ours * train_flop(cell, hidden) / peak, 3)})
    print("\n| cell | hidden | ours (ex/s) | tf.keras | PyTorch | ours/keras | ours/torch | % of peak |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print("| {cell} | {hidden} | {ours:,} | {k} | {t} | {rk} | {rt} | {p:.0%} |".format(
            k="{:,}".format(r["keras"]) if r["keras"] else "-", t="{:,}".format(r["torch"]) if r["torch"] else "-",
            rk=r["ratio_keras"] or "-", rt=r["ratio_torch"] or "-", p=r["peak_fraction"], **r))
    print()
    for r in rows:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
