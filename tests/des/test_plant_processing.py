"""Plants and energy/water supply as SimPy processes: capacities, failures, blocking, carriers.

Small hand-built environments (no scenario file); numbers are hand calculations from the
parameters set here and the factors cited in saltsim.des.supply ([R20] grid 665 g/kWh,
[X1] diesel 2.61 kg/L, [X4] diesel LHV 42.68 MJ/kg).
"""
import numpy as np
import pytest
import simpy

from saltsim.constants import COMPONENTS
from saltsim.des.ledger import Ledger
from saltsim.des.logistics import PLANTS_COLUMNS
from saltsim.des.plant import PLANT_RECORD_FIELDS, MassStore, PlantSpec, Uptime, breakdowns, plant
from saltsim.des.supply import Supply
from saltsim.processing.routes import RouteParameters
from saltsim.processing.stoichiometry import component_masses, mass_fractions, molar_mass
from saltsim.processing.supply import day_length_fraction
from saltsim.units import DAY, HOUR, YEAR

# Sums of O(10²) double-precision terms.
SUM_RTOL = 1e-12
# Availability over ~320 failure/repair cycles: 3σ of the time fraction, σ ≈ A(1−A)√(2/n) ≈ 0.0065.
AVAILABILITY_ABS = 0.02
# The ledger closes to 1e-9 relative (issue 5).
CLOSURE_TOL = 1e-9

START = np.datetime64("2026-03-21T00:00:00")
KWH = 3.6e6


class _Rows:
    """A plant's tuple records (``raw``, the list the plant appends to), read back as dicts keyed
    by PLANT_RECORD_FIELDS after the supply has completed them (as LogisticsHandles does)."""

    def __init__(self, supply):
        self.raw, self.supply = [], supply

    def __getitem__(self, i):
        self.supply.settle()
        return dict(zip(PLANT_RECORD_FIELDS, self.raw[i], strict=True))

    def __iter__(self):
        self.supply.settle()
        return (dict(zip(PLANT_RECORD_FIELDS, r, strict=True)) for r in self.raw)


def _setup(route="salt_washing", capacity=1000e3 / DAY, availability=0.9, feed_init=100e6,
           output_capacity=np.inf, feed="halite", composition=None, mtbf=None, mttr=None,
           params=None, supply=None, months=()):
    env = simpy.Environment()
    ledger = Ledger()
    composition = mass_fractions("NaCl") if composition is None else composition
    feed_store = MassStore(env, capacity=np.inf, composition=composition, init=feed_init, name=f"stockpile:{feed}")
    spec = PlantSpec(name="p", route=route, feed=feed, product="product", capacity=capacity,
                     params=params or RouteParameters(recovery=0.9, water_per_product=0.3,
                                                      electricity_per_product=5 * KWH / 1e3),
                     availability=availability, mtbf=mtbf, mttr=mttr, months=months)
    output = MassStore(env, capacity=output_capacity, composition=spec.product_composition, name="store:product")
    supply = supply or Supply(start=START)
    records, uptime = _Rows(supply), Uptime()
    ledger.stock(0.0, feed_store.name, feed_store.masses)
    ledger.stock(0.0, output.name, output.masses)
    ledger.stock(0.0, "plant:p", np.zeros(len(COMPONENTS)))
    env.process(plant(env, spec, feed_store, output, feed_store.name, output.name, supply, ledger, uptime,
                      records.raw, START))
    if mtbf is not None:
        env.process(breakdowns(env, spec, uptime, np.random.default_rng(3), ledger))
    return env, ledger, feed_store, output, records


def _close(env, ledger, *stores):
    for store in stores:
        ledger.stock(env.now, store.name, store.masses)
    ledger.stock(env.now, "plant:p", np.zeros(len(COMPONENTS)))
    assert np.all(ledger.mass_balance()["closure_rel"] <= CLOSURE_TOL)


def test_daily_production_is_capacity_times_availability():
    env, ledger, feed, output, records = _setup()
    env.run(until=10 * DAY + 1)
    production = np.array([r["production_kg"] for r in records])
    assert production == pytest.approx(np.full(10, 0.9 * 1000e3), rel=SUM_RTOL)
    # Pure NaCl washed at 90 % recovery: feed = product / 0.9.
    assert sum(r["feed_kg"] for r in records) == pytest.approx(9000e3 / 0.9, rel=SUM_RTOL)
    assert output.level == pytest.approx(9000e3, rel=SUM_RTOL)
    assert records[0]["water_m3"] == pytest.approx(0.3 * 900e3 / 1000, rel=SUM_RTOL)
    # Unlimited grid: 5 kWh/t × 900 t at 665 g/kWh [R20].
    assert records[0]["grid_J"] == pytest.approx(5 * KWH * 900, rel=SUM_RTOL)
    assert records[0]["co2_kg"] == pytest.approx(5 * 900 * 0.665, rel=SUM_RTOL)
    _close(env, ledger, feed, output)


