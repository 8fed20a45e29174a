"""Reading a run's activity out of its result tables (hand-made tables, hand-computed sums)."""
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from saltsim.constants import COMPONENTS
from saltsim.environment import impacts as I

DAY = 86400.0
M_CA, M_MG, M_CAO, M_CO2 = 40.078e-3, 24.305e-3, 56.077e-3, 44.009e-3
# CaO and CO2 molar masses here and in the code differ in the 5th digit (O 15.999 vs 15.9994).
RTOL_MOLAR_MASS = 1e-3
# A product of three floats.
RTOL_ARITHMETIC = 1e-12


def _flow(source, sink, process, **masses):
    row = {"time_s": 0.0, "source": source, "sink": sink, "process": process}
    row.update({f"{c}_kg": float(masses.get(c, 0.0)) for c in COMPONENTS})
    return row


@pytest.fixture
def tables():
    flows = pd.DataFrame([
        _flow("ext:river", "lake", "river_inflow", H2O=1e9),
        _flow("ext:rain", "lake", "rain", H2O=5e8),
        _flow("lake", "pond:E1", "pumping", H2O=1e7, Na=1e6, Cl=1.5e6),
        _flow("pond:E1", "pond:B1", "transfer", H2O=2e6, Mg=1e5, Cl=3e5),
        _flow("pond:B1", "lake", "bittern_return", H2O=1e6, Mg=5e4),
        _flow("pond:E1", "ext:groundwater", "seepage", H2O=3e5, Na=1e4),
        _flow("layer:C1", "stockpile:halite", "to_stockpile", Na=3.9e6, Cl=6.1e6),
        _flow("stockpile:halite", "plant:wash", "feed", Na=1e6, Cl=1.5e6),
        _flow("plant:wash", "stockpile:salt", "product", Na=9.4e5, Cl=1.46e6),
        _flow("ext:reagents", "plant:mgoh2", "reagent", Ca=M_CA * 1000, Mg=M_MG * 500),
    ])
    lake = pd.DataFrame({"time_s": np.arange(3) * DAY, "duration_s": DAY, "level_m": [1.0, 0.9, 0.8],
                         "area_m2": 1e9, "exposed_area_m2": 1e8, "disturbed_area_m2": 0.0,
                         "wind_m_per_s": 4.0, "rain_m": 0.0, "pumping_energy_J": 1e9})
    plants = pd.DataFrame({"plant": ["wash", "mgoh2"], "product": ["salt", "brucite"],
                           "production_kg": [2.4e6, 5e4], "grid_J": [1e10, 2e10], "pv_J": [0.0, 5e9],
                           "heat_J": [0.0, 1e11], "diesel_m3": [0.5, 0.0], "water_m3": [30.0, 20.0],
                           "water_groundwater_m3": [25.0, 0.0], "water_treated_wastewater_m3": [5.0, 20.0]})
    shipments = pd.DataFrame({"mass_kg": [3.4e6], "net_kg_m": [3.4e6 * 1.7e5], "diesel_m3": [4.0]})
    kpis = pd.DataFrame({"kpi": ["harvest_diesel", "wash_energy"], "value": [10.0, 3.6e9],
                         "unit": ["m^3/yr", "J/yr"], "description": ["", ""]})
    ponds = pd.DataFrame({"time_s": [DAY, DAY], "pond": ["E1", "B1"], "depth_m": [0.4, 1.0]})
    return {"flows": flows, "lake": lake, "plants": plants, "shipments": shipments, "kpis": kpis, "ponds": ponds}


SCENARIO = SimpleNamespace(
    ponds=(SimpleNamespace(name="E1", role="concentrator", area=7e5), SimpleNamespace(name="B1", role="bittern", area=5e4)),
    impacts=SimpleNamespace(grid_co2=None, pv_co2=None, diesel_co2=None, heat_co2=None, rail_co2=None,
                            road_co2=None, factors={}, mitigation=(), road_area=3e5, plant_area=2e5),
    harvest=SimpleNamespace(haul_distance=5000.0, truck_payload=40000.0))


