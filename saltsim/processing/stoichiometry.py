"""Compounds of the processing routes as vectors of ledger components, and their molar masses.

Every compound is written in the mass-accounting components of :data:`saltsim.constants.COMPONENTS`
(``H2O, Na, K, Mg, Ca, Cl, SO4, C, Br, Li``) plus oxygen atoms that are *not* a ledger component.
Hydroxides are written as oxide + water (Mg(OH)₂ = MgO·H₂O), so a hydroxide carries one H₂O
component per formula unit and one untracked O; the ledger then closes per component through
every route (lime CaO enters with its O, which leaves in MgO or Mg(OH)₂). See D-entry
"Oxygen of oxides and hydroxides is not a ledger component" in ``docs/decisions.md``.

Mass ratios derived here are the ones the domain dossier lists ("DERIVED from molar masses"):
3.917 t MgCl₂, 2.917 t Cl₂, 2.399 t Mg(OH)₂, 1.658 t MgO, 8.36 t bischofite and 11.43 t carnallite
per t Mg (domain.md §3.7).
"""
from __future__ import annotations

import numpy as np

from ..constants import COMPONENTS, MOLAR_MASS_ARRAY

__all__ = ["OXYGEN_MOLAR_MASS", "COMPOUNDS", "STOICHIOMETRY", "UNTRACKED_OXYGEN", "molar_mass",
           "component_masses", "component_mass_per_mole", "mass_fractions", "mass_per_mass",
           "component_index"]

#: Standard atomic weight of oxygen (IUPAC 2013 conventional value), for the O of oxides that is
#: not a ledger component. [kg mol⁻¹]
OXYGEN_MOLAR_MASS = 15.999e-3

#: Compound name → (moles of each ledger component per formula unit, untracked O atoms).
_FORMULAS: dict[str, tuple[dict[str, float], float]] = {
    "NaCl": ({"Na": 1, "Cl": 1}, 0),
    "KCl": ({"K": 1, "Cl": 1}, 0),
    "MgCl2": ({"Mg": 1, "Cl": 2}, 0),
    "bischofite": ({"Mg": 1, "Cl": 2, "H2O": 6}, 0),          # MgCl2·6H2O
    "carnallite": ({"K": 1, "Mg": 1, "Cl": 3, "H2O": 6}, 0),  # KMgCl3·6H2O
    "Mg": ({"Mg": 1}, 0),
    "Cl2": ({"Cl": 2}, 0),
    "MgO": ({"Mg": 1}, 1),
    "Mg(OH)2": ({"Mg": 1, "H2O": 1}, 1),                    # MgO·H2O
    "CaO": ({"Ca": 1}, 1),
    "Ca(OH)2": ({"Ca": 1, "H2O": 1}, 1),
    "dolime": ({"Ca": 1, "Mg": 1}, 2),                       # CaO·MgO (calcined dolomite)
    "CaCl2": ({"Ca": 1, "Cl": 2}, 0),
    "thenardite": ({"Na": 2, "SO4": 1}, 0),                  # Na2SO4
    "mirabilite": ({"Na": 2, "SO4": 1, "H2O": 10}, 0),       # Na2SO4·10H2O
    "H2O": ({"H2O": 1}, 0),
}

#: Names of the known compounds, in row order of :data:`STOICHIOMETRY`.
COMPOUNDS: tuple[str, ...] = tuple(_FORMULAS)
#: (n_compounds, n_components) moles of each component per mole of compound. [-]
STOICHIOMETRY = np.array([[_FORMULAS[name][0].get(c, 0.0) for c in COMPONENTS] for name in COMPOUNDS])
#: (n_compounds,) untracked oxygen atoms per formula unit. [-]
UNTRACKED_OXYGEN = np.array([_FORMULAS[name][1] for name in COMPOUNDS], dtype=float)


#: Per compound, computed once (the routes call these for every batch): molar mass [kg mol⁻¹]
#: and ledger component masses per mole [kg mol⁻¹], by the same operations as before.
_MOLAR_MASSES: dict[str, float] = {
    name: float(STOICHIOMETRY[i] @ MOLAR_MASS_ARRAY + UNTRACKED_OXYGEN[i] * OXYGEN_MOLAR_MASS)
    for i, name in enumerate(COMPOUNDS)}
_COMPONENT_MASS_PER_MOLE: dict[str, np.ndarray] = {
    name: STOICHIOMETRY[i] * MOLAR_MASS_ARRAY for i, name in enumerate(COMPOUNDS)}
for _array in _COMPONENT_MASS_PER_MOLE.values():
    _array.flags.writeable = False
_PER_MOLE_FLOATS: dict[str, tuple[float, ...]] = {
    name: tuple(array.tolist()) for name, array in _COMPONENT_MASS_PER_MOLE.items()}


def component_index(component: str) -> int:
    """Position of ``component`` in :data:`saltsim.constants.COMPONENTS`."""
    return COMPONENTS.index(component)


def _row(compound: str) -> int:
    try:
        return COMPOUNDS.index(compound)
    except ValueError:
        raise KeyError(f"unknown compound {compound!r}; known: {', '.join(COMPOUNDS)}") from None


def molar_mass(compound: str) -> float:
    """Molar mass of a compound from IUPAC atomic weights.

    Parameters
    ----------
    compound : str
        A name from :data:`COMPOUNDS`, e.g. ``"MgCl2"``. [-]

    Returns
    -------
    float
        Molar mass. [kg mol⁻¹]

    Examples
    --------
    >>> round(molar_mass("MgCl2") * 1e3, 3)
    95.211
    """
    try:
        return _MOLAR_MASSES[compound]
    except KeyError:
        _row(compound)   # raises for an unknown name
        raise


def component_masses(compound: str, moles):
    """Ledger component masses of ``moles`` of a compound (untracked O excluded).

    Parameters
    ----------
    compound : str
        A name from :data:`COMPOUNDS`. [-]
    moles : float or ndarray
        Amount of the compound, any shape ``(...)``. [mol]

    Returns
    -------
    ndarray
        Shape ``(..., n_components)``. [kg]
    """
    try:
        per_mole = _COMPONENT_MASS_PER_MOLE[compound]
    except KeyError:
        _row(compound)   # raises for an unknown name
        raise
    return np.multiply.outer(np.asarray(moles, dtype=float), per_mole)


def component_mass_per_mole(compound: str) -> tuple[float, ...]:
    """Ledger component masses of one mole of a compound, as floats (untracked O excluded). [kg mol⁻¹]"""
    try:
        return _PER_MOLE_FLOATS[compound]
    except KeyError:
        _row(compound)   # raises for an unknown name
        raise


def mass_fractions(compound: str) -> np.ndarray:
    """Mass fraction of each ledger component in a compound (sums to < 1 for oxides). [-]"""
    return component_masses(compound, 1.0) / molar_mass(compound)


def mass_per_mass(compound: str, per: str) -> float:
    """Mass of ``compound`` made from (or carrying) the same moles of ``per``'s metal.

    Both compounds are counted per formula unit, so ``mass_per_mass("MgCl2", "Mg")`` is the
    tonnes of MgCl₂ per tonne of Mg. For Cl₂ per Mg, one Cl₂ per Mg (MgCl₂ → Mg + Cl₂).

    Returns
    -------
    float
        Mass ratio. [kg kg⁻¹]
    """
    return molar_mass(compound) / molar_mass(per)
