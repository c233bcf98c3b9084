"""Images: the training distortions (augment) and --predict's photos (photos)."""
