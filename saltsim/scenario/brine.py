"""Brine analyses → molalities (mol per kg water) of the solute components.

A ``[brine.composition]`` value is one of four kinds, told apart by its dimension:

=====================  ==================  ===============================================
kind                   dimension           examples
=====================  ==================  ===============================================
``molality``           amount / mass       ``"4.9 mol/kg"``, ``"12 mmol/kg"`` (per kg of basis)
``mass_fraction``      dimensionless       ``"87 g/kg"``, ``"450 mg/kg"`` (per kg of basis)
``molarity``           amount / volume     ``"5.4 mol/L"`` (per litre of solution)
``mass_concentration`` mass / volume       ``"120 g/L"``, ``"300 mg/L"`` (per litre of solution)
=====================  ==================  ===============================================

``basis = "water"`` makes per-kg values per kg of water (molality); ``basis = "solution"`` makes
them per kg of solution. Per-litre values always refer to the solution and need its density:
the measured ``brine.density`` when given, else
:func:`saltsim.chemistry.density.solution_density` iterated to self-consistency (the molalities
depend on the density and the density on the molalities; the fixed point converges in a few
iterations because the density changes little with the water content).

Notes
-----
With ``n_i`` the moles of ion *i* per kg of basis (per-kg kinds) and ``a_i`` the moles per kg of
solution (per-litre kinds, ``a_i = c_i / ρ``), and ``M_i`` the molar masses:

* basis water: ``s = (1 + Σ_perkg n_j M_j) / (1 − Σ_perL a_j M_j)`` kg solution per kg water,
  molality ``m_i = n_i`` (per kg) or ``a_i s`` (per litre);
* basis solution: ``w = 1 − Σ_all a_j M_j`` kg water per kg solution (per-kg values give
  ``a_i = n_i`` directly), molality ``m_i = a_i / w``.

The charge balance is reported as ``(Σ z⁺ m − Σ |z⁻| m) / (Σ z⁺ m + Σ |z⁻| m)`` over the ions
as given (HCO3⁻ −1, CO3²⁻ −2). An imbalance beyond :data:`CHARGE_IMBALANCE_TOLERANCE` is refused
unless ``charge_balance`` names the ion to adjust, whose molality is then changed to close the
balance exactly (in molal terms, after conversion).

References
----------
[APHA] APHA, AWWA, WEF, "1030 E. Checking analyses' correctness", Standard Methods for the
       Examination of Water and Wastewater: anion–cation balance acceptance ±5 % for anion
       sums above 10 meq/L.
"""
from __future__ import annotations

import functools
import math

import numpy as np

from ..constants import MOLAR_MASS, SOLUTES
from ..errors import ScenarioError
from .text import check_quantity_text

__all__ = ["IONS", "ION_CHARGE", "ION_MOLAR_MASS", "ION_COMPONENT", "CHARGE_IMBALANCE_TOLERANCE",
           "KINDS", "classify", "to_molality", "charge_imbalance", "DENSITY_RTOL"]

#: Ions a composition may give, in the order of the issue's brine form.
IONS: tuple[str, ...] = ("Na", "K", "Mg", "Ca", "Cl", "SO4", "HCO3", "CO3", "Br", "Li")
ION_CHARGE: dict[str, int] = {"Na": 1, "K": 1, "Mg": 2, "Ca": 2, "Cl": -1, "SO4": -2,
                              "HCO3": -1, "CO3": -2, "Br": -1, "Li": 1}
_H, _O = 1.00794e-3, 15.9994e-3  # IUPAC standard atomic weights [kg mol⁻¹]
#: Molar mass of each ion as given. [kg mol⁻¹]
ION_MOLAR_MASS: dict[str, float] = {**{i: MOLAR_MASS[i] for i in IONS if i in MOLAR_MASS},
                                    "HCO3": MOLAR_MASS["C"] + _H + 3 * _O,
                                    "CO3": MOLAR_MASS["C"] + 3 * _O}
#: Solute component each ion is counted in (HCO3 and CO3 are total inorganic carbon, C).
ION_COMPONENT: dict[str, str] = {i: ("C" if i in ("HCO3", "CO3") else i) for i in IONS}

#: Largest accepted relative charge imbalance without ``charge_balance`` (APHA 1030 E: ±5 % for
#: anion sums above 10 meq/L, which every brine exceeds). [-]
CHARGE_IMBALANCE_TOLERANCE = 0.05
#: Self-consistency of the density iteration for per-litre inputs (far below the 0.05 %
#: accuracy of the density model itself). [-]
DENSITY_RTOL = 1e-12
_DENSITY_MAX_ITERATIONS = 100

