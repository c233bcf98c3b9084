"""LSTM, GRU and vanilla RNN cells written from scratch, for any unroller of the 28 rows.

Each cell keeps three variables under its own scope, and checkpoints depend on
these names and shapes (k = number of gate blocks, H = hidden units):

    <name>/W_x  [input_size, k*H]   input weights, all gates side by side
    <name>/W_h  [H, k*H]            recurrent weights, same gate order
    <name>/b    [k*H]               bias, same gate order

Initialisation, a deliberate choice: every [rows, H] gate block of W_x is
Glorot-uniform and every [H, H] block of W_h is orthogonal (so each gate starts
as if it had its own matrices); biases are zero except the LSTM forget gate,
which starts at 1.0 so that early in training the cell remembers by default
(Gers et al. 2000; Jozefowicz et al. 2015). Two of these are arguments, for
experiments on the starting weights: `recurrent_init="gaussian"`
draws W_h from N(0, 0.01^2) instead, and `keep_bias` sets the starting bias of
the gate that keeps the old state (the LSTM's forget gate, default 1.0; the
GRU's update gate z, default 0.0). The MNIST models use the defaults.

A cell is called as TensorFlow's own cells are, `cell(x, state) -> (output, new_state)`:
the input part xw = x W_x + b, then the step. The step itself is a pure
function of the projected input, the state and the recurrent weights,
`lstm_step(xw, state, W_h)`, so that an unroller
may compute xw for all 28 rows in one matmul first and pass any W_h it likes
(the loop calls the cell, which does both; an unroller may also pass a copy of
W_h per step, to take W_h's gradient in one matmul). Every product with
W_h is added to the columns of xw it belongs to before any nonlinearity, which is
what makes that split exact: each gate's pre-activation is the same sum either way.
"""
import collections

import numpy as np

from core.arch import GATE_BLOCKS
from core.tfcompat import tf

LSTMState = collections.namedtuple("LSTMState", ["c", "h"])


def lstm_step(xw, state, W_h):
    """One LSTM step: xw = x W_x + b [B, 4H] in gate order [i, f, o, g], state LSTMState(c, h), W_h [H, 4H]."""
    c_prev, h_prev = state
    gates = xw + tf.matmul(h_prev, W_h)  # [B, 4H], all four gates from one product
    i, f, o, g = tf.split(gates, 4, axis=1)  # gate order: i, f, o, g
    c = tf.tanh(g) * tf.sigmoid(i) + c_prev * tf.sigmoid(f)
    h = tf.tanh(c) * tf.sigmoid(o)
    return h, LSTMState(c, h)


def gru_step(xw, h_prev, W_h):
    """One GRU step: xw [B, 3H] in gate order [r, z, n], h_prev [B, H], W_h [H, 3H]."""
    H = int(h_prev.shape[1])
    xw_rz, xw_n = tf.split(xw, [2 * H, H], axis=1)  # gate order: r, z | n
    W_rz, W_n = tf.split(W_h, [2 * H, H], axis=1)  # [H, 3H] -> [H, 2H], [H, H]
    rz = tf.sigmoid(xw_rz + tf.matmul(h_prev, W_rz))  # [B, 2H]: h_prev times the r, z columns
    r, z = tf.split(rz, 2, axis=1)
    n = tf.tanh(xw_n + tf.matmul(r * h_prev, W_n))  # [B, H]: (r * h_prev) times the n columns
    h = n + z * (h_prev - n)  # = z * h_prev + (1 - z) * n, in three ops instead of four
    return h, h


def rnn_step(xw, h_prev, W_h):
    """One vanilla RNN step: xw [B, H], h_prev [B, H], W_h [H, H]."""
    h = tf.tanh(xw + tf.matmul(h_prev, W_h))  # [B, H]
    return h, h


