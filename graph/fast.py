"""The fast unroller: the same steps as graph/unroll.py's StaticRNN, with the speed levers and nothing else.

model.py builds the network (layers, directions, join, lengths, dropout, loss) and asks an unroller for
one direction of one layer at a time (the interface is in graph/unroll.py). `Fast` is the default
(`--unroll=fast`); `--unroll=plain` gives the textbook graph. The steps are still driven by static_rnn.
The levers, each with what it gave when it was measured (benchmarks/README.md has the runs, the
processors, and the levers that did not pay):

1. Input projection for all steps at once: x W_x + b as one [28B, in] x [in, kH] matmul before the
   time loop, so only h W_h runs per step. In from the start; a cell taking one matmul of [x, h] per step
   ran LSTM 32 / 128 / 256 at 10,000 / 2,000 / 580 examples per second.
2. Time-major rows ([28*B, in], step t = rows t*B .. t*B+B-1), so each step's slice, and each tower's
   part of it, is contiguous: one split, and one concat as its gradient. Removed a 6 ms/step Pack at
   LSTM-128.
3. W_h's gradient deferred: the steps multiply by a copy of W_h that passes no gradient, and
   dL/dW_h = sum_t lhs_t^T dL/d(xw_t) is one [H, 28B] x [28B, kH] matmul after the backward pass instead of
   28 small ones and their sum. The left-hand sides are read from the graph (the copy's consumers that
   each step adds), so the cells' step functions stay pure. dL/d(xw) serves because every product with W_h is added
   to its columns of xw before any nonlinearity (cells.py). With lever 2: LSTM-128 4,150-4,650 ->
   4,450-5,030 examples/s, GRU-256 1,760-1,830 -> 1,910-2,000 (Intel Xeon, AVX-512).
4. Towers (training, `--towers=N`): the batch is cut into N parts, each unrolled as its own chain, and
   with one thread per op (`session_config`) the chains run side by side on the cores: +13% (GRU-64) to
   +53% (GRU-256) on the Intel Xeon. On TensorFlow 1.5 (a wheel without AVX) two towers were 10-20% slower
   per epoch, and so was an LSTM-256 on an AVX2-only AMD EPYC: default_towers() holds that rule.
5. Variable lengths as masks on each step rather than static_rnn's sequence_length, whose per-step
   conditionals made a 2-layer, two-way crop model take about 80 s to build and hid its steps from
   lever 3.
"""
import collections

from graph.tfcompat import IS_TF1, static_rnn, tf
from graph.unroll import NUM_STEPS, batch_of, final_h, keep_past_the_end

def default_towers(model, layers, isa, bidirectional=False):
    """(towers, why) for a training run without --towers: a rule measured on the processors at hand
    (benchmarks/README.md, "Towers per processor"). Two towers won everywhere but one place: an LSTM of
    256 units on an AMD EPYC of family 23 with AVX2 only, where one chain ran 1,470-1,511 examples/s
    against 1,323-1,328 (on the AVX-512 processors two towers won at every size: at 256 units 5,350
    against 3,831 on an AMD EPYC of family 26), and two stacked bidirectional layers, whose four chains
    already fill the cores (64,64 both ways on the Zen 5: LSTM 7,673 against 8,044, GRU 7,859 against
    9,698). Towers change rounding only: the logits and gradients agree (tests/test_unrollers.py)."""
    if IS_TF1:
        return 1, "one chain: TensorFlow 1.5's wheel (no AVX) ran two towers 10-20% slower per epoch"
    if model == "lstm" and max(layers) >= 256 and isa != "avx512":
        return 1, "one chain: an LSTM of 256 units without AVX-512 ran 11-14% faster as one chain"
    if bidirectional and len(layers) > 1:
        return 1, "one chain: two bidirectional layers (four chains already) ran 5-19% faster as one chain"
    return 2, "two towers: faster than one chain for this model on this kind of processor (measured)"


def session_config(towers=1):
    """Session settings shared by training, testing and the benchmarks: with towers, one thread per op and
    up to `towers` ops side by side. TensorFlow sizes its thread pools once per process, by the first session."""
    if towers > 1:
        return tf.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=towers)
    return tf.ConfigProto()


