"""The site model on the small Qom scenario with a hand-made NaCl path (tests/kernels/nacl_path.py).

Checks conservation (the ledger balance from state snapshots), determinism, and an exact trace of
scheduled events. The path table is the hand-computable one, so these tests do not depend on the
chemistry engine; tests/integration/test_baseline*.py run the real chemistry.
"""
import importlib.util
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from saltsim.scenario import load_scenario
from saltsim.des.model import SiteModel, simulate
from saltsim.units import DAY

_spec = importlib.util.spec_from_file_location("nacl_path", Path(__file__).parents[1] / "kernels" / "nacl_path.py")
nacl_path = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nacl_path)

#: The acceptance bound on the relative closure of every element over a run (issue 4).
CLOSURE_RTOL = 1e-9
SMALL = resources.files("saltsim").joinpath("scenarios/qom_small.toml")

#: Failures, maintenance and storms: every kind of movement happens in one year.
STRESSED = {
    "pumps[0].mtbf": "300 h", "pumps[0].mttr": "30 h", "pumps[0].count": 2,
    "pumps[0].maintenance_interval": "45 d", "pumps[0].maintenance_duration": "2 d",
    "climate.rainfall": ["6 mm/d"] * 12, "climate.rain_days": [3] * 12,
    "ponds[2].depth_max": "40 cm", "ponds[1].harvest_layer": "3 cm", "ponds[1].harvest_floor": "1 cm",
    "harvest.months": [4, 5, 6, 7, 8, 9, 10, 11], "harvest.mtbf": "20 h", "harvest.mttr": "5 h",
    "stockpiles[0].capacity": "2 kt", "harvest.wash_capacity": "100 t/h",
}


@pytest.fixture(scope="module")
def stressed():
    scenario = load_scenario(SMALL, overrides=STRESSED)
    model = SiteModel(scenario, path_table=nacl_path.nacl_path()).run(progress=False)
    return model, model.tables()


def test_mass_balance_closes_with_failures_overflows_rain_and_harvest(stressed):
    model, tables = stressed
    kinds = set(tables["events"]["kind"])
    assert {"pump_failure", "pump_repair", "maintenance_start", "overflow", "campaign_start"} <= kinds
    balance = tables["mass_balance"].set_index("element")
    assert (balance["closure_rel"] <= CLOSURE_RTOL).all(), balance
    # each internal account closes too: nothing moved outside the ledger
    for account, residual in model.ledger.account_residuals().items():
        scale = max(np.abs(model.ledger.stored("start")).max(), 1.0)
        assert np.all(np.abs(residual) <= CLOSURE_RTOL * scale), account


def test_rain_fills_the_ponds_past_their_walls_and_the_spill_is_booked(stressed):
    _, tables = stressed
    flows = tables["flows"]
    spilled = flows[flows["process"] == "overflow"]
    assert len(spilled) > 0 and (spilled["sink"] == "lake").all()
    overflow_days = set(tables["events"].query("kind == 'overflow'")["time_s"])
    assert overflow_days == set(spilled["time_s"])


def test_full_stockpile_blocks_harvest(stressed):
    model, tables = stressed
    events = tables["events"]
    assert (events["kind"] == "stockpile_full").any()
    level = tables["stockpiles"].query("product == 'halite'")["level_kg"]
    assert level.max() <= 2e6 * (1 + 1e-12)


def test_same_seed_same_results_and_another_seed_differs():
    scenario = load_scenario(SMALL, overrides={**STRESSED, "site.horizon": "120 d"})
    path = nacl_path.nacl_path()
    a = simulate(scenario, seed=7, path_table=path, progress=False)
    b = simulate(scenario, seed=7, path_table=path, progress=False)
    c = simulate(scenario, seed=8, path_table=path, progress=False)
    for name in ("ponds", "lake", "flows", "events", "kpis", "mass_balance"):
        pd.testing.assert_frame_equal(a[name], b[name])
    assert not a["lake"]["rain_m"].equals(c["lake"]["rain_m"])


