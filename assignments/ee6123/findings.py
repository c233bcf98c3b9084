"""Question 1's findings in words, from the grid's results: the rank of each row and what each factor (the
gates, a second layer, a wider layer, both directions) changes, every comparison by core/compare.py's rule on
the test accuracies of the seeds (a difference only when the means differ by more than the two standard
deviations added; otherwise a tie)."""
from core.compare import MIN_SEEDS, pair, verdict
from assignments.ee6123 import grid

FACTORS = ("gates", "depth", "width", "directions")


def _find(entries, model, layers, bidirectional):
    return next(e for e in entries if (e["model"], e["layers"], e["bidirectional"]) == (model, layers, bidirectional))


def _ready(*entries):
    return all(len(e["runs"]) >= MIN_SEEDS for e in entries)


def pairs(entries, factor):
    """[(changed row, reference row)] of one factor, each pair differing in that factor alone."""
    found = []
    if factor == "gates":
        for layers in grid.LAYERS:
            for bi in (False, True):
                rnn, lstm, gru = (_find(entries, m, layers, bi) for m in ("rnn", "lstm", "gru"))
                found += [(lstm, rnn), (gru, rnn), (lstm, gru)]
    elif factor == "depth":
        found = [(_find(entries, m, (64, 64), bi), _find(entries, m, (64,), bi)) for m in grid.MODELS
                 for bi in (False, True)]
    elif factor == "width":
        found = [(_find(entries, m, (128,), bi), _find(entries, m, (64,), bi)) for m in grid.MODELS
                 for bi in (False, True)]
    else:
        found = [(_find(entries, m, layers, True), _find(entries, m, layers, False)) for m in grid.MODELS
                 for layers in grid.LAYERS]
    return [(a, b) for a, b in found if _ready(a, b)]


def verdicts(entries, factor):
    """[(changed row, reference row, 'higher' / 'lower' / 'tie')] of one factor."""
    return [(a, b, verdict(grid.accuracies(a), grid.accuracies(b))) for a, b in pairs(entries, factor)]


def counts(found):
    """'higher in 4, a tie in 2 (of 6 pairs)'."""
    words = []
    for word in ("higher", "lower", "tie"):
        n = sum(v == word for _, _, v in found)
        if n:
            words.append("{} in {}".format("a tie" if word == "tie" else word, n))
    return "{} (of {} pair{})".format(", ".join(words), len(found), "" if len(found) == 1 else "s")


def factor_text(entries, factor):
    """One factor's comparisons in words, with the numbers they rest on."""
    found = verdicts(entries, factor)
    if not found:
        return None
    what = {"gates": "Gated cells against the vanilla RNN, and the LSTM against the GRU",
            "depth": "Two layers of 64 against one of 64",
            "width": "One layer of 128 against one of 64",
            "directions": "Both directions against one"}[factor]
    return "{}: {}. {}.".format(what, counts(found), "; ".join(
        pair(a["title"], grid.accuracies(a), b["title"], grid.accuracies(b)) for a, b, _ in found))


def rank_text(entries):
    """Which rows share the first rank, and which rows are still short of seeds."""
    ranked = grid.ranked(entries)
    if not ranked:
        return "No row has {} seeds tested yet, so none is ranked.".format(MIN_SEEDS)
    top = [e for e in ranked if e["rank"] == 1]
    mutual = all(verdict(grid.accuracies(a), grid.accuracies(b)) == "tie" for a in top for b in top if a is not b)
    text = "Ranked by the rule on test accuracy, {} row{} {} above {}: {}{}.".format(
        len(top), "" if len(top) == 1 else "s", "has no row" if len(top) == 1 else "have no row",
        "it" if len(top) == 1 else "them", ", ".join("{} ({:.2f}%)".format(e["title"], 100 * e["mean"]) for e in top),
        "; they tie with each other" if len(top) > 1 and mutual else "")
    # The rule judges two rows at a time and is not transitive: say so where a row ties with one ranked above it.
    crossed = [(a, b) for a in ranked for b in ranked if a["rank"] < b["rank"] and
               verdict(grid.accuracies(a), grid.accuracies(b)) == "tie"]
    if crossed:
        a, b = max(crossed, key=lambda pair: pair[1]["rank"] - pair[0]["rank"])
        text += (" The rule judges two rows at a time and is not transitive, so a row can tie with a row ranked above "
                 "it and still rank lower, because more rows are above it: {} ties with {} (rank {}), yet {} row{} "
                 "{} above it (rank {}).".format(b["title"], a["title"], a["rank"], b["rank"] - 1,
                                                "" if b["rank"] == 2 else "s", "is" if b["rank"] == 2 else "are",
                                                b["rank"]))
    last = [e for e in ranked if e["rank"] == max(x["rank"] for x in ranked)]
    if last[0]["rank"] > 1:
        text += " Lowest: {}, below {} other row{}.".format(
            ", ".join("{} ({:.2f}%)".format(e["title"], 100 * e["mean"]) for e in last), last[0]["rank"] - 1,
            "" if last[0]["rank"] == 2 else "s")
    return text
