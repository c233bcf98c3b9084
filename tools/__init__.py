"""The tools: the reports (make_report.py, reporting/), the hand-ins (handin.py), reproduce.py, the web page and
its weights (web/, export_weights.py), benchmarks/ and tuning/. They may import the card's modules, core/ and
assignments/; nothing below them imports them."""
