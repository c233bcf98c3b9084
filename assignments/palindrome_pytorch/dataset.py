"""PalindromeDataset(seq_length): random palindromes of digits, as the course skeleton's dataset.py.

Item k is (the first T-1 digits as floats [T-1], the T-th digit as an int); the T-th equals the first.
As in the course's skeleton, a palindrome is an array of digits, so any length works. Beyond the skeleton: a
seed, so that training, validation and test palindromes are separate draws and a run repeats.
"""
import sys

import numpy as np
import torch.utils.data as data


class PalindromeDataset(data.Dataset):

    def __init__(self, seq_length, seed=None):
        if int(seq_length) < 2:
            raise ValueError("a palindrome needs a length of 2 or more, not {}".format(seq_length))
        self.seq_length = int(seq_length)
        self.rng = np.random.RandomState(seed)
        self.half_length = (self.seq_length + 1) // 2

    def __len__(self):
        # Items are drawn at random, so the dataset is as long as one likes: the skeleton's sys.maxsize.
        return sys.maxsize

    def __getitem__(self, idx):
        full = self.generate_palindrome()
        return full[:-1], int(full[-1])

    def generate_palindrome(self):
        half = self.rng.randint(0, 10, self.half_length)
        full = np.concatenate([half, half[:self.seq_length // 2][::-1]])  # [T], reads the same reversed
        return full.astype(np.float32)
