"""What every program shares: the project's folders, the one-line user error, timestamped logs, atomic
writes, the machine a result was computed on (common), and verified HTTP downloads (fetch)."""
