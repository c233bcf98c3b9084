"""Figures and the words of the report: the basic table and summaries (text), the report's pages (pages),
the memory tasks' figures (tasks) and the figure of a cell reading a digit (explain)."""
