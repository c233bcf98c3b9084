"""How the model runs fast, kept apart from what it computes (model.py, cells.py).

`Model(config)` builds its layers through `unroll` and its gradients through
`gradients` below; `Model(config, fast=False)` (or FAST = False here, for
every model) builds the plain textbook graph instead: `static_rnn(cell, rows)`
per layer and `tf.gradients`. Same variables, same logits, gradients equal up
to float rounding (tests/test_speed.py checks both on every layout).

The levers, with what each gave when it was measured (benchmarks/README.md has
the runs, the machine caveats and the levers that did not pay):

1. Input projection for all steps at once: x W_x + b as one [28B, in] x
   [in, kH] matmul before the time loop, so only h W_h runs per step. In from
   the start; a cell taking one matmul of [x, h] per step ran LSTM 32 / 128 /
   256 at 10,000 / 2,000 / 580 examples per second.
2. Time-major rows, so each step's slice is contiguous (a cheap split, and a
   cheap concat as its gradient): removed a 6 ms/step Pack at LSTM-128.
3. W_h's gradient deferred: the per-step products use a copy of W_h that
   passes no gradient, and dL/dW_h = sum_t lhs_t^T dL/d(xw_t) is one
   [H, 28B] x [28B, kH] matmul after the backward pass instead of 28 small
   ones and their sum. It may use dL/d(xw) because every recurrent product is
   added to the same columns of xw before any nonlinearity. With lever 2:
   LSTM-128 4,150-4,650 -> 4,450-5,030 examples/s, GRU-256 1,760-1,830 ->
   1,910-2,000.
4. Towers (training on TensorFlow 2.x, `--towers=2`): the batch is cut in two
   halves, each unrolled as its own chain, and with one thread per op
   (`session_config`) the two chains run side by side on two cores: +13%
   (GRU-64) to +53% (GRU-256). On TensorFlow 1.5 (a wheel without AVX) two
   towers were 10-20% slower per epoch, hence DEFAULT_TOWERS.
5. Variable lengths as masks on each step (`_Projected`) rather than
   static_rnn's sequence_length, whose per-step conditionals made a 2-layer
   bidirectional crop model take about 80 s to build and hid its steps from
   lever 3.
"""
import collections

from helpers.tfcompat import IS_TF1, static_bidirectional_rnn, static_rnn, tf

FAST = True  # False: every Model takes the plain path
DEFAULT_TOWERS = 1 if IS_TF1 else 2
NUM_STEPS = 28


def session_config(towers=1):
    """Session settings shared by training, testing and the benchmarks: with towers, one thread per op and
    up to `towers` ops side by side. TensorFlow sizes its thread pools once per process, by the first session."""
    if towers > 1:
        return tf.ConfigProto(intra_op_parallelism_threads=1, inter_op_parallelism_threads=towers)
    return tf.ConfigProto()


class _Projected(object):
    """Lets static_rnn drive a cell whose input part x W_x + b was computed for all steps beforehand.

    Each step is xw [B, k*H*dirs] (`columns` picks this direction's part) or, with variable lengths,
    (xw, real) with `real` a [B, 1] bool: past an example's last real step its state stays and its output
    is zero, which is what sequence_length does. The backward cell reads steps 28..1 with its state held at
    zero through the padding, so it starts at the last real step, as sequence_length's reversal would.
    """

    def __init__(self, cell, columns=None):
        self.cell, self.columns = cell, columns

    @property
    def state_size(self):
        return self.cell.state_size

    @property
    def output_size(self):
        return self.cell.output_size

    def zero_state(self, batch_size, dtype):
        return self.cell.zero_state(batch_size, dtype)

    def __call__(self, inputs, state, scope=None):
        xw, real = inputs if isinstance(inputs, tuple) else (inputs, None)
        if self.columns:
            xw = xw[:, self.columns[0]:self.columns[1]]  # [B, 2kH] -> [B, kH]: this direction's projection
        output, new_state = self.cell.step(xw, state)
        if real is None:
            return output, new_state
        real = real[:, 0]  # [B, 1] -> [B]; tf.where then picks whole rows
        keep = lambda new, old: tf.where(real, new, old)
        if isinstance(state, tuple):  # LSTMState(c, h)
            new_state = type(state)(*[keep(new, old) for new, old in zip(new_state, state)])
        else:
            new_state = keep(new_state, state)
        return tf.where(real, output, tf.zeros_like(output)), new_state


class _DeferredProducts(object):
    """Stands in for a cell's `recurrent` while it is unrolled (lever 3): each product is taken against a
    copy of W_h that passes no gradient, and each step's left-hand side is kept, by column block."""

    def __init__(self, cell, xw, reverse):
        self.cell, self.xw, self.reverse = cell, xw, reverse
        self.frozen = tf.stop_gradient(cell.W_h)
        self.blocks = collections.OrderedDict()  # (start, stop) -> (columns of the frozen W_h, [lhs per step])

    def __call__(self, lhs, start=0, stop=None):
        if (start, stop) not in self.blocks:
            W = self.frozen if (start, stop) == (0, None) else self.frozen[:, start:stop]
            self.blocks[(start, stop)] = (W, [])
        W, steps = self.blocks[(start, stop)]
        steps.append(lhs)
        return tf.matmul(lhs, W)

    def gradient(self, d_xw, towers):
        """dL/dW_h from d_xw = dL/d(xw), the gradient of this cell's tower-major, time-major [T*28*b, kH] inputs."""
        columns = []
        for (start, stop), (_, steps) in self.blocks.items():
            if self.reverse:  # a backward cell took each tower's steps last to first: back in time order
                n = len(steps) // towers
                steps = [x for k in range(towers) for x in steps[k * n:(k + 1) * n][::-1]]
            lhs = tf.concat(steps, axis=0)  # towers*28 x [b, rows] -> [T*28*b, rows]
            grad = d_xw if (start, stop) == (0, None) else d_xw[:, start:stop]
            columns.append(tf.matmul(lhs, grad, transpose_a=True))  # [rows, columns of the block]
        return tf.concat(columns, axis=1) if len(columns) > 1 else columns[0]


