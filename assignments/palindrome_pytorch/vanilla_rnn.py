"""The vanilla RNN of the palindrome assignment, without nn.RNN:

    h(t) = tanh(W_hx x(t) + W_hh h(t-1) + b_h),   h(0) = 0
    p(t) = W_ph h(t) + b_p,                       y~(t) = softmax(p(t)), on the last step only

Initialisation as the LSTM's (lstm.py): W_hx Glorot-uniform, W_hh orthogonal, biases zero.
"""
import torch
import torch.nn as nn


def _parameter(shape, init):
    w = torch.empty(*shape)
    init(w)
    return nn.Parameter(w)


class VanillaRNN(nn.Module):

    def __init__(self, seq_length, input_dim, num_hidden, num_classes, batch_size=None, device="cpu"):
        super(VanillaRNN, self).__init__()
        self.seq_length, self.num_hidden = seq_length, num_hidden
        self.W_hx = _parameter((num_hidden, input_dim), nn.init.xavier_uniform_)
        self.W_hh = _parameter((num_hidden, num_hidden), nn.init.orthogonal_)
        self.b_h = nn.Parameter(torch.zeros(num_hidden, 1))
        self.W_ph = _parameter((num_classes, num_hidden), nn.init.xavier_uniform_)
        self.b_p = nn.Parameter(torch.zeros(num_classes, 1))
        self.to(device)

    def forward(self, x):
        """x [B, T-1] or [B, T-1, d] -> p [B, classes] at the last step."""
        if x.dim() == 2:
            x = x.unsqueeze(2)  # [B, T-1] -> [B, T-1, 1]
        h = torch.zeros(self.num_hidden, x.shape[0], device=x.device)  # [H, B]
        for t in range(x.shape[1]):
            h = torch.tanh(self.W_hx @ x[:, t, :].t() + self.W_hh @ h + self.b_h)  # [H, B]
        return (self.W_ph @ h + self.b_p).t()  # [B, classes]
