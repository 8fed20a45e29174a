"""Shortcuts of the logistics code give exactly the results of the plain paths they replace.

- A returning train appends its wagons to the fleet at once only at a quiet instant (D38): a run
  with the shortcut forced off must give the same shipments, wagon states, plant rows and
  ledger flows, bit for bit, both with spare wagons and with trains queueing for them.
- ``Supply.draw`` computes on Python floats: the same numbers as the array allocation
  (:func:`allocate_water`, :func:`allocate_electricity`) it replaced, exactly.
"""
import math

import numpy as np
import pytest

import saltsim.des.rail as rail_module
from saltsim.des.logistics import run_standalone
from saltsim.des.supply import Supply, SupplyFactors
from saltsim.processing.supply import allocate_electricity, allocate_water
from saltsim.scenario import load_scenario
from saltsim.units import DAY, YEAR
from test_rail_logistics import BITTERN_RATE, SALT_RATE, raw_scenario



def _raw(wagons, locomotives):
    """The rail tests' scenario (tests/des/test_rail_logistics.py) with its fleet changed."""
    raw = raw_scenario(wagons=wagons)
    raw["rail"]["locomotives"]["count"] = locomotives
    return raw


def _run(raw, monkeypatch, shortcut):
    answers = []
    quiet = rail_module._quiet_instant

    def recorded(env, locomotives):
        answer = quiet(env, locomotives) if shortcut else False
        answers.append(answer)
        return answer

    with monkeypatch.context() as patch:
        patch.setattr(rail_module, "_quiet_instant", recorded)
        handles = run_standalone(load_scenario(raw), {"halite": SALT_RATE, "bittern": BITTERN_RATE},
                                 until=YEAR, seed=5)
    return handles, answers


@pytest.mark.parametrize("wagons, locomotives, shortcuts", [(60, 4, True), (8, 1, False)],
                         ids=["spare wagons", "trains queue for wagons"])
def test_wagons_returned_at_once_change_nothing(monkeypatch, wagons, locomotives, shortcuts):
    raw = _raw(wagons, locomotives)
    fast, answers = _run(raw, monkeypatch, shortcut=True)
    plain, _ = _run(raw, monkeypatch, shortcut=False)
    returns = sum(1 for row in fast.rail.shipments if not math.isnan(row["return_s"]))
    # Both paths run: with spare wagons most returns are quiet, but not all (a dispatcher
    # sometimes waits for a wagon); with 8 wagons a dispatcher always waits.
    assert 0 < sum(answers) < returns if shortcuts else sum(answers) == 0 < returns
    assert fast.rail.shipments == plain.rail.shipments
    assert fast.rail.wagon_rows == plain.rail.wagon_rows
    assert fast.plant_records == plain.plant_records
    for a, b in zip(fast.ledger.flow_arrays(), plain.ledger.flow_arrays()):
        np.testing.assert_array_equal(a, b)
    assert fast.kpis() == plain.kpis()


def _array_draw(budget, water_budget, order, water_energy, daylight, supply, electricity, heat, water):
    """The array computation ``Supply.draw`` made before it used Python floats."""
    per_source, water_unmet = allocate_water(water, 1.0, water_budget[order])
    water_budget[order] -= per_source
    by_source = np.zeros(len(water_budget))
    by_source[order] = per_source
    demand = electricity + float(by_source @ water_energy)
    pv, grid, diesel, unmet = allocate_electricity(demand, 1.0, budget[0], 1.0, budget[1], budget[2], daylight)
    budget -= np.array([pv, grid, diesel])
    diesel_m3 = diesel / (supply.generator_efficiency * supply.diesel_heating_value) / supply.diesel_density
    f = supply.factors
    co2 = grid * f.grid_co2 + pv * f.pv_co2 + diesel_m3 * f.diesel_co2 + heat * f.heat_co2
    return [float(demand), float(pv), float(grid), float(diesel), float(unmet), float(diesel_m3),
            float(water_unmet), float(co2), *(float(v) for v in by_source)]


def test_supply_draw_equals_the_array_allocation():
    rng = np.random.default_rng(11)
    names = ("wastewater", "groundwater", "river")
    for case in range(40):
        capacity = rng.uniform(0.0, 0.05, 3)
        if case % 4 == 0:
            capacity[2] = np.inf   # an unlimited last source
        energy = rng.uniform(0.0, 3e6, 3)
        supply = Supply(start=np.datetime64("2025-01-01"), pv_capacity=float(rng.uniform(0.0, 2e7)),
                        pv_capacity_factor=rng.uniform(0.1, 0.35, 12),
                        grid_capacity=float(rng.choice([np.inf, rng.uniform(0.0, 1e7)])),
                        diesel_capacity=float(rng.uniform(0.0, 2e6)), water_names=names,
                        water_kinds=("treated_wastewater", "groundwater", "municipal"),
                        water_capacity=capacity, water_energy=energy)
        time_s = float(rng.integers(1, 700)) * DAY
        supply.draw(time_s, 0.0, 0.0, 0.0)   # opens the day
        budget = np.array(supply._budget, dtype=float)
        water_budget = np.array(supply._water_budget, dtype=float)
        for _ in range(6):
            preferred = rng.choice([None, *names])
            order = np.arange(3)
            if preferred is not None:
                first = names.index(preferred)
                order = np.concatenate(([first], order[order != first]))
            electricity = float(rng.uniform(0.0, 5e11)) * float(rng.integers(0, 2))
            heat, water = float(rng.uniform(0.0, 1e11)), float(rng.uniform(0.0, 3e3)) * float(rng.integers(0, 2))
            expected = _array_draw(budget, water_budget, order, energy, supply._daylight, supply,
                                   electricity, heat, water)
            record = supply.draw(time_s, electricity, heat, water, preferred)
            got = [record[k] for k in ("electricity_J", "pv_J", "grid_J", "diesel_generated_J",
                                       "electricity_unmet_J", "diesel_m3", "water_unmet_m3", "co2_kg")]
            got += [record["water_treated_wastewater_m3"], record["water_groundwater_m3"],
                    record["water_municipal_m3"]]
            assert got == expected