def test_exact_event_trace_of_scheduled_maintenance():
    overrides = {"site.horizon": "40 d", "pumps[0].maintenance_interval": "10 d",
                 "pumps[0].maintenance_duration": "12 h", "ponds[1].harvest_layer": "5 m"}
    scenario = load_scenario(SMALL, overrides=overrides)
    tables = simulate(scenario, path_table=nacl_path.nacl_path(), progress=False)
    trace = [(k, e, t) for k, e, t in tables["events"][["kind", "entity", "time_s"]].itertuples(index=False)]
    expected = []
    for n in range(1, 4):
        start = n * (10 * DAY + 0.5 * DAY) - 0.5 * DAY
        expected += [("maintenance_start", "intake", start), ("maintenance_end", "intake", start + 0.5 * DAY)]
    assert trace == expected


def test_pumped_volume_follows_availability_exactly():
    """A station stopped half a day every 10 days pumps capacity × (1 d − 12 h) on those days."""
    overrides = {"site.horizon": "40 d", "pumps[0].maintenance_interval": "10 d",
                 "pumps[0].maintenance_duration": "12 h", "pumps[0].capacity": "1 m^3/h",
                 "ponds[1].harvest_layer": "5 m"}
    scenario = load_scenario(SMALL, overrides=overrides)
    tables = simulate(scenario, path_table=nacl_path.nacl_path(), progress=False)
    pumped = tables["lake"]["brine_pumped_m3"].to_numpy()
    capacity = 1.0 / 3600.0
    full, half = capacity * DAY, capacity * (DAY - 0.5 * DAY)
    # the stop starts at 10 d and ends at 10.5 d: it falls in the day ending at 11 d (index 10)
    assert pumped[0] == pytest.approx(full, rel=1e-12)
    assert pumped[10] == pytest.approx(half, rel=1e-12)


@pytest.fixture(scope="module")
def harvested():
    overrides = {"ponds[1].harvest_layer": "3 cm", "ponds[1].harvest_floor": "1 cm",
                 "harvest.months": [4, 5, 6, 7, 8, 9, 10, 11], "harvest.wash_capacity": "100 t/h"}
    model = SiteModel(load_scenario(SMALL, overrides=overrides), path_table=nacl_path.nacl_path()).run(False)
    return model, model.tables()


def test_a_campaign_cuts_the_layer_to_its_floor_and_stocks_the_washed_salt(harvested):
    model, tables = harvested
    events = tables["events"]
    ends = events[events["kind"] == "campaign_end"]
    assert len(ends) > 0
    floor = model.scenario.ponds[1].harvest_floor
    ponds = tables["ponds"].query("pond == 'C1'").set_index("time_s")
    for t in ends["time_s"]:
        # the last harvest day leaves the floor; the day's tick may then add fresh salt
        assert ponds.loc[:t, "layer_thickness_m"].iloc[-1] <= floor * 1.5
    flows = tables["flows"]
    stocked = flows[(flows["process"] == "to_stockpile")][["Na_kg", "Cl_kg"]].to_numpy().sum()
    level = tables["stockpiles"].query("product == 'halite'")["level_kg"].iloc[-1]
    assert stocked == pytest.approx(level, rel=1e-12)


def test_progress_goes_to_a_callable():
    scenario = load_scenario(SMALL, overrides={"site.horizon": "65 d"})
    seen = []
    simulate(scenario, path_table=nacl_path.nacl_path(), progress=lambda done, total: seen.append((done, total)))
    assert seen == [(30, 65), (60, 65), (65, 65)]


def test_maintenance_harvest_of_a_salting_concentrator_is_opt_in():
    base = {"site.horizon": "200 d", "harvest.months": [4, 5, 6, 7, 8, 9, 10, 11],
            "ponds[1].harvest_layer": "5 m"}
    path = nacl_path.nacl_path()
    off = simulate(load_scenario(SMALL, overrides=base), path_table=path, progress=False)
    on = simulate(load_scenario(SMALL, overrides={**base, "strategy.parameters.maintenance_fraction": 0.1}),
                  path_table=path, progress=False)
    started = lambda t: set(t["events"].query("kind == 'campaign_start'")["entity"])
    assert "E1" not in started(off) and "E1" in started(on)
    assert (on["mass_balance"]["closure_rel"] <= CLOSURE_RTOL).all()


def test_path_table_is_built_once_per_brine_and_cannot_be_changed():
    # Sweeps reuse one brine: the second build returns the cached table, whose arrays are frozen.
    from saltsim.des.model import build_path
    from saltsim.examples import load_example

    scenario = load_example("qom_small")
    first, second = build_path(scenario), build_path(scenario)
    assert first is second
    with pytest.raises(ValueError):
        first.dissolved[0, 0] = 0.0
