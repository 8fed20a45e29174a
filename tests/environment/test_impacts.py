"""Impact accounting on small hand-made activity data: totals, intensities, pairs computed by hand."""
import math

import numpy as np
import pytest
from scipy import integrate

from saltsim.environment import impacts as I
from saltsim.environment.factors import default_factors, default_mitigation
from saltsim.units import DAY

FACTORS = default_factors()
# Sums and products of a few floats: agreement to rounding.
RTOL_ARITHMETIC = 1e-12
# Sums of 365 daily terms against a closed form.
RTOL_DAILY_SUM = 1e-9
# Lakebed flux by Gauss-Laguerre in the model vs adaptive quadrature here.
RTOL_QUADRATURE = 1e-5
KWH = 3.6e6  # J


def _lake(n=365, wind=6.0, exposed=5e7, disturbed=1e6, level=0.3, area=1.0e9):
    t = np.arange(n) * DAY
    return I.LakeSeries(time_s=t, duration_s=np.full(n, DAY), level_m=np.full(n, level),
                        area_m2=np.full(n, area), exposed_area_m2=np.full(n, exposed),
                        disturbed_area_m2=np.full(n, disturbed), wind_m_per_s=np.full(n, wind),
                        rain_m=np.zeros(n))


def _value(table, quantity, per_tonne_of=""):
    rows = table[(table.quantity == quantity) & (table.per_tonne_of == per_tonne_of)]
    assert len(rows) == 1, (quantity, per_tonne_of, rows)
    return rows.value.iloc[0]


def test_grid_vs_solar_pv_pair_reproduces_the_hand_gwp_difference():
    energy = 2.5e6 * KWH  # 2.5 GWh of plant electricity
    common = dict(products_kg={"NaCl": 1e8}, diesel_m3=10.0, rail_kg_m=1e8 * 1e6, lake=_lake())
    grid = I.compute(I.Activity(electricity_J={"grid": energy}, **common), FACTORS)
    solar = I.compute(I.Activity(electricity_J={"pv": energy}, **common), FACTORS)
    # by hand: 2.5e6 kWh x 0.665 kg/kWh [R20] = 1,662,500 kg CO2; PV has no operational CO2
    hand = 2.5e6 * 0.665
    difference = _value(grid, "co2e_total") - _value(solar, "co2e_total")
    assert difference == pytest.approx(hand, rel=RTOL_ARITHMETIC)
    assert _value(grid, "co2e_grid_electricity") == pytest.approx(hand, rel=RTOL_ARITHMETIC)
    # per tonne of NaCl (100,000 t): 16.625 kg/t of the difference
    per_t = _value(grid, "co2e_total", "NaCl") - _value(solar, "co2e_total", "NaCl")
    assert per_t == pytest.approx(hand / 1e5, rel=RTOL_ARITHMETIC)
    # energy by carrier is the same total either way
    assert _value(grid, "energy_total") == pytest.approx(_value(solar, "energy_total"), rel=RTOL_ARITHMETIC)


def test_climate_rows_by_hand():
    act = I.Activity(diesel_m3=2.0, rail_kg_m=1e6 * 1e6, heat_J=1e12, lime_kg=1000.0)
    table = I.compute(act, FACTORS)
    assert _value(table, "co2e_diesel") == pytest.approx(2.0 * 1000 * 2.61, rel=RTOL_ARITHMETIC)  # 2.61 kg/L [X1]
    # 1000 t x 1000 km x 30 g/tkm [R42] = 30 t
    assert _value(table, "co2e_rail") == pytest.approx(30e3, rel=RTOL_ARITHMETIC)
    assert _value(table, "co2e_process_heat") == pytest.approx(56.1e3, rel=RTOL_ARITHMETIC)  # 1 TJ x 56.1 t/TJ [G1]
    assert _value(table, "co2e_lime_process") == pytest.approx(784.8, rel=RTOL_ARITHMETIC)


def _disturbed_flux_by_hand(mean_wind, threshold=7.0, z0=1e-4, k=0.4, c=2.61, ratio=2.75e-4):
    scale = mean_wind / math.gamma(1.5)
    log = math.log(10.0 / z0)

    def flux(u):
        us, ut = k * u / log, k * threshold / log
        r = ut / us
        return ratio * c * 1.12 / 9.80665 * us**3 * (1 - r) * (1 + r) ** 2

    pdf = lambda u: 2 / scale * (u / scale) * math.exp(-((u / scale) ** 2))  # noqa: E731
    return integrate.quad(lambda u: flux(u) * pdf(u), threshold, np.inf, epsrel=1e-11, epsabs=0, limit=400)[0]


