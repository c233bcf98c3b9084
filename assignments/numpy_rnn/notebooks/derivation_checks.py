"""The numerical checks that follow each part of the derivation in lstm_bptt.ipynb, keyed by the first word of the
part's heading; each runs on the LSTM code the notebook carries (assignments/numpy_rnn/lstm.py) and asserts."""

CHECKS = {
    "(a)": """# Check: the forward pass keeps C(t) = g*i + C(t-1)*f and h(t) = tanh(C(t))*o at every step.
rng = np.random.RandomState(0)
T, B, d, H, K = 5, 3, 4, 6, 2
params = init_params(d, H, K, seed=1)
params = {k: v + 0.1 * rng.randn(*v.shape) for k, v in params.items()}  # no special values
xs, ys = rng.randn(T, B, d), rng.randn(T, B, K)
steps = forward(params, xs)
gap = max(np.abs(s["c"] - (s["g"] * s["i"] + s["c_prev"] * s["f"])).max() + np.abs(s["h"] - np.tanh(s["c"]) * s["o"]).max()
          for s in steps)
print("largest gap in the forward equations: {:.1e}".format(gap)); assert gap < 1e-12""",
    "(b)": """# Check: dE/dW_y and dE/db_y against central finite differences.
def numeric(name, index, eps=1e-6):
    old = params[name][index]
    params[name][index] = old + eps; up = loss(params, xs, ys)
    params[name][index] = old - eps; down = loss(params, xs, ys)
    params[name][index] = old
    return (up - down) / (2 * eps)

E, grads, dCs, dhs = loss_and_grads(params, xs, ys, return_state_grads=True)
gap = max(abs(numeric(n, i) - grads[n][i]) for n in ("W_y", "b_y") for i in np.ndindex(params[n].shape))
print("dE/dW_y, dE/db_y: largest gap to finite differences {:.1e}".format(gap)); assert gap < 1e-6""",
    "(c)": """# Check both recurrences. dC(t): against nudging C(t) itself. dh(t): the written-out formula, from dh(t+1)
# and dC(t+1) only, against the backward pass.
gap_c = 0.0
for t in range(T):
    for b in range(B):
        for n in range(H):
            nudge = np.zeros((B, H)); nudge[b, n] = 1e-6
            num = (loss(params, xs, ys, c_nudge=(t, nudge)) - loss(params, xs, ys, c_nudge=(t, -nudge))) / 2e-6
            gap_c = max(gap_c, abs(num - dCs[t][b, n]))
W_ih, W_fh, W_oh, W_gh = np.split(params["W_h"], 4, axis=1)
gap_h = 0.0
for t in range(T - 1):
    s, nxt = steps[t], steps[t + 1]
    dh = (2 * (s["y_hat"] - ys[t]) @ params["W_y"].T
          + (dCs[t + 1] * nxt["g"] * nxt["i"] * (1 - nxt["i"])) @ W_ih.T
          + (dCs[t + 1] * s["c"] * nxt["f"] * (1 - nxt["f"])) @ W_fh.T
          + (dhs[t + 1] * np.tanh(nxt["c"]) * nxt["o"] * (1 - nxt["o"])) @ W_oh.T
          + (dCs[t + 1] * nxt["i"] * (1 - nxt["g"] ** 2)) @ W_gh.T)
    gap_h = max(gap_h, np.abs(dh - dhs[t]).max())
print("dC(t) against nudging C(t): {:.1e}; dh(t) written out against backward: {:.1e}".format(gap_c, gap_h))
assert gap_c < 1e-6 and gap_h < 1e-12""",
    "(d)": """# Check the four cases: each gate's dE/dw_mn as its sum over steps, against finite differences of W_h.
cases = {"input gate": (0, lambda s, dC, dh: dC * s["g"] * s["i"] * (1 - s["i"])),
         "forget gate": (1, lambda s, dC, dh: dC * s["c_prev"] * s["f"] * (1 - s["f"])),
         "output gate": (2, lambda s, dC, dh: dh * np.tanh(s["c"]) * s["o"] * (1 - s["o"])),
         "candidate": (3, lambda s, dC, dh: dC * s["i"] * (1 - s["g"] ** 2))}
m, n = 2, 4  # from unit m of h(t-1) into unit n of each gate
for gate, (block, local) in cases.items():
    formula = sum((s["h_prev"][:, m] * local(s, dCs[t], dhs[t])[:, n]).sum() for t, s in enumerate(steps))
    num = numeric("W_h", (m, block * H + n))
    print("{:12s} dE/dw_mn: formula {:+.8f}, finite differences {:+.8f}".format(gate, formula, num))
    assert abs(formula - num) < 1e-6""",
    "Why": """# Check the numbers of this section: the forget gate at initialisation (bias 1) and its product over 38 steps.
start = init_params(10, 128, 10, seed=0)
f0 = 1 / (1 + np.exp(-start["b"][128:256]))
print("sigma(1) = {:.4f}; 0.73^38 = {:.1e}; 0.5^38 = {:.1e}".format(f0.mean(), f0.mean() ** 38, 0.5 ** 38))
assert abs(f0.mean() - 0.7311) < 1e-4""",
}
