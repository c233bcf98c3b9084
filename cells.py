"""LSTM and GRU cells written from scratch, for `static_rnn`.

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

    def __init__(self, num_units, name):
        self.num_units = int(num_units)
        self.name = name
        self.W_x = self.W_h = self.b = None

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


class LSTMCell(_GatedCell):
    """Long short-term memory cell (Hochreiter & Schmidhuber 1997, with a forget gate).

        g = tanh   (W_gx x + W_gh h_prev + b_g)     candidate
        i = sigmoid(W_ix x + W_ih h_prev + b_i)     input gate
        f = sigmoid(W_fx x + W_fh h_prev + b_f)     forget gate (b_f starts at 1.0)
        o = sigmoid(W_ox x + W_oh h_prev + b_o)     output gate
        c = g * i + c_prev * f
        h = tanh(c) * o

    Gate order in W_x, W_h and b: [i, f, g, o]. State: the tuple (c, h); output: h.
    """

    NUM_BLOCKS = 4

    def _bias_init(self):
        bias = np.zeros(4 * self.num_units, dtype=np.float32)
        bias[self.num_units:2 * self.num_units] = 1.0  # forget gate, block 1 of [i, f, g, o]
        return bias

    @property
    def state_size(self):
        return (self.num_units, self.num_units)

    def zero_state(self, batch_size, dtype):
        return (tf.zeros([batch_size, self.num_units], dtype), tf.zeros([batch_size, self.num_units], dtype))

    def step(self, xw, state):
        c_prev, h_prev = state
        gates = xw + tf.matmul(h_prev, self.W_h)  # [B, 4H]
        i, f, g, o = tf.split(gates, 4, axis=1)  # gate order: i, f, g, o
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

    def build(self, input_size):
        if self.W_x is not None:
            return
        super(GRUCell, self).build(input_size)
        # Sliced once here, not per step: [H, 3H] -> [H, 2H] for r and z, [H, H] for n.
        self._W_h_rz = self.W_h[:, :2 * self.num_units]
        self._W_h_n = self.W_h[:, 2 * self.num_units:]

    @property
    def state_size(self):
        return self.num_units

    def zero_state(self, batch_size, dtype):
        return tf.zeros([batch_size, self.num_units], dtype)

    def step(self, xw, state):
        h_prev = state
        H = self.num_units
        xw_rz, xw_n = xw[:, :2 * H], xw[:, 2 * H:]  # gate order: r, z | n
        rz = tf.sigmoid(xw_rz + tf.matmul(h_prev, self._W_h_rz))  # [B, 2H]
        r, z = tf.split(rz, 2, axis=1)
        n = tf.tanh(xw_n + tf.matmul(r * h_prev, self._W_h_n))  # [B, H]
        h = z * h_prev + (1.0 - z) * n
        return h, h


class Preprojected(object):
    """Lets `static_rnn` drive a cell whose inputs were already projected.

    The model computes xw = x @ W_x + b for every time step in one matmul and
    feeds 28 x [B, k*H] to static_rnn through this adapter, which only does
    the recurrent part (`cell.step`). Same variables, same results.
    """

    def __init__(self, cell):
        self.cell = cell

    @property
    def state_size(self):
        return self.cell.state_size

    @property
    def output_size(self):
        return self.cell.output_size

    def zero_state(self, batch_size, dtype):
        return self.cell.zero_state(batch_size, dtype)

    def __call__(self, xw, state, scope=None):
        return self.cell.step(xw, state)


CELLS = {"lstm": LSTMCell, "gru": GRUCell}