def test_dust_wetting_pair_shows_pm10_reduction_and_water_by_hand():
    disturbed_area = 2e6  # m^2 of harvested crust, wetted in full
    lake = _lake(wind=6.0, disturbed=disturbed_area)
    act = I.Activity(products_kg={"NaCl": 5e7}, lake=lake)
    wetting = default_mitigation()["wetting_water"]
    plan = I.MitigationPlan(measure=wetting, target="disturbed_crust", area_m2=disturbed_area)
    without = I.compute(act, FACTORS)
    with_wet = I.compute(act, FACTORS, mitigation=[plan])
    # by hand: daily flux from the Weibull-averaged White/Gillette model, 365 days, 99.4 % [D3]
    emission = _disturbed_flux_by_hand(6.0) * DAY * 365 * disturbed_area
    assert _value(without, "pm10_lakebed_disturbed") == pytest.approx(emission, rel=RTOL_QUADRATURE)
    reduction = _value(without, "pm10_total") - _value(with_wet, "pm10_total")
    assert reduction == pytest.approx(0.994 * emission, rel=RTOL_QUADRATURE)
    assert _value(with_wet, "pm10_mitigated") == pytest.approx(0.994 * emission, rel=RTOL_QUADRATURE)
    # water: 0.59 m/yr [D3] x 2 km^2 x 365 d
    water = wetting.water_rate * disturbed_area * 365 * DAY
    assert water == pytest.approx(0.59 * 2e6 * 365 / 365.25, rel=RTOL_DAILY_SUM)
    assert _value(with_wet, "freshwater_dust_control") == pytest.approx(water, rel=RTOL_ARITHMETIC)
    assert _value(with_wet, "freshwater_total") - _value(without, "freshwater_total") == pytest.approx(water)
    assert _value(without, "freshwater_dust_control") == 0.0
    # the intact crust is untouched by a measure on the disturbed crust
    assert _value(with_wet, "pm10_lakebed_intact") == _value(without, "pm10_lakebed_intact")


def test_brine_wetting_uses_brine_not_freshwater():
    lake = _lake(disturbed=1e6)
    plan = I.MitigationPlan(default_mitigation()["wetting_brine"], "disturbed_crust", 1e6)
    table = I.compute(I.Activity(lake=lake), FACTORS, mitigation=[plan])
    assert _value(table, "freshwater_dust_control") == 0.0
    assert _value(table, "brine_dust_control") == pytest.approx(0.59 * 1e6 * 365 / 365.25, rel=RTOL_DAILY_SUM)


def test_counterfactual_gives_level_area_and_dust_difference():
    project = I.Activity(lake=_lake(level=0.25, area=0.9e9, exposed=1.1e9, disturbed=5e6),
                         brine_abstracted_kg=2e9, lake_inflow_kg=1e11)
    no_project = I.Activity(lake=_lake(level=0.30, area=1.0e9, exposed=1.0e9, disturbed=0.0))
    table = I.compute(project, FACTORS, counterfactual=no_project)
    assert _value(table, "level_change_vs_no_project_mean") == pytest.approx(-0.05, rel=RTOL_DAILY_SUM)
    assert _value(table, "level_change_vs_no_project_end") == pytest.approx(-0.05, rel=RTOL_DAILY_SUM)
    assert _value(table, "area_change_vs_no_project_mean") == pytest.approx(-0.1e9, rel=RTOL_DAILY_SUM)
    assert _value(table, "exposed_lakebed_change_vs_no_project_mean") == pytest.approx(0.1e9, rel=RTOL_DAILY_SUM)
    assert _value(table, "abstraction_to_inflow") == pytest.approx(0.02)
    increment = _value(table, "pm10_project_increment")
    assert increment == pytest.approx(_value(table, "pm10_total") - _value(table, "pm10_total_no_project"))
    assert increment > 0


def test_every_category_has_units_and_sources():
    act = I.Activity(products_kg={"NaCl": 1e8, "MgCl2": 1e7}, electricity_J={"grid": 1e12},
                     water_m3={"groundwater": 1e4}, lake=_lake(), pond_area_m2=5e7,
                     bitterns_produced_kg=1e9, seepage_kg=1e8, handled_kg=1e8, hauled_kg=1e8)
    table = I.compute(act, FACTORS)
    assert list(table.columns) == list(I.IMPACT_COLUMNS)
    assert set(table.category) == {"climate", "energy", "water", "lake", "dust", "land", "bitterns", "seepage"}
    assert table.unit.str.len().min() > 0 and table.source.str.len().min() > 0
    assert set(table.per_tonne_of) == {"", "NaCl", "MgCl2"}
    assert _value(table, "land_disturbed_total") == pytest.approx(5e7 + 1e6)
    # intensities are totals over product tonnes
    assert _value(table, "pm10_total", "MgCl2") == pytest.approx(_value(table, "pm10_total") / 1e4)


