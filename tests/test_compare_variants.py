"""Variants of one scenario file: FILE#NAME specs, the [[variants]] table, loading each variant."""
from pathlib import Path

import pytest

from saltsim.errors import ScenarioError
from saltsim.scenario import variants as V

PAIRS = Path(__file__).parent / "environment" / "data" / "impact_pairs.toml"


def test_split_spec():
    assert V.split_spec("a/b.toml#pv") == ("a/b.toml", "pv")
    assert V.split_spec("a/b.toml") == ("a/b.toml", None)
    with pytest.raises(ScenarioError, match="empty variant name"):
        V.split_spec("a/b.toml#")


def test_variant_table_problems_one_line_each():
    raw = {"variants": [{"name": "a", "overrides": {"x": 1}}, {"name": "a"}, {"name": "base"},
                        {"description": "no name"}, {"name": "b", "overrides": 3}]}
    with pytest.raises(ScenarioError) as info:
        V.variant_table(raw)
    problems = info.value.problems
    assert problems == [
        "variants[1].name: found 'a' again; expected unique variant names",
        "variants[2].name: found 'base'; expected a name other than 'base' without '#'",
        "variants[3].name: found None; expected a non-empty string",
        "variants[4].overrides: found a int; expected a table of field path = value",
    ]


def test_expand_loads_base_first_then_file_order_with_overrides():
    loaded = V.expand_variants(PAIRS, overrides={"site.horizon": "10 d"})
    assert list(loaded) == ["base", "pv", "wet"]
    assert loaded["base"].variant is None and loaded["pv"].variant == "pv"
    assert all(s.site.horizon == pytest.approx(10 * 86400.0) for s in loaded.values())
    assert loaded["base"].energy.pv is None and loaded["pv"].energy.pv.capacity == pytest.approx(2e6)
    assert loaded["wet"].impacts.mitigation[0].measure == "wetting_water"
    assert loaded["base"].hash != loaded["pv"].hash


def test_unknown_variant_suggests_the_close_one():
    with pytest.raises(ScenarioError, match=r"found no variant 'wett'; did you mean 'wet'\?"):
        V.load_variant(PAIRS, "wett")
    with pytest.raises(ScenarioError, match="no such file"):
        V.read_raw(PAIRS.with_name("absent.toml"))
