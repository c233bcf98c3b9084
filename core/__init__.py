"""The core package: what the programs at the top level need, and nothing else. It imports nothing from
outside this folder but installed packages.

    tfcompat   the TensorFlow version switch (1.5 or 2.x through tf.compat.v1), session settings
    unroll     the unrollers' interface and the loop, a plain Python loop over the time steps; any other
               unroller present is a module unroll_<name> beside it
    arch       the typed architecture (Arch: the run folder's name); config: the typed configuration (Recipe,
               Config); recipes: how each configuration is trained
    runs       a run folder (config.json, state.json, log.csv, checkpoints), each read through a checker;
               folders: the training lock and the one swap routine
    common     errors as one line, logs, atomic writes, the SIGTERM guard; fetch: verified downloads;
               outputs: what an output flag may replace, temporary files and what a killed run left
    augment, photos          distortions for training; your own images for --predict
    study, results           seeds, the result files
    plots, figures, explain  drawings
    numpy_steps              the cells' steps in NumPy (--explain; a reference for other implementations)
"""
