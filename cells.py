"""LSTM, GRU and vanilla RNN cells written from scratch, for `static_rnn`.

Each cell keeps three variables under its own scope, and checkpoints depend on
these names and shapes (k = number of gate blocks, H = hidden units):

    <name>/W_x  [input_size, k*H]   input weights, all gates side by side
    <name>/W_h  [H, k*H]            recurrent weights, same gate order
    <name>/b    [k*H]               bias, same gate order

Keeping the input weights apart from the recurrent ones lets the model compute
x @ W_x + b for all 28 time steps in one matmul before the time loop
(`project_inputs` + `Preprojected`), so only h @ W_h stays inside the loop.

Initialisation, a deliberate choice: every [rows, H] gate block of W_x is
Glorot-uniform and every [H, H] block of W_h is orthogonal (so each gate starts
as if it had its own matrices); biases are zero except the LSTM forget gate,
which starts at 1.0 so that early in training the cell remembers by default
(Gers et al. 2000; Jozefowicz et al. 2015).

With `defer_recurrent_gradient=True` (what the model uses) the per-step
product lhs @ W_h passes no gradient to W_h; the cell records each step's
left-hand side instead, and `recurrent_gradient` forms
dL/dW_h = sum_t lhs_t^T dL/d(xw_t) as one [H, T*B] x [T*B, k*H] matmul after
the backward pass, which a CPU runs about twice as efficiently as 28 small
ones plus their sum. It may use dL/d(xw) because every recurrent product is
added to the same columns of xw before any nonlinearity, so both receive the
same gradient.

The cells follow the `static_rnn` contract of TF 1.5 and 2.x: `state_size`,
`output_size`, `zero_state(batch_size, dtype)` and
`__call__(inputs, state, scope=None) -> (output, new_state)`.
"""
import numpy as np

from tfcompat import tf


