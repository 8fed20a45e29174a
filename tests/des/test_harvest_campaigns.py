"""Harvest campaigns at the edges of the season, the shared wash plant, and their booking.

Small runs of ``qom_small`` with the hand-computable NaCl path (tests/kernels/nacl_path.py), 200
days from 21 March 2026. Harvest rates and the season are chosen so that the cut per day and the
day the season closes follow by hand from the scenario (no breakdowns: ``harvest.mtbf`` unset).
"""
import datetime
import importlib.util
import json
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from saltsim.constants import COMPONENTS
from saltsim.des.clock import Calendar
from saltsim.des.harvest import SharedRate, season_close
from saltsim.des.model import SiteModel
from saltsim.des.pond_field import FILL_FRACTION
from saltsim.scenario import load_scenario
from saltsim.units import DAY, HOUR

_spec = importlib.util.spec_from_file_location("nacl_path", Path(__file__).parents[1] / "kernels" / "nacl_path.py")
nacl_path = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nacl_path)

SMALL = resources.files("saltsim").joinpath("scenarios/qom_small.toml")
START = datetime.date(2026, 3, 21)   # site.start of qom_small
#: The acceptance bound on the relative closure of every element over a run (issue 4).
CLOSURE_RTOL = 1e-9
#: Cut masses are rate × hours in binary floating point, then split into components and summed
#: again: a few ulps.
CUT_RTOL = 1e-12
#: A pond put back online is refilled by the next day's transfers; allow the tick order (the
#: campaign and the daily tick share the same instant) and one spare day.
REFILL_DAYS = 3
#: "Refilled": at least half the fill depth (FILL_FRACTION × depth_max).
REFILLED_SHARE = 0.5
#: One slow harvester on one shift: 2 t/h × 8 h = 16 t a day, far less than a 3 cm layer on 10 ha.
SLOW = {"harvest.months": [6], "harvest.harvester_rate": "2 t/h", "harvest.shifts_per_day": 1,
        "site.horizon": "200 d"}
SLOW_CUT_KG = 2000.0 / HOUR * 8 * HOUR
CAMPAIGN_PROCESSES = {"harvest", "harvest_entrained_brine", "wash_water", "wash_waste", "to_stockpile"}


def _day(date: datetime.date) -> int:
    return (date - START).days


def _run(overrides):
    return SiteModel(load_scenario(SMALL, overrides=overrides), path_table=nacl_path.nacl_path()).run(False)


def _events(tables, kind, entity=None):
    events = tables["events"]
    chosen = events[(events["kind"] == kind) & ((events["entity"] == entity) if entity else True)]
    return [(t, json.loads(d)) for t, d in zip(chosen["time_s"], chosen["detail"])]


def _salt_cut(tables, pond):
    flows = tables["flows"]
    cut = flows[(flows["process"] == "harvest") & (flows["source"] == f"layer:{pond}")]
    return cut["time_s"].to_numpy(), cut[[f"{c}_kg" for c in COMPONENTS]].to_numpy().sum(axis=1)


def test_season_close_is_the_first_day_outside_the_harvest_months():
    calendar = Calendar(START, 400)
    june = _day(datetime.date(2026, 6, 5)) * DAY
    july_1, august_1 = _day(datetime.date(2026, 7, 1)) * DAY, _day(datetime.date(2026, 8, 1)) * DAY
    assert season_close(calendar, june, (6,)) == july_1
    assert season_close(calendar, june + 0.4 * DAY, (6,)) == july_1
    assert season_close(calendar, june, (6, 7)) == august_1
    assert season_close(calendar, june, (6, 8)) == july_1          # a gap closes the season
    assert season_close(calendar, july_1 + 0.5 * DAY, (6,)) == july_1   # already closed
    assert season_close(calendar, june, None) is None
    assert season_close(calendar, june, tuple(range(1, 13))) is None


@pytest.fixture(scope="module")
def slow():
    model = _run(SLOW)
    return model, model.tables()


