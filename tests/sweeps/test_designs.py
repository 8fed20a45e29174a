"""Designs: parsing of --vary, grids, Latin hypercube and Sobol' stratification."""
from __future__ import annotations

import numpy as np
import pytest

from saltsim.designs import Parameter, build_design, parse_parameter, parse_vary, unit_suffix
from saltsim.errors import ScenarioError


def test_parse_range_with_unit():
    p = parse_parameter("ponds[0].area=10..40 km^2")
    assert (p.path, p.low, p.high, p.unit, p.integer) == ("ponds[0].area", 10.0, 40.0, "km^2", False)
    assert p.column == "ponds[0].area_km2"
    assert p.raw_value(12.5) == "12.5 km^2"


def test_parse_integer_range_levels_and_text():
    assert parse_parameter("rail.wagons.count=20..120").integer
    assert not parse_parameter("climate.pan_coefficient=0.6..0.8").integer
    levels = parse_parameter("pumps[0].capacity=100, 200,400 m^3/h")
    assert levels.levels == (100.0, 200.0, 400.0) and levels.unit == "m^3/h"
    assert levels.column == "pumps[0].capacity_m3_per_h"
    text = parse_parameter("strategy.name=ponds_salt,crust_harvest")
    assert text.levels == ("ponds_salt", "crust_harvest") and text.raw_value("crust_harvest") == "crust_harvest"


@pytest.mark.parametrize("spec, message", [
    ("ponds[0].area", r"--vary\[0\]: found 'ponds\[0\]\.area'; expected PATH=LOW\.\.HIGH"),
    ("ponds[0].area=40..10 km^2", r"expected finite bounds with LOW < HIGH"),
    ("ponds[0].area=10..40 kmm^2", r"found the unit 'kmm\^2'"),
    ("ponds[0]..area=10..40 km^2", r"found the field path"),
    ("a=1,1,2", r"repeated levels"),
])
def test_parse_errors_name_the_option(spec, message):
    with pytest.raises(ScenarioError, match=message):
        parse_vary([spec])


def test_parse_collects_all_problems_and_repeated_paths():
    with pytest.raises(ScenarioError) as info:
        parse_vary(["a=2..1", "b", "c=1..2", "c=3..4"])
    assert len(info.value.problems) == 3
    assert "found 'c' a second time" in info.value.problems[-1]


def test_unit_suffix():
    assert unit_suffix("km^2") == "km2"
    assert unit_suffix("m**3/h") == "m3_per_h"
    assert unit_suffix("kg / m^3") == "kg_per_m3"
    assert unit_suffix("") == ""


def test_grid_is_the_full_product():
    a = parse_parameter("a=10..40 km^2")
    b = parse_parameter("b=x,y")
    design = build_design([a, b], kind="grid", samples=4)
    assert len(design) == 8
    assert sorted({v[0] for v in design.values}) == [10.0, 20.0, 30.0, 40.0]
    assert design.overrides(0) == {"a": "10.0 km^2", "b": "x"}
    assert design.columns(7) == {"a_km2": 40.0, "b": "y"}


def test_integer_grid_levels_are_distinct_integers():
    design = build_design([parse_parameter("n=1..3")], kind="grid", samples=5)
    assert [v[0] for v in design.values] == [1, 2, 3]


@pytest.mark.parametrize("n", [7, 32])
def test_latin_hypercube_has_one_point_per_stratum(n):
    params = [parse_parameter("a=10..40 km^2"), parse_parameter("b=0..1 m")]
    design = build_design(params, kind="lhs", samples=n, rng=np.random.default_rng(3))
    values = np.array(design.values, dtype=float)
    lows, highs = np.array([10.0, 0.0]), np.array([40.0, 1.0])
    strata = np.floor((values - lows) / (highs - lows) * n).astype(int)
    for j in range(2):  # each column is a permutation of 0..n-1 (McKay et al. 1979)
        assert sorted(strata[:, j]) == list(range(n))


def test_sobol_power_of_two_is_stratified_in_each_dimension():
    params = [parse_parameter("a=0..1 m"), parse_parameter("b=0..1 m"), parse_parameter("c=0..1 m")]
    design = build_design(params, kind="sobol", samples=16, rng=np.random.default_rng(5))
    values = np.array(design.values, dtype=float)
    for j in range(3):  # a (0, m, s)-net's one-dimensional projections: one point per 1/16
        assert sorted(np.floor(values[:, j] * 16).astype(int)) == list(range(16))


def test_design_is_reproducible_from_the_generator_seed():
    params = [parse_parameter("a=10..40 km^2"), parse_parameter("n=20..80")]
    one = build_design(params, kind="lhs", samples=10, rng=np.random.default_rng(11))
    two = build_design(params, kind="lhs", samples=10, rng=np.random.default_rng(11))
    assert one.values == two.values
    assert all(isinstance(v[1], int) and 20 <= v[1] <= 80 for v in one.values)


def test_levels_map_from_the_unit_interval():
    p = Parameter(path="s", levels=("a", "b", "c", "d"))
    assert p.from_unit_interval(np.array([0.0, 0.24, 0.25, 0.99, 1.0])) == ["a", "a", "b", "d", "d"]


def test_no_parameters_gives_one_point():
    design = build_design([], kind="lhs", samples=10)
    assert len(design) == 1 and design.overrides(0) == {}


def test_bad_design_and_samples():
    with pytest.raises(ScenarioError, match="--design: found 'random'"):
        build_design([parse_parameter("a=1..2 m")], kind="random")
    with pytest.raises(ScenarioError, match="--samples: found 0"):
        build_design([parse_parameter("a=1..2 m")], kind="grid", samples=0)
