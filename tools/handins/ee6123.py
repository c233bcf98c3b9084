"""EE6123: the student report on the RNN/LSTM/GRU grid and the two memory tasks."""
from tools.handins.common import HandIn


def ee6123_files(yours=()):
    """The EE6123 report: the document made by tools/make_report.py from the results (the code it describes is
    the project's: assignments/memory/, core/, cells.py)."""
    return [("docs/ee6123_report.pdf", "EE6123_report.pdf")]


README_EE6123 = """# EE6123: RNN, LSTM and GRU, and two memory tasks ({roll})

`EE6123_report.pdf`, in the report's order: the grid (RNN, LSTM and GRU at 64, 128 and 64,64 units, one way
and both ways, with each model's curves), recalling the k-th digit at H = 2, 5 and 10 with its curves and a
randomised test printout, and binary addition trained at L = 3, 5 and 10 with squared error against
cross-entropy and bit accuracy against length. Every number in it is made from the project's result files.
"""


HANDIN = HandIn("ee6123", "the EE6123 report's experiments: the grid, recall, binary addition (a PDF)",
                "EE6123_{roll}.zip", "EE6123_{roll}", ee6123_files, lambda: README_EE6123)
