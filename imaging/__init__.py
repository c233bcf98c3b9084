"""Images: the training distortions (augment)."""