def _supply(rng, sources=3):
    names = ("wastewater", "groundwater", "river", "a", "b", "c", "d", "e")[:sources]
    kinds = ("treated_wastewater", "groundwater", "treated_wastewater", "municipal", "recycled_brine",
             "desalinated", "groundwater", "municipal")[:sources]
    capacity = rng.uniform(0.0, 0.05 * 3 / sources, sources)
    capacity[rng.integers(0, sources)] = rng.choice([np.inf, 0.0, capacity[0]])
    return Supply(start=np.datetime64("2025-01-01"), pv_capacity=float(rng.uniform(0.0, 2e7)),
                  pv_capacity_factor=rng.uniform(0.1, 0.35, 12),
                  grid_capacity=float(rng.choice([np.inf, rng.uniform(0.0, 1e7)])),
                  diesel_capacity=float(rng.uniform(0.0, 2e6)), water_names=names, water_kinds=kinds,
                  water_capacity=capacity, water_energy=rng.uniform(0.0, 3e6, sources),
                  factors=SupplyFactors(pv_co2=float(rng.uniform(0.0, 5e-8))))


@pytest.mark.parametrize("sources", [3, 8], ids=["arrays", "one by one"])
def test_deferred_draws_settle_to_the_direct_draws(sources):
    # Plants queue their supply draws (Supply.defer_draw) and the rows are completed later by
    # Supply.settle, as arrays over days: every value must equal drawing at once, in the same
    # order, including after direct draws on the same day and budgets that run out.
    rng = np.random.default_rng(23)
    for case in range(12):
        seed = int(rng.integers(2 ** 32))
        direct, deferred = _supply(np.random.default_rng(seed), sources), _supply(np.random.default_rng(seed), sources)
        expected, rows = [], []
        time_s = float(rng.integers(0, 300)) * DAY
        for _ in range(60):
            time_s += float(rng.choice([0.0, 0.25, 0.75, 1.0, 3.0])) * DAY
            time_s = max(time_s, 1.0)
            args = (time_s, float(rng.uniform(0.0, 5e11)) * float(rng.integers(0, 2)),
                    float(rng.uniform(0.0, 1e11)), float(rng.uniform(0.0, 3e3)) * float(rng.integers(0, 2)),
                    rng.choice([None, "wastewater", "groundwater", "river", "nowhere"]))
            expected.append(("row",) + direct.draw_values(*args))
            if rng.random() < 0.1:   # a direct draw settles what is queued first
                rows.append(("row",) + deferred.draw_values(*args))
            else:
                rows.append(("row",))
                deferred.defer_draw(*args, rows, len(rows) - 1)
            if rng.random() < 0.05:
                deferred.settle()
        deferred.settle()
        assert rows == expected, case
        # what is left of the last day is what the direct draws left
        assert deferred._budget == direct._budget and deferred._water_budget == direct._water_budget


def test_plant_and_loading_shortcuts_at_a_quiet_instant_change_nothing(monkeypatch):
    # When nothing else is scheduled at an instant, a plant takes its feed and puts its product
    # without their events (PlantRun, MassStore.get_now/put_now), and a dispatcher takes product,
    # an idle wagon and the loader, and releases it, at once (rail._quiet, _acquire, _release):
    # with every quiet-instant shortcut forced off (Environment.peek never later than now) the
    # run must be the same, bit for bit.
    import simpy

    from saltsim.des.plant import MassStore

    raw = _raw(60, 4)
    # the magnesia plant ticks half a day after the feeders and the wash plant (quiet instants)
    raw["plants"][1]["start_delay"] = "0.5 d"
    used = {"get_now": 0, "put_now": 0}

    def counting(name):
        method = getattr(MassStore, name)

        def counted(*args, **kwargs):
            used[name] += 1
            return method(*args, **kwargs)
        return counted

    acquire = rail_module._acquire
    used["loader"] = 0

    def counted_acquire(env, resource):
        request = acquire(env, resource)
        used["loader"] += request is None
        return request

    with monkeypatch.context() as patch:
        patch.setattr(MassStore, "get_now", counting("get_now"))
        patch.setattr(MassStore, "put_now", counting("put_now"))
        patch.setattr(rail_module, "_acquire", counted_acquire)
        fast, _ = _run(raw, monkeypatch, shortcut=True)
        shortcuts = dict(used)
        patch.setattr(simpy.Environment, "peek", lambda env: env.now)
        plain, _ = _run(raw, monkeypatch, shortcut=False)
    # the fast run took each shortcut (plants' get and put, loads, the loader) ...
    assert shortcuts["get_now"] > 0 and shortcuts["put_now"] > 0 and shortcuts["loader"] > 0
    assert used == shortcuts   # ... the plain run never
    assert fast.plant_records == plain.plant_records
    assert fast.rail.shipments == plain.rail.shipments
    assert fast.rail.wagon_rows == plain.rail.wagon_rows
    for a, b in zip(fast.ledger.flow_arrays(), plain.ledger.flow_arrays()):
        np.testing.assert_array_equal(a, b)
    assert fast.kpis() == plain.kpis()