def test_an_unfinished_campaign_stops_when_the_season_closes(slow):
    model, tables = slow
    (start, _), = _events(tables, "campaign_start", "C1")
    (end, detail), = _events(tables, "campaign_end", "C1")
    july_1 = _day(datetime.date(2026, 7, 1)) * DAY
    assert end == july_1 and detail["reason"] == "season_end"
    # one cut a day from the end of the drain to the last day of June, 16 t each
    times, cut = _salt_cut(tables, "C1")
    drain_time = model.scenario.harvest.drain_time
    np.testing.assert_array_equal(times, start + drain_time + DAY * np.arange((july_1 - start - drain_time) / DAY))
    np.testing.assert_allclose(cut, SLOW_CUT_KG, rtol=CUT_RTOL)
    # the rest of the layer stays in the pond
    c1 = tables["ponds"].query("pond == 'C1'").set_index("time_s")
    assert c1.loc[july_1, "layer_thickness_m"] > 2 * model.scenario.ponds[1].harvest_floor
    assert c1.loc[july_1, "layer_thickness_m"] == pytest.approx(detail["layer_m"], rel=1e-6)
    assert (tables["mass_balance"]["closure_rel"] <= CLOSURE_RTOL).all()


def test_the_pond_is_refilled_at_once_and_produces_again(slow):
    model, tables = slow
    july_1 = _day(datetime.date(2026, 7, 1)) * DAY
    c1 = tables["ponds"].query("pond == 'C1'").set_index("time_s")
    full = REFILLED_SHARE * FILL_FRACTION * model.scenario.ponds[1].depth_max
    after = c1.loc[july_1 + REFILL_DAYS * DAY:, "depth_m"]
    assert c1.loc[july_1 - DAY, "depth_m"] < 0.01 * full          # drained during the campaign
    assert (after > full).all(), after[after <= full]             # back, and never drained again
    flows = tables["flows"]
    month = (flows["time_s"] > july_1) & (flows["time_s"] <= july_1 + 30 * DAY)
    deposited = flows[month & (flows["process"] == "precipitation") & (flows["sink"] == "layer:C1")]
    assert deposited[["Na_kg", "Cl_kg"]].to_numpy().sum() > 0.0
    assert c1.loc[july_1 + 30 * DAY, "layer_thickness_m"] > c1.loc[july_1, "layer_thickness_m"]


def test_a_campaign_that_cannot_cut_before_the_season_closes_is_not_started():
    tables = _run({**SLOW, "harvest.drain_time": "30 d"}).tables()
    assert not _events(tables, "campaign_start")
    june = tables["ponds"].query("pond == 'C1'").set_index("time")["depth_m"]["2026-06-01":"2026-07-15"]
    assert (june > 0.3).all()


def test_a_campaign_left_without_a_harvester_gives_up_at_the_season_end():
    # E1 reaches a 3 cm threshold a day after C1; the one harvester goes to C1
    tables = _run({**SLOW, "harvest.harvesters": 1, "ponds[0].harvest_layer": "3 cm"}).tables()
    july_1 = _day(datetime.date(2026, 7, 1)) * DAY
    (c1_start, _), = _events(tables, "campaign_start", "C1")
    (e1_start, _), = _events(tables, "campaign_start", "E1")
    assert c1_start < e1_start and len(_salt_cut(tables, "C1")[0]) > 0
    (end, detail), = _events(tables, "campaign_end", "E1")
    assert end == july_1 and detail["harvested_kg"] == 0.0 and detail["reason"] == "season_end"
    e1 = tables["ponds"].query("pond == 'E1'").set_index("time_s")["volume_m3"]
    assert e1.loc[july_1 + 2 * DAY] > e1.loc[july_1]   # the intake fills it again
    assert len(_salt_cut(tables, "E1")[0]) == 0


def test_a_harvester_blocked_by_a_full_stockpile_keeps_the_salt_not_the_pond():
    capacity_kg = 5 * SLOW_CUT_KG     # full after five cuts; nothing draws from it
    model = _run({**SLOW, "stockpiles[0].capacity": f"{capacity_kg / 1000} t"})
    tables = model.tables()
    july_1 = _day(datetime.date(2026, 7, 1)) * DAY
    assert len(_events(tables, "stockpile_full")) == 1 and not _events(tables, "stockpile_unblocked")
    (end, detail), = _events(tables, "campaign_end", "C1")
    assert end == july_1 and detail["reason"] == "season_end"
    assert detail["harvested_kg"] == pytest.approx(6 * SLOW_CUT_KG, rel=CUT_RTOL)   # the sixth waits
    c1 = tables["ponds"].query("pond == 'C1'").set_index("time_s")["depth_m"]
    assert c1.loc[july_1 + REFILL_DAYS * DAY] > REFILLED_SHARE * FILL_FRACTION * model.scenario.ponds[1].depth_max
    np.testing.assert_allclose(model.totals["in_transit"].sum(), SLOW_CUT_KG, rtol=CUT_RTOL)
    assert (tables["mass_balance"]["closure_rel"] <= CLOSURE_RTOL).all()



