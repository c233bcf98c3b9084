"""The palindrome assignment in PyTorch, on the course skeleton's interface (dataset.py, lstm.py,
vanilla_rnn.py, train.py). Optional: needs assignments/palindrome_pytorch/requirements.txt."""
