"""Experimental designs over scenario fields: full grids, Latin hypercubes and Sobol sequences.

A *parameter* names a scenario field by its path (``ponds[0].area``) and the values it may take:
a range with a unit (``10..40 km^2``), an integer range (``20..80``) or explicit levels
(``10,20,40 km^2`` or ``ponds_salt,crust_harvest``). A *design* turns parameters into points;
each point is a mapping ``path → raw scenario value`` (a string with its unit, as a scenario file
would hold it), applied with :func:`saltsim.scenario.overrides.apply_overrides` before the units
are parsed, so every swept value goes through the same validation as a hand-written scenario.

Space-filling designs use :mod:`scipy.stats.qmc` [Q1][Q2]: a sample ``u`` in the unit hypercube
is mapped to each parameter independently (linear between the bounds; an integer range maps
``u`` to ``floor(low + u (high − low + 1))``; levels to ``levels[floor(u k)]``).

References
----------
[Q1] M. D. McKay, R. J. Beckman, W. J. Conover, "A comparison of three methods for selecting
     values of input variables in the analysis of output from a computer code",
     Technometrics 21(2), 239–245, 1979. doi:10.1080/00401706.1979.10489755
[Q2] I. M. Sobol', "On the distribution of points in a cube and the approximate evaluation of
     integrals", USSR Comput. Math. Math. Phys. 7(4), 86–112, 1967.
     doi:10.1016/0041-5553(67)90144-9; scrambling: A. B. Owen, "Scrambling Sobol' and
     Niederreiter–Xing points", J. Complexity 14(4), 466–489, 1998. doi:10.1006/jcom.1998.0487
"""
from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .errors import ScenarioError

__all__ = [
    "DESIGNS",
    "Parameter",
    "Design",
    "parse_vary",
    "parse_parameter",
    "build_design",
    "unit_suffix",
]

#: Names of the supported designs.
DESIGNS = ("grid", "lhs", "sobol")

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_RANGE_RE = re.compile(rf"^\s*({_NUMBER})\s*\.\.\s*({_NUMBER})\s*(.*?)\s*$")
_NUMBER_RE = re.compile(rf"^\s*({_NUMBER})\s*(.*?)\s*$")
_INTEGER_RE = re.compile(r"^\s*[-+]?\d+\s*$")
_PATH_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\[\d+\])?(?:\.[A-Za-z_][A-Za-z0-9_]*(?:\[\d+\])?)*$")


def unit_suffix(unit: str) -> str:
    """Column-name suffix for a unit string: ``"km^2"`` → ``"km2"``, ``"m^3/h"`` → ``"m3_per_h"``.

    Parameters
    ----------
    unit : str
        A unit as the user wrote it; ``""`` for dimensionless values. [-]

    Returns
    -------
    str
        The suffix (without the leading underscore); ``""`` for dimensionless values.
    """
    text = unit.strip().replace("**", "").replace("^", "").replace("·", "_").replace("*", "_")
    text = re.sub(r"\s*/\s*", "_per_", text)
    text = re.sub(r"\s+", "_", text)
    return re.sub(r"[^A-Za-z0-9_]", "", text)


@dataclass(frozen=True, slots=True)
class Parameter:
    """One swept scenario field.

    Attributes
    ----------
    path : str
        Field path in the scenario, e.g. ``"ponds[0].area"``.
    unit : str
        Unit in which values are written, e.g. ``"km^2"``; ``""`` if dimensionless or textual.
    low, high : float or None
        Bounds of a range (inclusive), in ``unit``; ``None`` for explicit levels.
    levels : tuple or None
        Explicit values (numbers in ``unit``, or strings passed through unchanged).
    integer : bool
        True for an integer range (a count such as wagons or pumps).
    """

    path: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    levels: tuple | None = None
    integer: bool = False

    @property
    def column(self) -> str:
        """Results column of this parameter: the path with a unit suffix (``ponds[0].area_km2``)."""
        suffix = unit_suffix(self.unit)
        return f"{self.path}_{suffix}" if suffix else self.path

    @property
    def is_range(self) -> bool:
        return self.levels is None

    def from_unit_interval(self, u: np.ndarray) -> list:
        """Map samples in [0, 1) to values of this parameter (numbers in ``unit`` or strings)."""
        u = np.clip(np.asarray(u, dtype=float), 0.0, np.nextafter(1.0, 0.0))
        if self.levels is not None:
            index = np.floor(u * len(self.levels)).astype(int)
            return [self.levels[i] for i in index]
        if self.integer:
            span = int(self.high) - int(self.low) + 1
            return [int(v) for v in np.minimum(int(self.low) + np.floor(u * span), self.high)]
        return [float(v) for v in self.low + u * (self.high - self.low)]

    def grid_values(self, levels: int) -> list:
        """Values of this parameter on a full-factorial grid with ``levels`` levels per range."""
        if self.levels is not None:
            return list(self.levels)
        if self.integer:
            values = np.unique(np.round(np.linspace(self.low, self.high, levels)).astype(int))
            return [int(v) for v in values]
        if levels == 1:
            return [float(0.5 * (self.low + self.high))]
        return [float(v) for v in np.linspace(self.low, self.high, levels)]

    def raw_value(self, value):
        """The scenario-file value for ``value``: ``"23.5 km^2"``, a bare number, or a string."""
        if isinstance(value, str):
            return value
        if self.unit:
            return f"{value!r} {self.unit}"
        return value