class _Projected(object):
    """Lets static_rnn drive a cell's pure step on precomputed inputs xw (lever 1), each step with its own
    W_h (lever 3: a copy without gradient, each step's products with it kept in `products`) and, with lengths, a mask (lever 5)."""

    def __init__(self, cell, defer):
        self.cell, self.products = cell, []  # per step: [(lhs, first column, end column)]
        # One copy for all steps: identical per-step ops on it (the GRU's split into gate blocks) are then
        # merged by TensorFlow's graph optimiser; a copy per step made GRU-128/256 5-8% slower (ab_step.py).
        self.W_h = tf.stop_gradient(cell.W_h) if defer else cell.W_h
        self._seen = set()

    @property
    def state_size(self):
        return self.cell.state_size

    @property
    def output_size(self):
        return self.cell.output_size

    def zero_state(self, batch_size, dtype):  # static_rnn checks that it exists
        return self.cell.zero_state(batch_size, dtype)

    def __call__(self, inputs, state, scope=None):
        xw, real = inputs if isinstance(inputs, tuple) else (inputs, None)
        output, new_state = self.cell.step(xw, state, self.W_h)
        if self.W_h is not self.cell.W_h:  # read now: the copy's new consumers are this step's products
            new = [op for op in self.W_h.consumers() if op not in self._seen]
            self._seen.update(new)
            self.products.append(_products(self.W_h, new))
        if real is None:
            return output, new_state
        return keep_past_the_end(real[:, 0], new_state, state, output)  # real: [B, 1] -> [B]


def _products(copy, ops):
    """The products a step took with the copy of W_h (`ops`: the copy's consumers that step added):
    [(lhs, first column, end column)], read from the graph (MatMuls, directly or through a split of the copy
    into gate blocks)."""
    found = []
    for op in ops:
        if op.type == "MatMul":
            found.append((op.inputs[0], 0, int(copy.shape[1])))
        elif op.type in ("Split", "SplitV"):
            start = 0
            for part in op.outputs:
                width = int(part.shape[1])
                found += [(use.inputs[0], start, start + width) for use in part.consumers() if use.type == "MatMul"]
                start += width
    if not found or any(op.type not in ("MatMul", "Split", "SplitV") for op in ops):
        raise ValueError("a step used W_h other than in products added to xw; the deferred gradient needs that")
    return found


class Fast(object):
    """The speed levers' unroller (see the header). `towers` > 1 only for a training batch; `defer` for the
    training graph (lever 3)."""

    def __init__(self, towers=1, defer=False):
        self.towers, self.defer = towers, defer
        self._deferred = []  # (cell, xw [28*B, kH], [each step's products with W_h, in row order of xw])

    def layer(self, cell, x, lengths, reverse):
        T = self.towers
        xw = tf.matmul(x, cell.W_x) + cell.b  # lever 1: [28*B, in] x [in, kH] -> [28*B, kH]
        parts = tf.split(xw, NUM_STEPS * T, axis=0)  # -> 28*T x [B/T, kH]; step t, tower k = parts[t*T + k]
        tower_lengths = tf.split(lengths, T) if lengths is not None and T > 1 else [lengths] * T
        outputs, finals, products = [None] * (NUM_STEPS * T), [], [None] * (NUM_STEPS * T)
        for k in range(T):
            order = [t * T + k for t in range(NUM_STEPS)][::-1 if reverse else 1]
            steps = [parts[i] for i in order]
            if tower_lengths[k] is not None:  # static_rnn wants every input at least [b, 1]
                steps = [(xw_t, tf.expand_dims(tf.less(i // T, tower_lengths[k]), 1)) for xw_t, i in zip(steps, order)]
            projected = _Projected(cell, self.defer)
            state = cell.zero_state(batch_of(parts[0]), tf.float32)
            tower_outputs, state = static_rnn(projected, steps, initial_state=state)
            for i, output, used in zip(order, tower_outputs, projected.products or [None] * NUM_STEPS):
                outputs[i], products[i] = output, used
            finals.append(final_h(state))
        if self.defer:
            self._deferred.append((cell, xw, products))
        # 28*T x [B/T, H] -> [28*B, H], back in time-major order; T x [B/T, H] -> [B, H]
        return tf.concat(outputs, 0), tf.concat(finals, 0) if T > 1 else finals[0]

    def gradients(self, objective, variables):
        """d objective / d variables, each deferred cell's W_h as one matmul per gate block (lever 3)."""
        xws = [xw for _, xw, _ in self._deferred]
        grads = tf.gradients(objective, list(variables) + xws)
        by_name = {v.op.name: g for v, g in zip(variables, grads)}
        for (cell, _, products), d_xw in zip(self._deferred, grads[len(variables):]):
            blocks = collections.OrderedDict()  # (first, end column) -> [lhs per step, in row order of xw]
            for used in products:
                for lhs, start, stop in used:
                    blocks.setdefault((start, stop), []).append(lhs)
            columns = []
            for (start, stop), lhs in sorted(blocks.items()):
                rows = tf.concat(lhs, axis=0)  # 28*T x [B/T, H] -> [28*B, H]
                block = d_xw if (start, stop) == (0, int(d_xw.shape[1])) else d_xw[:, start:stop]
                columns.append(tf.matmul(rows, block, transpose_a=True))  # [H, 28*B] x [28*B, .] -> [H, stop - start]
            deferred = tf.concat(columns, axis=1) if len(columns) > 1 else columns[0]
            direct = by_name[cell.W_h.op.name]  # what does not go through the steps (the --l2 term), or None
            by_name[cell.W_h.op.name] = deferred if direct is None else deferred + direct
        return [by_name[v.op.name] for v in variables]
