"""Strategy statistics (t intervals, paired differences) and the Pareto front."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import TOY
from saltsim.errors import ScenarioError
from saltsim.sweeps import pareto_front, strategy_statistics, sweep

#: Student t quantile t_{0.95, 4} from a printed table (Abramowitz & Stegun, Table 26.10).
T_95_DF4 = 2.131847
#: The quantile above is given to 7 significant digits.
RTOL_TABLE = 1e-6


def _table(values_a, values_b):
    rows = []
    for strategy, values in (("a", values_a), ("b", values_b)):
        for r, v in enumerate(values):
            rows.append({"strategy": strategy, "point": 0, "replication": r, "kpi": "salt_kg",
                         "value": v, "unit": "kg"})
    return pd.DataFrame(rows)


def test_t_interval_and_paired_difference_by_hand():
    a = [10.0, 12.0, 11.0, 13.0, 9.0]
    b = [11.0, 13.5, 11.5, 14.0, 10.5]          # b − a = 1, 1.5, 0.5, 1, 1.5
    stats = strategy_statistics(_table(a, b), confidence=0.90).set_index("strategy")
    # a: mean 11, s = sqrt(2.5); half width t_{0.95,4} s / sqrt(5)
    assert stats.loc["a", "mean"] == pytest.approx(11.0)
    half = T_95_DF4 * np.sqrt(2.5) / np.sqrt(5)
    assert stats.loc["a", "ci_high"] - stats.loc["a", "mean"] == pytest.approx(half, rel=RTOL_TABLE)
    # paired: mean 1.1, s_d = sqrt(0.175)
    assert stats.loc["b", "diff_mean"] == pytest.approx(1.1)
    half_d = T_95_DF4 * np.sqrt(0.175) / np.sqrt(5)
    assert stats.loc["b", "diff_ci_low"] == pytest.approx(1.1 - half_d, rel=RTOL_TABLE)
    assert stats.loc["b", "diff_frac"] == pytest.approx(1.1 / 11.0)
    assert stats.loc["a", "diff_mean"] == 0.0 and stats.loc["a", "diff_ci_high"] == 0.0
    # the paired interval is far narrower than the unpaired spread of either strategy
    assert stats.loc["b", "diff_ci_high"] - stats.loc["b", "diff_ci_low"] < half


def test_crn_makes_the_strategy_effect_exact(toy_path, toy_scenario):
    """With common random numbers the toy's salt difference is exactly proportional to the
    shared draw, and its interval follows from the closed form."""
    result = sweep(toy_scenario, replications=12, strategies=["salt_only", "crust"],
                   backend="serial", evaluator=TOY, progress=False)
    stats = strategy_statistics(result.table, baseline="salt_only").set_index(["strategy", "kpi"])
    row = stats.loc[("crust", "salt_harvested_kg")]
    base = stats.loc[("salt_only", "salt_harvested_kg")]
    assert row["diff_frac"] == pytest.approx(0.3, rel=1e-12)   # SALT_FACTOR crust 1.3
    assert row["diff_ci_high"] - row["diff_ci_low"] == pytest.approx(
        0.3 * (base["ci_high"] - base["ci_low"]), rel=1e-9)
    assert row["n_pairs"] == 12


def test_bad_confidence_and_baseline():
    table = _table([1.0, 2.0], [2.0, 3.0])
    with pytest.raises(ScenarioError, match="--confidence: found 1.5"):
        strategy_statistics(table, confidence=1.5)
    with pytest.raises(ScenarioError, match="--baseline: found 'c'; expected one of a, b"):
        strategy_statistics(table, baseline="c")


def test_pareto_front_by_hand():
    # columns: Mg output (max), PM10 (min), CO2e (min)
    values = np.array([
        [10.0, 5.0, 5.0],   # A: front
        [8.0, 6.0, 6.0],    # B: dominated by A
        [12.0, 9.0, 4.0],   # C: front (most Mg, least CO2)
        [0.0, 1.0, 1.0],    # D: front (least dust)
        [10.0, 5.0, 5.0],   # E: equal to A → not dominated
        [np.nan, 0.0, 0.0], # F: unknown → not on the front
    ])
    mask = pareto_front(values, maximize=[True, False, False])
    assert mask.tolist() == [True, False, True, True, True, False]
