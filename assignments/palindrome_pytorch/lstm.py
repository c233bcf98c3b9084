"""The LSTM of the palindrome assignment, written from its equations, without nn.LSTM / nn.LSTMCell / nn.RNN.

For t = 1..T-1, with h(0) = c(0) = 0 (column-vector notation, as the assignment writes it):

    (1) g(t) = tanh(W_gx x(t) + W_gh h(t-1) + b_g)
    (2) i(t) = sigmoid(W_ix x(t) + W_ih h(t-1) + b_i)
    (3) f(t) = sigmoid(W_fx x(t) + W_fh h(t-1) + b_f)
    (4) o(t) = sigmoid(W_ox x(t) + W_oh h(t-1) + b_o)
    (5) c(t) = g(t) * i(t) + c(t-1) * f(t)
    (6) h(t) = tanh(c(t)) * o(t)
    (7) p(t) = W_ph h(t) + b_p
    (8) y~(t) = softmax(p(t))

Only the last step's p is returned (the logits; nn.CrossEntropyLoss applies (8) and the cross-entropy).
The assignment does not fix the initialisation; here every W_?x is Glorot-uniform, every W_?h orthogonal, and
the biases zero except b_f = 1 (the forget gate starts near sigmoid(1) = 0.73, so that the cell keeps most of
c(t-1) from the first step on). The vanilla RNN starts alike (vanilla_rnn.py).
"""
import torch
import torch.nn as nn


def _glorot(rows, cols):
    w = torch.empty(rows, cols)
    nn.init.xavier_uniform_(w)
    return nn.Parameter(w)


def _orthogonal(n):
    w = torch.empty(n, n)
    nn.init.orthogonal_(w)
    return nn.Parameter(w)


class LSTM(nn.Module):

    GATES = ("g", "i", "f", "o")

    def __init__(self, seq_length, input_dim, num_hidden, num_classes, batch_size=None, device="cpu"):
        super(LSTM, self).__init__()
        self.seq_length, self.input_dim, self.num_hidden = seq_length, input_dim, num_hidden
        for gate in self.GATES:  # W_gx [H, d], W_gh [H, H], b_g [H, 1], the assignment's shapes
            setattr(self, "W_{}x".format(gate), _glorot(num_hidden, input_dim))
            setattr(self, "W_{}h".format(gate), _orthogonal(num_hidden))
            setattr(self, "b_{}".format(gate), nn.Parameter(torch.full((num_hidden, 1), 1.0 if gate == "f" else 0.0)))
        self.W_ph = _glorot(num_classes, num_hidden)
        self.b_p = nn.Parameter(torch.zeros(num_classes, 1))
        self.to(device)

    def forward(self, x):
        """x [B, T-1] (input_dim 1) or [B, T-1, d] -> p [B, classes] at the last step."""
        if x.dim() == 2:
            x = x.unsqueeze(2)  # [B, T-1] -> [B, T-1, 1]
        batch = x.shape[0]
        h = torch.zeros(self.num_hidden, batch, device=x.device)  # columns are examples: [H, B]
        c = torch.zeros(self.num_hidden, batch, device=x.device)
        for t in range(x.shape[1]):
            x_t = x[:, t, :].t()  # [B, d] -> [d, B]
            g = torch.tanh(self.W_gx @ x_t + self.W_gh @ h + self.b_g)  # (1)
            i = torch.sigmoid(self.W_ix @ x_t + self.W_ih @ h + self.b_i)  # (2)
            f = torch.sigmoid(self.W_fx @ x_t + self.W_fh @ h + self.b_f)  # (3)
            o = torch.sigmoid(self.W_ox @ x_t + self.W_oh @ h + self.b_o)  # (4)
            c = g * i + c * f  # (5)
            h = torch.tanh(c) * o  # (6)
        p = self.W_ph @ h + self.b_p  # (7), [classes, B]
        return p.t()  # [B, classes]; (8) is in the loss
