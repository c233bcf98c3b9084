"""The recipes: how each configuration is trained, on top of the plain defaults (core/config.py's Recipe()),
chosen on validation (tools/tuning/README.md). Data, not code: main.py --help lists them."""

# The recipe of every shipped basic configuration, chosen on validation (tools/tuning/README.md): distortions
# and dropout 0.2 together won at 32 units for both cells; GRU-32 keeps its batch of 64; at most 120 epochs with
# patience 20 won for LSTM-32, GRU-32 and GRU-64 (tied for LSTM-64, which keeps 60/12).
REGULARISED = {"augment": 1.0, "dropout": 0.2}
LONGER = {"epochs": 120, "patience": 20}
RECIPES = {"{}_h{}".format(m, h): dict(REGULARISED) for m in ("lstm", "gru") for h in (32, 64, 128, 256)}
RECIPES["lstm_h32"].update(LONGER)
RECIPES["gru_h32"].update(LONGER, batch_size=64)
RECIPES["gru_h64"].update(LONGER)
# Any other configuration (another size, stacked, bidirectional, crops): the recipe of the larger basic
# models; the vanilla RNN at learning rate 0.001, where 0.005 diverges (RNN-128 on validation: 98.44% vs
# 92.96%; tools/tuning/README.md).
GENERAL = {"lstm": dict(REGULARISED), "gru": dict(REGULARISED), "rnn": dict(REGULARISED, learning_rate=0.001),
           "mlp": dict(REGULARISED), "cnn": dict(REGULARISED)}
PRESETS = {"tiny": {"epochs": 2, "train_examples": 2000, "validation_size": 500}}


def recipe_for(arch):
    """(where it comes from, its settings on top of the plain defaults): the recorded recipe of a shipped basic
    configuration, else the stated general default."""
    if arch.name in RECIPES:
        return arch.name, dict(RECIPES[arch.name])
    return "general", dict(GENERAL[arch.model])
