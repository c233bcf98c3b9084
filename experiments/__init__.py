"""What a configuration is and how it is trained (config: the one configuration object, its recipes), and
the runs of several seeds (study)."""
