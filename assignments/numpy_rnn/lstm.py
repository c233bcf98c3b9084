"""An LSTM in NumPy with hand-written backpropagation through time (assignments/numpy_rnn/lstm_bptt.md, same notation).

The equations and gate order are those of cells.LSTMCell, with a linear output read at every step:

    a(t)  = x(t) W_x + h(t-1) W_h + b                 [B, 4H], gate order [i, f, o, g]
    i, f, o = sigmoid(a_i), sigmoid(a_f), sigmoid(a_o);   g = tanh(a_g)    (g is the lecture's C~)
    C(t)  = g * i + C(t-1) * f
    h(t)  = tanh(C(t)) * o
    y^(t) = h(t) W_y + b_y                            [B, K]
    E     = sum over t, examples and outputs of (y^(t) - y(t))^2

xs is [T, B, d], ys is [T, B, K]; h(0) = C(0) = 0.
"""
import numpy as np

from core.numpy_steps import lstm_step

PARAMS = ("W_x", "W_h", "b", "W_y", "b_y")


def init_params(input_size, hidden_size, output_size, seed=0, dtype=np.float64):
    """Random parameters named as in the derivation; the forget-gate bias starts at 1.0, as in cells.py."""
    rng = np.random.RandomState(seed)
    H = hidden_size
    params = {"W_x": rng.uniform(-1, 1, (input_size, 4 * H)) / np.sqrt(input_size),
              "W_h": rng.uniform(-1, 1, (H, 4 * H)) / np.sqrt(H),
              "b": np.zeros(4 * H), "W_y": rng.uniform(-1, 1, (H, output_size)) / np.sqrt(H),
              "b_y": np.zeros(output_size)}
    params["b"][H:2 * H] = 1.0
    return {k: v.astype(dtype) for k, v in params.items()}


def forward(params, xs, c_nudge=None):
    """Every step's values, kept for the backward pass. `c_nudge` (t, array) adds to C(t) after it is computed:
    the finite-difference check of dE/dC(t) uses it."""
    T, B, _ = xs.shape
    H = params["W_h"].shape[0]
    h, c = np.zeros((B, H), xs.dtype), np.zeros((B, H), xs.dtype)
    steps = []
    for t in range(T):
        c_prev, h_prev = c, h
        step = lstm_step(xs[t] @ params["W_x"] + params["b"], (c_prev, h_prev), params["W_h"])  # gates i, f, o, g
        c, h = step["c"], step["h"]
        if c_nudge is not None and c_nudge[0] == t:
            c = c + c_nudge[1]
            h = np.tanh(c) * step["o"]
        step.update(x=xs[t], h_prev=h_prev, c_prev=c_prev, c=c, h=h, y_hat=h @ params["W_y"] + params["b_y"])
        steps.append(step)
    return steps


def loss(params, xs, ys, c_nudge=None):
    return float(sum(((s["y_hat"] - y) ** 2).sum() for s, y in zip(forward(params, xs, c_nudge), ys)))


def loss_and_grads(params, xs, ys, return_state_grads=False):
    """(E, {name: dE/dname}); with return_state_grads also the lists dE/dC(t) and dE/dh(t), t = 1..T."""
    steps = forward(params, xs)
    E = float(sum(((s["y_hat"] - y) ** 2).sum() for s, y in zip(steps, ys)))
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    H = params["W_h"].shape[0]
    dh_next = np.zeros_like(steps[0]["h"])  # dE/dh(t) through h(t+1): da(t+1) W_h^T
    dc_next = np.zeros_like(steps[0]["c"])  # dE/dC(t+1), to carry back through f(t+1)
    f_next = np.zeros_like(steps[0]["f"])
    dCs, dhs = [None] * len(steps), [None] * len(steps)
    for t in reversed(range(len(steps))):
        s = steps[t]
        dy = 2.0 * (s["y_hat"] - ys[t])                      # dE/dy^(t)
        grads["W_y"] += s["h"].T @ dy
        grads["b_y"] += dy.sum(0)
        dh = dy @ params["W_y"].T + dh_next                   # the h recurrence
        tanh_c = np.tanh(s["c"])
        dc = dh * s["o"] * (1.0 - tanh_c ** 2) + dc_next * f_next  # the C recurrence: the additive path
        dCs[t], dhs[t] = dc, dh
        d_o, d_i, d_g, d_f = dh * tanh_c, dc * s["g"], dc * s["i"], dc * s["c_prev"]
        da = np.concatenate([d_i * s["i"] * (1 - s["i"]), d_f * s["f"] * (1 - s["f"]),
                             d_o * s["o"] * (1 - s["o"]), d_g * (1 - s["g"] ** 2)], axis=1)  # [B, 4H]: i, f, o, g
        grads["W_x"] += s["x"].T @ da
        grads["W_h"] += s["h_prev"].T @ da                    # dE/dw_mn for a weight from h_m(t-1)
        grads["b"] += da.sum(0)
        dh_next, dc_next, f_next = da @ params["W_h"].T, dc, s["f"]
    assert grads["W_h"].shape == (H, 4 * H)
    if return_state_grads:
        return E, grads, dCs, dhs
    return E, grads
