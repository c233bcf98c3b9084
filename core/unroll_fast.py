"""The fast unroller: the same steps as core/unroll_plain.py's StaticRNN, with the speed levers and nothing else.

model.py builds the network (layers, directions, join, lengths, dropout, loss) and asks an unroller for
one direction of one layer at a time (the interface is in core/unroll.py). `Fast` is the default
(`--unroll=fast`); `--unroll=plain` gives the textbook graph. The steps are still driven by static_rnn.
What each lever does and why:

1. Input projection for all steps at once: x W_x + b as one [28B, in] x [in, kH] matmul before the
   time loop, so only h W_h runs per step: one large matmul is far faster than 28 small ones.
2. Time-major rows ([28*B, in], step t = rows t*B .. t*B+B-1), so each step's slice, and each tower's
   part of it, is contiguous: one split, and one concat as its gradient, instead of a Pack per step.
3. W_h's gradient deferred: the steps multiply by a copy of W_h that passes no gradient, and
   dL/dW_h = sum_t lhs_t^T dL/d(xw_t) is one [H, 28B] x [28B, kH] matmul after the backward pass instead of
   28 small ones and their sum. The left-hand sides are read from the graph (the copy's consumers that
   each step adds), so the cells' step functions stay pure. dL/d(xw) serves because every product with
   W_h is added to its columns of xw before any nonlinearity (cells.py).
4. Towers (training, `--towers=N`): the batch is cut into N parts, each unrolled as its own chain, and
   with one thread per op (core/tfcompat.py's `session_config`) the chains run side by side on the cores, which small
   matmuls alone cannot keep busy. default_towers() holds the measured rule.
5. Variable lengths as masks on each step rather than static_rnn's sequence_length, whose per-step
   conditionals are slow to build and hide the steps from lever 3.
6. With towers, levers 1 and 3 in one slice of time per tower (steps 0-13 and 14-27 for two): x W_x + b,
   its gradients and the deferred W_h gradient become one product per slice, run side by side, where one
   product would run on one core (one thread per op) while the other idled; the slices' W_h and W_x
   gradients are summed.
"""
import collections

from core.unroll_plain import static_rnn
from core.tfcompat import IS_TF1, tf
from core.unroll import NUM_STEPS, batch_of, final_h, keep_past_the_end

# Read by core/config.py from this file's text (it is not imported there, which would start TensorFlow):
# where this module is present it is the default --unroll.
DEFAULT = True
HELP = "the same steps as plain, faster: every row's input product in one matmul, the batch split over cores (--towers)"
TOWERS = True  # cuts a training batch into towers (--towers; default_towers() when not given)


def make(towers=1, defer=False):
    """The unroller for model.py: `towers` chains for a training batch, W_h's gradient deferred if `defer`."""
    return Fast(towers, defer)


def default_towers():
    """(towers, why) for a training run without --towers: the rule measured on the processors at hand
    (towers per processor): one chain on TensorFlow 1.5, two towers on
    TensorFlow 2, where they ran ahead of one chain for every cell, size and layout measured. Towers change
    rounding only: every tower computes the same steps on its part of the batch."""
    if IS_TF1:
        return 1, "one chain: TensorFlow 1.5's wheel (no AVX) ran two towers 10-20% slower per epoch"
    return 2, "two towers: faster than one chain for every model measured on TensorFlow 2"


class _Projected(object):
    """Lets static_rnn drive a cell's pure step on precomputed inputs xw (lever 1), each step with its own
    W_h (lever 3: a copy without gradient, each step's products with it kept in `products`) and, with lengths, a mask (lever 5)."""

    def __init__(self, cell, defer):
        self.cell, self.products = cell, []  # per step: [(lhs, first column, end column)]
        # One copy for all steps: identical per-step ops on it (the GRU's split into gate blocks) are then
        # merged by TensorFlow's graph optimiser; a copy per step made GRU-128/256 5-8% slower (measured).
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
        bounds = [NUM_STEPS * p // T for p in range(T + 1)]  # lever 6: slice p, steps bounds[p] .. bounds[p+1]-1
        steps_in = [stop - start for start, stop in zip(bounds, bounds[1:])]
        # [28*B, in] -> T x [steps*B, in]; the batch is static wherever T > 1 (training graphs)
        xs = tf.split(x, [n * batch_of(x) // NUM_STEPS for n in steps_in], axis=0) if T > 1 else [x]
        xws = [tf.matmul(piece, cell.W_x) + cell.b for piece in xs]  # lever 1: each [steps*B, in] x [in, kH]
        # T x [steps*B, kH] -> 28*T x [B/T, kH]; step t, tower k = parts[t*T + k]
        parts = [part for xw, n in zip(xws, steps_in) for part in tf.split(xw, n * T, axis=0)]
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
            by_slice = [products[start * T:stop * T] for start, stop in zip(bounds, bounds[1:])]
            self._deferred.append((cell, xws, by_slice))
        # 28*T x [B/T, H] -> [28*B, H], back in time-major order; T x [B/T, H] -> [B, H]
        return tf.concat(outputs, 0), tf.concat(finals, 0) if T > 1 else finals[0]

    def gradients(self, objective, variables):
        """d objective / d variables, each deferred cell's W_h as one matmul per gate block and time slice
        (levers 3 and 6)."""
        xws = [xw for _, slices, _ in self._deferred for xw in slices]
        grads = tf.gradients(objective, list(variables) + xws)
        by_name = {v.op.name: g for v, g in zip(variables, grads)}
        d_xws = grads[len(variables):]
        for cell, slices, products in self._deferred:  # products: per time slice, per step and tower
            terms, mine, d_xws = [], d_xws[:len(slices)], d_xws[len(slices):]
            for d_xw, in_slice in zip(mine, products):
                blocks = collections.OrderedDict()  # (first, end column) -> [lhs per step, in row order of xw]
                for used in in_slice:
                    for lhs, start, stop in used:
                        blocks.setdefault((start, stop), []).append(lhs)
                columns = []
                for (start, stop), lhs in sorted(blocks.items()):
                    rows = tf.concat(lhs, axis=0)  # steps*T x [B/T, H] -> [steps*B, H]
                    block = d_xw if (start, stop) == (0, int(d_xw.shape[1])) else d_xw[:, start:stop]
                    columns.append(tf.matmul(rows, block, transpose_a=True))  # [H, steps*B] x [steps*B, .]
                terms.append(tf.concat(columns, axis=1) if len(columns) > 1 else columns[0])
            deferred = tf.add_n(terms) if len(terms) > 1 else terms[0]
            direct = by_name[cell.W_h.op.name]  # what does not go through the steps (the --l2 term), or None
            by_name[cell.W_h.op.name] = deferred if direct is None else deferred + direct
        return [by_name[v.op.name] for v in variables]