def _unroll_tower(pair, steps, batch, width, lengths):
    """One layer over one tower's 28 steps: (28 outputs [b, H*dirs], final h of each direction)."""
    if lengths is not None:  # static_rnn wants every input at least [b, 1]: 28 x ([b, kH*dirs], [b, 1] bool)
        steps = [(xw, tf.expand_dims(tf.less(t, lengths), 1)) for t, xw in enumerate(steps)]
    states = [cell.zero_state(batch, tf.float32) for cell in pair]
    h = lambda state: state.h if isinstance(state, tuple) else state
    if len(pair) == 1:
        outputs, state = static_rnn(_Projected(pair[0]), steps, initial_state=states[0])
        return outputs, [h(state)]
    outputs, state_fw, state_bw = static_bidirectional_rnn(
        _Projected(pair[0], (0, width)), _Projected(pair[1], (width, 2 * width)), steps,
        initial_state_fw=states[0], initial_state_bw=states[1])
    return outputs, [h(state_fw), h(state_bw)]  # fw: after the last real row; bw: after row 1


def unroll(layers, images, lengths, towers, batch, dropout, defer):
    """All layers the fast way: (final h of each direction of the last layer, [B, H] each; the deferred
    products to pass to `gradients`, empty unless `defer`).

    layers: one list of cells per layer (forward, and backward if bidirectional); images [B, 28, 28];
    lengths [B] or None; dropout: the model's function for the connections into each layer.
    """
    if towers > 1 and batch % towers:
        raise ValueError("batch size {} is not a multiple of towers={}".format(batch, towers))
    tower_batch = batch if towers == 1 else batch // towers  # the batch may be a tensor (evaluation)
    split = (lambda t: tf.split(t, towers, axis=0)) if towers > 1 else (lambda t: [t])  # -> T x [B/T, ...]
    tower_lengths = split(lengths) if lengths is not None else [None] * towers
    # Tower-major, then time-major: each step's rows are contiguous.
    x = tf.reshape(images, [towers, -1, NUM_STEPS, int(images.shape[2])])  # [B, 28, 28] -> [T, B/T, 28, 28]
    x = tf.transpose(x, [0, 2, 1, 3])                                      # -> [T, 28, B/T, 28]
    x = tf.reshape(x, [-1, int(images.shape[2])])                          # -> [T*28*B/T, 28]
    deferred, outputs = [], None
    for pair in layers:
        if outputs is not None:
            x = tf.concat(outputs, 0)  # T*28 x [B/T, H*dirs] -> [T*28*B/T, H*dirs]
        x = dropout(x)
        xws = [tf.matmul(x, cell.W_x) + cell.b for cell in pair]  # [T*28*B/T, in] -> [T*28*B/T, kH] per cell
        if defer:
            for cell, xw, reverse in zip(pair, xws, (False, True)):
                deferred.append(_DeferredProducts(cell, xw, reverse))
                cell.recurrent = deferred[-1]  # for this unroll only (deleted below)
        width = int(xws[0].shape[1])
        joined = tf.concat(xws, 1) if len(pair) > 1 else xws[0]  # both directions read one list of steps
        outputs, finals = [], []
        for part, part_lengths in zip(split(joined), tower_lengths):  # one [28*B/T, kH*dirs] per tower
            tower_outputs, tower_finals = _unroll_tower(pair, tf.split(part, NUM_STEPS, axis=0),  # 28 x [B/T, .]
                                                        tower_batch, width, part_lengths)
            outputs += tower_outputs
            finals.append(tower_finals)
        finals = [tf.concat(f, 0) if towers > 1 else f[0] for f in zip(*finals)]  # T x [B/T, H] -> [B, H]
        for cell in pair:
            cell.__dict__.pop("recurrent", None)  # the cell's own method again
    return finals, deferred


def gradients(objective, variables, deferred, towers, l2=0.0):
    """d objective / d variables, each W_h of a deferred cell as one matmul (lever 3); in `variables`' order."""
    by_cell = {d.cell.W_h.op.name: d for d in deferred}
    others = [v for v in variables if v.op.name not in by_cell]
    grads = tf.gradients(objective, others + [d.xw for d in deferred])
    by_name = {v.op.name: g for v, g in zip(others, grads)}
    for d, d_xw in zip(deferred, grads[len(others):]):
        by_name[d.cell.W_h.op.name] = d.gradient(d_xw, towers)
        if l2:  # the decay term, which the frozen copy kept from tf.gradients
            by_name[d.cell.W_h.op.name] += 2 * l2 * d.cell.W_h
    return [by_name[v.op.name] for v in variables]