def _parse_levels(path: str, text: str, where: str) -> Parameter:
    items = [item.strip() for item in text.split(",")]
    if any(not item for item in items):
        raise ScenarioError(f"{where}: found an empty level in {text!r}; "
                            f"expected comma-separated values such as '10,20,40 km^2'")
    numbers = [_NUMBER_RE.match(item) for item in items]
    leading_plain = all(m is not None and not m.group(2) for m in numbers[:-1])
    if leading_plain and numbers[-1] is not None:
        unit = numbers[-1].group(2)
        if not unit or _is_unit(unit):
            integer = not unit and all(_INTEGER_RE.match(item) for item in items)
            values = tuple(int(m.group(1)) if integer else float(m.group(1)) for m in numbers)
            if len(set(values)) != len(values):
                raise ScenarioError(f"{where}: found repeated levels in {text!r}; expected distinct values")
            return Parameter(path=path, unit=unit, levels=values, integer=integer)
    if len(set(items)) != len(items):
        raise ScenarioError(f"{where}: found repeated levels in {text!r}; expected distinct values")
    return Parameter(path=path, levels=tuple(items))


def _is_unit(text: str) -> bool:
    from .units import ureg

    try:
        ureg.Unit(text)
    except Exception:  # pint raises several unrelated types for bad strings
        return False
    return True


def parse_parameter(spec: str, where: str = "--vary") -> Parameter:
    """Parse one ``PATH=VALUES`` specification.

    Parameters
    ----------
    spec : str
        ``"ponds[0].area=10..40 km^2"`` (range with a unit), ``"rail.wagons.count=20..120"``
        (integer range: both bounds written as integers, no unit), ``"climate.pan_coefficient=0.6..0.8"``
        (dimensionless range), ``"ponds[0].area=10,20,40 km^2"`` (levels with a shared unit) or
        ``"strategy.name=ponds_salt,crust_harvest"`` (text levels). [-]
    where : str
        Where the specification came from, for error messages. [-]

    Returns
    -------
    Parameter

    Raises
    ------
    ScenarioError
        One line naming ``where``, what was found and what was expected.
    """
    path, sep, values = spec.partition("=")
    path = path.strip()
    if not sep or not values.strip():
        raise ScenarioError(f"{where}: found {spec!r}; expected PATH=LOW..HIGH UNIT such as "
                            f"'ponds[0].area=10..40 km^2' or PATH=V1,V2,... ")
    if not _PATH_RE.match(path):
        raise ScenarioError(f"{where}: found the field path {path!r}; expected a path such as "
                            f"'ponds[0].area' or 'rail.wagons.count'")
    match = _RANGE_RE.match(values)
    if match is None:
        return _parse_levels(path, values, where)
    low_text, high_text, unit = match.groups()
    if unit and not _is_unit(unit):
        raise ScenarioError(f"{where}: found the unit {unit!r} in {spec!r}; expected a unit such as "
                            f"'km^2', 'm^3/h' or 'cm'")
    low, high = float(low_text), float(high_text)
    if not (math.isfinite(low) and math.isfinite(high)) or not low < high:
        raise ScenarioError(f"{where}: found the range {low_text}..{high_text}; "
                            f"expected finite bounds with LOW < HIGH")
    integer = not unit and bool(_INTEGER_RE.match(low_text) and _INTEGER_RE.match(high_text))
    return Parameter(path=path, unit=unit, low=low, high=high, integer=integer)


