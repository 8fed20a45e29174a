"""saltsim.processing: stoichiometry, mass splits and energy of the processing routes.

Numerics layer: NumPy only (no simpy, pint or pandas). The SimPy plant processes in
:mod:`saltsim.des.plant` call these pure functions once per plant per tick.
"""
from .stoichiometry import (COMPOUNDS, component_masses, mass_fractions, mass_per_mass,
                            molar_mass)
from .routes import ROUTES, Split, process

__all__ = ["COMPOUNDS", "component_masses", "mass_fractions", "mass_per_mass", "molar_mass",
           "ROUTES", "Split", "process"]
