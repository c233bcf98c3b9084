"""The numerical checks that follow each part of the derivation in lstm_bptt.ipynb, keyed by the first word of the
part's heading; each runs on the LSTM code the notebook carries (assignments/numpy_rnn/lstm.py) and asserts."""

CHECKS = {
    "(a)": """# Check: the forward pass keeps C(t) = C~*i + C(t-1)*f and h(t) = tanh(C(t))*o at every step (the code calls C~ g).
rng = np.random.RandomState(0)
T, B, d, H, K = 5, 3, 4, 6, 2
params = init_params(d, H, K, seed=1)
params = {k: v + 0.1 * rng.randn(*v.shape) for k, v in params.items()}  # no special values
xs, ys = rng.randn(T, B, d), rng.randn(T, B, K)
steps = forward(params, xs)
gap = max(np.abs(s["c"] - (s["g"] * s["i"] + s["c_prev"] * s["f"])).max() + np.abs(s["h"] - np.tanh(s["c"]) * s["o"]).max()
          for s in steps)
print("largest gap in the forward equations: {:.1e}".format(gap)); assert gap < 1e-12""",
    "(b)": """# Check: dE/dW_y and dE/db_y, then the four cases i-iv (each dE/dw_ij as its sum over steps), against
# central finite differences. The code stores the gates side by side in W_h, in the order [i, f, o, C~].
def numeric(name, index, eps=1e-6):
    old = params[name][index]
    params[name][index] = old + eps; up = loss(params, xs, ys)
    params[name][index] = old - eps; down = loss(params, xs, ys)
    params[name][index] = old
    return (up - down) / (2 * eps)

E, grads, dCs, dhs = loss_and_grads(params, xs, ys, return_state_grads=True)
gap = max(abs(numeric(n, k) - grads[n][k]) for n in ("W_y", "b_y") for k in np.ndindex(params[n].shape))
print("dE/dW_y, dE/db_y: largest gap to finite differences {:.1e}".format(gap)); assert gap < 1e-6
cases = {"i. input gate": (0, lambda s, dC, dh: dC * s["g"] * s["i"] * (1 - s["i"])),
         "ii. forget gate": (1, lambda s, dC, dh: dC * s["c_prev"] * s["f"] * (1 - s["f"])),
         "iii. candidate": (3, lambda s, dC, dh: dC * s["i"] * (1 - s["g"] ** 2)),
         "iv. output gate": (2, lambda s, dC, dh: dh * np.tanh(s["c"]) * s["o"] * (1 - s["o"]))}
i, j = 2, 4  # from unit i of h(t-1) into unit j of each gate
for case, (block, local) in cases.items():
    formula = sum((s["h_prev"][:, i] * local(s, dCs[t], dhs[t])[:, j]).sum() for t, s in enumerate(steps))
    num = numeric("W_h", (i, block * H + j))
    print("{:16s} dE/dw_ij: formula {:+.8f}, finite differences {:+.8f}".format(case, formula, num))
    assert abs(formula - num) < 1e-6""",
    "(c)": """# Check both recurrences. dC(t): against nudging C(t) itself. dh(t): the written-out formula, from dh(t+1)
# and dC(t+1) only, against the backward pass.
gap_c = 0.0
for t in range(T):
    for b in range(B):
        for n in range(H):
            nudge = np.zeros((B, H)); nudge[b, n] = 1e-6
            num = (loss(params, xs, ys, c_nudge=(t, nudge)) - loss(params, xs, ys, c_nudge=(t, -nudge))) / 2e-6
            gap_c = max(gap_c, abs(num - dCs[t][b, n]))
W_h_i, W_h_f, W_h_o, W_h_C = np.split(params["W_h"], 4, axis=1)
gap_h = 0.0
for t in range(T - 1):
    s, nxt = steps[t], steps[t + 1]
    dh = (2 * (s["y_hat"] - ys[t]) @ params["W_y"].T
          + (dCs[t + 1] * nxt["g"] * nxt["i"] * (1 - nxt["i"])) @ W_h_i.T
          + (dCs[t + 1] * s["c"] * nxt["f"] * (1 - nxt["f"])) @ W_h_f.T
          + (dCs[t + 1] * nxt["i"] * (1 - nxt["g"] ** 2)) @ W_h_C.T
          + (dhs[t + 1] * np.tanh(nxt["c"]) * nxt["o"] * (1 - nxt["o"])) @ W_h_o.T)
    gap_h = max(gap_h, np.abs(dh - dhs[t]).max())
print("dC(t) against nudging C(t): {:.1e}; dh(t) written out against backward: {:.1e}".format(gap_c, gap_h))
assert gap_c < 1e-6 and gap_h < 1e-12""",
    "(d)": """# Check the numbers of (d): the forget gate at initialisation (bias 1) and its product over 40 steps.
start = init_params(10, 128, 10, seed=0)
f0 = 1 / (1 + np.exp(-start["b"][128:256]))
print("sigma(1) = {:.4f}; sigma(1)^40 = {:.1e}; 0.5^40 = {:.1e}".format(f0.mean(), f0.mean() ** 40, 0.5 ** 40))
assert abs(f0.mean() - 0.7311) < 1e-4""",
}
