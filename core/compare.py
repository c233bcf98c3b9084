"""The rule every comparison goes through, and the trend words it allows (used by the reports, the benchmarks and
the other assignments; the card's programs do not import it).

A result is a list of per-seed accuracies. Two results *differ* only when both have at least MIN_SEEDS
seeds and the gap between their means is larger than their two standard deviations added together
(|mean_a - mean_b| > sd_a + sd_b); anything else is a *tie*, and a single run is never compared. On 3 seeds
this is stricter than a two-sided t-test at 5% for most spreads seen on MNIST, on purpose: there the seeds'
spread (0.02-0.16 points) is as large as most gaps between neighbouring configurations.

A curve over hidden sizes (doublings, such as 32, 64, 128, 256) reads step by step with the same rule, and only
these words describe it: "rises" / "falls" (a step that differs), "ties" (one that does not), "peaks at"
(a rise, then a fall), "flattens" (rises, then ties), and "a straight line on the log axis" (every step
rises, and no two steps' gains differ by more than their spread).
"""
from core.study import spread  # noqa: F401  (mean and sample sd, used here and by the callers)

MIN_SEEDS = 3


def verdict(a, b):
    """'higher', 'lower' (a against b), 'tie', or 'one run' when either side has fewer than MIN_SEEDS seeds."""
    if min(len(a), len(b)) < MIN_SEEDS:
        return "one run"
    (mean_a, sd_a), (mean_b, sd_b) = spread(a), spread(b)
    if abs(mean_a - mean_b) <= sd_a + sd_b:
        return "tie"
    return "higher" if mean_a > mean_b else "lower"


def gain(a, b):
    """(b's mean minus a's, in points, and the allowance sd_a + sd_b in points)."""
    (mean_a, sd_a), (mean_b, sd_b) = spread(a), spread(b)
    return 100 * (mean_b - mean_a), 100 * (sd_a + sd_b)


def curve(sizes, runs):
    """One sentence fragment for a curve: sizes ascending, runs = [per-seed accuracies] per size."""
    steps = [verdict(runs[i + 1], runs[i]) for i in range(len(runs) - 1)]
    gains = [gain(runs[i], runs[i + 1]) for i in range(len(runs) - 1)]
    numbers = ", ".join("{:+.2f}".format(g) for g, _ in gains)
    if "one run" in steps:
        return "not compared (a size has fewer than {} seeds; per-doubling changes {})".format(MIN_SEEDS, numbers)
    if all(s == "tie" for s in steps):
        return "ties from {} to {} units: no doubling changes it by more than the seeds' spread ({})".format(
            sizes[0], sizes[-1], numbers)
    if all(s == "higher" for s in steps):
        values = [g for g, _ in gains]
        allowance = max(a for _, a in gains)
        if max(values) - min(values) <= allowance:
            return "rises at every doubling by about the same ({} points): a straight line on the log axis".format(
                numbers)
        return "rises at every doubling ({} points)".format(numbers)
    for i in range(len(steps) - 1):
        if steps[i] == "higher" and "lower" in steps[i + 1:]:
            return "peaks at {} units ({} points per doubling)".format(sizes[i + 1], numbers)
    first_tie = steps.index("tie") if "tie" in steps else None
    if first_tie and all(s == "higher" for s in steps[:first_tie]) and all(s == "tie" for s in steps[first_tie:]):
        # Each step named with its own verdict and the spread it was judged against: a bare list of gains after
        # "a tie" read as if the rise's gain were a tie too.
        rises = ["from {} to {} units ({:+.2f} points, more than the seeds' spread {:.2f})".format(
            sizes[i], sizes[i + 1], *gains[i]) for i in range(first_tie)]
        ties = ["{} to {} ties ({:+.2f}, within {:.2f})".format(sizes[i], sizes[i + 1], *gains[i])
                for i in range(first_tie, len(steps))]
        return "rises {}, then flattens: {}".format(", ".join(rises), ", ".join(ties))
    words = {"higher": "rises", "lower": "falls", "tie": "ties"}
    overall = verdict(runs[-1], runs[0])
    return "; ".join("{} from {} to {}".format(words[s], sizes[i], sizes[i + 1]) for i, s in enumerate(steps)) + \
        " ({} points; from {} to {} units as a whole it {}, {:+.2f})".format(
            numbers, sizes[0], sizes[-1], words[overall], gain(runs[0], runs[-1])[0])


def pair(name_a, a, name_b, b):
    """A comparison of two results in words, with the numbers it rests on."""
    g, allowance = gain(b, a)
    v = verdict(a, b)
    if v == "one run":
        return "{} and {} are not compared (fewer than {} seeds)".format(name_a, name_b, MIN_SEEDS)
    if v == "tie":
        return "{} and {} tie ({:+.2f} points, within the seeds' spread of {:.2f})".format(name_a, name_b, g,
                                                                                           allowance)
    return "{} is {} than {} ({:+.2f} points, more than the seeds' spread of {:.2f})".format(
        name_a, v, name_b, g, allowance)