#: kind → SI unit of the stored value.
KINDS: dict[str, str] = {"molality": "mol/kg", "mass_fraction": "", "molarity": "mol/m^3",
                         "mass_concentration": "kg/m^3"}
_PER_LITRE = ("molarity", "mass_concentration")


def classify(value, where: str) -> tuple[float, str]:
    """Parse one composition value into (SI value, kind).

    Raises
    ------
    ScenarioError
        For a bare number, an unparsable string, a wrong dimension, a negative or non-finite value.
    """
    expected = ('a concentration such as "4.9 mol/kg", "87 g/kg" (per kg of basis) or '
                '"120 g/L" (per litre of solution)')
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ScenarioError(f"{where}: found {value!r}; expected {expected}")
    if not isinstance(value, str):
        raise ScenarioError(f"{where}: found the bare number {value!r}; expected {expected}")
    check_quantity_text(value, where, expected)
    parsed = _parse_concentration(value)
    if parsed[0] is None:
        raise ScenarioError(f"{where}: found {value!r}{parsed[1]}; expected {expected}")
    magnitude, kind = parsed
    if not math.isfinite(magnitude):
        raise ScenarioError(f"{where}: found {value!r}, which is not finite; expected {expected}")
    if magnitude < 0:
        raise ScenarioError(f"{where}: found {value!r}, which is negative; expected {expected}")
    return magnitude, kind


_KIND_DIMENSIONS = {
    "molality": {"[substance]": 1, "[mass]": -1},
    "mass_fraction": {},
    "molarity": {"[substance]": 1, "[length]": -3},
    "mass_concentration": {"[mass]": 1, "[length]": -3},
}


@functools.lru_cache(maxsize=4096)
def _parse_concentration(text: str) -> tuple:
    """(magnitude in the kind's SI unit, kind), or (None, what is wrong) — cached: pint is slow."""
    from ..units import ureg

    try:
        quantity = ureg.Quantity(text)
    except Exception as exc:  # pint raises several unrelated types for bad strings
        return None, f", which is not a quantity ({type(exc).__name__})"
    dims = dict(quantity.dimensionality)
    for kind, dimensionality in _KIND_DIMENSIONS.items():
        if dims == dimensionality:
            return float(quantity.to(KINDS[kind] or "dimensionless").magnitude), kind
    return None, f" of dimension {quantity.dimensionality}"


def _moles(composition: dict[str, tuple[float, str]]) -> tuple[dict[str, float], dict[str, float]]:
    """Split into per-kg-of-basis moles ``n`` and per-m³-of-solution moles ``c``."""
    per_kg, per_volume = {}, {}
    for ion, (value, kind) in composition.items():
        mass = ION_MOLAR_MASS[ion]
        if kind == "molality":
            per_kg[ion] = value
        elif kind == "mass_fraction":
            per_kg[ion] = value / mass
        elif kind == "molarity":
            per_volume[ion] = value
        else:
            per_volume[ion] = value / mass
    return per_kg, per_volume


def _molality_given_density(per_kg, per_volume, basis, density) -> dict[str, float] | None:
    a_litre = {i: c / density for i, c in per_volume.items()}  # mol per kg solution
    if basis == "water":
        denominator = 1.0 - sum(a * ION_MOLAR_MASS[i] for i, a in a_litre.items())
        if denominator <= 0.0:
            return None
        s = (1.0 + sum(n * ION_MOLAR_MASS[i] for i, n in per_kg.items())) / denominator
        return {**per_kg, **{i: a * s for i, a in a_litre.items()}}
    a_all = {**per_kg, **a_litre}
    water = 1.0 - sum(a * ION_MOLAR_MASS[i] for i, a in a_all.items())
    if water <= 0.0:
        return None
    return {i: a / water for i, a in a_all.items()}


def _solute_vector(ion_molality: dict[str, float]) -> np.ndarray:
    vector = np.zeros(len(SOLUTES))
    for ion, m in ion_molality.items():
        vector[SOLUTES.index(ION_COMPONENT[ion])] += m
    return vector


