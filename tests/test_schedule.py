"""The learning-rate schedules: the budget ones (warm-up, then cosine or linear decay to zero over --epochs) are
made in the graph from the step counter; the exponential one is set per epoch by the training loop."""
import math

import numpy as np
import pytest

from core.config import Arch, Config, ConfigError, Recipe
from core.tfcompat import tf

PEAK, SPE, EPOCHS, WARMUP = 0.01, 10, 3, 0.5


def expected(schedule, step):
    warm, total = WARMUP * SPE, EPOCHS * SPE
    if step < warm:
        return PEAK * (step + 1) / warm
    p = min(max((step - warm) / (total - warm), 0.0), 1.0)
    return PEAK * (0.5 * (1 + math.cos(math.pi * p)) if schedule == "cosine" else 1 - p)


@pytest.mark.parametrize("schedule", ["cosine", "linear"])
def test_the_graphs_rate_follows_warm_up_then_decay_to_zero_step_by_step(schedule):
    from model import Model
    config = Config.make(Arch("lstm", (4,)), {"schedule": schedule, "warmup": WARMUP, "epochs": EPOCHS,
                                              "learning_rate": PEAK, "batch_size": 2, "towers": 1}, recipe="plain")
    with tf.Graph().as_default():
        net = Model(config, training=True, batch_size=2, steps_per_epoch=SPE)
        images, labels = np.zeros((2, 28, 28), np.float32), np.zeros(2, np.int64)
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            rates = []
            for _ in range(EPOCHS * SPE):
                rates.append(float(session.run(net.rate)))
                session.run(net.train_op, {net.images: images, net.labels: labels})
    np.testing.assert_allclose(rates, [expected(schedule, s) for s in range(EPOCHS * SPE)], rtol=1e-5, atol=1e-9)
    assert rates[-1] < PEAK * 0.05 and max(rates) <= PEAK * (1 + 1e-6)


def test_the_exponential_rate_is_the_variable_the_loop_sets():
    from model import Model
    config = Config.make(Arch("lstm", (4,)), {"towers": 1, "batch_size": 2}, recipe="plain")
    with tf.Graph().as_default():
        net = Model(config, training=True, batch_size=2)
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            net.set_learning_rate(session, 0.00123)
            assert float(session.run(net.rate)) == pytest.approx(0.00123)


@pytest.mark.parametrize("settings,words", [
    ({"warmup": 1.0}, "--schedule=cosine"),
    ({"schedule": "step"}, "--schedule"),
    ({"schedule": "cosine", "warmup": 10.0, "epochs": 10}, "--warmup"),
    ({"schedule": "cosine", "warmup": float("nan")}, "--warmup"),
    ({"schedule": "cosine", "warmup": -1.0}, "--warmup"),
])
def test_a_schedule_that_cannot_be_is_refused_with_the_flag_named(settings, words):
    with pytest.raises(ConfigError, match=words.replace("-", r"\-")):
        Recipe(**settings)


def test_a_budget_run_resumes_only_with_the_budget_it_started_with():
    budget = Recipe(schedule="cosine", epochs=10, warmup=1.0)
    assert budget.resumes(budget) and Recipe(schedule="cosine", epochs=10, warmup=1.0, patience=3).resumes(budget)
    assert not Recipe(schedule="cosine", epochs=12, warmup=1.0).resumes(budget)
    assert Recipe(epochs=80).resumes(Recipe(epochs=60))  # exponential: --epochs may grow on resume, as before


def test_results_written_before_the_schedules_existed_read_the_same():
    assert "schedule" not in Recipe().recorded() and "warmup" not in Recipe().recorded()
    assert Recipe(schedule="linear").recorded()["schedule"] == "linear"


def test_a_budget_cut_below_its_recipes_warm_up_warms_up_over_half_of_it():
    """--epochs=1 on a configuration whose recipe warms up for 1 epoch trains (warm-up 0.5, said in the log's
    source); a --warmup the user gives is kept, and refused if it does not fit."""
    arch = Arch("lstm", (32,))
    recipe = Config.make(arch).recipe
    assert recipe.budget and recipe.warmup == 1.0  # the shipped recipe: one epoch of warm-up
    short = Config.make(arch, {"epochs": 1})
    assert short.recipe.warmup == 0.5 and "warm-up cut to 0.5 epochs" in short.source
    assert Config.make(arch, {"epochs": 5}).recipe.warmup == 1.0
    assert Config.make(arch, {"epochs": 1, "warmup": 0.25}).recipe.warmup == 0.25
    with pytest.raises(ConfigError, match="--warmup"):
        Config.make(arch, {"epochs": 1, "warmup": 1.0})
