"""The scenario language: TOML files with units → frozen SI dataclasses.

>>> from saltsim.scenario import load_scenario      # doctest: +SKIP
>>> scenario = load_scenario("scenarios/qom_small.toml")
>>> scenario.ponds[0].area                          # m²

The schema is data (``saltsim/data/scenario_fields.csv``); see ``scenarios/README.md`` for the
field reference generated from it (``saltsim schema --reference``). Names are imported lazily,
so that light submodules (``fields``, ``frozen``, ``export``) do not pull in pint.
"""
from __future__ import annotations

import importlib

__all__ = [
    "load_scenario", "load_brine", "parse", "read_toml", "apply_overrides", "scenario_to_raw", "FrozenMap",
    "Scenario", "Site", "Lake", "Crust", "Brine", "Climate", "ClimateSeries", "Pond", "Pump",
    "Harvest", "Stockpile", "Plant", "Rail", "Terminal", "WagonFleet", "Locomotives",
    "TrainFormation", "LineSection", "Border", "Destination", "Energy", "Grid", "PhotoVoltaic",
    "Diesel", "Water", "WaterSource", "Impacts", "Mitigation", "StrategySpec", "Variant",
]

_HOMES = {"load_scenario": "load", "load_brine": "load", "parse": "load", "read_toml": "load", "apply_overrides": "overrides",
          "scenario_to_raw": "dump", "FrozenMap": "frozen"}


def __getattr__(name: str):
    if name not in __all__:
        raise AttributeError(f"module 'saltsim.scenario' has no attribute {name!r}")
    module = importlib.import_module(f"saltsim.scenario.{_HOMES.get(name, 'schema')}")
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(__all__)
