"""One step of each cell in NumPy, the equations and gate orders of cells.py: the one NumPy forward pass,
used by --explain (core/explain.py) and by any check of the cells against NumPy. xw = x W_x + b for the step;
every gate and state comes back by name."""
import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def lstm_step(xw, state, W_h):
    """state = (c, h); gate order [i, f, o, g] (g is the lecture's C~)."""
    c_prev, h_prev = state
    H = W_h.shape[0]
    a = xw + h_prev @ W_h  # [B, 4H]
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 2 * H:3 * H])
    g = np.tanh(a[:, 3 * H:])
    c = g * i + c_prev * f
    return {"i": i, "f": f, "o": o, "g": g, "c": c, "h": np.tanh(c) * o}


def gru_step(xw, h_prev, W_h):
    """Gate order [r, z, n]; r scales h_prev before the recurrent product (Cho et al. 2014)."""
    H = W_h.shape[0]
    rz = sigmoid(xw[:, :2 * H] + h_prev @ W_h[:, :2 * H])
    r, z = rz[:, :H], rz[:, H:]
    n = np.tanh(xw[:, 2 * H:] + (r * h_prev) @ W_h[:, 2 * H:])
    return {"r": r, "z": z, "n": n, "h": z * h_prev + (1 - z) * n}


def rnn_step(xw, h_prev, W_h):
    return {"h": np.tanh(xw + h_prev @ W_h)}


STEPS = {"lstm": lstm_step, "gru": gru_step, "rnn": rnn_step}


def state_of(model, step):
    """The state the next step reads."""
    return (step["c"], step["h"]) if model == "lstm" else step["h"]
