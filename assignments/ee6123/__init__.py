"""EE6123 Assignment 3: q1.py, q2.py and q3.py answer its three questions; grid.py and plots.py are Question 1's
runs and figures, memory.py the runs of Questions 2 and 3."""
