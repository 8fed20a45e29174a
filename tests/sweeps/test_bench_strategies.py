"""bench-strategies pieces on the toy model: ranking, Pareto front, figure, text."""
from __future__ import annotations

import numpy as np
import pytest

from conftest import TOY
from saltsim.commands.bench_strategies import (default_objectives, format_ranking, plot_pareto)
from saltsim.errors import ScenarioError
from saltsim.sweeps import rank_strategies, strategy_statistics, sweep

OBJECTIVES = [("salt_harvested_kg", True), ("pm10_emitted_kg", False), ("co2e_kg", False)]


@pytest.fixture
def ranking(toy_path, toy_scenario):
    result = sweep(toy_scenario, replications=6, strategies=["all"], backend="serial",
                   evaluator=TOY, progress=False)
    stats = strategy_statistics(result.table, baseline="salt_only")
    return stats, rank_strategies(stats, OBJECTIVES)


def test_ranking_and_front_follow_the_toy_effects(ranking):
    _, table = ranking
    table = table.set_index("strategy")
    # salt: crust (×1.3) first, salt_mg (×0.9) last
    assert table.loc["crust", "salt_harvested_kg:rank"] == 1
    assert table.loc["salt_mg", "salt_harvested_kg:rank"] == 5
    # wasteful = salt_only + 1e6 kg CO2e in every replication: dominated, and its paired
    # difference is exactly the offset (so significant), with no salt difference at all
    assert not table.loc["wasteful", "pareto"]
    assert table.loc["wasteful", "co2e_kg:diff_mean"] == pytest.approx(1e6, rel=1e-9)
    assert table.loc["wasteful", "co2e_kg:significant"]
    assert table.loc["wasteful", "salt_harvested_kg:diff_mean"] == 0.0
    assert not table.loc["wasteful", "salt_harvested_kg:significant"]
    assert set(table.index[table["pareto"]]) == {"base", "salt_only", "salt_mg", "crust"}


def test_unknown_objective_is_reported(ranking):
    stats, _ = ranking
    with pytest.raises(ScenarioError, match=r"found 'co2e_kgg'.*did you mean 'co2e_kg'"):
        rank_strategies(stats, [("co2e_kgg", False)])


def test_default_objectives_pick_the_first_present():
    kpis = ["nacl_harvested", "pm10_total", "co2e_total"]
    assert default_objectives(kpis) == [("nacl_harvested", True), ("pm10_total", False),
                                        ("co2e_total", False)]
    assert default_objectives(["bittern_Mg", "co2e_total"]) == [("bittern_Mg", True),
                                                               ("co2e_total", False)]


def test_figure_and_text(ranking, tmp_path):
    import matplotlib.image

    stats, table = ranking
    units = dict(zip(stats["kpi"], stats["unit"]))
    plot_pareto(table, OBJECTIVES, units, tmp_path / "pareto.png")
    image = matplotlib.image.imread(tmp_path / "pareto.png")
    assert image.shape[1] > 2 * image.shape[0] * 0.9  # two panels side by side
    red = (image[..., 0] > 0.7) & (image[..., 1] < 0.3) & (image[..., 2] < 0.3)
    assert red.sum() > 50  # the front is drawn in red
    text = format_ranking(table, OBJECTIVES, units, 0.9, "salt_only")
    assert "Pareto front (salt_harvested_kg, pm10_emitted_kg, co2e_kg): base, salt_only, salt_mg, crust" in text
    assert np.sum([line.strip().startswith("1. crust") for line in text.splitlines()]) == 1
