"""Training throughput of our cells against tf.keras and PyTorch, side by side in one run.

    python tools/benchmarks/throughput.py            # hidden 32, 64, 128, 256; 3 alternating rounds
    python tools/benchmarks/throughput.py --quick    # one short round, under a minute
    python tools/benchmarks/throughput.py --hidden=128bi,64-64,64-64bi   # the grid's layouts

A layout is one hidden size (128), layers joined by "-" (64-64), and "bi" for bidirectional: Keras wraps
each layer in Bidirectional, PyTorch uses num_layers and bidirectional=True, ours --bidirectional.

Every implementation trains the same network (one recurrent layer over 28
rows of 28 pixels, a linear layer to 10 classes, Adam, batch 128) on random
data of MNIST's shape, in its own worker process (Keras needs eager mode, our
code graph mode), and the workers take turns so that a slow spell of the
machine hits all of them. Each measurement repeats passes of --steps batches for at least --seconds (a
pass at 32 units lasts 40 ms); the best round counts. "% of peak" is the matmul FLOPs of the training
examples against the best large matmul of NumPy, TensorFlow and PyTorch in the same run. Prints a table
and one JSON object per line with examples per second and the processor.

Ours is measured as main.py trains: with the towers main.py chooses (core/unroll_fast.py's default_towers;
two towers run each op on one core), or with --towers=N to check that choice; the JSON rows say how
many. "ours_one_chain" is one chain of steps with TensorFlow's default threads, as the shipped variants
were trained.

PyTorch is measured twice. Its nn.LSTM on a CPU normally runs oneDNN's fused
RNN kernel (aten::mkldnn_rnn_layer: the whole sequence in one call, forward
and backward), while nn.GRU runs cell by cell either way. The "torch_ops"
column switches oneDNN off (torch.backends.mkldnn), which leaves PyTorch's
own cell-by-cell LSTM: the same kind of computation as ours.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

import checkouts  # this folder's: what differs between the checkouts ab_step.py compares

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the project
BATCH = 128


def layout(text):
    """"128" -> ([128], False); "64-64bi" -> ([64, 64], True)."""
    text = str(text)
    bi = text.endswith("bi")
    return [int(h) for h in text[:-2 if bi else None].split("-")], bi


def _label(text):
    """A single size stays a number in the JSON (as before layouts); a layout is its text."""
    layers, bi = layout(text)
    return layers[0] if len(layers) == 1 and not bi else str(text)


def train_flop(cell, hidden, steps=28, inputs=28):
    """Matmul FLOPs of one training example: forward, plus twice that for the backward pass, summed over
    layers and directions (a layer above a bidirectional one reads both directions' outputs)."""
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
    from cells import CELLS
    layers, bi = layout(hidden)
    directions, total, blocks = 2 if bi else 1, 0, CELLS[cell].NUM_BLOCKS  # gate blocks: LSTM 4, GRU 3, RNN 1
    for units in layers:
        total += directions * 3 * steps * 2 * blocks * units * (inputs + units)
        inputs = directions * units
    return total


def _best_matmul_rate(multiply, size=2048, repeats=5):
    multiply()  # warm-up: thread pools, kernels chosen
    best = 0.0
    for _ in range(repeats):
        started = time.time()
        multiply()
        best = max(best, 2 * size ** 3 / (time.time() - started))
    return best


def worker_peak():
    """{library: FLOP/s} of a large float32 matmul on all cores, per library present. The peak is the best
    of them: NumPy's OpenBLAS alone read 248 GFLOP/s on the Zen 5 where TensorFlow's oneDNN read 449, and
    "% of peak" against NumPy's came out above 100%."""
    a = np.random.RandomState(0).rand(2048, 2048).astype(np.float32)
    rates = {"numpy": _best_matmul_rate(lambda: a.dot(a))}
    sys.path.insert(0, ROOT)
    from core.tfcompat import tf  # the settings ours trains with (oneDNN on, graph mode)
    with tf.Graph().as_default():
        left = tf.Variable(a)  # a variable, not a constant: grappler would fold a constant product away
        product = tf.matmul(left, left)
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            rates["tensorflow"] = _best_matmul_rate(lambda: session.run(product.op))  # .op: no copy back
    try:
        import torch
        t = torch.from_numpy(a)
        rates["torch"] = _best_matmul_rate(lambda: t @ t)
    except ImportError:
        pass
    return rates


def _rate(epoch, examples, seconds):
    """Examples per second of `epoch()` (one pass over `examples`), repeated until `seconds` have passed: a
    pass of 20 batches at 32 units lasts 40 ms, too short to time on a VM."""
    done, started = 0, time.time()
    while True:
        epoch()
        done += examples
        elapsed = time.time() - started
        if elapsed >= seconds:
            return done / elapsed


def _data(steps):
    rng = np.random.RandomState(0)
    return rng.rand(BATCH * steps, 28, 28).astype(np.float32), rng.randint(0, 10, BATCH * steps)


def training_session(model_module, cell, hidden, towers=1):  # hidden: a size or a layout ("64-64bi")
    """(session, model): a training Model at batch 128 from seed 0, as every benchmark here trains it.

    `model_module` is this project's model.py, or another checkout's (ab_step.py).
    """
    tf = model_module.tf
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(0)
        layers, bi = layout(hidden)
        model = model_module.Model(checkouts.train_config(model_module, cell, layers, bi, towers), training=True,
                                   batch_size=BATCH)
        init = tf.global_variables_initializer()
    # Checkouts from before --towers have a session_config() without arguments.
    session_config = checkouts.session_config(model_module)
    session = tf.Session(graph=graph, config=session_config(*([towers] if towers > 1 else [])))
    session.run(init)
    return session, model


def worker_ours(cell, hidden, steps, seconds, towers=None):
    sys.path.insert(0, ROOT)
    import model as model_module
    x, y = _data(steps)
    towers = towers or checkouts.default_towers(model_module)()[0]  # main.py's choice
    session, model = training_session(model_module, cell, hidden, towers)
    model_module.run_epoch(session, model, x[:3 * BATCH], y[:3 * BATCH], BATCH, train=True,
                           order=np.arange(3 * BATCH))
    return _rate(lambda: model_module.run_epoch(session, model, x, y, BATCH, train=True,
                                                order=np.random.permutation(len(x))), len(x), seconds)


def worker_keras(cell, hidden, steps, seconds):
    import tensorflow as tf
    if int(tf.__version__.split(".")[0]) < 2:
        return None
    keras = tf.keras
    layer = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU, "rnn": keras.layers.SimpleRNN}[cell]
    layers, bi = layout(hidden)
    stack = [keras.Input((28, 28))]
    for k, units in enumerate(layers):
        one = layer(units, return_sequences=k < len(layers) - 1)
        stack.append(keras.layers.Bidirectional(one) if bi else one)
    model = keras.Sequential(stack + [keras.layers.Dense(10)])
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x, y = _data(steps)
    model.fit(x[:3 * BATCH], y[:3 * BATCH], batch_size=BATCH, epochs=1, verbose=0)
    return _rate(lambda: model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=True), len(x), seconds)


