"""The memory tasks of sequence_tasks.py: their data (data.py) and the network that learns them (net.py)."""
