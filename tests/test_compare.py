"""The comparison rule and the words it allows, on hand-made result sets (core/compare.py)."""
from core import compare

SIZES = [32, 64, 128, 256]


def seeds(mean, sd=0.0005):
    """Three seeds with this mean and standard deviation (as fractions)."""
    return [mean - sd, mean, mean + sd]


def test_a_gap_within_the_spread_is_a_tie_and_one_run_is_never_compared():
    assert compare.verdict(seeds(0.9930, 0.001), seeds(0.9925, 0.001)) == "tie"
    assert compare.verdict(seeds(0.9940, 0.0005), seeds(0.9925, 0.0005)) == "higher"
    assert compare.verdict(seeds(0.9910, 0.0005), seeds(0.9925, 0.0005)) == "lower"
    assert compare.verdict([0.999], seeds(0.99)) == "one run"
    assert "tie" in compare.pair("LSTM-64", seeds(0.9930, 0.001), "GRU-64", seeds(0.9925, 0.001))


def test_a_curve_of_ties():
    text = compare.curve(SIZES, [seeds(0.9920, 0.001), seeds(0.9922, 0.001), seeds(0.9921, 0.001),
                                 seeds(0.9924, 0.001)])
    assert text.startswith("ties from 32 to 256")
    assert "rises" not in text and "peaks" not in text and "flattens" not in text


def test_a_peak():
    text = compare.curve(SIZES, [seeds(0.9900), seeds(0.9930), seeds(0.9910), seeds(0.9911)])
    assert text.startswith("peaks at 64 units")


def test_a_straight_line_is_not_called_flattening():
    """Equal gains per doubling (the report once called +0.10, +0.08, +0.09 'flattening')."""
    text = compare.curve(SIZES, [seeds(0.9900, 0.0002), seeds(0.9910, 0.0002), seeds(0.9918, 0.0002),
                                 seeds(0.9927, 0.0002)])
    assert "straight line on the log axis" in text and "flatten" not in text


def test_flattening_needs_a_rise_then_ties():
    text = compare.curve(SIZES, [seeds(0.9880, 0.0003), seeds(0.9920, 0.0003), seeds(0.9921, 0.0003),
                                 seeds(0.9922, 0.0003)])
    assert text.startswith("rises from 32 to 64 units (+0.40 points, more than the seeds' spread 0.06), then "
                           "flattens: 64 to 128 ties (+0.01, within 0.06), 128 to 256 ties (+0.01, within 0.06)"), text


def test_flattening_names_each_step_with_its_own_verdict():
    """Two rises, then one tie: every gain sits beside its own verdict (the no-RNN-API README once read
    "every later doubling is a tie (+0.23, +0.11 points)", as if the rise's +0.23 were a tie)."""
    text = compare.curve(SIZES, [seeds(0.9880, 0.0003), seeds(0.9920, 0.0003), seeds(0.9940, 0.0003),
                                 seeds(0.9941, 0.0003)])
    assert text == ("rises from 32 to 64 units (+0.40 points, more than the seeds' spread 0.06), from 64 to 128 "
                    "units (+0.20 points, more than the seeds' spread 0.06), then flattens: 128 to 256 ties (+0.01, "
                    "within 0.06)"), text


def test_the_reports_sentences_use_the_rule():
    from tools.reporting import text

    def result(model, hidden, accuracies):
        return {"model": model, "hidden_unit": hidden, "parameters": hidden * 100, "test_accuracy": accuracies[0],
                "seeds": {"n": 3, "test_mean": sum(accuracies) / 3, "test_sd": 0.0,
                          "seeds": [(k + 1, int(round(a * 10000)), 10000, 0.99) for k, a in enumerate(accuracies)]}}
    results = [result(m, h, seeds(0.9920 + (0.0001 if m == "lstm" else 0), 0.001)) for m in ("lstm", "gru")
               for h in SIZES]
    words = " ".join(text.summary(results))
    assert "tie at every size" in words and "ahead" not in words
    assert "rising" not in words and "flatten" not in words