def worker_torch(cell, hidden, steps, seconds, fused_kernel=True):
    try:
        import torch
    except ImportError:
        return None
    with torch.backends.mkldnn.flags(enabled=fused_kernel):
        return _train_torch(torch, cell, hidden, steps, seconds)


def _train_torch(torch, cell, hidden, steps, seconds):
    torch.manual_seed(0)
    layers, bi = layout(hidden)
    if len(set(layers)) > 1:
        return None  # nn.LSTM / nn.GRU stack layers of one size only
    kind = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell]  # nn.RNN: tanh, as ours
    rnn = kind(28, layers[0], num_layers=len(layers), bidirectional=bi, batch_first=True)
    head = torch.nn.Linear(layers[0] * (2 if bi else 1), 10)
    params = list(rnn.parameters()) + list(head.parameters())
    optimizer = torch.optim.Adam(params, 1e-3)
    x, y = _data(steps)
    x, y = torch.from_numpy(x), torch.from_numpy(y)

    def epoch(count):
        for start in range(0, count, BATCH):
            optimizer.zero_grad()
            out, state = rnn(x[start:start + BATCH])
            h = state[0] if cell == "lstm" else state  # [layers * directions, B, H]
            last = torch.cat([h[-2], h[-1]], 1) if bi else out[:, -1]  # both directions' finals, as ours joins
            loss = torch.nn.functional.cross_entropy(head(last), y[start:start + BATCH])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 5.0)
            optimizer.step()
    epoch(3 * BATCH)
    return _rate(lambda: epoch(len(x)), len(x), seconds)


