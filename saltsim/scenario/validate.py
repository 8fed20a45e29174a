"""Cross-field checks of a parsed scenario: references, uniqueness, depths, tables, the pond graph.

Field-level checks (types, units, bounds) happen while parsing (:mod:`saltsim.scenario.load`).
Here every reference between sections is resolved generically from the ``ref`` column of
``scenario_fields.csv``; all problems are raised together as one
:class:`~saltsim.errors.ConsistencyError`. Plausibility findings (not errors) are warnings,
or errors under ``strict=True``.
"""
from __future__ import annotations

import difflib
import warnings
from collections.abc import Mapping

import numpy as np

from ..errors import ConsistencyError
from . import fields as F
from .schema import Scenario

__all__ = ["check", "ScenarioWarning"]

#: Literal words a reference may name instead of a record.
_LITERALS = {"lake", "brine"}
#: Crystallizer share of the pond area outside which a warning is given: practice is 12-13 %
#: [S5]; wider bounds leave room for brines already near halite saturation.
CRYSTALLIZER_SHARE_PLAUSIBLE = (0.02, 0.6)


class ScenarioWarning(UserWarning):
    """A scenario is valid but implausible (shown by ``saltsim validate``)."""


def _suggest(word, options) -> str:
    matches = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.5)
    return f"; did you mean {matches[0]!r}?" if matches else ""


def _records(scenario: Scenario, section_path: str) -> tuple:
    node = scenario
    for key in section_path.split("."):
        node = getattr(node, key, None) if node is not None else None
    return node or ()


def _names(scenario: Scenario, section_path: str) -> list[str]:
    key = F.REFERENCE_KEYS[section_path]
    return [getattr(r, key) for r in _records(scenario, section_path)]


def _walk(scenario: Scenario):
    """(section spec, record, where) for every record in the scenario."""
    def visit(section_path: str, node, where: str):
        for child in F.children_of(section_path):
            if not child.class_name:
                continue
            value = getattr(node, child.key, None)
            here = f"{where}.{child.key}" if where else child.key
            if child.kind == "array":
                for i, record in enumerate(value or ()):
                    yield child, record, f"{here}[{i}]"
                    yield from visit(child.path, record, f"{here}[{i}]")
            elif value is not None:
                yield child, value, here
                yield from visit(child.path, value, here)
    yield from visit("", scenario, "")


def check(scenario: Scenario, raw: Mapping | None = None, strict: bool = False) -> None:
    """Raise ConsistencyError listing every cross-field problem; warn about implausible values."""
    problems: list[str] = []
    notes: list[str] = []
    # unique names
    for section_path, key in F.REFERENCE_KEYS.items():
        records = _records(scenario, section_path)
        seen: dict[str, int] = {}
        for i, record in enumerate(records):
            name = getattr(record, key)
            if name in seen:
                problems.append(f"{section_path}[{i}].{key}: found {name!r} again (also "
                                f"{section_path}[{seen[name]}]); expected unique names")
            seen.setdefault(name, i)
    # references
    for spec, record, where in _walk(scenario):
        for field in F.fields_of(spec.path):
            if not field.ref:
                continue
            value = getattr(record, field.name)
            targets = value if isinstance(value, tuple) else ((value,) if value is not None else ())
            allowed: list[str] = []
            for ref in field.ref:
                allowed += [ref] if ref in _LITERALS else _names(scenario, ref)
            for target in targets:
                if target not in allowed:
                    what = " or ".join(f"[[{r}]]" if r not in _LITERALS else repr(r) for r in field.ref)
                    problems.append(f"{where}.{field.name}: found {target!r}, which names nothing; "
                                    f"expected a name from {what} ({', '.join(map(repr, allowed)) or 'none defined'})"
                                    f"{_suggest(target, allowed)}")
    problems += _check_strategy(scenario)
    problems += _check_ponds(scenario)
    problems += _check_lake(scenario)
    problems += _check_climate(scenario)
    problems += _check_rail(scenario)
    problems += _check_pumps(scenario)
    notes += _plausibility(scenario)
    if problems:
        raise ConsistencyError(problems=problems)
    for note in notes:
        if strict:
            raise ConsistencyError(problems=notes)
        warnings.warn(note, ScenarioWarning, stacklevel=3)


