"""Named extraction strategies: registered, with the plants and ponds each one runs."""
from types import SimpleNamespace

import pytest

from saltsim.errors import ScenarioError
from saltsim.strategies import named, registry

PLANTS = tuple(SimpleNamespace(name=k, kind=k) for k in
               ("salt_washing", "mgcl2", "mgo", "mg_metal", "kcl", "sodium_sulphate"))


def test_all_named_strategies_are_registered():
    assert {"no_project", "crust_harvest", "ponds_salt", "ponds_salt_mg", "ponds_salt_mg_na2so4",
            "ponds_salt_mg_sulphate"} <= set(registry.names())


@pytest.mark.parametrize("name, ponds, crust, kinds", [
    ("no_project", False, False, []),
    ("crust_harvest", False, True, ["salt_washing"]),
    ("ponds_salt", True, False, ["salt_washing"]),
    ("ponds_salt_mg", True, False, ["salt_washing", "mgcl2", "mgo", "mg_metal", "kcl"]),
    ("ponds_salt_mg_na2so4", True, False, ["salt_washing", "mgcl2", "mgo", "mg_metal", "kcl", "sodium_sulphate"]),
    ("ponds_salt_mg_sulphate", True, False, ["salt_washing", "mgcl2", "mgo", "mg_metal", "kcl", "sodium_sulphate"]),
])
def test_strategy_definition(name, ponds, crust, kinds):
    strategy = registry.create(name, {"harvest_layer": 0.2})
    assert strategy.name == name
    assert strategy.uses_ponds is ponds and strategy.crust_harvesting is crust
    assert [p.kind for p in strategy.select_plants(PLANTS)] == kinds
    assert strategy.uses_plants is bool(kinds)
    assert strategy.parameters == {"harvest_layer": 0.2}


def test_no_project_harvests_nothing():
    import numpy as np

    from saltsim.strategies.base import SiteView

    view = SiteView(time_s=0.0, month=8, pond_names=("C1",), roles=("crystallizer",),
                    layer_thickness=np.array([0.5]), harvest_layer=np.array([0.25]), online=np.array([True]),
                    density=np.array([1250.0]), lake_level=789.0)
    assert list(registry.create("ponds_salt").ponds_to_harvest(view, [8])) == [0]
    strategy = registry.create("no_project")
    assert not strategy.uses_ponds and not strategy.crust_harvesting and not strategy.uses_plants


def test_unknown_strategy_suggests():
    with pytest.raises(ScenarioError, match="did you mean 'no_project'"):
        registry.create("no_projct")


def test_definitions_table_is_complete():
    assert set(named.DEFINITIONS) == {"no_project", "crust_harvest", "ponds_salt", "ponds_salt_mg",
                                      "ponds_salt_mg_na2so4"}
