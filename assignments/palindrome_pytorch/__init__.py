"""The palindrome assignment in PyTorch (CS324's Assignment 3, Part I), on the course skeleton's interface (dataset.py,
lstm.py, vanilla_rnn.py, train.py), and the LSTM-against-RNN comparison (sweep.py, compare.py, results_file.py).
Optional: needs assignments/palindrome_pytorch/requirements.txt."""