WORKERS = {"ours": worker_ours,
           "ours_one_chain": lambda cell, hidden, steps, seconds: worker_ours(cell, hidden, steps, seconds, towers=1),
           "keras": worker_keras, "torch": worker_torch,
           "torch_ops": lambda cell, hidden, steps, seconds: worker_torch(cell, hidden, steps, seconds,
                                                                          fused_kernel=False)}


def run_peak():
    """worker_peak() in a fresh process, like the workers (one library's threads must not slow another's)."""
    cmd = [sys.executable, os.path.abspath(__file__), "--worker=peak"]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"), check=True,
                         universal_newlines=True).stdout
    return json.loads([line for line in out.splitlines() if line.startswith("{")][-1])


def processor_label(here, env):
    """"AMD EPYC (family 26, model 2) (AVX-512)", plus what the environment holds the libraries' kernels to
    (ONEDNN_MAX_CPU_ISA, which TensorFlow's and PyTorch's oneDNN obey; ATEN_CPU_CAPABILITY, PyTorch's own):
    a run held to AVX2 on an AVX-512 processor must not read as one on that processor unhindered."""
    held = ["{}={}".format(k, env[k]) for k in ("ONEDNN_MAX_CPU_ISA", "ATEN_CPU_CAPABILITY") if env.get(k)]
    isa = here["isa"].upper().replace("AVX512", "AVX-512")
    return "{} ({}{})".format(here["processor"], isa, ", held by " + " ".join(held) if held else "")