def test_unmodelled_quantities_are_labelled():
    table = I.compute(I.Activity(missing=frozenset({"diesel", "water"})), FACTORS)
    assert table.loc[table.quantity == "co2e_diesel", "source"].iloc[0] == I.NOT_MODELLED
    assert table.loc[table.quantity == "freshwater_process", "source"].iloc[0] == I.NOT_MODELLED


def test_stockpile_and_road_dust_by_hand():
    lake = _lake(wind=4.4, exposed=0.0, disturbed=0.0)
    table = I.compute(I.Activity(lake=lake, handled_kg=1e9, hauled_kg=3e8), FACTORS)
    # AP-42 13.2.4 at U = 4.4 m/s, M = 3 %, two drops: 0.35*0.0016*2^1.3/(1.5^1.4) kg/Mg
    per_mg = 0.35 * 0.0016 * 2**1.3 / 1.5**1.4
    assert _value(table, "pm10_stockpiles") == pytest.approx(2 * 1e6 * per_mg, rel=RTOL_ARITHMETIC)
    # AP-42 13.2.2: s = 4.8 %, W = 40 t; 3e8 kg / 30 t trips x 2 x 3 km
    lb_per_mile = 1.5 * (4.8 / 12) ** 0.9 * (40000 / 907.18474 / 3) ** 0.45
    vkt_m = 2 * 3000.0 * 3e8 / 30000.0
    expected = lb_per_mile * 0.45359237 / 1609.344 * vkt_m
    assert _value(table, "pm10_haul_roads") == pytest.approx(expected, rel=RTOL_ARITHMETIC)


def test_auto_target_covers_disturbed_crust_first_then_intact_and_measures_add_up():
    lake = _lake(wind=9.0, exposed=5e6, disturbed=1e6)
    act = I.Activity(lake=lake)
    bare = I.compute(act, FACTORS)
    gravel = default_mitigation()["gravel_cover"]
    wet = default_mitigation()["wetting_water"]
    # 1.5 km^2 of gravel: all 1 km^2 of disturbed crust and 0.5 of the 4 km^2 intact crust
    plans = [I.MitigationPlan(gravel, "auto", 1.5e6), I.MitigationPlan(wet, "auto", 1.0e6)]
    table = I.compute(act, FACTORS, mitigation=plans)
    disturbed = _value(bare, "pm10_lakebed_disturbed")
    intact = _value(bare, "pm10_lakebed_intact")
    assert _value(table, "pm10_lakebed_disturbed") == pytest.approx(disturbed * (1 - 0.99), rel=RTOL_DAILY_SUM)
    # intact: 0.5 km^2 gravel (99 %) + 1 km^2 wetting (99.4 %) of 4 km^2, additive
    expected = intact * (1 - (0.99 * 0.5 + 0.994 * 1.0) / 4.0)
    assert _value(table, "pm10_lakebed_intact") == pytest.approx(expected, rel=RTOL_DAILY_SUM)
    # only the wetted square kilometre uses water (gravel needs none)
    assert _value(table, "freshwater_dust_control") == pytest.approx(wet.water_rate * 1e6 * 365 * DAY, rel=RTOL_ARITHMETIC)


def test_diesel_energy_by_hand():
    # 2 m^3 x 835 kg/m^3 x 42.68 MJ/kg [X4]
    table = I.compute(I.Activity(diesel_m3=2.0, rail_diesel_m3=1.0), FACTORS)
    assert _value(table, "diesel") == pytest.approx(2.0 * 835.0 * 42.68e6, rel=RTOL_ARITHMETIC)
    assert _value(table, "diesel_rail") == pytest.approx(835.0 * 42.68e6, rel=RTOL_ARITHMETIC)
    # trains count by t-km in climate, not by their diesel: no rail CO2 without t-km
    assert _value(table, "co2e_rail") == 0.0
    assert _value(table, "co2e_diesel") == pytest.approx(2.0 * 2610.0, rel=RTOL_ARITHMETIC)