def _strategy_names() -> tuple[str, ...] | None:
    """Names in the strategy registry, or None when no registry is installed."""
    import importlib
    import importlib.util

    if importlib.util.find_spec("saltsim.strategies.registry") is None:
        return None
    importlib.import_module("saltsim.strategies")  # registers the named strategies
    return tuple(importlib.import_module("saltsim.strategies.registry").names())


def _check_strategy(scenario: Scenario) -> list[str]:
    names = _strategy_names()
    if names is None or scenario.strategy.name in names:
        return []
    return [f"strategy.name: found {scenario.strategy.name!r}; expected a registered strategy "
            f"({', '.join(names)}){_suggest(scenario.strategy.name, names)}"]


def _check_ponds(scenario: Scenario) -> list[str]:
    problems = []
    names = [p.name for p in scenario.ponds]
    for i, pond in enumerate(scenario.ponds):
        where = f"ponds[{i}]"
        if pond.depth_min > pond.depth_max:
            problems.append(f"{where}.depth_min: found {pond.depth_min:g} m; expected at most depth_max ({pond.depth_max:g} m)")
        if pond.depth_initial > pond.depth_max:
            problems.append(f"{where}.depth_initial: found {pond.depth_initial:g} m; expected at most depth_max ({pond.depth_max:g} m)")
        if pond.name in pond.feeds:
            problems.append(f"{where}.feeds: found {pond.name!r}, the pond itself; expected another pond")
        if pond.transfer_rule == "density" and pond.feeds and pond.transfer_density is None:
            problems.append(f"{where}.transfer_density: missing; expected a density for transfer_rule = \"density\", such as \"26 degBe\"")
        if pond.transfer_rule == "level" and pond.feeds and pond.transfer_level is None:
            problems.append(f"{where}.transfer_level: missing; expected a depth for transfer_rule = \"level\", such as \"45 cm\"")
        if pond.transfer_rule == "schedule" and pond.feeds and pond.transfer_months is None:
            problems.append(f"{where}.transfer_months: missing; expected months for transfer_rule = \"schedule\", such as [5, 6, 7]")
        if pond.harvest_layer is not None and pond.harvest_floor >= pond.harvest_layer:
            problems.append(f"{where}.harvest_floor: found {pond.harvest_floor:g} m; expected less than harvest_layer ({pond.harvest_layer:g} m)")
    # the pond graph must be acyclic (brine flows downstream only)
    graph = {p.name: [f for f in p.feeds if f in names] for p in scenario.ponds}
    state: dict[str, int] = {}

    def visit(node, trail):
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycle = trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt]
                return cycle
            if state.get(nxt) is None:
                found = visit(nxt, trail + [nxt])
                if found:
                    return found
        state[node] = 2
        return None

    for name in graph:
        if state.get(name) is None:
            cycle = visit(name, [name])
            if cycle:
                i = names.index(cycle[0])
                problems.append(f"ponds[{i}].feeds: the ponds form a cycle ({' → '.join(cycle)}); "
                                f"expected brine to flow downstream only")
                break
    return problems


