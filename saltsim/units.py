"""The one unit registry of saltsim, and the conversion of scenario strings to SI.

Units cross the boundary once: scenario strings are parsed here, at load, into plain SI floats;
nothing below the scenario loader sees a pint ``Quantity``. The simulation clock is in
**seconds** from the scenario start (``DAY``, ``HOUR``, ``YEAR`` below are the only clock
constants).

Baumé degrees (heavy liquids, modulus 145 [B1]) are not a pint unit (the relation to density is
not linear); :func:`to_si` accepts ``"26 degBe"`` (also ``"26 °Bé"``, ``"26 Be"``) wherever a
density is expected.
"""
from __future__ import annotations

import math
import re
from importlib import resources

import pint

from .errors import ScenarioError

__all__ = [
    "ureg",
    "Q_",
    "to_si",
    "SECOND",
    "MINUTE",
    "HOUR",
    "DAY",
    "YEAR",
    "BAUME_MODULUS",
    "density_to_baume",
    "baume_to_density",
]

ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True, cache_folder=None)
with resources.files("saltsim").joinpath("units.txt").open() as _fh:
    ureg.load_definitions(list(_fh))
Q_ = ureg.Quantity

#: Simulation clock: seconds from the scenario start.
SECOND = 1.0
MINUTE = 60.0
HOUR = 3600.0
DAY = 86400.0
#: Julian year (365.25 d), the same as pint's ``yr``. [s]
YEAR = 365.25 * DAY

#: Heavy-liquid Baumé modulus (US scale, 60 °F): SG = 145 / (145 − °Bé). [B1][B2]
BAUME_MODULUS = 145.0
#: Density of water at 60 °F (15.56 °C), the reference of specific gravity. [kg m⁻³]
WATER_DENSITY_60F = 999.01

_BAUME_RE = re.compile(r"^\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*(?:°\s*Bé|degBe|degBaume|Be|°Be)\s*$")


def density_to_baume(density):
    """Baumé degrees of a liquid heavier than water.

    Parameters
    ----------
    density : float or ndarray
        Density. [kg m⁻³]

    Returns
    -------
    float or ndarray
        °Bé = 145 − 145 / SG with SG = density / 999.01 kg m⁻³. [°Bé]
    """
    return BAUME_MODULUS - BAUME_MODULUS / (density / WATER_DENSITY_60F)


def baume_to_density(baume):
    """Density of a liquid from its heavy-liquid Baumé degrees. [°Bé] → [kg m⁻³]"""
    return WATER_DENSITY_60F * BAUME_MODULUS / (BAUME_MODULUS - baume)


def _describe_dimension(si_unit: str) -> str:
    return str(ureg.Quantity(1.0, si_unit).dimensionality)


def to_si(value, si_unit: str, where: str = "value", example: str | None = None) -> float:
    """Convert a scenario value (a string with a unit) to a float in ``si_unit``.

    Parameters
    ----------
    value : str or int or float
        The raw value from the scenario file, e.g. ``"60 cm"``. Bare numbers are accepted only
        when ``si_unit`` is dimensionless (``""``).
    si_unit : str
        The SI unit the value is converted to, e.g. ``"m"``, ``"kg/s"``, ``"K"``; ``""`` for
        dimensionless fields.
    where : str
        The field path, used in error messages (``"ponds[2].max_depth"``).
    example : str, optional
        An example of a valid value for the error message.

    Returns
    -------
    float
        The value in ``si_unit``; always finite.

    Raises
    ------
    ScenarioError
        One line: where, what was found, what was expected.
    """
    example = example or (f'"1 {si_unit}"' if si_unit else "1.0")
    dimensionless = si_unit in ("", "1", "dimensionless")
    expected = "a dimensionless number" if dimensionless else (
        f"a quantity of dimension {_describe_dimension(si_unit)} such as {example}")
    if isinstance(value, bool):
        raise ScenarioError(f"{where}: found the boolean {value!r}; expected {expected}")
    if isinstance(value, (int, float)):
        if not dimensionless:
            raise ScenarioError(f"{where}: found the bare number {value!r}; expected {expected} "
                                f"(dimensional values are strings with a unit)")
        result = float(value)
    elif isinstance(value, str):
        if not dimensionless and si_unit in ("kg/m^3", "kg/m**3"):
            match = _BAUME_RE.match(value)
            if match:
                baume = float(match.group(1))
                if not 0.0 <= baume < BAUME_MODULUS:
                    raise ScenarioError(f"{where}: found {value!r}; expected Baumé degrees in [0, 145)")
                return float(baume_to_density(baume))
        try:
            quantity = ureg.Quantity(value)
        except Exception as exc:  # pint raises several unrelated types for bad strings
            raise ScenarioError(f"{where}: found {value!r}, which is not a quantity "
                                f"({type(exc).__name__}: {exc}); expected {expected}") from None
        try:
            if dimensionless:
                result = float(quantity.to("dimensionless").magnitude)
            else:
                result = float(quantity.to(si_unit).magnitude)
        except pint.DimensionalityError:
            found_dim = str(ureg.Quantity(value).dimensionality)
            raise ScenarioError(f"{where}: found {value!r} of dimension {found_dim}; "
                                f"expected {expected}") from None
        except Exception as exc:
            raise ScenarioError(f"{where}: found {value!r} ({type(exc).__name__}: {exc}); "
                                f"expected {expected}") from None
    else:
        raise ScenarioError(f"{where}: found a {type(value).__name__}; expected {expected}")
    if not math.isfinite(result):
        raise ScenarioError(f"{where}: found {value!r}, which is not finite; expected {expected}")
    return result
