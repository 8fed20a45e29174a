"""saltsim.chemistry: Pitzer activities, mineral data and brine equilibria (NumPy/SciPy only).

The activity model and mineral data are re-exported here; solver, evaporation paths and density
live in their own modules (``saltsim.chemistry.equilibrium`` etc.).
"""
from saltsim.chemistry.minerals import (
    MineralTable,
    load_aqueous_complexes,
    load_minerals,
    log_iap,
    log_k,
    saturation_index,
)
from saltsim.chemistry.pitzer import (
    PitzerAtT,
    PitzerModel,
    activity,
    activity_and_jacobian,
    ionic_strength,
    ln_activity_coefficients,
    ln_water_activity,
    load_pitzer_model,
    osmotic_coefficient,
)
from saltsim.chemistry.species import SpeciesSet, load_species

__all__ = [
    "MineralTable",
    "PitzerAtT",
    "PitzerModel",
    "SpeciesSet",
    "activity",
    "activity_and_jacobian",
    "ionic_strength",
    "ln_activity_coefficients",
    "ln_water_activity",
    "load_aqueous_complexes",
    "load_minerals",
    "load_pitzer_model",
    "load_species",
    "log_iap",
    "log_k",
    "osmotic_coefficient",
    "saturation_index",
]
