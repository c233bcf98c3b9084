"""The memory tasks: their sequences (data.py), the network that learns them (net.py), the result lines' reader
(task_runs.py) and the figures of recall and binary addition (figures.py)."""