def test_activity_sums_by_hand(tables):
    act = I.activity_from_tables(tables, SCENARIO)
    years = 3 * DAY / (365.25 * DAY)
    assert act.products_kg == {"halite": pytest.approx(1e7), "salt": 2.4e6, "brucite": 5e4}
    assert act.brine_abstracted_kg == pytest.approx(1.25e7)
    assert act.lake_inflow_kg == pytest.approx(1e9)  # rain is not inflow
    assert act.bitterns_produced_kg == pytest.approx(2.4e6)
    assert act.bitterns_returned_kg == pytest.approx(1.05e6)
    assert act.seepage_kg == pytest.approx(3.1e5)
    # plant products are counted once (plants table), but handled into their stockpile too
    assert act.handled_kg == pytest.approx(1e7 + 2.4e6) and act.hauled_kg == pytest.approx(1e7)
    assert act.electricity_J["grid"] == pytest.approx(3e10 + 3e9 + 3.6e9 * years)
    assert act.electricity_J["pv"] == pytest.approx(5e9)
    assert act.diesel_m3 == pytest.approx(0.5 + 10.0 * years)
    assert act.rail_diesel_m3 == 4.0 and act.rail_kg_m == pytest.approx(5.78e11)
    assert act.water_m3 == {"groundwater": 25.0, "treated_wastewater": 25.0}
    # 1 mol Ca + 0.5 mol Mg of lime/dolime -> 1.5 mol CaO-equivalent -> 1.5 mol CO2 on calcination
    assert act.lime_kg == pytest.approx(1.5 * M_CAO * 1000)
    assert act.pond_area_m2 == 7.5e5 and act.other_land_m2 == 5e5


def test_impacts_from_tables_lime_and_rail_by_hand(tables):
    table = I.impacts_from_tables(tables, SCENARIO)
    co2 = table.set_index(["quantity", "per_tonne_of"])["value"]
    assert co2[("co2e_lime_process", "")] == pytest.approx(1500 * M_CO2, rel=RTOL_MOLAR_MASS)
    # 3,400 t x 170 km x 30 g/tkm [R42]
    assert co2[("co2e_rail", "")] == pytest.approx(3400 * 170 * 0.030, rel=RTOL_ARITHMETIC)
    assert co2[("land_disturbed_total", "")] == pytest.approx(1.25e6)
    assert set(table.per_tonne_of) == {"", "halite", "salt", "brucite"}


def test_scenario_factor_overrides_reach_the_accounting(tables):
    scenario = SimpleNamespace(**{**vars(SCENARIO), "impacts": SimpleNamespace(
        **{**vars(SCENARIO.impacts), "grid_co2": 0.5 / 3.6e6, "factors": {"dust_threshold_intact": 8.0}})})
    factors = I.factors_for(scenario)
    assert factors["grid_co2"].value == pytest.approx(0.5 / 3.6e6) and factors["grid_co2"].source == "scenario"
    assert factors["dust_threshold_intact"].value == 8.0
    assert factors["road_haul_distance"].value == 5000.0 and factors["road_payload"].value == 40000.0


def test_land_counts_only_the_ponds_the_run_built(tables):
    without_ponds = {k: v for k, v in tables.items() if k != "ponds"}  # e.g. a crust-harvest run
    assert I.activity_from_tables(without_ponds, SCENARIO).pond_area_m2 == 0.0
    assert I.activity_from_tables(tables, SCENARIO).pond_area_m2 == 7.5e5


def test_empty_tables_are_marked_not_modelled():
    table = I.impacts_from_tables({}, None)
    sources = table.set_index("quantity")["source"]
    assert sources["co2e_rail"] == I.NOT_MODELLED and sources["brine_abstracted"] == I.NOT_MODELLED