def _check_lake(scenario: Scenario) -> list[str]:
    lake, problems = scenario.lake, []
    tables = {"levels": lake.levels, "areas": lake.areas, "volumes": lake.volumes}
    given = {k: v for k, v in tables.items() if v is not None}
    if given and len(given) != 3:
        missing = sorted(set(tables) - set(given))
        problems.append(f"lake.{missing[0]}: missing; expected levels, areas and volumes together (the level–area–volume table)")
        return problems
    if given:
        n = {k: len(v) for k, v in given.items()}
        if len(set(n.values())) != 1:
            problems.append(f"lake.areas: found {n['areas']} areas and {n['volumes']} volumes for {n['levels']} levels; expected one of each per level")
            return problems
        if n["levels"] < 2:
            problems.append("lake.levels: found 1 level; expected at least 2 for a level–area–volume table")
        if np.any(np.diff(lake.levels) <= 0):
            problems.append("lake.levels: found levels that do not increase; expected strictly increasing levels")
        for key in ("areas", "volumes"):
            if np.any(np.diff(given[key]) < 0):
                problems.append(f"lake.{key}: found values that decrease with level; expected non-decreasing {key}")
        if lake.areas is not None and lake.areas.max() > lake.area * (1 + 1e-9):
            problems.append(f"lake.areas: found {lake.areas.max() / 1e6:g} km^2; expected at most lake.area ({lake.area / 1e6:g} km^2)")
        if lake.initial_level is not None and not lake.levels[0] <= lake.initial_level <= lake.levels[-1]:
            problems.append(f"lake.initial_level: found {lake.initial_level:g} m; expected within the table, {lake.levels[0]:g}–{lake.levels[-1]:g} m")
    return problems


def _check_climate(scenario: Scenario) -> list[str]:
    climate = scenario.climate
    if climate.series is not None:
        return []
    problems = []
    for key in ("pan_evaporation", "rainfall", "temperature_max", "temperature_min", "wind_speed"):
        if getattr(climate, key) is None:
            problems.append(f"climate.{key}: missing; expected 12 monthly values (or climate.series, a daily CSV file)")
    if climate.temperature_max is not None and climate.temperature_min is not None:
        bad = np.nonzero(climate.temperature_min > climate.temperature_max)[0]
        if bad.size:
            problems.append(f"climate.temperature_min[{bad[0]}]: found above temperature_max; expected min ≤ max")
    return problems


def _check_rail(scenario: Scenario) -> list[str]:
    rail, problems = scenario.rail, []
    if rail is None:
        return problems
    if rail.trains.min_wagons > rail.trains.max_wagons:
        problems.append(f"rail.trains.min_wagons: found {rail.trains.min_wagons}; expected at most max_wagons ({rail.trains.max_wagons})")
    for i, section in enumerate(rail.sections):
        low, high = section.transit_time_min, section.transit_time_max
        if (low is None) != (high is None):
            problems.append(f"rail.sections[{i}].transit_time_{'max' if high is None else 'min'}: missing; expected transit_time_min and transit_time_max together")
        elif low is not None and low > high:
            problems.append(f"rail.sections[{i}].transit_time_min: found more than transit_time_max; expected min ≤ max")
    for i, destination in enumerate(rail.destinations):
        if destination.crosses_border and rail.border is None:
            problems.append(f"rail.destinations[{i}].crosses_border: found true without [rail.border]; expected a [rail.border] section")
    return problems


def _check_pumps(scenario: Scenario) -> list[str]:
    problems = []
    for i, pump in enumerate(scenario.pumps):
        if (pump.mtbf is None) != (pump.mttr is None):
            problems.append(f"pumps[{i}].{'mttr' if pump.mttr is None else 'mtbf'}: missing; expected mtbf and mttr together")
        if (pump.maintenance_interval is None) != (pump.maintenance_duration is None):
            problems.append(f"pumps[{i}].maintenance_{'duration' if pump.maintenance_duration is None else 'interval'}: missing; expected maintenance_interval and maintenance_duration together")
        if pump.source == pump.destination:
            problems.append(f"pumps[{i}].destination: found {pump.destination!r}, the same as the source; expected another pond")
    return problems


def _plausibility(scenario: Scenario) -> list[str]:
    notes = []
    total = sum(p.area for p in scenario.ponds)
    crystallizers = sum(p.area for p in scenario.ponds if p.role == "crystallizer")
    if total > 0 and crystallizers > 0:
        share = crystallizers / total
        low, high = CRYSTALLIZER_SHARE_PLAUSIBLE
        if not low <= share <= high:
            notes.append(f"ponds: crystallizers are {share:.0%} of the pond area; practice is about "
                         f"12–13 % for sea water [S5] (plausible here {low:.0%}–{high:.0%})")
    return notes