def charge_imbalance(ion_molality: dict[str, float]) -> float:
    """(Σ cation eq − Σ anion eq) / (Σ cation eq + Σ anion eq); 0 for pure water. [-]"""
    cations = sum(ION_CHARGE[i] * m for i, m in ion_molality.items() if ION_CHARGE[i] > 0)
    anions = sum(-ION_CHARGE[i] * m for i, m in ion_molality.items() if ION_CHARGE[i] < 0)
    total = cations + anions
    return 0.0 if total == 0.0 else (cations - anions) / total


def to_molality(composition: dict[str, tuple[float, str]], basis: str, temperature: float,
                density: float | None = None, charge_balance: str | None = None,
                where: str = "brine") -> tuple[np.ndarray, float, float]:
    """Molalities of the solute components from a brine analysis.

    Parameters
    ----------
    composition : dict
        Ion → (value, kind) as returned by :func:`classify`. [SI of the kind]
    basis : {"water", "solution"}
        What per-kg values refer to. [-]
    temperature : float
        Temperature of the analysis (for the density model). [K]
    density : float, optional
        Measured density of the solution; computed when None and per-litre values occur. [kg m⁻³]
    charge_balance : str, optional
        Ion whose molality is adjusted to close the charge balance. [-]
    where : str
        Field path prefix for error messages.

    Returns
    -------
    molality : ndarray, shape (9,)
        In ``saltsim.constants.SOLUTES`` order. [mol kg⁻¹]
    alkalinity : float
        m(HCO3) + 2 m(CO3). [mol kg⁻¹]
    imbalance : float
        Relative charge imbalance before adjustment. [-]

    Raises
    ------
    ScenarioError
        Solutes heavier than the solution, an imbalance beyond tolerance without
        ``charge_balance``, or an adjustment that would make the ion negative.
    """
    per_kg, per_volume = _moles(composition)
    impossible = (f"{where}.composition: the solutes weigh more than the solution; expected "
                  f"a physically possible analysis (check units and basis = {basis!r})")
    if per_volume:
        if density is not None:
            ion_molality = _molality_given_density(per_kg, per_volume, basis, density)
        else:
            from ..chemistry.density import solution_density

            rho = 1000.0
            for _ in range(_DENSITY_MAX_ITERATIONS):
                ion_molality = _molality_given_density(per_kg, per_volume, basis, rho)
                if ion_molality is None:
                    break
                new_rho = float(solution_density(_solute_vector(ion_molality), temperature))
                if not math.isfinite(new_rho) or new_rho <= 0:
                    ion_molality = None
                    break
                converged = abs(new_rho - rho) <= DENSITY_RTOL * new_rho
                rho = new_rho
                if converged:
                    ion_molality = _molality_given_density(per_kg, per_volume, basis, rho)
                    break
            else:
                raise ScenarioError(f"{where}.composition: the density of the brine did not "
                                    f"converge; expected a physically possible analysis, or "
                                    f"give brine.density")
    else:
        ion_molality = _molality_given_density(per_kg, {}, basis, 1000.0)
    if ion_molality is None:
        raise ScenarioError(impossible)
    imbalance = charge_imbalance(ion_molality)
    if charge_balance is not None:
        cations = sum(ION_CHARGE[i] * m for i, m in ion_molality.items() if ION_CHARGE[i] > 0)
        anions = sum(-ION_CHARGE[i] * m for i, m in ion_molality.items() if ION_CHARGE[i] < 0)
        adjusted = ion_molality.get(charge_balance, 0.0) - (cations - anions) / ION_CHARGE[charge_balance]
        if adjusted < 0.0:
            raise ScenarioError(
                f"{where}.charge_balance: adjusting {charge_balance} would need a negative "
                f"molality ({adjusted:.4g} mol/kg) for an imbalance of {imbalance:+.1%}; expected "
                f"an ion of the opposite charge to the excess")
        ion_molality[charge_balance] = adjusted
    elif abs(imbalance) > CHARGE_IMBALANCE_TOLERANCE:
        raise ScenarioError(
            f"{where}.composition: charge imbalance {imbalance:+.1%} (cations − anions over their "
            f"sum, in equivalents); expected within ±{CHARGE_IMBALANCE_TOLERANCE:.0%}, or set "
            f"{where}.charge_balance to the ion to adjust, e.g. \"Cl\"")
    alkalinity = ion_molality.get("HCO3", 0.0) + 2.0 * ion_molality.get("CO3", 0.0)
    return _solute_vector(ion_molality), alkalinity, imbalance
