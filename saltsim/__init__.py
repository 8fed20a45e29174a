"""saltsim: simulation of salt-lake mining operations.

The public API is small and imported lazily (``saltsim --help`` stays fast)::

    import saltsim
    scenario = saltsim.load_scenario("scenarios/qom_small.toml")
    results = saltsim.run(scenario, seed=1)
    results.kpis
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "load_scenario",
    "run",
    "sweep",
    "Scenario",
    "Results",
    "ureg",
    "SaltsimError",
    "ScenarioError",
    "ConsistencyError",
    "ConvergenceError",
    "ProcessError",
]

_LAZY = {
    "load_scenario": ("saltsim.scenario", "load_scenario"),
    "Scenario": ("saltsim.scenario", "Scenario"),
    "run": ("saltsim.runner", "run"),
    "sweep": ("saltsim.sweeps", "sweep"),
    "Results": ("saltsim.results", "Results"),
    "ureg": ("saltsim.units", "ureg"),
    "SaltsimError": ("saltsim.errors", "SaltsimError"),
    "ScenarioError": ("saltsim.errors", "ScenarioError"),
    "ConsistencyError": ("saltsim.errors", "ConsistencyError"),
    "ConvergenceError": ("saltsim.errors", "ConvergenceError"),
    "ProcessError": ("saltsim.errors", "ProcessError"),
}


def __getattr__(name: str):
    try:
        module_name, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'saltsim' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module_name), attribute)
    globals()[name] = value
    return value


def __dir__():
    return sorted(__all__)
