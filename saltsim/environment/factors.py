"""Impact factors (emissions, dust, water) and dust-mitigation measures, with their sources.

The defaults are data, reviewed in two CSV files shipped with the package:
``saltsim/data/impact_factors.csv`` (one row per factor: SI value, display value, range, status
``sourced``/``derived``/``estimate`` and source key) and ``saltsim/data/dust_mitigation.csv`` (one
row per measure: control efficiency, water rate and water source). Source keys in square brackets
resolve in ``/work/shared/domain.md`` §10 (``[R20]``, ``[D3]``, …) or in :data:`REFERENCES` below
for the few published sources the dossier does not hold. ``EST`` marks an estimate.

A scenario's ``[impacts]`` section overrides factors by key (values already in SI after loading);
:func:`resolve_factors` applies those overrides and records ``"scenario"`` as the source of a
changed value unless the scenario gives one.

This module is numerics (layer 1): standard library only; no pint, no pandas.
"""
from __future__ import annotations

import csv
import difflib
import functools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib import resources

from ..errors import ScenarioError

__all__ = [
    "Factor",
    "MitigationMeasure",
    "REFERENCES",
    "SECONDS_PER_YEAR",
    "default_factors",
    "default_mitigation",
    "resolve_factors",
    "resolve_mitigation",
    "factor_values",
]

#: Julian year, the same as ``saltsim.units.YEAR`` (not imported: this layer stays pint-free). [s]
SECONDS_PER_YEAR = 365.25 * 86400.0

#: Published sources used by the factor tables that the domain dossier does not list.
REFERENCES: dict[str, str] = {
    "[D13]": "B. R. White, 'Soil transport by winds on Mars', J. Geophys. Res. 84(B9), 4643-4651, "
             "1979, doi:10.1029/JB084iB09p04643 (saltation flux q = 2.61 rho/g u*^3 (1-r)(1+r)^2).",
    "[D14]": "LADWP, Owens Lake Dust Mitigation Program, best available control measures: shallow "
             "flooding, managed vegetation, gravel, brine with shallow-flooding backup; "
             "https://ladwpeasternsierra.com/dust-mitigation",
    "[G1]": "IPCC 2006 Guidelines for National Greenhouse Gas Inventories, Vol. 2 Energy, Ch. 2, "
            "Table 2.2: natural gas 56,100 kg CO2/TJ (54,300-58,300).",
    "[AP42-13.2.2]": "US EPA, AP-42 5th ed., Section 13.2.2 Unpaved Roads (Nov 2006): "
                     "E = k (s/12)^a (W/3)^b lb/VMT, PM10 k = 1.5, a = 0.9, b = 0.45; 1 lb/VMT = "
                     "281.9 g/VKT; rain days with >= 0.254 mm (0.01 in).",
    "[AP42-13.2.4]": "US EPA, AP-42 5th ed., Section 13.2.4 Aggregate Handling and Storage Piles "
                     "(Nov 2006): E = k 0.0016 (U/2.2)^1.3 / (M/2)^1.4 kg/Mg, PM10 k = 0.35.",
}


@dataclass(frozen=True, slots=True)
class Factor:
    """One impact factor.

    Attributes
    ----------
    key : str
        Identifier used in scenario ``[impacts]`` overrides, e.g. ``"grid_co2"``.
    value : float
        Value in ``si_unit``. [SI]
    si_unit : str
        SI unit of ``value`` (``"kg/J"``, ``"m/s"``, ``""`` for dimensionless).
    display_value, display_unit : float, str
        The same value as usually published (``665``, ``"g/kWh"``).
    low, high : float
        Published range, in display units.
    status : str
        ``sourced``, ``derived`` or ``estimate``.
    source : str
        Source keys (``"[R20]"``); ``"scenario"`` when set by a scenario without a source.
    description : str
        What the factor is and where it comes from.
    """

    key: str
    value: float
    si_unit: str
    display_value: float
    display_unit: str
    low: float
    high: float
    status: str
    source: str
    description: str


@dataclass(frozen=True, slots=True)
class MitigationMeasure:
    """A dust-mitigation or desertification measure.

    Attributes
    ----------
    measure : str
        ``wetting_water``, ``wetting_brine``, ``gravel_cover`` or ``vegetation``.
    control_efficiency : float
        Fraction of the PM10 emission of the controlled surface removed. [-]
    water_rate : float
        Water (or brine) applied per unit controlled area and time. [m s⁻¹]
    water_source : str
        ``freshwater``, ``brine`` (from the lake) or ``none``.
    status, source, description : str
        As for :class:`Factor`.
    """

    measure: str
    control_efficiency: float
    water_rate: float
    water_source: str
    status: str
    source: str
    description: str


