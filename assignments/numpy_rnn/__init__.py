"""Backpropagation through time by hand, in NumPy (assignments/numpy_rnn/lstm_bptt.md has the derivation).

lstm.py   an LSTM with K linear outputs read at every step and squared error, with the gradients of every
          parameter from the derivation's recurrences
rnn.py    a two-layer ReLU RNN with a softmax classifier on the last step
mnist4    python -m assignments.numpy_rnn.mnist4: the RNN on MNIST digits 0, 5, 6 and 9, with a learning-rate sweep
mnist4_result.py  the sweep's result file (mnist4.json): its checked reader and its figure
"""
