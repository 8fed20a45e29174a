"""The scenario language: TOML files with units → frozen SI dataclasses.

>>> from saltsim.scenario import load_scenario      # doctest: +SKIP
>>> scenario = load_scenario("scenarios/qom_small.toml")
>>> scenario.ponds[0].area                          # m²

The schema is data (``saltsim/data/scenario_fields.csv``); see ``scenarios/README.md`` for the
field reference generated from it (``saltsim schema --reference``).
"""
from __future__ import annotations

from .load import load_scenario, parse, read_toml
from .overrides import apply_overrides
from .schema import (Border, Brine, Climate, ClimateSeries, Crust, Destination, Diesel, Energy,
                     Grid, Harvest, Impacts, Lake, LineSection, Locomotives, Mitigation,
                     PhotoVoltaic, Plant, Pond, Pump, Rail, Scenario, Site, Stockpile,
                     StrategySpec, Terminal, TrainFormation, Variant, WagonFleet, Water,
                     WaterSource)

__all__ = [
    "load_scenario", "parse", "read_toml", "apply_overrides", "scenario_to_raw",
    "Scenario", "Site", "Lake", "Crust", "Brine", "Climate", "ClimateSeries", "Pond", "Pump",
    "Harvest", "Stockpile", "Plant", "Rail", "Terminal", "WagonFleet", "Locomotives",
    "TrainFormation", "LineSection", "Border", "Destination", "Energy", "Grid", "PhotoVoltaic",
    "Diesel", "Water", "WaterSource", "Impacts", "Mitigation", "StrategySpec", "Variant",
]


def scenario_to_raw(scenario: Scenario) -> dict:
    """The scenario as a raw dict (SI strings with units) that loads back to an equal scenario."""
    from .dump import scenario_to_raw as _to_raw

    return _to_raw(scenario)
