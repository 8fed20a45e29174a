"""End to end: simulated scenario pairs reproduce hand-computed impact differences; the Qom
baseline reports every category with units and sources, and the no-project counterfactual."""
import functools
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parents[1]))
from report_fixtures import cached_path_tables  # noqa: E402

from saltsim.compare import run_with_impacts  # noqa: E402
from saltsim.environment import dust
from saltsim.environment.factors import default_factors, factor_values
from saltsim.scenario.variants import expand_variants, load_variant
from saltsim.units import DAY, YEAR

PAIRS = Path(__file__).parent / "data" / "impact_pairs.toml"
GRID_KG_PER_J = 0.665 / 3.6e6  # [R20] 665 g CO2/kWh
# Sums over a few hundred floats: agreement to rounding.
RTOL_SUM = 1e-9
# The supply model splits each day's plant demand between PV and grid; 160 daily splits summed.
RTOL_SUPPLY = 1e-6
# Owens wetting rate [D3] 0.59 m/yr, as stored (derived from 60,000 acre-ft on 48.6 mi^2).
WET_RATE_M_PER_YR = 0.59


@pytest.fixture(scope="module", autouse=True)
def _one_path_per_brine():
    patch = cached_path_tables()
    yield
    patch.undo()


@functools.cache
def _run(variant: str):
    return run_with_impacts(load_variant(PAIRS, variant), counterfactual=False)


def _total(results, quantity):
    table = results.impacts
    rows = table[(table.quantity == quantity) & (table.per_tonne_of == "")]
    assert len(rows) == 1, quantity
    return float(rows.value.iloc[0])


def test_variants_of_the_pair_file():
    assert list(expand_variants(PAIRS)) == ["base", "pv", "wet"]


def test_grid_vs_solar_pv_gwp_difference_by_hand():
    base, pv = _run("base"), _run("pv")
    assert base.plants["production_kg"].sum() > 0
    # same seed, same production: the plants ask for the same electricity
    assert pv.plants["production_kg"].sum() == pytest.approx(base.plants["production_kg"].sum(), rel=RTOL_SUM)
    pv_energy = pv.plants["pv_J"].sum()
    assert pv_energy > 0
    assert base.plants["grid_J"].sum() - pv.plants["grid_J"].sum() == pytest.approx(pv_energy, rel=RTOL_SUPPLY)
    hand = pv_energy * GRID_KG_PER_J  # kg CO2 the PV displaces from the Iran grid
    difference = _total(base, "co2e_total") - _total(pv, "co2e_total")
    assert difference == pytest.approx(hand, rel=RTOL_SUPPLY)


def test_dust_wetting_pm10_reduction_and_water_by_hand():
    base, wet = _run("base"), _run("wet")
    lake = base.lake
    assert lake["disturbed_area_m2"].max() > 0  # the crust harvest disturbed some crust
    area = 20e6  # impacts.mitigation area, m^2
    # by hand: emissions per day of each crust state from the lake table, then the measure covers
    # the disturbed crust first and the rest of its area on the intact crust (efficiency 99.4 % [D3])
    v = factor_values(default_factors())
    intact, disturbed = dust.lakebed_pm10(lake["wind_m_per_s"].to_numpy(), lake["rain_m"].to_numpy(),
                                          lake["exposed_area_m2"].to_numpy(), lake["disturbed_area_m2"].to_numpy(),
                                          lake["duration_s"].to_numpy(), v)
    d_area = np.minimum(lake["disturbed_area_m2"].to_numpy(), lake["exposed_area_m2"].to_numpy())
    i_area = lake["exposed_area_m2"].to_numpy() - d_area
    on_d = np.minimum(area, d_area)
    on_i = np.minimum(area - on_d, i_area)
    reduction = 0.994 * (np.sum(disturbed * np.divide(on_d, d_area, out=np.zeros_like(d_area), where=d_area > 0))
                         + np.sum(intact * on_i / i_area))
    assert _total(base, "pm10_total") - _total(wet, "pm10_total") == pytest.approx(reduction, rel=RTOL_SUM)
    assert _total(wet, "pm10_mitigated") == pytest.approx(reduction, rel=RTOL_SUM)
    # water: 0.59 m/yr on 20 km^2 for the 160 days (the exposed lakebed always exceeds 20 km^2)
    days = len(lake)
    water = WET_RATE_M_PER_YR * area * days * DAY / YEAR
    assert _total(wet, "freshwater_dust_control") == pytest.approx(water, rel=RTOL_SUM)
    assert _total(wet, "freshwater_total") - _total(base, "freshwater_total") == pytest.approx(
        _total(wet, "freshwater_dust_control"), rel=RTOL_SUM)
    assert _total(base, "freshwater_dust_control") == 0.0


@pytest.mark.slow
# the baseline's bittern path ends beyond the Pitzer model's validity (a_w < 0.2) and is flagged so
@pytest.mark.filterwarnings("ignore::saltsim.chemistry.equilibrium.ValidityWarning")
def test_qom_baseline_every_category_with_units_sources_and_counterfactual():
    from saltsim.examples import example_path

    scenario = load_variant(example_path(), None, {"site.horizon": "1 yr"})
    results = run_with_impacts(scenario)
    table = results.impacts
    assert set(table.category) >= {"climate", "energy", "water", "lake", "dust", "land", "bitterns", "seepage"}
    assert (table.unit.str.len() > 0).all() and (table.source.str.len() > 0).all()
    totals = table[table.per_tonne_of == ""].set_index("quantity")
    # the counterfactual gives the project's lake-level and dust differences
    for quantity in ("level_change_vs_no_project_mean", "level_change_vs_no_project_end",
                     "area_change_vs_no_project_mean", "pm10_total_no_project", "pm10_project_increment"):
        assert np.isfinite(totals.loc[quantity, "value"]), quantity
    assert totals.loc["pm10_project_increment", "value"] == pytest.approx(
        totals.loc["pm10_total", "value"] - totals.loc["pm10_total_no_project", "value"], rel=RTOL_SUM)
    assert totals.loc["brine_abstracted", "value"] > 0
    assert totals.loc["co2e_total", "value"] > 0


def test_no_project_counterfactual_has_the_same_weather_and_no_activity():
    from saltsim.runner import run

    scenario = load_variant(PAIRS, "base")
    project = _run("base")
    no_project = run(scenario, seed=project.metadata["seed"], strategy="no_project", progress=False,
                     counterfactual=False)
    # same weather and inflows (drawn from their own random streams)
    for column in ("wind_m_per_s", "rain_m", "fresh_evaporation_m"):
        np.testing.assert_array_equal(no_project.lake[column].to_numpy(), project.lake[column].to_numpy())
    river = lambda r: r.flows.loc[r.flows.source == "ext:river", "H2O_kg"].sum()  # noqa: E731
    assert river(no_project) == river(project) > 0
    # no pumping, no harvest, no plants
    flows = no_project.flows
    assert not (flows.source.str.startswith("lake:crust") | flows.sink.str.startswith("stockpile:")
                | flows.sink.str.startswith("pond:")).any()
    assert no_project.plants.empty or no_project.plants["production_kg"].sum() == 0
    assert project.lake["disturbed_area_m2"].max() > 0 == no_project.lake["disturbed_area_m2"].max()