def test_full_output_store_blocks_the_plant():
    env, ledger, feed, output, records = _setup(output_capacity=2000e3)
    env.run(until=5 * DAY + 1)
    assert output.level == pytest.approx(2000e3, rel=SUM_RTOL)
    assert [r["blocked_by_output"] for r in records] == [False, False, True, True, True]
    assert sum(1 for e in ledger.events if e[1] == "plant_blocked") == 3
    _close(env, ledger, feed, output)


def test_failures_give_availability_mtbf_over_mtbf_plus_mttr():
    env, ledger, feed, output, records = _setup(mtbf=500 * HOUR, mttr=50 * HOUR, feed_init=0.0)
    env.run(until=20 * YEAR)
    uptime = np.mean([r["uptime_frac"] for r in records])
    assert uptime == pytest.approx(500 / 550, abs=AVAILABILITY_ABS)
    failures = sum(1 for e in ledger.events if e[1] == "plant_failure")
    assert 250 < failures < 400  # 20 yr / 550 h ≈ 319 cycles


def test_magnesia_plant_books_reagents_vapour_and_waste():
    bittern = component_masses("MgCl2", 0.30 / molar_mass("MgCl2"))
    bittern[COMPONENTS.index("H2O")] += 0.70
    env, ledger, feed, output, records = _setup(
        route="magnesia", capacity=50e6 / YEAR, availability=1.0, composition=bittern,
        feed="bittern", params=RouteParameters(recovery=0.85, thermal_efficiency=0.5))
    env.run(until=30 * DAY + 1)
    made = sum(r["production_kg"] for r in records)
    assert made == pytest.approx(30 * 50e6 / 365.25, rel=SUM_RTOL)
    # Output holds Mg only (oxygen untracked): MgO × M(Mg)/M(MgO).
    mg = output.masses[COMPONENTS.index("Mg")]
    assert mg == pytest.approx(made * molar_mass("Mg") / molar_mass("MgO"), rel=1e-9)
    assert sum(r["reagents_kg"] for r in records) > 0 and sum(r["vapour_kg"] for r in records) > 0
    _close(env, ledger, feed, output)


def test_winter_cooling_runs_only_from_december_to_february():
    brine = component_masses("thenardite", 0.15 / molar_mass("thenardite"))
    brine[COMPONENTS.index("H2O")] += 0.85
    env, ledger, feed, output, records = _setup(
        route="mirabilite_cooling", capacity=1e9 / YEAR, availability=1.0, composition=brine, feed_init=1e10,
        feed="sulphate_brine", params=RouteParameters(recovery=0.9, cooling_temperature=274.15),
        months=(12, 1, 2))
    env.run(until=YEAR)
    months = (START + np.array([r["time_s"] - 1 for r in records]).astype("timedelta64[s]")) \
        .astype("datetime64[M]").astype(int) % 12 + 1
    made = np.array([r["production_kg"] for r in records])
    assert set(months[made > 0]) == {12, 1, 2}
    assert np.all(made[~np.isin(months, (12, 1, 2))] == 0)


def test_supply_meets_demand_in_merit_order_with_carbon_by_carrier():
    supply = Supply(start=START, pv_capacity=10e6, pv_capacity_factor=np.full(12, 0.14),
                    grid_capacity=1e6, diesel_capacity=2e6)
    demand = 300e9  # J in one day
    record = supply.draw(DAY, demand, 0.0, 0.0)
    pv = 10e6 * 0.14 * DAY
    grid = 1e6 * DAY
    diesel = demand - pv - grid
    assert record["pv_J"] == pytest.approx(pv, rel=SUM_RTOL)
    assert record["grid_J"] == pytest.approx(grid, rel=SUM_RTOL)
    assert record["diesel_generated_J"] == pytest.approx(diesel, rel=SUM_RTOL)
    litres = diesel / (0.35 * 42.68e6) / 835.0 * 1e3
    assert record["diesel_m3"] * 1e3 == pytest.approx(litres, rel=SUM_RTOL)
    assert record["co2_kg"] == pytest.approx(grid / KWH * 0.665 + litres * 2.61, rel=SUM_RTOL)
    # The day's budgets are shared: a second plant the same day gets only what is left.
    second = supply.draw(DAY, 100e9, 0.0, 0.0)
    assert second["pv_J"] == 0 and second["grid_J"] == 0
    assert second["diesel_generated_J"] == pytest.approx(2e6 * DAY - diesel, rel=SUM_RTOL)
    assert second["electricity_unmet_J"] == pytest.approx(100e9 - (2e6 * DAY - diesel), rel=SUM_RTOL)
    # Next day: fresh budgets.
    assert supply.draw(2 * DAY, 1e9, 0.0, 0.0)["pv_J"] == pytest.approx(1e9 * day_length_fraction(34.496, 81),
                                                                       rel=SUM_RTOL)