def run_worker(impl, configs, steps, seconds, towers=None):
    """Measure configs [(cell, hidden)] with one implementation in a fresh process."""
    cmd = [sys.executable, os.path.abspath(__file__), "--worker=" + impl, "--steps={}".format(steps),
           "--seconds={}".format(seconds), "--configs=" + ",".join("{}:{}".format(c, h) for c, h in configs)]
    cmd += ["--towers={}".format(towers)] if towers and impl == "ours" else []
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    out = subprocess.run(cmd, stdout=subprocess.PIPE, env=env, check=True, universal_newlines=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one short round (under a minute)")
    parser.add_argument("--hidden", default="32,64,128,256")
    parser.add_argument("--cells", default="lstm,gru", help="lstm, gru, rnn (the vanilla RNN: Keras's SimpleRNN, "
                                                             "PyTorch's nn.RNN)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20, help="batches per timed pass")
    parser.add_argument("--seconds", type=float, default=1.0, help="passes repeat until this long (per measurement)")
    parser.add_argument("--impls", default=",".join(WORKERS),
                        help="which implementations to time (default all; 'ours' is always timed)")
    parser.add_argument("--towers", type=int, help="time 'ours' with this many towers instead of main.py's choice "
                                                   "(to check that choice on this processor)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--configs", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.configs and not args.worker:  # a worker's own flag: without --worker it would be ignored, silently
        sys.exit("error: --configs is internal to the workers; use --cells and --hidden, e.g. --cells=lstm --hidden=128")

    if args.worker == "peak":
        print(json.dumps(worker_peak()))
        return
    if args.worker:
        for item in args.configs.split(","):
            cell, hidden = item.split(":")
            chosen = {"towers": args.towers} if args.worker == "ours" and args.towers else {}
            rate = WORKERS[args.worker](cell, hidden, args.steps, args.seconds, **chosen)
            print(json.dumps({"impl": args.worker, "cell": cell, "hidden": _label(hidden), "rate": rate}), flush=True)
        return

    hidden_sizes = [_label(h) for h in args.hidden.split(",")]
    impls = args.impls.split(",")
    unknown = sorted(set(impls) - set(WORKERS))
    if unknown:
        sys.exit("error: --impls: unknown {}; choose from {}".format(", ".join(unknown), ",".join(WORKERS)))
    cells = args.cells.split(",")
    unknown = sorted(set(cells) - {"lstm", "gru", "rnn"})
    if unknown:
        sys.exit("error: --cells: unknown {}; choose from lstm, gru, rnn".format(", ".join(unknown)))
    if args.towers is not None and (args.towers < 1 or BATCH % args.towers):
        sys.exit("error: --towers={}: give a number of towers that divides the batch of {}".format(args.towers, BATCH))
    rounds, steps, seconds = (1, 4, 0.0) if args.quick else (args.rounds, args.steps, args.seconds)
    sys.path.insert(0, ROOT)
    from core.tfcompat import TF_VERSION, IS_TF1
    from core.common import machine
    from core.unroll_fast import default_towers
    towers = args.towers or default_towers()[0]
    here = machine()
    processor = processor_label(here, os.environ)
    print("{}, {} cores; TensorFlow {}, Python {}; batch {}; {} round(s) of passes of {} batches, at least {} s "
          "each".format(processor, os.cpu_count(), TF_VERSION, sys.version.split()[0], BATCH, rounds, steps, seconds))
    if IS_TF1:
        print("keras column skipped: TensorFlow 1.x has no Keras LSTM/GRU layer to compare with")
    best, peak = {}, {}
    for _ in range(rounds):
        # Alternate: every implementation in turn for each hidden size (all at once when quick).
        groups = [hidden_sizes] if args.quick else [[h] for h in hidden_sizes]
        for group in groups:
            # The VM's attainable rate drifts too: the peak takes turns with the workers, best one counts.
            for library, rate in run_peak().items():
                peak[library] = max(peak.get(library, 0.0), rate)
            for impl in WORKERS:
                if (impl == "keras" and IS_TF1) or (impl not in impls and impl != "ours"):
                    continue
                for r in run_worker(impl, [(c, h) for h in group for c in cells], steps, seconds, args.towers):
                    key = (r["impl"], r["cell"], r["hidden"])
                    if r["rate"] is not None:
                        best[key] = max(best.get(key, 0.0), r["rate"])

    print("measured matmul peak (best round): " + ", ".join(
        "{} {:.0f}".format(library, rate / 1e9) for library, rate in sorted(peak.items())) + " GFLOP/s")
    peak_library, peak = max(peak.items(), key=lambda item: item[1])
    rows = []
    for cell in cells:
        for hidden in hidden_sizes:
            ours = best[("ours", cell, hidden)]
            row = {"cell": cell, "hidden": hidden, "ours": round(ours), "towers": towers}
            for impl in ("ours_one_chain", "keras", "torch", "torch_ops"):
                other = best.get((impl, cell, hidden))
                row[impl] = other and round(other)
                if impl != "ours_one_chain":
                    row["ratio_" + impl] = other and round(ours / other, 2)
            row["peak_fraction"] = round(ours * train_flop(cell, hidden) / peak, 3)
            row["peak_gflops"], row["peak_library"] = round(peak / 1e9), peak_library
            row["processor"] = processor
            rows.append(row)
    print("\n| cell | hidden | ours (ex/s) | ours, one chain | tf.keras | PyTorch | PyTorch, cell by cell "
          "| ours/keras | ours/torch | ours/torch cell by cell | % of peak |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        rates = [r[k] for k in ("ours_one_chain", "keras", "torch", "torch_ops")]
        ratios = [r["ratio_" + k] for k in ("keras", "torch", "torch_ops")]
        print("| {cell} | {hidden} | {ours:,} | {} | {} | {} | {} | {} | {} | {} | {p:.0%} |".format(
            *(["{:,}".format(v) if v else "-" for v in rates] + [v or "-" for v in ratios]),
            p=r["peak_fraction"], **r))
    print()
    for r in rows:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