def test_the_crew_of_a_campaign_blocked_at_the_season_end_is_free_for_the_next_season():
    # one harvester; the stockpile is full after five cuts of the first June and nothing draws
    # from it: the next June's campaign must get the harvester again, cut once, and wait itself
    capacity_kg = 5 * SLOW_CUT_KG
    model = _run({**SLOW, "harvest.harvesters": 1, "stockpiles[0].capacity": f"{capacity_kg / 1000} t",
                  "site.horizon": "470 d"})
    tables = model.tables()
    ends = _events(tables, "campaign_end", "C1")
    assert [detail["reason"] for _, detail in ends] == ["season_end", "season_end"]
    assert ends[1][0] == _day(datetime.date(2027, 7, 1)) * DAY
    assert ends[1][1]["harvested_kg"] == pytest.approx(SLOW_CUT_KG, rel=CUT_RTOL)   # the crew came back
    assert len(_events(tables, "stockpile_full")) == 2
    assert model.fleet.harvesters.count == 0                  # nobody holds the harvester at the end
    np.testing.assert_allclose(model.totals["in_transit"].sum(), 2 * SLOW_CUT_KG, rtol=CUT_RTOL)
    assert (tables["mass_balance"]["closure_rel"] <= CLOSURE_RTOL).all()

# -- the wash plant ---------------------------------------------------------------------------
#: Three harvesters, 300 t/h each, three trucks (30 t per 2 × 3 km / 30 km/h + 10 min = 81.8 t/h
#: each), two 8 h shifts, and a 20 t/h wash plant: washing limits the cut to 20 t/h × 16 h = 320 t a day.
WASH = {"harvest.months": [4, 5, 6, 7, 8, 9, 10, 11], "harvest.harvesters": 3, "harvest.trucks": 3,
        "harvest.wash_capacity": "20 t/h", "harvest.shifts_per_day": 2, "harvest.shift_length": "8 h",
        "site.horizon": "200 d"}
WASH_DAY_KG = 20000.0 / HOUR * 16 * HOUR


def test_one_campaign_gets_the_full_wash_rate():
    tables = _run(WASH).tables()
    (start, _), (end, _) = _events(tables, "campaign_start", "C1")[0], _events(tables, "campaign_end", "C1")[0]
    times, cut = _salt_cut(tables, "C1")
    cut = cut[(times >= start) & (times < end)]      # the first campaign
    assert len(cut) > 3
    np.testing.assert_allclose(cut[:-1], WASH_DAY_KG, rtol=CUT_RTOL)   # the last day reaches the floor
    assert 0.0 < cut[-1] <= WASH_DAY_KG * (1 + CUT_RTOL)


def test_campaigns_on_the_same_day_share_the_wash_plant():
    # maintenance harvests of E1 and B1 too (layer ≥ 5 % of the wall): three campaigns, all
    # washed as halite, one plant; the trucks alone could haul 245 t/h × 16 h = 3,927 t a day
    tables = _run({**WASH, "strategy.parameters.maintenance_fraction": 0.05}).tables()
    flows = tables["flows"]
    cut = flows[flows["process"] == "harvest"]
    cut = cut.assign(kg=cut[[f"{c}_kg" for c in COMPONENTS]].to_numpy().sum(axis=1))
    per_day = cut.groupby("time_s")["kg"].sum().to_numpy()
    sources = cut.groupby("time_s")["source"].nunique().to_numpy()
    assert set(cut["source"]) == {"layer:C1", "layer:E1", "layer:B1"}
    # the plant runs at its rate while there is salt to wash, never above, whoever cuts
    np.testing.assert_allclose(per_day[:-1], WASH_DAY_KG, rtol=CUT_RTOL)
    assert per_day[-1] <= WASH_DAY_KG * (1 + CUT_RTOL)
    assert (sources[:-1] == 2).sum() >= 2      # hand-overs: one campaign ends, the next takes the rest


