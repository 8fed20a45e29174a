"""Precomputed fractional evaporation paths for the daily pond kernel.

The daily pond kernel does not solve equilibria. It carries each pond along a *fractional*
evaporation path of the feed brine, precomputed once per feed and temperature (a few hundred
equilibrium solves), and reads water, dissolved load, precipitated salts, water activity and
density off the table by the pond's concentration factor (CF = initial water / water left).

Validity check: a pond stays on the path as long as its brine has the composition the path has
at some CF. Mixing in a brine of another composition, rain that redissolves the salt layer, or a
temperature far from the table's leaves the path. :func:`locate` finds, for each pond, the CF
whose molalities are closest to the pond's and returns the relative deviation; the caller
treats a pond with ``deviation > PATH_DEVIATION_TOLERANCE`` as off the path (rebuild a table for
its new composition, or solve it directly with ``solve_equilibrium``).
See docs/decisions.md, "Path table for the pond kernel".
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PathTable", "PathPoint", "build_path_table", "interpolate", "locate",
           "PATH_DEVIATION_TOLERANCE"]

#: A pond whose molalities differ from the nearest path point by more than this (RMS relative,
#: over the components present above 1e-6 mol/kg) is off the path. 2 % is the order of the
#: model's own agreement with PHREEQC on molalities. [-]
PATH_DEVIATION_TOLERANCE = 0.02
#: Molalities below this are ignored in the deviation (trace components). [mol kg⁻¹]
_TRACE_MOLALITY = 1e-6


@dataclass(frozen=True)
class PathTable:
    """A fractional evaporation path per kilogram of initial water.

    Attributes
    ----------
    temperature : float
        Temperature of the path. [K]
    ln_concentration_factor : ndarray, shape (K,)
        ln of initial water / water left, strictly increasing from 0. [-]
    water : ndarray, shape (K,)
        Water left in solution per kg of initial water. [kg kg⁻¹]
    dissolved : ndarray, shape (K, n_el)
        Dissolved amount of each solute component (``constants.SOLUTES`` order) per kg of
        initial water. [mol kg⁻¹]
    minerals : ndarray, shape (K, n_min)
        Cumulative amount of each mineral precipitated (and removed) per kg of initial water. [mol kg⁻¹]
    mineral_names : tuple of str
        Mineral ids, PHREEQC spelling (``"Halite"``, ``"Labile_S"``).
    mineral_stoichiometry : ndarray, shape (n_min, 1 + n_el)
        Moles of H2O and of each solute component per mole of mineral (``constants.COMPONENTS``
        order). [mol mol⁻¹]
    water_activity : ndarray, shape (K,)
        Water activity of the brine. [-]
    density : ndarray, shape (K,)
        Brine density. [kg m⁻³]
    """

    temperature: float
    ln_concentration_factor: np.ndarray
    water: np.ndarray
    dissolved: np.ndarray
    minerals: np.ndarray
    mineral_names: tuple
    mineral_stoichiometry: np.ndarray
    water_activity: np.ndarray
    density: np.ndarray

    @property
    def molality(self) -> np.ndarray:
        """Dissolved molality along the path, shape (K, n_el). [mol kg⁻¹]"""
        return self.dissolved / self.water[:, None]


@dataclass(frozen=True)
class PathPoint:
    """The path read at given concentration factors (arrays over the leading shape of the CFs).

    ``water`` (...) [kg kg⁻¹], ``dissolved`` (..., n_el) [mol kg⁻¹], ``minerals`` (..., n_min)
    [mol kg⁻¹] per kg of initial water; ``water_activity`` (...) [-]; ``density`` (...) [kg m⁻³];
    ``beyond`` (...) bool, True where the CF lies past the end of the table (values are those of
    the last row: the caller must not extrapolate).
    """

    water: np.ndarray
    dissolved: np.ndarray
    minerals: np.ndarray
    water_activity: np.ndarray
    density: np.ndarray
    beyond: np.ndarray


def build_path_table(feed_molality, temperature, to_water_fraction=0.005, steps=120, minerals=None,
                     system=None) -> PathTable:
    """Precompute the fractional evaporation path of a feed brine.

    Parameters
    ----------
    feed_molality : array_like, shape (n_el,)
        Feed brine, molality of each solute component (``constants.SOLUTES`` order). [mol kg⁻¹]
    temperature : float
        Temperature of the path (a pond's typical brine temperature). [K]
    to_water_fraction : float
        Water left at the last row, as a fraction of the initial water. [-]
    steps : int
        Requested rows (geometric in the water left; onset bisection adds a few).
    minerals : sequence of str, optional
        Minerals allowed to form (PHREEQC spelling); default all.
    system : ChemicalSystem, optional
        Species/mineral arrays (default ``equilibrium.chemical_system()``).

    Returns
    -------
    PathTable
        Per kg of initial water of the feed; ``mineral_names`` lists only the minerals that form
        along the path (all allowed minerals if none forms).

    Examples
    --------
    >>> import numpy as np
    >>> feed = np.zeros(9); feed[0] = feed[4] = 5.0              # 5 mol/kg NaCl
    >>> table = build_path_table(feed, 298.15, to_water_fraction=0.5, steps=8)
    >>> table.mineral_names
    ('Halite',)
    """
    from .evaporation import evaporation_path

    path = evaporation_path(feed_molality, temperature, mode="fractional",
                            to_water_fraction=to_water_fraction, steps=steps, minerals=minerals,
                            system=system)
    formed = path.minerals[-1] > 0.0
    keep = np.nonzero(formed)[0] if formed.any() else np.arange(len(path.mineral_names))
    return PathTable(temperature=float(temperature),
                     ln_concentration_factor=np.log(path.concentration_factor),
                     water=path.water_kg, dissolved=path.dissolved,
                     minerals=path.minerals[:, keep],
                     mineral_names=tuple(path.mineral_names[j] for j in keep),
                     mineral_stoichiometry=path.mineral_stoichiometry[keep],
                     water_activity=path.water_activity, density=path.density_kg_per_m3)


def _bracket(table: PathTable, concentration_factor):
    x = np.log(np.maximum(np.asarray(concentration_factor, dtype=float), 1.0))
    grid = table.ln_concentration_factor
    beyond = x > grid[-1]
    x = np.minimum(x, grid[-1])
    upper = np.clip(np.searchsorted(grid, x, side="right"), 1, len(grid) - 1)
    lower = upper - 1
    weight = (x - grid[lower]) / (grid[upper] - grid[lower])
    return lower, upper, weight, beyond


def interpolate(table: PathTable, concentration_factor) -> PathPoint:
    """Read the path at the given concentration factors, linear in ln CF.

    Parameters
    ----------
    table : PathTable
        The precomputed path.
    concentration_factor : float or array_like
        Initial water / water left of each pond (values below 1 are read as 1). [-]

    Returns
    -------
    PathPoint
        Interpolated state; per kg of initial water.
    """
    lower, upper, weight, beyond = _bracket(table, concentration_factor)

    def lerp(values):
        w = weight.reshape(weight.shape + (1,) * (values.ndim - 1))
        return values[lower] * (1.0 - w) + values[upper] * w

    return PathPoint(water=lerp(table.water), dissolved=lerp(table.dissolved),
                     minerals=lerp(table.minerals), water_activity=lerp(table.water_activity),
                     density=lerp(table.density), beyond=beyond)


def locate(table: PathTable, molality):
    """Place brines on the path: the nearest path point and the deviation from it.

    Parameters
    ----------
    table : PathTable
        The precomputed path.
    molality : array_like, shape (..., n_el)
        Dissolved molality of each brine (``constants.SOLUTES`` order). [mol kg⁻¹]

    Returns
    -------
    concentration_factor : ndarray, shape (...)
        CF of the path point closest to each brine (RMS relative distance over the components
        present). [-]
    deviation : ndarray, shape (...)
        That RMS relative distance; above ``PATH_DEVIATION_TOLERANCE`` the brine is off the path. [-]

    Notes
    -----
    Where the brine's composition does not change along the path (a single-salt brine at
    saturation: only the amount of salt grows), the composition does not determine the CF and
    any row of that plateau is an exact match; the pond's own water and salt inventory then
    gives its CF.
    """
    m = np.asarray(molality, dtype=float)
    path = table.molality                                            # (K, n)
    present = path > _TRACE_MOLALITY
    scale = np.where(present, path, 1.0)
    rel = (m[..., None, :] - path) / scale                           # (..., K, n)
    rel = np.where(present, rel, 0.0)
    distance = np.sqrt((rel ** 2).sum(-1) / np.maximum(present.sum(-1), 1))   # (..., K)
    best = np.argmin(distance, axis=-1)
    deviation = np.take_along_axis(distance, best[..., None], axis=-1)[..., 0]
    return np.exp(table.ln_concentration_factor[best]), deviation
