"""saltsim compare: metrics, means and 90 % intervals, differences, table, figures, sweep stores."""
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from report_fixtures import synthetic_results  # noqa: E402

from saltsim import compare  # noqa: E402

# Student t quantile for a two-sided 90 % interval with 3 degrees of freedom (statistical tables).
T_90_DOF3 = 2.353363
RTOL_TABLE = 1e-6


def _entry(label, values_by_metric, unit="kg"):
    rows = [{"replication": r, "metric": m, "unit": unit, "value": v}
            for m, values in values_by_metric.items() for r, v in enumerate(values)]
    return compare.Entry(label=label, metrics=pd.DataFrame(rows), origin="test")


def test_metrics_take_kpis_and_impact_totals_only():
    results = synthetic_results()
    metrics = compare.metrics_of(results.kpis, results.impacts)
    assert {"nacl_harvested", "impacts:co2e_total", "impacts:pm10_total"} <= set(metrics.metric)
    totals = results.impacts[results.impacts.per_tonne_of == ""]
    assert len(metrics) == len(results.kpis) + len(totals)


def test_mean_and_90_percent_interval_of_the_mean_by_hand():
    entry = _entry("ponds", {"nacl": [10.0, 12.0, 11.0, 15.0]})
    row = compare.summarise([entry]).iloc[0]
    values = np.array([10.0, 12.0, 11.0, 15.0])
    half = T_90_DOF3 * values.std(ddof=1) / math.sqrt(4)
    assert row["n"] == 4 and row["mean"] == pytest.approx(12.0)
    assert row["low"] == pytest.approx(12.0 - half, rel=RTOL_TABLE)
    assert row["high"] == pytest.approx(12.0 + half, rel=RTOL_TABLE)


def test_single_run_interval_is_the_value():
    row = compare.summarise([_entry("a", {"x": [5.0]})]).iloc[0]
    assert row["low"] == row["mean"] == row["high"] == 5.0


def test_side_by_side_absolute_and_percent_differences():
    entries = [_entry("grid", {"co2": [200.0], "pm10": [0.0]}), _entry("pv", {"co2": [150.0], "pm10": [3.0]})]
    wide = compare.side_by_side(compare.summarise(entries))
    co2 = wide[wide.metric == "co2"].iloc[0]
    assert co2["Δ pv"] == -50.0 and co2["Δ% pv"] == pytest.approx(-25.0)
    pm10 = wide[wide.metric == "pm10"].iloc[0]
    assert pm10["Δ pv"] == 3.0 and np.isnan(pm10["Δ% pv"])  # no % of a zero reference
    other = compare.side_by_side(compare.summarise(entries), reference="pv")
    assert other[other.metric == "co2"].iloc[0]["Δ grid"] == 50.0


def test_terminal_table_in_display_units():
    entries = [_entry("a", {"impacts:co2e_total": [2.0e6, 2.2e6]}), _entry("b", {"impacts:co2e_total": [1.0e6, 1.0e6]})]
    text = compare.format_table(compare.summarise(entries))
    lines = text.splitlines()
    assert lines[0].split()[:4] == ["metric", "unit", "a", "b"]
    body = lines[2]
    assert body.split()[1] == "kt"  # 2.1e6 kg shown in kt
    assert "2.1 [" in body and "-1.1" in body and "-52.4%" in body
    assert "90 % confidence interval" in text


def test_figures_written(tmp_path):
    results = synthetic_results()
    entries = [compare.Entry("x", compare.metrics_of(results.kpis, results.impacts), "t"),
               compare.Entry("y", compare.metrics_of(results.kpis, results.impacts.assign(
                   value=results.impacts.value * 2)), "t")]
    paths = compare.write_figures(compare.summarise(entries), tmp_path)
    names = {p.stem for p in paths}
    assert {"impacts_co2e_total", "impacts_pm10_total", "nacl_harvested"} <= names
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in paths)


def test_sweep_store_gives_one_entry_per_strategy_with_replications(tmp_path):
    rows = []
    for strategy, base in (("ponds_salt", 100.0), ("crust_harvest", 60.0)):
        for r in range(5):
            rows.append({"run_id": f"p00000-{strategy}-r{r}", "point": 0, "strategy": strategy, "replication": r,
                         "seed": 1000 + r, "kpi": "nacl", "value": base + r, "unit": "kg", "error": ""})
    pd.DataFrame(rows).to_csv(tmp_path / "results.csv", index=False)
    entries = compare.collect([str(tmp_path)])
    assert [e.label for e in entries] == [f"{tmp_path.name}:ponds_salt", f"{tmp_path.name}:crust_harvest"]
    summary = compare.summarise(entries)
    assert list(summary["n"]) == [5, 5]
    assert list(summary["mean"]) == [102.0, 62.0]


def test_unknown_spec_is_a_scenario_error(tmp_path):
    from saltsim.errors import ScenarioError

    with pytest.raises(ScenarioError, match="found neither a run directory"):
        compare.collect([str(tmp_path / "nothing.toml")])
