"""A two-layer ReLU RNN in NumPy with hand-written backpropagation through time, classifying at the last step.

    h1(t) = relu(x(t) W1x + h1(t-1) W1h + b1)          [B, H1]
    h2(t) = relu(h1(t) W2x + h2(t-1) W2h + b2)         [B, H2]
    p     = softmax(h2(T) Wo + bo)                      [B, K]
    L     = mean over the batch of -log p[label]

The recurrent matrices start at the identity (Le, Jaitly and Hinton 2015, "IRNN"): with ReLU units that lets
the state carry through 28 steps from the start, where a random start makes the gradient vanish or explode.
"""
import numpy as np

PARAMS = ("W1x", "W1h", "b1", "W2x", "W2h", "b2", "Wo", "bo")


def init_params(input_size, hidden, output_size, seed=0):
    rng = np.random.RandomState(seed)
    H1, H2 = hidden
    return {"W1x": rng.randn(input_size, H1) * 0.01, "W1h": np.eye(H1), "b1": np.zeros(H1),
            "W2x": rng.randn(H1, H2) * np.sqrt(2.0 / H1) * 0.5, "W2h": np.eye(H2), "b2": np.zeros(H2),
            "Wo": rng.randn(H2, output_size) * np.sqrt(1.0 / H2), "bo": np.zeros(output_size)}


def forward(params, xs):
    """xs [B, T, d] -> (class probabilities [B, K], the states kept for backward)."""
    B, T, _ = xs.shape
    h1 = np.zeros((B, params["W1h"].shape[0]))
    h2 = np.zeros((B, params["W2h"].shape[0]))
    states = []
    for t in range(T):
        h1_prev, h2_prev = h1, h2
        h1 = np.maximum(0.0, xs[:, t] @ params["W1x"] + h1_prev @ params["W1h"] + params["b1"])
        h2 = np.maximum(0.0, h1 @ params["W2x"] + h2_prev @ params["W2h"] + params["b2"])
        states.append((xs[:, t], h1_prev, h1, h2_prev, h2))
    logits = h2 @ params["Wo"] + params["bo"]
    logits -= logits.max(1, keepdims=True)  # the same softmax, without overflow
    p = np.exp(logits)
    return p / p.sum(1, keepdims=True), states


def loss(params, xs, labels):
    p, _ = forward(params, xs)
    return float(-np.log(p[np.arange(len(labels)), labels] + 1e-300).mean())


def loss_and_grads(params, xs, labels):
    """(mean cross-entropy, {name: gradient}, class probabilities)."""
    p, states = forward(params, xs)
    B = len(labels)
    L = float(-np.log(p[np.arange(B), labels] + 1e-300).mean())
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    d_logits = p.copy()
    d_logits[np.arange(B), labels] -= 1.0
    d_logits /= B                                           # dL/d logits of the mean
    h2_last = states[-1][4]
    grads["Wo"], grads["bo"] = h2_last.T @ d_logits, d_logits.sum(0)
    dh2 = d_logits @ params["Wo"].T                         # only the last step has an output
    dh1_next = np.zeros_like(states[0][2])
    for x, h1_prev, h1, h2_prev, h2 in reversed(states):
        da2 = dh2 * (h2 > 0)                                # relu'
        grads["W2x"] += h1.T @ da2
        grads["W2h"] += h2_prev.T @ da2
        grads["b2"] += da2.sum(0)
        dh1 = da2 @ params["W2x"].T + dh1_next
        da1 = dh1 * (h1 > 0)
        grads["W1x"] += x.T @ da1
        grads["W1h"] += h1_prev.T @ da1
        grads["b1"] += da1.sum(0)
        dh2 = da2 @ params["W2h"].T                         # back to h2(t-1)
        dh1_next = da1 @ params["W1h"].T                    # back to h1(t-1)
    return L, grads, p