def _blockwise(make_initializer, num_blocks):
    """An initializer for a [rows, k*H] matrix that fills each [rows, H] gate block separately."""
    def initializer(shape, dtype=tf.float32, partition_info=None):
        rows, cols = [int(d) for d in shape]
        block = [rows, cols // num_blocks]
        return tf.concat([make_initializer()(block, dtype=dtype) for _ in range(num_blocks)], axis=1)
    return initializer


class _GatedCell(object):
    """Shared plumbing: variables, input projection and the static_rnn contract."""

    NUM_BLOCKS = None  # gate blocks in W_x, W_h and b

    def __init__(self, num_units, name, defer_recurrent_gradient=False):
        self.num_units = int(num_units)
        self.name = name
        self.defer_recurrent_gradient = defer_recurrent_gradient
        self.W_x = self.W_h = self.b = None
        self.recurrent_inputs = []  # (column block, lhs) of every step, when deferring

    def _bias_init(self):
        return np.zeros(self.NUM_BLOCKS * self.num_units, dtype=np.float32)

    def build(self, input_size):
        """Create the variables once, under `<name>/`; later calls do nothing."""
        if self.W_x is not None:
            return
        width = self.NUM_BLOCKS * self.num_units
        with tf.variable_scope(self.name):
            self.W_x = tf.get_variable(
                "W_x", [input_size, width],
                initializer=_blockwise(tf.glorot_uniform_initializer, self.NUM_BLOCKS))
            self.W_h = tf.get_variable(
                "W_h", [self.num_units, width],
                initializer=_blockwise(tf.orthogonal_initializer, self.NUM_BLOCKS))
            self.b = tf.get_variable("b", [width], initializer=tf.constant_initializer(self._bias_init()))
        # What the time loop multiplies by: W_h itself, or a copy that passes no gradient.
        W = tf.stop_gradient(self.W_h) if self.defer_recurrent_gradient else self.W_h
        self._blocks = [W[:, start:stop] for start, stop in self._recurrent_blocks()]

    def _recurrent_blocks(self):
        """Column ranges of W_h that multiply the same left-hand side in a step."""
        return [(0, self.NUM_BLOCKS * self.num_units)]

    def _recurrent(self, lhs, block):
        """lhs @ W_h[:, block columns], recorded for `recurrent_gradient` when deferring."""
        if self.defer_recurrent_gradient:
            self.recurrent_inputs.append((block, lhs))
        return tf.matmul(lhs, self._blocks[block])

    def recurrent_gradient(self, d_xw, reverse=False, towers=1):
        """dL/dW_h from d_xw = dL/d(xw), the gradient of the time-major projected inputs [T*B, k*H].

        Needs one recorded step per T (the steps of one static_rnn), in order
        of processing; `reverse` for a backward cell, which processed step T first.
        With towers, d_xw holds the towers one after the other ([towers*T*b, k*H])
        and the cell recorded each tower's static_rnn in turn.
        """
        columns = []
        for block, (start, stop) in enumerate(self._recurrent_blocks()):
            steps = [x for b, x in self.recurrent_inputs if b == block]
            if reverse:  # each tower's steps back in time order, the towers kept in order
                n = len(steps) // towers
                steps = [x for k in range(towers) for x in steps[k * n:(k + 1) * n][::-1]]
            lhs = tf.concat(steps, axis=0)  # T x [B, rows] -> [T*B, rows]
            grad = d_xw if stop - start == self.NUM_BLOCKS * self.num_units else d_xw[:, start:stop]
            columns.append(tf.matmul(lhs, grad, transpose_a=True))  # [rows, stop - start]
        return tf.concat(columns, axis=1) if len(columns) > 1 else columns[0]

    def project_inputs(self, x):
        """x @ W_x + b for any number of rows: [N, input_size] -> [N, k*H]."""
        return tf.matmul(x, self.W_x) + self.b

    def __call__(self, inputs, state, scope=None):
        self.build(int(inputs.shape[-1]))
        return self.step(self.project_inputs(inputs), state)

    def step(self, xw, state):
        """One time step given the projected input xw = x @ W_x + b ([B, k*H])."""
        raise NotImplementedError

    @property
    def output_size(self):
        return self.num_units

    # The state is h alone ([B, H]); the LSTM overrides these for its (c, h).
    @property
    def state_size(self):
        return self.num_units

    def zero_state(self, batch_size, dtype):
        return tf.zeros([batch_size, self.num_units], dtype)


class LSTMCell(_GatedCell):
    """Long short-term memory cell (Hochreiter & Schmidhuber 1997, with a forget gate).

        i = sigmoid(W_ix x + W_ih h_prev + b_i)     input gate
        f = sigmoid(W_fx x + W_fh h_prev + b_f)     forget gate (b_f starts at 1.0)
        o = sigmoid(W_ox x + W_oh h_prev + b_o)     output gate
        g = tanh   (W_gx x + W_gh h_prev + b_g)     candidate
        c = g * i + c_prev * f
        h = tanh(c) * o

    Gate order in W_x, W_h and b: [i, f, o, g]. State: the tuple (c, h);
    output: h.
    """

    NUM_BLOCKS = 4

    def _bias_init(self):
        bias = np.zeros(4 * self.num_units, dtype=np.float32)
        bias[self.num_units:2 * self.num_units] = 1.0  # forget gate, block 1 of [i, f, o, g]
        return bias

    @property
    def state_size(self):
        return (self.num_units, self.num_units)

    def zero_state(self, batch_size, dtype):
        return (tf.zeros([batch_size, self.num_units], dtype), tf.zeros([batch_size, self.num_units], dtype))

    def step(self, xw, state):
        c_prev, h_prev = state
        gates = xw + self._recurrent(h_prev, 0)  # [B, 4H]
        # One 4-way split (its gradient is one concat) beat a split into [3H, H] with one sigmoid
        # over the three gates by 3-5% at LSTM-128 (benchmarks/README.md).
        i, f, o, g = tf.split(gates, 4, axis=1)  # gate order: i, f, o, g
        c = tf.tanh(g) * tf.sigmoid(i) + c_prev * tf.sigmoid(f)
        h = tf.tanh(c) * tf.sigmoid(o)
        return h, (c, h)


class GRUCell(_GatedCell):
    """Gated recurrent unit, as in Cho et al. 2014 (arXiv:1406.1078).

        r = sigmoid(W_rx x + W_rh h_prev + b_r)          reset gate
        z = sigmoid(W_zx x + W_zh h_prev + b_z)          update gate
        n = tanh   (W_nx x + W_nh (r * h_prev) + b_n)    candidate
        h = z * h_prev + (1 - z) * n

    Convention: the reset gate multiplies h_prev *before* the recurrent product
    (Cho's original; cuDNN and PyTorch apply r after it), and z = 1 keeps the
    old state. Gate order in W_x, W_h and b: [r, z, n]. State and output: h.
    All biases start at zero.
    """

    NUM_BLOCKS = 3

    def _recurrent_blocks(self):
        # h_prev multiplies the r and z columns, r * h_prev the n columns: [H, 3H] -> [H, 2H], [H, H].
        return [(0, 2 * self.num_units), (2 * self.num_units, 3 * self.num_units)]

    def step(self, xw, state):
        h_prev = state
        H = self.num_units
        xw_rz, xw_n = tf.split(xw, [2 * H, H], axis=1)  # gate order: r, z | n
        rz = tf.sigmoid(xw_rz + self._recurrent(h_prev, 0))  # [B, 2H]
        r, z = tf.split(rz, 2, axis=1)
        n = tf.tanh(xw_n + self._recurrent(r * h_prev, 1))  # [B, H]
        h = n + z * (h_prev - n)  # = z * h_prev + (1 - z) * n, in three ops instead of four
        return h, h


class RNNCell(_GatedCell):
    """Vanilla (Elman) recurrent cell, the baseline without gates.

        h = tanh(W_x x + W_h h_prev + b)

    One block: W_x [input_size, H], W_h [H, H] (orthogonal, like the gated
    cells' blocks), b [H] at zero. State and output: h. Gradients through 28
    of these steps shrink or grow with every tanh and W_h product, which is
    what the gates of the LSTM and GRU avoid.
    """

    NUM_BLOCKS = 1

    def step(self, xw, state):
        h = tf.tanh(xw + self._recurrent(state, 0))  # [B, H]
        return h, h


class Preprojected(object):
    """Lets `static_rnn` drive a cell whose inputs were already projected.

    The model computes xw = x @ W_x + b for every time step in one matmul and
    feeds 28 x [B, k*H] to static_rnn through this adapter, which only does
    the recurrent part (`cell.step`). Same variables, same results. With
    `columns=(start, stop)` the cell reads only those columns of each step:
    the two directions of a bidirectional layer share one list of steps. A
    step given as (xw, real) with `real` a [B, 1] bool marks the examples whose
    sequence has ended: their state is kept and their output is zero.
    """

    def __init__(self, cell, columns=None):
        self.cell = cell
        self.columns = columns

    @property
    def state_size(self):
        return self.cell.state_size

    @property
    def output_size(self):
        return self.cell.output_size

    def zero_state(self, batch_size, dtype):
        return self.cell.zero_state(batch_size, dtype)

    def __call__(self, inputs, state, scope=None):
        xw, real = inputs if isinstance(inputs, tuple) else (inputs, None)  # real: [B, 1] bool, or no masking
        if self.columns:
            xw = xw[:, self.columns[0]:self.columns[1]]  # [B, 2kH] -> [B, kH]: this direction's projection
        output, new_state = self.cell.step(xw, state)
        if real is None:
            return output, new_state
        # Past an example's last real step its state stays and its output is zero (tf.where picks rows).
        real = real[:, 0]  # [B, 1] -> [B]
        keep = lambda new, old: tf.where(real, new, old)
        new_state = tuple(map(keep, new_state, state)) if isinstance(state, tuple) else keep(new_state, state)
        return tf.where(real, output, tf.zeros_like(output)), new_state


CELLS = {"lstm": LSTMCell, "gru": GRUCell, "rnn": RNNCell}
