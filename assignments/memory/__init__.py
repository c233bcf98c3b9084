"""The memory tasks of assignments/memory/sequence_tasks.py: their data (data.py) and the network that learns them (net.py)."""
