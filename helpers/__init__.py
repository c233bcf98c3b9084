"""The modules behind the card's files: errors and files (common), downloads (fetch), the TensorFlow
version switch (tfcompat), run folders (checkpoint), the configuration schema (configuration) and
the speed levers (speed)."""
