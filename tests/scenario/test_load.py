"""load_scenario: values land in SI, defaults apply, references resolve, nothing is executed."""
import dataclasses
import datetime
import math
import warnings
from pathlib import Path

import numpy as np
import pytest

from saltsim import units
from saltsim.errors import ConsistencyError, ScenarioError
from saltsim.examples import example_path, list_examples, load_example
from saltsim.scenario import load_scenario, read_toml
from saltsim.scenario.validate import ScenarioWarning

#: Unit conversions are exact decimal scalings: only float round-off remains.
RTOL_EXACT = 1e-12
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
PACKAGED = Path(__file__).resolve().parents[2] / "saltsim" / "scenarios"


def test_top_level_scenarios_are_the_packaged_files():
    for name in ("qom_baseline.toml", "qom_small.toml"):
        assert (SCENARIOS / name).read_bytes() == (PACKAGED / name).read_bytes()
    assert set(list_examples()) >= {"qom_baseline", "qom_small"}


def test_small_scenario_values_in_si():
    s = load_example("qom_small")
    assert s.site.start == datetime.date(2026, 3, 21)
    assert s.site.horizon == 365.25 * 86400.0
    assert s.site.time_step == 86400.0
    assert s.lake.area == 2000e6
    assert s.ponds[0].area == 70e4  # 70 ha
    assert math.isclose(s.ponds[0].depth_max, 0.6, rel_tol=RTOL_EXACT)
    # 26 °Bé heavy-liquid scale: rho = 999.01 × 145 / (145 − 26) [B1]
    assert math.isclose(s.ponds[0].transfer_density, 999.01 * 145 / 119, rel_tol=RTOL_EXACT)
    assert math.isclose(s.pumps[0].capacity, 300 / 3600, rel_tol=RTOL_EXACT)
    assert math.isclose(s.harvest.harvester_rate, 300e3 / 3600, rel_tol=RTOL_EXACT)
    assert math.isclose(s.climate.temperature_max[0], 8.6 + 273.15, rel_tol=RTOL_EXACT)
    assert math.isclose(s.climate.pan_evaporation[6], 15.9e-3 / 86400, rel_tol=RTOL_EXACT)
    assert s.climate.pan_evaporation.shape == (12,) and not s.climate.pan_evaporation.flags.writeable
    assert s.stockpiles[0].capacity == 100e6


def test_defaults_and_absent_optionals():
    s = load_example("qom_small")
    pond = s.ponds[0]
    assert pond.seepage == pytest.approx(1e-3 / 86400, rel=RTOL_EXACT)  # default "1 mm/d"
    assert pond.seepage_aged is None and pond.transfer_rate is None
    assert s.rail is None and s.energy.pv is None and s.plants == () and s.variants == ()
    assert s.ponds[2].feeds == () and s.ponds[0].feeds == ("C1",)
    assert s.impacts.grid_co2 is None  # → saltsim/data/impact_factors.csv default
    assert s.lake.crust.thickness == pytest.approx(0.05, rel=RTOL_EXACT)
    assert s.strategy.name == "ponds_salt" and dict(s.strategy.parameters) == {}


def test_baseline_loads_with_every_section_and_its_variants():
    s = load_example("qom_baseline")
    assert s.site.horizon >= 30 * units.YEAR
    assert s.rail.wagons.count == 100 and s.rail.wagons.payload == 68e3  # 68 t [R15]
    assert s.rail.sections[0].length == 170e3  # [R7]
    assert s.rail.trains.max_wagons == 50  # [R15]
    assert math.isclose(s.impacts.grid_co2, 0.665 / 3.6e6, rel_tol=RTOL_EXACT)  # [R20]
    assert {v.name for v in s.variants} == {"crust_harvest", "ponds_salt", "ponds_salt_mg", "ponds_salt_mg_sulphate"}
    crust = load_scenario(example_path("qom_baseline"), variant="crust_harvest")
    assert crust.strategy.name == "crust_harvest" and crust.variant == "crust_harvest"
    assert crust.lake.crust.harvestable_area == 50e6
    assert crust.hash != s.hash
    # the lake brine is 8 % of its evaporation short of halite saturation (decision D30): unlike a
    # seawater works ([S5]: concentrators 87 % of the area) the train is mostly crystallizer
    concentrators = sum(p.area for p in s.ponds if p.role == "concentrator")
    crystallizers = sum(p.area for p in s.ponds if p.role == "crystallizer")
    assert crystallizers > concentrators