def parse_vary(specs: Sequence[str] | Mapping[str, str]) -> list[Parameter]:
    """Parse ``--vary`` specifications (a list of ``PATH=VALUES`` or a mapping path → values).

    Raises
    ------
    ScenarioError
        Listing every malformed specification (one line each) and repeated paths.
    """
    if isinstance(specs, Mapping):
        specs = [f"{path}={values}" for path, values in specs.items()]
    parameters, problems = [], []
    for i, spec in enumerate(specs):
        try:
            parameters.append(parse_parameter(spec, where=f"--vary[{i}]"))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    seen: dict[str, int] = {}
    for i, parameter in enumerate(parameters):
        if parameter.path in seen:
            problems.append(f"--vary[{i}]: found {parameter.path!r} a second time; "
                            f"expected each field to be varied once")
        seen.setdefault(parameter.path, i)
    if problems:
        raise ScenarioError(problems=problems)
    return parameters


@dataclass(frozen=True, slots=True)
class Design:
    """Points of a design: ``values[i][j]`` is the value of ``parameters[j]`` at point ``i``."""

    kind: str
    parameters: tuple[Parameter, ...]
    values: tuple[tuple, ...]

    def __len__(self) -> int:
        return len(self.values)

    def overrides(self, index: int) -> dict[str, object]:
        """Scenario overrides (path → raw value) of point ``index``."""
        return {p.path: p.raw_value(v) for p, v in zip(self.parameters, self.values[index])}

    def columns(self, index: int) -> dict[str, object]:
        """Results columns (``path_unit`` → value in the written unit) of point ``index``."""
        return {p.column: v for p, v in zip(self.parameters, self.values[index])}

    def to_json(self) -> dict:
        """A JSON-able description (used to check that a resumed sweep is the same sweep)."""
        return {
            "kind": self.kind,
            "parameters": [
                {"path": p.path, "unit": p.unit, "low": p.low, "high": p.high,
                 "levels": list(p.levels) if p.levels is not None else None,
                 "integer": p.integer}
                for p in self.parameters
            ],
            "values": [list(point) for point in self.values],
        }


def build_design(parameters: Sequence[Parameter], kind: str = "lhs", samples: int = 16,
                 rng: np.random.Generator | None = None) -> Design:
    """Build the points of a design.

    Parameters
    ----------
    parameters : sequence of Parameter
        The swept fields; an empty sequence gives one point with no overrides. [-]
    kind : {"grid", "lhs", "sobol"}
        ``grid``: full factorial, ``samples`` levels per range (explicit levels as given);
        ``lhs``: Latin hypercube of ``samples`` points [Q1]; ``sobol``: the first ``samples``
        points of a scrambled Sobol' sequence [Q2] (balanced when ``samples`` is a power of 2). [-]
    samples : int
        Number of points (``lhs``, ``sobol``) or levels per range (``grid``). [-]
    rng : numpy.random.Generator, optional
        Source of the LHS permutations and of the Sobol' scrambling; required for ``lhs`` and
        ``sobol``. [-]

    Returns
    -------
    Design
    """
    if kind not in DESIGNS:
        raise ScenarioError(f"--design: found {kind!r}; expected one of {', '.join(DESIGNS)}")
    if not isinstance(samples, (int, np.integer)) or isinstance(samples, bool) or samples < 1:
        raise ScenarioError(f"--samples: found {samples!r}; expected a positive integer")
    parameters = tuple(parameters)
    if not parameters:
        return Design(kind=kind, parameters=(), values=((),))
    if kind == "grid":
        axes = [p.grid_values(int(samples)) for p in parameters]
        values = tuple(tuple(point) for point in itertools.product(*axes))
        return Design(kind=kind, parameters=parameters, values=values)
    if rng is None:
        raise ValueError(f"a {kind} design needs a numpy Generator")
    from scipy.stats import qmc

    d = len(parameters)
    if kind == "lhs":
        unit = qmc.LatinHypercube(d=d, rng=rng).random(int(samples))
    else:
        m = max(0, math.ceil(math.log2(int(samples))))
        unit = qmc.Sobol(d=d, scramble=True, rng=rng).random_base2(m)[: int(samples)]
    columns = [p.from_unit_interval(unit[:, j]) for j, p in enumerate(parameters)]
    values = tuple(tuple(col[i] for col in columns) for i in range(int(samples)))
    return Design(kind=kind, parameters=parameters, values=values)
