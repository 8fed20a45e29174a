"""apply_overrides: set fields by path on the raw dict; clear errors for bad paths."""
import pytest

from saltsim.errors import ScenarioError
from saltsim.examples import example_path
from saltsim.scenario import apply_overrides, load_scenario, read_toml
from saltsim.scenario.overrides import parse_path


@pytest.fixture(scope="module")
def raw():
    return read_toml(example_path("qom_baseline"))


def test_parse_path():
    assert parse_path("ponds[0].area") == [("ponds", ["0"]), ("area", [])]
    assert parse_path("rail.sections[1].length") == [("rail", []), ("sections", ["1"]), ("length", [])]


def test_set_by_index_name_and_nested_tables(raw):
    out = apply_overrides(raw, {"ponds[0].area": "700 ha", "ponds[C2].depth_max": "45 cm",
                                "stockpiles[salt].capacity": "1 Mt", "strategy.parameters.harvest_layer": "20 cm",
                                "brine.composition.Li": "150 mg/kg", "rail.border.dwell": "48 h",
                                "site.seed": 11})
    assert out["ponds"][0]["area"] == "700 ha" and out["ponds"][3]["depth_max"] == "45 cm"
    assert out["stockpiles"][1]["capacity"] == "1 Mt"
    assert out["strategy"]["parameters"] == {"harvest_layer": "20 cm"}
    assert raw["ponds"][0]["area"] == "10 ha", "the input is not modified"
    s = load_scenario(out)
    assert s.ponds[0].area == 7e6 and s.site.seed == 11 and s.rail.border.dwell == 48 * 3600.0
    assert s.strategy.parameters["harvest_layer"] == pytest.approx(0.2)


def test_creates_missing_tables():
    small = read_toml(example_path("qom_small"))
    out = apply_overrides(small, {"energy.pv.capacity": "5 MW",
                                  "energy.pv.capacity_factor": ["20 %"] * 12})
    assert load_scenario(out).energy.pv.capacity == 5e6


def test_replace_a_whole_array(raw):
    out = apply_overrides(raw, {"impacts.mitigation": []})
    assert load_scenario(out).impacts.mitigation == ()


@pytest.mark.parametrize("path, message", [
    ("ponds[0].aera", r"'aera' is not a key of \[ponds\].*did you mean 'area'"),
    ("pond[0].area", r"'pond' is not a key of the top level.*did you mean 'ponds'"),
    ("ponds[12].area", r"index 12 is out of range; the scenario has 9 \[\[ponds\]\] entries"),
    ("ponds[E11].area", r"no \[\[ponds\]\] entry is named 'E11'.*did you mean 'E1'"),
    ("site[0].seed", r"\[site\] is a table, not an array"),
    ("ponds..area", r"expected dotted keys"),
    ("site.seed.x", r"site\.seed is a field, not a table"),
])
def test_bad_paths(raw, path, message):
    with pytest.raises(ScenarioError, match=message):
        apply_overrides(raw, {path: 1})


def test_all_bad_paths_reported_together(raw):
    with pytest.raises(ScenarioError) as info:
        apply_overrides(raw, {"ponds[0].aera": 1, "site.horizn": 2})
    assert len(info.value.problems) == 2
