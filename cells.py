"""LSTM, GRU and vanilla RNN cells written from scratch, for `static_rnn`.

Each cell keeps three variables under its own scope, and checkpoints depend on
these names and shapes (k = number of gate blocks, H = hidden units):

    <name>/W_x  [input_size, k*H]   input weights, all gates side by side
    <name>/W_h  [H, k*H]            recurrent weights, same gate order
    <name>/b    [k*H]               bias, same gate order

Initialisation, a deliberate choice: every [rows, H] gate block of W_x is
Glorot-uniform and every [H, H] block of W_h is orthogonal (so each gate starts
as if it had its own matrices); biases are zero except the LSTM forget gate,
which starts at 1.0 so that early in training the cell remembers by default
(Gers et al. 2000; Jozefowicz et al. 2015).

A cell is called the `static_rnn` way, `cell(x, state) -> (output, new_state)`,
which computes the input part x W_x + b and then `step`. `step(xw, state)` is
the rest of the equations given xw = x W_x + b, so that a caller may compute
the input part of all 28 rows in one matmul first (helpers/speed.py does). Every
product with the recurrent weights goes through `recurrent(lhs, start, stop)`,
lhs W_h[:, start:stop]; helpers/speed.py replaces it on a cell to compute W_h's
gradient in one matmul after the backward pass.
"""
import collections

import numpy as np

from helpers.tfcompat import tf

LSTMState = collections.namedtuple("LSTMState", ["c", "h"])


def _blockwise(make_initializer, num_blocks, seed):
    """An initializer for a [rows, k*H] matrix that fills each [rows, H] gate block separately
    (block k from op seed seed + k, so that the values do not depend on the order ops are made in)."""
    def initializer(shape, dtype=tf.float32, partition_info=None):
        rows, cols = [int(d) for d in shape]
        block = [rows, cols // num_blocks]
        return tf.concat([make_initializer(seed=None if seed is None else seed + k)(block, dtype=dtype)
                          for k in range(num_blocks)], axis=1)
    return initializer


class _Cell(object):
    """What the three cells share: the variables and the static_rnn contract."""

    NUM_BLOCKS = None  # gate blocks in W_x, W_h and b

    def __init__(self, num_units, name):
        self.num_units = int(num_units)
        self.name = name
        self.W_x = self.W_h = self.b = None

    def _bias_init(self):
        return np.zeros(self.NUM_BLOCKS * self.num_units, dtype=np.float32)

    def build(self, input_size, seed=None):
        """Create the variables once, under `<name>/`; later calls do nothing. `seed`: the initializers'
        op seed (with the graph's seed it fixes the initial values)."""
        if self.W_x is not None:
            return
        width, k = self.NUM_BLOCKS * self.num_units, self.NUM_BLOCKS
        with tf.variable_scope(self.name):
            self.W_x = tf.get_variable("W_x", [input_size, width],
                                       initializer=_blockwise(tf.glorot_uniform_initializer, k, seed))
            self.W_h = tf.get_variable("W_h", [self.num_units, width],
                                       initializer=_blockwise(tf.orthogonal_initializer, k, None if seed is None
                                                              else seed + k))
            self.b = tf.get_variable("b", [width], initializer=tf.constant_initializer(self._bias_init()))

    def recurrent(self, lhs, start=0, stop=None):
        """lhs W_h[:, start:stop]: the product with the recurrent weights (all gate columns by default)."""
        W = self.W_h if start == 0 and stop is None else self.W_h[:, start:stop]
        return tf.matmul(lhs, W)

    def __call__(self, x, state, scope=None):
        self.build(int(x.shape[-1]))
        return self.step(tf.matmul(x, self.W_x) + self.b, state)

    def step(self, xw, state):
        """One time step given the input part xw = x W_x + b ([B, k*H]): (output, new state)."""
        raise NotImplementedError

    @property
    def output_size(self):
        return self.num_units

    @property
    def state_size(self):  # h alone, [B, H]; the LSTM's is LSTMState(c, h)
        return self.num_units

    def zero_state(self, batch_size, dtype):
        return tf.zeros([batch_size, self.num_units], dtype)


class LSTMCell(_Cell):
    """Long short-term memory cell (Hochreiter & Schmidhuber 1997, with a forget gate).

        i = sigmoid(W_ix x + W_ih h_prev + b_i)     input gate
        f = sigmoid(W_fx x + W_fh h_prev + b_f)     forget gate (b_f starts at 1.0)
        o = sigmoid(W_ox x + W_oh h_prev + b_o)     output gate
        g = tanh   (W_gx x + W_gh h_prev + b_g)     candidate
        c = g * i + c_prev * f
        h = tanh(c) * o

    Gate order in W_x, W_h and b: [i, f, o, g]. State: LSTMState(c, h);
    output: h.
    """

    NUM_BLOCKS = 4

    def _bias_init(self):
        bias = np.zeros(4 * self.num_units, dtype=np.float32)
        bias[self.num_units:2 * self.num_units] = 1.0  # forget gate, block 1 of [i, f, o, g]
        return bias

    @property
    def state_size(self):
        return LSTMState(self.num_units, self.num_units)

    def zero_state(self, batch_size, dtype):
        return LSTMState(tf.zeros([batch_size, self.num_units], dtype), tf.zeros([batch_size, self.num_units], dtype))

    def step(self, xw, state):
        c_prev, h_prev = state
        gates = xw + self.recurrent(h_prev)  # [B, 4H], all four gates from one product
        i, f, o, g = tf.split(gates, 4, axis=1)  # gate order: i, f, o, g
        c = tf.tanh(g) * tf.sigmoid(i) + c_prev * tf.sigmoid(f)
        h = tf.tanh(c) * tf.sigmoid(o)
        return h, LSTMState(c, h)


class GRUCell(_Cell):
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

    def step(self, xw, state):
        h_prev, H = state, self.num_units
        xw_rz, xw_n = tf.split(xw, [2 * H, H], axis=1)  # gate order: r, z | n
        rz = tf.sigmoid(xw_rz + self.recurrent(h_prev, 0, 2 * H))  # [B, 2H]: h_prev times the r, z columns
        r, z = tf.split(rz, 2, axis=1)
        n = tf.tanh(xw_n + self.recurrent(r * h_prev, 2 * H))  # [B, H]: (r * h_prev) times the n columns
        h = n + z * (h_prev - n)  # = z * h_prev + (1 - z) * n, in three ops instead of four
        return h, h


class RNNCell(_Cell):
    """Vanilla (Elman) recurrent cell, the baseline without gates.

        h = tanh(W_x x + W_h h_prev + b)

    One block: W_x [input_size, H], W_h [H, H] (orthogonal, like the gated
    cells' blocks), b [H] at zero. State and output: h. Gradients through 28
    of these steps shrink or grow with every tanh and W_h product, which is
    what the gates of the LSTM and GRU avoid.
    """

    NUM_BLOCKS = 1

    def step(self, xw, state):
        h = tf.tanh(xw + self.recurrent(state))  # [B, H]
        return h, h


CELLS = {"lstm": LSTMCell, "gru": GRUCell, "rnn": RNNCell}