RECURRENT_INITS = ("orthogonal", "gaussian")


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
    """What the three cells share: the variables and the cell contract (`cell(x, state)`, `zero_state`)."""

    NUM_BLOCKS = None  # gate blocks in W_x, W_h and b
    KEEP_BLOCK = None  # the block of the gate that keeps the old state (LSTM f, GRU z); None: no such gate
    KEEP_BIAS = 0.0  # its starting bias

    def __init__(self, num_units, name, recurrent_init="orthogonal", keep_bias=None):
        if recurrent_init not in RECURRENT_INITS:
            raise ValueError("recurrent_init is one of {}, not {!r}".format(RECURRENT_INITS, recurrent_init))
        if keep_bias is not None and self.KEEP_BLOCK is None:
            raise ValueError("a {} has no gate that keeps its state; keep_bias must be None".format(name))
        self.num_units = int(num_units)
        self.name = name
        self.recurrent_init = recurrent_init
        self.keep_bias = self.KEEP_BIAS if keep_bias is None else float(keep_bias)
        self.W_x = self.W_h = self.b = None

    def _bias_init(self):
        bias = np.zeros(self.NUM_BLOCKS * self.num_units, dtype=np.float32)
        if self.KEEP_BLOCK is not None:
            H = self.num_units
            bias[self.KEEP_BLOCK * H:(self.KEEP_BLOCK + 1) * H] = self.keep_bias
        return bias

    def build(self, input_size, seed=None):
        """Create the variables once, under `<name>/`; later calls do nothing. `seed`: the initializers'
        op seed (with the graph's seed it fixes the initial values)."""
        if self.W_x is not None:
            return
        width, k = self.NUM_BLOCKS * self.num_units, self.NUM_BLOCKS
        with tf.variable_scope(self.name):
            self.W_x = tf.get_variable("W_x", [input_size, width],
                                       initializer=_blockwise(tf.glorot_uniform_initializer, k, seed))
            recurrent = (tf.orthogonal_initializer if self.recurrent_init == "orthogonal" else
                         lambda seed: tf.random_normal_initializer(stddev=0.01, seed=seed))
            self.W_h = tf.get_variable("W_h", [self.num_units, width],
                                       initializer=_blockwise(recurrent, k, None if seed is None else seed + k))
            self.b = tf.get_variable("b", [width], initializer=tf.constant_initializer(self._bias_init()))

    def __call__(self, x, state, scope=None):
        self.build(int(x.shape[-1]))
        return self.step(tf.matmul(x, self.W_x) + self.b, state, self.W_h)  # [B, in] x [in, kH] -> [B, kH]

    step = None  # the cell's pure step function: step(xw, state, W_h) -> (output, new state)

    def variables(self):
        """Its variables in checkpoint order: W_x, W_h, b."""
        return [self.W_x, self.W_h, self.b]

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

    NUM_BLOCKS = GATE_BLOCKS["lstm"]  # [i, f, o, g]
    KEEP_BLOCK, KEEP_BIAS = 1, 1.0  # the forget gate, block 1 of [i, f, o, g], starts at 1.0

    @property
    def state_size(self):
        return LSTMState(self.num_units, self.num_units)

    def zero_state(self, batch_size, dtype):
        return LSTMState(tf.zeros([batch_size, self.num_units], dtype), tf.zeros([batch_size, self.num_units], dtype))

    step = staticmethod(lstm_step)


class GRUCell(_Cell):
    """Gated recurrent unit, as in Cho et al. 2014 (arXiv:1406.1078).

        r = sigmoid(W_rx x + W_rh h_prev + b_r)          reset gate
        z = sigmoid(W_zx x + W_zh h_prev + b_z)          update gate
        n = tanh   (W_nx x + W_nh (r * h_prev) + b_n)    candidate
        h = z * h_prev + (1 - z) * n

    Convention: the reset gate multiplies h_prev *before* the recurrent product
    (Cho's original; cuDNN and PyTorch apply r after it), and z = 1 keeps the
    old state. Gate order in W_x, W_h and b: [r, z, n]. State and output: h.
    All biases start at zero (keep_bias moves z's).
    """

    NUM_BLOCKS = GATE_BLOCKS["gru"]  # [r, z, n]
    KEEP_BLOCK = 1  # the update gate z, block 1 of [r, z, n]

    step = staticmethod(gru_step)


class RNNCell(_Cell):
    """Vanilla (Elman) recurrent cell, the baseline without gates.

        h = tanh(W_x x + W_h h_prev + b)

    One block: W_x [input_size, H], W_h [H, H] (orthogonal, like the gated
    cells' blocks), b [H] at zero. State and output: h. Gradients through 28
    of these steps shrink or grow with every tanh and W_h product, which is
    what the gates of the LSTM and GRU avoid.
    """

    NUM_BLOCKS = GATE_BLOCKS["rnn"]

    step = staticmethod(rnn_step)


CELLS = {"lstm": LSTMCell, "gru": GRUCell, "rnn": RNNCell}