def test_unknown_variant_has_a_suggestion():
    with pytest.raises(ScenarioError, match=r"variant: found 'crust_harvst'.*did you mean 'crust_harvest'"):
        load_scenario(example_path("qom_baseline"), variant="crust_harvst")


def test_overrides_apply_before_parsing():
    s = load_scenario(example_path("qom_small"), overrides={"ponds[0].area": "1 km^2", "site.seed": 3,
                                                            "ponds[C1].depth_max": "40 cm"})
    assert s.ponds[0].area == 1e6 and s.site.seed == 3 and s.ponds[1].depth_max == pytest.approx(0.4)


def test_all_problems_are_reported_together():
    raw = read_toml(example_path("qom_small"))
    raw["ponds"][0]["area"] = "70 kg"
    raw["ponds"][1]["depth_max"] = 3
    raw["site"]["horizn"] = "1 yr"
    with pytest.raises(ScenarioError) as info:
        load_scenario(raw)
    problems = info.value.problems
    assert len(problems) == 3
    assert any(p.startswith("ponds[0].area: found '70 kg'") for p in problems)
    assert any(p.startswith("ponds[1].depth_max: found the bare number 3") for p in problems)
    assert any(p.startswith("site.horizn: unknown key") and "did you mean 'horizon'" in p for p in problems)


def test_cross_field_problems_raise_consistency_error():
    raw = read_toml(example_path("qom_small"))
    raw["pumps"][0]["destination"] = "E9"
    with pytest.raises(ConsistencyError, match=r"pumps\[0\]\.destination: found 'E9'.*did you mean 'E1'"):
        load_scenario(raw)


def test_plausibility_warning_and_strict():
    raw = read_toml(example_path("qom_small"))
    raw["ponds"][1]["area"] = "500 ha"  # crystallizers would be 87 % of the pond area
    with pytest.warns(ScenarioWarning, match=r"crystallizers are 87% of the pond area"):
        load_scenario(raw)
    with pytest.raises(ConsistencyError, match="crystallizers"):
        load_scenario(raw, strict=True)


def test_scenario_text_is_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.toml"
    text = example_path("qom_small").read_text()
    text = text.replace('name = "Qom Salt Lake (small test case)"',
                        f'name = "__import__(\'os\').system(\'touch {marker}\')"')
    text = text.replace('area = "70 ha"', f'area = "__import__(\'pathlib\').Path(\'{marker}\').touch() or 1 ha"')
    path.write_text(text)
    with pytest.raises(ScenarioError, match=r"ponds\[0\]\.area: found .*which is not a number followed by a unit"):
        load_scenario(path)
    assert not marker.exists()
    source = "".join(p.read_text() for p in (Path(__file__).resolve().parents[2] / "saltsim" / "scenario").glob("*.py"))
    for forbidden in ("eval(", "exec(", "import pickle", "pickle.load", "yaml", "__import__"):
        assert forbidden not in source