def test_water_sources_by_priority_with_a_preferred_source():
    supply = Supply(start=START, water_names=("wastewater", "groundwater"),
                    water_kinds=("treated_wastewater", "groundwater"),
                    water_capacity=np.array([100.0 / DAY, np.inf]), water_energy=np.array([0.5, 0.6]) * KWH)
    record = supply.draw(DAY, 0.0, 0.0, 150.0)
    assert record["water_treated_wastewater_m3"] == pytest.approx(100.0, rel=SUM_RTOL)
    assert record["water_groundwater_m3"] == pytest.approx(50.0, rel=SUM_RTOL)
    assert record["electricity_J"] == pytest.approx((100 * 0.5 + 50 * 0.6) * KWH, rel=SUM_RTOL)
    preferred = supply.draw(2 * DAY, 0.0, 0.0, 150.0, preferred_source="groundwater")
    assert preferred["water_groundwater_m3"] == pytest.approx(150.0, rel=SUM_RTOL)


def test_day_length_at_qom_equinox_and_solstices():
    # Near the equinox the day is 12 h; at 34.5°N the solstice days are ≈ 14.3 h and 9.7 h
    # (Duffie & Beckman eq. 1.6.11: N = 2/15 arccos(−tan φ tan δ)).
    assert day_length_fraction(34.496, 81) * 24 == pytest.approx(12.0, abs=0.05)
    assert day_length_fraction(34.496, 172) * 24 == pytest.approx(14.33, abs=0.05)
    assert day_length_fraction(34.496, 355) * 24 == pytest.approx(9.67, abs=0.05)


def test_pv_covers_only_the_daylight_share_of_a_round_the_clock_load():
    supply = Supply(start=START, pv_capacity=100e6, pv_capacity_factor=np.full(12, 0.3))
    record = supply.draw(DAY, 10e9, 0.0, 0.0)  # the day of 21 March (day 80)
    share = day_length_fraction(34.496, 80)
    assert record["pv_J"] == pytest.approx(10e9 * share, rel=SUM_RTOL)
    assert record["grid_J"] == pytest.approx(10e9 * (1 - share), rel=SUM_RTOL)


def test_magnesium_total_energy_is_not_counted_twice():
    from types import SimpleNamespace

    from saltsim.des.plant import plant_specs

    def record(**kw):
        base = dict(name="mg", kind="mg_metal", feed="magnesium_chloride", product="magnesium",
                    capacity=1.0, recovery=0.9, availability=1.0, mtbf=None, mttr=None,
                    electricity=None, heat=None, water=None, reagent=None, reagent_rate=None,
                    water_source=None, start_delay=0.0)
        return SimpleNamespace(**{**base, **kw})

    mwh_per_t = 3.6e9 / 1e3
    default, = plant_specs([record()], {})
    assert default.params.electricity_per_product + default.params.heat_per_product == \
        pytest.approx(37.5 * mwh_per_t, rel=SUM_RTOL)  # [M29][M30]
    all_electric, = plant_specs([record(electricity=37.5 * mwh_per_t)], {})
    assert all_electric.params.heat_per_product == 0.0
    both, = plant_specs([record(electricity=13 * mwh_per_t, heat=30 * mwh_per_t)], {})
    assert both.params.heat_per_product == pytest.approx(30 * mwh_per_t, rel=SUM_RTOL)


def test_idle_rows_have_the_same_columns_as_working_rows():
    supply = Supply(start=START)
    assert set(supply.draw(DAY, 1.0, 1.0, 1.0)) == set(supply.draw_columns())
    env, ledger, feed, output, records = _setup(feed_init=1500e3)  # 1.67 days of feed
    env.run(until=4 * DAY + 1)
    assert [r["production_kg"] > 0 for r in records] == [True, True, False, False]
    assert {len(r) for r in records} == {len(PLANT_RECORD_FIELDS)}
    assert {len(r) for r in records.raw} == {len(PLANT_RECORD_FIELDS)}
    # a record is a row of the plants table, fields in its column order
    assert PLANT_RECORD_FIELDS == tuple(PLANTS_COLUMNS)
    assert PLANT_RECORD_FIELDS[-len(supply.draw_columns()):] == supply.draw_columns()
    # the idle days' supply fields are those of a draw of nothing
    idle = records[3]
    assert [idle[k] for k in supply.draw_columns()] == list(Supply(start=START).draw_values(DAY, 0.0, 0.0, 0.0))