def test_shared_rate_by_hand():
    plant = SharedRate(capacity=10.0, work_per_day=100.0)     # 1,000 kg a day
    assert plant.take(0, 700.0, 100.0) == 700.0
    assert plant.take(0, 700.0, 100.0) == 300.0               # what the first left
    assert plant.take(0, 10.0, 100.0) == 0.0
    assert plant.take(1, 700.0, 40.0) == 400.0                # within its own hours
    assert plant.take(1, 700.0, 100.0) == 600.0
    assert plant.available(1, 100.0) == 0.0 and plant.available(2, 50.0) == 500.0


def test_one_campaign_gets_the_whole_truck_fleet():
    # no wash plant: three trucks, 81.8 t/h each, haul for the one harvester cutting (300 t/h)
    tables = _run({k: v for k, v in WASH.items() if k != "harvest.wash_capacity"}).tables()
    truck_kg_per_s = 30000.0 / (2 * 3000.0 / (30000.0 / HOUR) + 10 * 60.0)
    (start, _), (end, _) = _events(tables, "campaign_start", "C1")[0], _events(tables, "campaign_end", "C1")[0]
    times, cut = _salt_cut(tables, "C1")
    cut = cut[(times >= start) & (times < end)]
    assert len(cut) >= 2      # 3,927 t a day (one truck each: 1,309 t)
    np.testing.assert_allclose(cut[:-1], 3 * truck_kg_per_s * 16 * HOUR, rtol=CUT_RTOL)


# -- one path for every movement --------------------------------------------------------------
def test_campaign_flows_go_through_the_flow_book():
    # no wait after the drain, so that the pores still hold brine when the cut starts; make-up water
    overrides = {**WASH, "harvest.drain_time": "0 d", "harvest.wash_water": "0.1 m^3/t"}
    model = SiteModel(load_scenario(SMALL, overrides=overrides), path_table=nacl_path.nacl_path())
    direct = []
    ledger = model.ledger
    plain_flow, plain_flows = ledger.flow, ledger.flows
    ledger.flow = lambda t, src, snk, m, process: (direct.append(process), plain_flow(t, src, snk, m, process))
    ledger.flows = lambda t, src, snk, m, process: (direct.append(process), plain_flows(t, src, snk, m, process))
    model.run(False)
    tables = model.tables()
    assert CAMPAIGN_PROCESSES <= set(tables["flows"]["process"])
    assert not CAMPAIGN_PROCESSES & set(direct), sorted(set(direct))
    # the table shows them whole: the stockpile holds exactly what the flows put there
    flows = tables["flows"]
    stocked = flows[flows["process"] == "to_stockpile"][[f"{c}_kg" for c in COMPONENTS]].to_numpy().sum()
    level = tables["stockpiles"].query("product == 'halite'")["level_kg"].iloc[-1]
    assert stocked == pytest.approx(level, rel=CUT_RTOL)
    assert (tables["mass_balance"]["closure_rel"] <= CLOSURE_RTOL).all()
    for account, residual in ledger.account_residuals().items():
        assert np.all(np.abs(residual) <= CLOSURE_RTOL * max(np.abs(ledger.stored("start")).max(), 1.0)), account


def test_crust_harvest_flows_go_through_the_flow_book():
    overrides = {"strategy.name": "crust_harvest", "lake.crust.harvestable_area": "50 km^2",
                 "harvest.months": [7, 8, 9], "site.horizon": "200 d"}
    model = SiteModel(load_scenario(SMALL, overrides=overrides), path_table=nacl_path.nacl_path())
    direct = []
    plain_flow = model.ledger.flow
    model.ledger.flow = lambda t, src, snk, m, process: (direct.append(process), plain_flow(t, src, snk, m, process))
    model.run(False)
    tables = model.tables()
    flows = tables["flows"]
    crust = flows[flows["process"] == "crust_harvest"]
    assert len(crust) > 0 and "crust_harvest" not in direct
    level = tables["stockpiles"].query("product == 'halite'")["level_kg"].iloc[-1]
    assert crust[[f"{c}_kg" for c in COMPONENTS]].to_numpy().sum() == pytest.approx(level, rel=CUT_RTOL)
    assert (tables["mass_balance"]["closure_rel"] <= CLOSURE_RTOL).all()
