"""Where a training step's time goes: TensorFlow's step trace, summed by op type.

    python tools/benchmarks/profile_step.py --model=lstm --hidden=128

Builds the training model at batch 128 on random data of MNIST's shape
(one chain of steps unless --towers says otherwise),
times 50 steps without tracing, then traces 5 steps and prints the op types
that take the most time (traced times add up to more than the untraced step:
tracing has a cost, and the two cores run ops side by side), and the slowest
single ops.
"""
import argparse
import collections
import sys
import time

import numpy as np

from throughput import BATCH, ROOT, training_session

sys.path.insert(0, ROOT)
import model as model_module  # noqa: E402
from core.tfcompat import tf  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="lstm")
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--towers", type=int, default=1, help="1 (default): one chain of steps, the clearest profile")
    args = parser.parse_args()
    session, model = training_session(model_module, args.model, args.hidden, args.towers)
    rng = np.random.RandomState(0)
    feed = {model.images: rng.rand(BATCH, 28, 28).astype(np.float32), model.labels: rng.randint(0, 10, BATCH)}
    for _ in range(20):  # warm-up
        session.run(model.train_op, feed)
    started = time.time()
    for _ in range(50):
        session.run(model.train_op, feed)
    print("{}-{}: {:.1f} ms per training step of {} examples (untraced)".format(
        args.model.upper(), args.hidden, (time.time() - started) / 50 * 1000, BATCH))

    by_type, count, single = collections.Counter(), collections.Counter(), collections.Counter()
    rounds = 5
    for _ in range(rounds):
        metadata = tf.RunMetadata()
        session.run(model.train_op, feed, options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
                    run_metadata=metadata)
        for device in metadata.step_stats.dev_stats:
            for node in device.node_stats:
                label = node.timeline_label
                kind = label.split(" = ")[1].split("(")[0] if " = " in label else node.node_name
                by_type[kind] += node.all_end_rel_micros / 1000.0 / rounds
                count[kind] += 1.0 / rounds
                single[node.node_name] += node.all_end_rel_micros / 1000.0 / rounds
    print("traced op time {:.1f} ms; by op type:".format(sum(by_type.values())))
    for kind, ms in by_type.most_common(args.top):
        print("  {:<30} {:7.2f} ms  {:4.0f} ops".format(kind, ms, count[kind]))
    print("slowest single ops:")
    for name, ms in single.most_common(5):
        print("  {:<60} {:6.2f} ms".format(name, ms))


if __name__ == "__main__":
    main()
