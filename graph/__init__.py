"""The TensorFlow graph machinery behind model.py: the version switch (tfcompat), the plain unrollers
(unroll: static_rnn, and a Python loop that uses no RNN API) and the fast one (fast: the speed levers)."""
