"""Physical constants and the mass-accounting components of saltsim, each with its source.

All values are SI.
"""
from __future__ import annotations

import numpy as np

__all__ = [
    "GAS_CONSTANT",
    "FARADAY",
    "ZERO_CELSIUS",
    "COMPONENTS",
    "SOLUTES",
    "MOLAR_MASS",
    "MOLAR_MASS_ARRAY",
    "CHARGE",
]

#: Molar gas constant (CODATA 2018, exact). [J mol⁻¹ K⁻¹]
GAS_CONSTANT = 8.314462618
#: Faraday constant (CODATA 2018, exact). [C mol⁻¹]
FARADAY = 96485.33212
#: 0 °C. [K]
ZERO_CELSIUS = 273.15

#: Mass-accounting components: water, then solutes as the ions/elements a brine analysis reports.
#: ``SO4`` is sulphate (counted as SO4), ``C`` is total inorganic carbon (counted as C).
#: Every ledger flow carries one mass per component, in this order.
COMPONENTS: tuple[str, ...] = ("H2O", "Na", "K", "Mg", "Ca", "Cl", "SO4", "C", "Br", "Li")
SOLUTES: tuple[str, ...] = COMPONENTS[1:]

#: Molar masses from standard atomic weights: IUPAC 2007 for Cl (35.453) and for S and O in SO4
#: (32.065, 15.9994), IUPAC 2013 conventional values for the others. The chemistry data
#: (``data/chemistry/species.csv``) uses the same numbers, so ledger and solver masses agree. [kg mol⁻¹]
MOLAR_MASS: dict[str, float] = {
    "H2O": 18.01528e-3,
    "Na": 22.98976928e-3,
    "K": 39.0983e-3,
    "Mg": 24.305e-3,
    "Ca": 40.078e-3,
    "Cl": 35.453e-3,
    "SO4": 96.0626e-3,
    "C": 12.011e-3,
    "Br": 79.904e-3,
    "Li": 6.94e-3,
}
MOLAR_MASS_ARRAY = np.array([MOLAR_MASS[c] for c in COMPONENTS])

#: Charge of each component as it occurs in brine (C counted as carbonate alkalinity, −2 per C
#: for CO3 and −1 for HCO3: brine input keeps the species it is given in; here 0). [-]
CHARGE: dict[str, int] = {"H2O": 0, "Na": 1, "K": 1, "Mg": 2, "Ca": 2, "Cl": -1, "SO4": -2,
                          "C": 0, "Br": -1, "Li": 1}