def test_climate_series_csv(tmp_path):
    csv_path = tmp_path / "weather.csv"
    csv_path.write_text("date,pan_evaporation [mm/d],rainfall [mm/d],temperature [degC],wind_speed [km/h]\n"
                        "2026-03-21,4.0,0.0,15.0,18\n2026-03-22,5.0,2.5,-5.0,36\n")
    raw = read_toml(example_path("qom_small"))
    raw["climate"] = {"series": str(csv_path)}
    s = load_scenario(raw)
    series = s.climate.series_data
    assert series.dates == (datetime.date(2026, 3, 21), datetime.date(2026, 3, 22))
    np.testing.assert_allclose(series.pan_evaporation, [4e-3 / 86400, 5e-3 / 86400], rtol=RTOL_EXACT)
    np.testing.assert_allclose(series.temperature, [288.15, 268.15], rtol=RTOL_EXACT)
    np.testing.assert_allclose(series.wind_speed, [5.0, 10.0], rtol=RTOL_EXACT)


def test_bundled_climate_example_series_loads():
    s = load_scenario(example_path("qom_small"), overrides={"climate.series": "qom_climate_example.csv"})
    series = s.climate.series_data
    assert len(series.dates) == 730
    # the example is the monthly normals of the baseline spread over days: same yearly pan total
    yearly = series.pan_evaporation[:365].sum() * 86400
    assert yearly == pytest.approx(3.0, rel=0.01)


def test_broken_climate_series_names_the_line(tmp_path):
    csv_path = tmp_path / "weather.csv"
    csv_path.write_text("date,rainfall [mm/d]\n2026-03-21,1\n2026-03-23,1\n")
    raw = read_toml(example_path("qom_small"))
    raw["climate"] = {"series": str(csv_path)}
    with pytest.raises(ScenarioError, match=r"climate\.series: .*weather\.csv line 3: found 2026-03-23; expected consecutive days"):
        load_scenario(raw)


def test_scenario_is_frozen():
    s = load_example("qom_small")
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.site.seed = 1
    with pytest.raises(ValueError):
        s.climate.rainfall[0] = 0.0


def test_no_warnings_from_bundled_scenarios():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in ("qom_small", "qom_baseline"):
            load_example(name)


def test_relative_series_of_a_dict_resolves_against_base_dir():
    raw = read_toml(example_path("qom_small"))
    raw["climate"] = {"series": "qom_climate_example.csv"}
    with pytest.raises(ScenarioError, match=r"climate\.series: found 'qom_climate_example\.csv', but"):
        load_scenario(raw, base_dir=SCENARIOS.parent)
    assert len(load_scenario(raw, base_dir=PACKAGED).climate.series_data.dates) == 730


def test_impact_factor_overrides_are_checked_against_the_factor_table():
    s = load_scenario(example_path("qom_small"), overrides={"impacts.factors.dust_threshold_disturbed": "8 m/s",
                                                            "impacts.factors.rail_co2": "25 g/t/km"})
    assert s.impacts.factors["dust_threshold_disturbed"] == 8.0
    assert math.isclose(s.impacts.factors["rail_co2"], 25e-3 / 1e3 / 1e3, rel_tol=RTOL_EXACT)
    from saltsim.scenario import scenario_to_raw

    assert load_scenario(scenario_to_raw(s)).impacts.factors == s.impacts.factors
    with pytest.raises(ScenarioError, match=r"impacts\.factors\.dust_treshold_disturbed: unknown factor.*"
                                            r"did you mean 'dust_threshold_disturbed'"):
        load_scenario(example_path("qom_small"), overrides={"impacts.factors.dust_treshold_disturbed": "8 m/s"})
    with pytest.raises(ScenarioError, match=r"impacts\.factors\.dust_threshold_disturbed: found '8 kg' of dimension"):
        load_scenario(example_path("qom_small"), overrides={"impacts.factors.dust_threshold_disturbed": "8 kg"})


def test_scenarios_pickle_for_sweep_workers():
    import pickle

    s = load_scenario(example_path("qom_baseline"), overrides={"strategy.parameters.harvest_layer": "20 cm"})
    again = pickle.loads(pickle.dumps(s))
    assert again == s and again.strategy.parameters == {"harvest_layer": pytest.approx(0.2)}
    with pytest.raises(TypeError):
        s.strategy.parameters["harvest_layer"] = 1.0  # read-only