def _read_csv(name: str) -> list[dict[str, str]]:
    with resources.files("saltsim").joinpath("data", name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@functools.cache
def _default_factor_table() -> tuple[Factor, ...]:
    rows = _read_csv("impact_factors.csv")
    return tuple(Factor(key=r["key"], value=float(r["value"]), si_unit=r["si_unit"],
                        display_value=float(r["display_value"]), display_unit=r["display_unit"],
                        low=float(r["low"]), high=float(r["high"]), status=r["status"],
                        source=r["source"], description=r["description"]) for r in rows)


@functools.cache
def _default_mitigation_table() -> tuple[MitigationMeasure, ...]:
    rows = _read_csv("dust_mitigation.csv")
    return tuple(MitigationMeasure(measure=r["measure"],
                                   control_efficiency=float(r["control_efficiency"]),
                                   water_rate=float(r["water_rate_m_per_yr"]) / SECONDS_PER_YEAR,
                                   water_source=r["water_source"], status=r["status"],
                                   source=r["source"], description=r["description"]) for r in rows)


def default_factors() -> dict[str, Factor]:
    """The default factors by key (a new dict each call)."""
    return {factor.key: factor for factor in _default_factor_table()}


def default_mitigation() -> dict[str, MitigationMeasure]:
    """The default dust-mitigation measures by name (a new dict each call)."""
    return {measure.measure: measure for measure in _default_mitigation_table()}


def _unknown(kind: str, where: str, name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{where}: found the unknown {kind} {name!r}{hint} (expected one of: {', '.join(sorted(known))})"


def resolve_factors(overrides: Mapping[str, float] | None = None,
                    sources: Mapping[str, str] | None = None,
                    where: str = "impacts") -> dict[str, Factor]:
    """Default factors with a scenario's overrides applied.

    Parameters
    ----------
    overrides : mapping of str to float, optional
        Factor key → new value, already in the factor's SI unit. [SI]
    sources : mapping of str to str, optional
        Factor key → source text for an override (default ``"scenario"``).
    where : str
        Field path prefix for error messages.

    Returns
    -------
    dict of str to Factor

    Raises
    ------
    ScenarioError
        One line per unknown key or non-finite / negative value.
    """
    factors = default_factors()
    problems = []
    sources = dict(sources or {})
    for key, value in (overrides or {}).items():
        if key not in factors:
            problems.append(_unknown("impact factor", f"{where}.{key}", key, factors))
            continue
        value = float(value)
        if not value >= 0.0 or value == float("inf"):
            problems.append(f"{where}.{key}: found {value!r}; expected a finite value >= 0 "
                            f"in {factors[key].si_unit or 'dimensionless'}")
            continue
        if key not in sources and abs(value - factors[key].value) <= 1e-9 * abs(factors[key].value):
            continue  # the scenario restates the default: keep its source
        factors[key] = replace(factors[key], value=value, status="scenario",
                               source=sources.get(key, "scenario"))
    for key in sources:
        if key not in factors:
            problems.append(_unknown("impact factor", f"{where}.sources.{key}", key, factors))
    if problems:
        raise ScenarioError(problems=problems)
    return factors


def resolve_mitigation(name: str, control_efficiency: float | None = None,
                       water_rate: float | None = None, where: str = "impacts.dust_control") -> MitigationMeasure:
    """A named measure, optionally with its efficiency or water rate replaced.

    Parameters
    ----------
    name : str
        Measure name (see :func:`default_mitigation`).
    control_efficiency : float, optional
        Replacement control efficiency in [0, 1]. [-]
    water_rate : float, optional
        Replacement water rate. [m s⁻¹]
    where : str
        Field path for error messages.
    """
    measures = default_mitigation()
    if name not in measures:
        raise ScenarioError(problems=[_unknown("dust-control measure", f"{where}.measure", name, measures)])
    measure = measures[name]
    problems = []
    if control_efficiency is not None:
        if not 0.0 <= control_efficiency <= 1.0:
            problems.append(f"{where}.control_efficiency: found {control_efficiency!r}; expected a fraction in [0, 1]")
        else:
            measure = replace(measure, control_efficiency=float(control_efficiency), status="scenario",
                              source="scenario")
    if water_rate is not None:
        if not 0.0 <= water_rate < float("inf"):
            problems.append(f"{where}.water_rate: found {water_rate!r}; expected a finite rate >= 0 such as \"0.59 m/yr\"")
        else:
            measure = replace(measure, water_rate=float(water_rate), status="scenario", source="scenario")
    if problems:
        raise ScenarioError(problems=problems)
    return measure


def factor_values(factors: Mapping[str, Factor]) -> dict[str, float]:
    """Key → SI value, for the numerical functions."""
    return {key: factor.value for key, factor in factors.items()}
