"""Sweeps on the toy model: seeds, common random numbers, backends, failures, the tidy table."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import sweep_toy_model as toy
from conftest import TOY
from saltsim.errors import ResultsError, ScenarioError
from saltsim.sweeps import (SweepResult, build_tasks, replication_seeds, resolve_strategies, sweep)

#: The toy's closed-form values are computed in a different order than in the model; float64
#: rounding differs by a few ulp.
RTOL_FLOAT_ORDER = 1e-12


def test_replication_seeds_are_spawned_children():
    seeds = replication_seeds(7, 5)
    children = np.random.SeedSequence(7).spawn(5)
    assert seeds == [int(c.generate_state(1, dtype=np.uint64)[0]) & ((1 << 63) - 1) for c in children]
    assert len(set(seeds)) == 5
    assert replication_seeds(7, 3) == seeds[:3]  # adding replications extends a sweep
    assert replication_seeds(8, 3) != seeds[:3]


def test_common_random_numbers_across_strategies_and_points(toy_path, toy_scenario):
    result = sweep(toy_scenario, ["ponds[0].area=10..40 km^2"], design="lhs", samples=3,
                   replications=4, strategies=["salt_only", "crust"], backend="serial",
                   evaluator=TOY, progress=False)
    wide = result.wide()
    assert len(wide) == 3 * 2 * 4
    # replication r uses the same seed at every point and for every strategy
    assert (wide.groupby("replication")["seed"].nunique() == 1).all()
    assert wide.groupby("replication")["seed"].first().tolist() == replication_seeds(424242, 4)
    # so the strategy ratio is exactly the strategy effect: the noise cancels within a pair
    paired = wide.pivot_table(index=["point", "replication"], columns="strategy", values="salt_harvested_kg")
    ratio = paired["crust"] / paired["salt_only"]
    np.testing.assert_allclose(ratio, toy.SALT_FACTOR["crust"], rtol=RTOL_FLOAT_ORDER)
    # and each value is the closed form of its own seed and area
    for row in wide.itertuples():
        z, _ = toy.draws(row.seed)
        area = getattr(row, "_6") * 1e6  # ponds[0].area_km2
        expected = area * toy.YIELD_KG_PER_M2 * (1 + 0.1 * z) * toy.SALT_FACTOR[row.strategy]
        assert row.salt_harvested_kg == pytest.approx(expected, rel=RTOL_FLOAT_ORDER)


def test_tidy_table_layout(toy_path, toy_scenario):
    result = sweep(toy_scenario, ["ponds[0].area=10,20 km^2"], design="grid", replications=2,
                   backend="serial", evaluator=TOY, progress=False)
    assert isinstance(result, SweepResult)
    table = result.table
    assert list(table.columns) == ["run_id", "point", "strategy", "replication", "seed",
                                   "ponds[0].area_km2", "kpi", "value", "unit"]
    assert list(table["run_id"].unique()) == sorted(table["run_id"].unique())
    assert len(table) == 2 * 2 * 3
    assert set(table["ponds[0].area_km2"]) == {10.0, 20.0}
    assert result.failures.empty
    wide = result.wide()
    assert list(wide.columns[-3:]) == ["salt_harvested_kg", "pm10_emitted_kg", "co2e_kg"]


@pytest.mark.parametrize("backend, workers", [("processes", 1), ("processes", 2)])
def test_process_pool_is_bit_identical_to_serial(toy_path, toy_scenario, backend, workers):
    kwargs = dict(vary=["ponds[0].area=10..40 km^2"], design="sobol", samples=4, replications=3,
                  strategies=["salt_only", "salt_mg"], evaluator=TOY, progress=False)
    serial = sweep(toy_scenario, backend="serial", **kwargs)
    parallel = sweep(toy_scenario, backend=backend, workers=workers, **kwargs)
    assert_frame_equal(parallel.table, serial.table, check_exact=True)


def test_stored_sweep_equals_in_memory_and_reloads(toy_path, toy_scenario, tmp_path):
    kwargs = dict(vary=["ponds[0].area=10..40 km^2"], samples=3, replications=2, evaluator=TOY,
                  progress=False, backend="serial")
    memory = sweep(toy_scenario, **kwargs)
    stored = sweep(toy_scenario, out=tmp_path / "sw", **kwargs)
    assert_frame_equal(stored.table, memory.table, check_exact=True)
    from saltsim.sweeps import load_sweep

    reloaded = load_sweep(tmp_path / "sw").drop(columns=["error"])
    assert_frame_equal(reloaded, memory.table, check_exact=True)
    csv = pd.read_csv(tmp_path / "sw" / "results.csv")
    np.testing.assert_array_equal(csv["value"].to_numpy(), memory.table["value"].to_numpy())
    # a finished sweep resumed does nothing and gives the same table
    again = sweep(toy_scenario, out=tmp_path / "sw", resume=True, **kwargs)
    assert again.wall_time_s == {}
    assert_frame_equal(again.table, memory.table, check_exact=True)
    with pytest.raises(ResultsError, match=r"--resume of a different sweep \(another --replications; "
                                           r"another set of runs\)"):
        sweep(toy_scenario, out=tmp_path / "sw", resume=True, **{**kwargs, "replications": 3})
    with pytest.raises(ResultsError, match="the scenario file changed since the sweep started"):
        sweep({**toy_scenario, "co2_offset_kg": 1.0}, out=tmp_path / "sw", resume=True, **kwargs)


def test_model_errors_become_failures_not_crashes(toy_path, toy_scenario):
    scenario = {**toy_scenario, "fail_above_km2": 25.0}
    result = sweep(scenario, ["ponds[0].area=10,20,30,40 km^2"], design="grid", replications=2,
                   backend="serial", evaluator=TOY, progress=False)
    assert sorted(result.failures["ponds[0].area_km2"].unique()) == [30.0, 40.0]
    assert result.failures["error"].str.startswith("ConvergenceError: toy model: no convergence").all()
    assert sorted(result.table["ponds[0].area_km2"].unique()) == [10.0, 20.0]


def test_argument_errors_are_collected(toy_scenario):
    with pytest.raises(ScenarioError) as info:
        sweep(toy_scenario, replications=0, backend="threads", workers=0, resume=True, evaluator=TOY)
    text = "\n".join(info.value.problems)
    for needle in ("backend: found 'threads'", "--replications: found 0", "--workers: found 0",
                   "--resume: found no --out"):
        assert needle in text


def test_unknown_strategy_names_get_a_suggestion(toy_scenario):
    with pytest.raises(ScenarioError, match=r"found 'salt_mgg'.*did you mean 'salt_mg'"):
        resolve_strategies(toy_scenario, ["salt_mgg"])
    assert [s.label for s in resolve_strategies(toy_scenario, ["all"])] == ["base", "salt_only", "salt_mg", "crust", "wasteful"]


def test_tasks_are_keyed_and_sorted_by_run_id(toy_scenario):
    from saltsim.designs import build_design, parse_vary

    design = build_design(parse_vary(["ponds[0].area=1,2,3 km^2"]), kind="grid")
    specs = resolve_strategies(toy_scenario, ["salt_only", "crust"])
    tasks = build_tasks(toy_scenario, design, specs, replications=2, seed=1, evaluator=TOY)
    ids = [t.run_id for t in tasks]
    assert ids == sorted(ids) and len(set(ids)) == 12
    assert ids[:3] == ["p00000-s00-r0000", "p00000-s00-r0001", "p00000-s01-r0000"]
    # the point's override is applied after the strategy's
    assert dict(tasks[2].overrides) == {"strategy.name": "crust", "ponds[0].area": "1.0 km^2"}


@pytest.mark.parametrize("backend", ["serial", "processes"])
def test_warnings_of_runs_are_reported_once(toy_path, toy_scenario, backend):
    scenario = {**toy_scenario, "warn_message": "toy: crystallizers are small"}
    with pytest.warns(UserWarning) as caught:
        sweep(scenario, ["ponds[0].area=10..40 km^2"], samples=3, replications=2, backend=backend,
              workers=2, evaluator=TOY, progress=False)
    messages = [str(w.message) for w in caught]
    assert messages == ["toy: crystallizers are small (6 runs, first p00000-s00-r0000)"]


def test_impact_totals_join_the_kpis():
    kpis = pd.DataFrame({"kpi": ["nacl_harvested", "co2e_total"], "value": [1.0, 2.0],
                         "unit": ["t/yr", "kg"], "description": ["", ""]})
    impacts = pd.DataFrame({"category": ["climate", "climate", "dust"],
                            "quantity": ["co2e_total", "co2e_total", "pm10_total"],
                            "value": [5.0, 0.5, 7.0], "unit": ["kg", "kg/t", "kg"],
                            "per_tonne_of": ["", "halite", None], "source": ["", "", ""]})
    from saltsim.sweeps import kpis_with_impacts

    table = kpis_with_impacts(kpis, impacts)
    assert table["kpi"].tolist() == ["nacl_harvested", "co2e_total", "impact:co2e_total", "pm10_total"]
    assert table["value"].tolist() == [1.0, 2.0, 5.0, 7.0]
    assert list(table.columns) == ["kpi", "value", "unit"]


def test_progress_bar_counts_runs_and_is_quiet_off_a_terminal(toy_path, toy_scenario, capsys):
    sweep(toy_scenario, replications=5, backend="serial", evaluator=TOY, progress=True)
    err = capsys.readouterr().err
    assert "sweep: 100%" in err and "5/5" in err and "run/s" in err
    sweep(toy_scenario, replications=5, backend="serial", evaluator=TOY)  # stderr is captured: no tty
    assert capsys.readouterr().err == ""


def test_sweep_is_the_public_api():
    import saltsim
    import saltsim.sweeps

    assert "sweep" in saltsim.__all__ and saltsim.sweep is saltsim.sweeps.sweep
