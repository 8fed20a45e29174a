"""Aqueous species of the brine model: ids, charges, molar masses and solute components.

The species table is reviewed data (``saltsim/data/chemistry/species.csv``, one source per row).
Species ids follow PHREEQC spelling (``"Na+"``, ``"SO4-2"``). Each species counts as one mole of a
mass-accounting solute component of :data:`saltsim.constants.SOLUTES` (``Na, K, Mg, Ca, Cl, SO4,
C, Br, Li``). The default (``"major"``) set has no carbonate, so component ``C`` has no species;
the opt-in ``"carbonate"`` set adds the carbonate and acid–base species of pitzer.dat.
"""
from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources

import numpy as np

from saltsim.constants import SOLUTES

__all__ = ["SpeciesSet", "load_species", "read_data_csv", "SPECIES_SETS"]


def read_data_csv(name: str) -> list[dict[str, str]]:
    """Rows of a CSV file in ``saltsim/data/chemistry`` as dictionaries (header keys).

    Parameters
    ----------
    name : str
        File name, e.g. ``"species.csv"``. [-]
    """
    text = resources.files("saltsim").joinpath("data", "chemistry", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@dataclass(frozen=True, eq=False)
class SpeciesSet:
    """Aqueous species as parallel arrays.

    Attributes
    ----------
    ids : tuple of str
        Species ids in model order. [-]
    charge : ndarray (n,)
        Charge number. [-]
    molar_mass : ndarray (n,)
        Molar mass. [kg mol⁻¹]
    component : tuple of str
        Solute component each species counts towards (one of ``SOLUTES``); in the carbonate set
        ``"Mg;C"`` for MgCO3 and ``""`` for H+ and OH- (water-derived, not mass-accounted). [-]
    """

    ids: tuple[str, ...]
    charge: np.ndarray
    molar_mass: np.ndarray
    component: tuple[str, ...]

    @property
    def n(self) -> int:
        """Number of species. [-]"""
        return len(self.ids)

    def index(self, species_id: str) -> int:
        """Position of one species id (``KeyError`` with the known ids if absent)."""
        try:
            return self.ids.index(species_id)
        except ValueError:
            raise KeyError(f"unknown species {species_id!r}; known: {', '.join(self.ids)}") from None

    def indices(self, species_ids) -> np.ndarray:
        """Positions of several species ids, as an integer array."""
        return np.array([self.index(s) for s in species_ids], dtype=np.intp)

    @functools.cached_property
    def component_matrix(self) -> np.ndarray:
        """Moles of each solute component per mole of species, shape (len(SOLUTES), n). [-]

        ``totals = molality @ component_matrix.T`` gives component molalities in ``SOLUTES`` order.
        """
        out = np.zeros((len(SOLUTES), self.n))
        for j, comp in enumerate(self.component):
            for c in filter(None, comp.split(";")):
                out[SOLUTES.index(c), j] += 1.0
        out.flags.writeable = False
        return out

    @functools.cached_property
    def cations(self) -> np.ndarray:
        """Boolean mask of positively charged species. [-]"""
        return self.charge > 0

    @functools.cached_property
    def anions(self) -> np.ndarray:
        """Boolean mask of negatively charged species. [-]"""
        return self.charge < 0


#: Species sets in species.csv: the major-ion model, and the major ions plus the carbonate/acid–base
#: species of PHREEQC's pitzer.dat.
SPECIES_SETS = {"major": ("major",), "carbonate": ("major", "carbonate")}


@functools.lru_cache(maxsize=None)
def load_species(set_name: str = "major") -> SpeciesSet:
    """Load a species set from ``species.csv`` once (cached).

    Parameters
    ----------
    set_name : str
        ``"major"`` (Na+ K+ Mg+2 Ca+2 Cl- SO4-2 Br- Li+; the default) or ``"carbonate"`` (adds
        H+, OH-, HCO3-, CO3-2, CO2, MgCO3, MgOH+, HSO4-). [-]
    """
    if set_name not in SPECIES_SETS:
        raise KeyError(f"unknown species set {set_name!r}; known: {', '.join(SPECIES_SETS)}")
    rows = [r for r in read_data_csv("species.csv") if r["set"] in SPECIES_SETS[set_name]]
    charge = np.array([float(r["charge"]) for r in rows])
    molar_mass = np.array([float(r["molar_mass_kg_per_mol"]) for r in rows])
    for arr in (charge, molar_mass):
        arr.flags.writeable = False
    component = tuple(r["component"] for r in rows)
    unknown = sorted({c for comp in component for c in comp.split(";") if c} - set(SOLUTES))
    if unknown:
        raise ValueError(f"species.csv: unknown components {unknown}; expected one of {SOLUTES}")
    return SpeciesSet(ids=tuple(r["id"] for r in rows), charge=charge, molar_mass=molar_mass,
                      component=component)
