"""The related assignments, each in its folder: memory/ (the memory tasks, sequence_tasks.py), numpy_rnn/ (BPTT
by hand, its derivation and notebooks), palindrome_pytorch/ (CS324's skeleton, which runs alone). They import
core/ and the card's modules, never the tools."""
