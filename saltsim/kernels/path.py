"""The evaporation path as the pond kernel reads it.

A :class:`saltsim.chemistry.path_table.PathTable` gives, per kilogram of *initial* water of a feed
brine, the water left in solution, the dissolved load and the cumulative minerals removed along a
fractional evaporation path. The kernel needs three monotone coordinates derived from it, built
once per table here (:func:`path_lookup`):

* ``retained`` v(k) = water(k) + hydrate water of the minerals removed up to k: the water that has
  not gone to the atmosphere, per kg of initial water. It decreases strictly along the path, so
  an amount evaporated maps to a path position.
* ``solids`` S(k): mass of minerals removed up to k per kg of initial water (non-decreasing).
  Mixing two brines of one feed conserves feed-weighted S, which places the mixture on the path.
* ``mineral_volume``: molar volume of each mineral, for layer thickness.

Positions on the path are fractional row indices ``k`` in [0, K − 1] (linear interpolation
between rows, which preserves every linear mass balance that holds row by row).

Crystal densities (for layer thickness) are handbook values [CRC1][HOM1]; minerals not listed use
``DEFAULT_CRYSTAL_DENSITY`` (an estimate).

References
----------
[CRC1] W. M. Haynes (ed.), CRC Handbook of Chemistry and Physics, 97th ed., "Physical constants of
     inorganic compounds", CRC Press, 2016. doi:10.1201/9781315380476
[HOM1] J. W. Anthony, R. A. Bideaux, K. W. Bladh, M. C. Nichols (eds.), Handbook of Mineralogy,
     Mineralogical Society of America, 2001–2005 (measured densities).
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

import numpy as np

from ..constants import MOLAR_MASS

__all__ = ["COL_WATER", "COL_RETAINED", "COL_DENSITY", "COL_LN_AW", "COL_SOLIDS", "COL_MINERALS",
           "PathLookup", "path_lookup", "at_position", "interp_one", "CRYSTAL_DENSITY", "DEFAULT_CRYSTAL_DENSITY"]

#: Crystal (grain) density of evaporite minerals, lower-case PHREEQC names. [kg m⁻³] [CRC1][HOM1]
CRYSTAL_DENSITY: dict[str, float] = {
    "halite": 2165.0, "sylvite": 1987.0, "carnallite": 1598.0, "bischofite": 1585.0,
    "gypsum": 2305.0, "anhydrite": 2970.0, "epsomite": 1677.0, "hexahydrite": 1757.0,
    "kieserite": 2571.0, "kainite": 2150.0, "polyhalite": 2780.0, "glauberite": 2770.0,
    "mirabilite": 1464.0, "thenardite": 2664.0, "bloedite": 2230.0, "leonite": 2201.0,
    "schoenite": 2028.0, "glaserite": 2700.0, "arcanite": 2663.0, "syngenite": 2603.0,
    "calcite": 2711.0, "aragonite": 2930.0, "tachyhydrite": 1667.0, "antarcticite": 1715.0,
    "magnesite": 3009.0, "dolomite": 2840.0,
}
#: Grain density for minerals without a listed value (EST: mid-range of hydrated sulphates). [kg m⁻³]
DEFAULT_CRYSTAL_DENSITY = 2200.0
_OXYGEN = 15.999e-3  # [kg mol⁻¹], IUPAC 2013
#: Column indices of :attr:`PathLookup.columns`.
COL_WATER, COL_RETAINED, COL_DENSITY, COL_LN_AW, COL_SOLIDS, COL_MINERALS = 0, 1, 2, 3, 4, 5


@dataclass(frozen=True)
class PathLookup:
    """Arrays of one fractional evaporation path, prepared for the vectorised pond kernel.

    Attributes
    ----------
    water : ndarray (K,)
        Water in solution per kg of initial water. [kg kg⁻¹]
    retained : ndarray (K,)
        Water in solution plus hydrate water removed with the minerals, per kg of initial
        water; strictly decreasing. [kg kg⁻¹]
    dissolved : ndarray (K, n_el)
        Dissolved solutes per kg of initial water. [mol kg⁻¹]
    minerals : ndarray (K, n_min)
        Cumulative minerals removed per kg of initial water. [mol kg⁻¹]
    solids : ndarray (K,)
        Cumulative mass of minerals removed per kg of initial water (strictly increasing by a
        negligible ramp so that it can be inverted). [kg kg⁻¹]
    stoichiometry : ndarray (n_min, 1 + n_el)
        Moles of H2O and of each solute per mole of mineral. [mol mol⁻¹]
    hydrate_water : ndarray (n_min,)
        Mass of water of crystallisation per mole of mineral. [kg mol⁻¹]
    mineral_molar_mass : ndarray (n_min,)
        Formula mass of each mineral (carbonate counted as CO3). [kg mol⁻¹]
    mineral_volume : ndarray (n_min,)
        Molar volume of each mineral crystal. [m³ mol⁻¹]
    water_activity, density : ndarray (K,)
        Along the path. [-], [kg m⁻³]
    solute_molar_mass : ndarray (n_el,)
        Molar mass of each solute component, as the ledger counts it. [kg mol⁻¹]
    mineral_names : tuple of str
    """

    water: np.ndarray
    retained: np.ndarray
    dissolved: np.ndarray
    minerals: np.ndarray
    solids: np.ndarray
    stoichiometry: np.ndarray
    hydrate_water: np.ndarray
    mineral_molar_mass: np.ndarray
    mineral_volume: np.ndarray
    water_activity: np.ndarray
    density: np.ndarray
    solute_molar_mass: np.ndarray
    mineral_names: tuple
    #: Stacked columns for one interpolation per step: water, retained, density, ln a_w,
    #: solids, then the minerals (K, 5 + n_min), C-contiguous.
    columns: np.ndarray = None
    #: Row-to-row differences of ``columns`` (K − 1 rows, then a zero row): an interpolation is
    #: one row of values and one of slopes.
    columns_delta: np.ndarray = None
    #: The retained water negated (increasing), the row numbers as floats, and the solute columns
    #: of the stoichiometry (contiguous).
    neg_retained: np.ndarray = None
    row_index: np.ndarray = None
    solute_stoichiometry: np.ndarray = None
    #: kg per mol of each ledger component, H2O first, then the solutes. [kg mol⁻¹]
    component_mass: np.ndarray = None
    #: The arrays of the compiled kernel, in the order :mod:`saltsim.kernels.pond_core` takes them:
    #: (columns, columns_delta, neg_retained, row_index, solute_stoichiometry, hydrate_water,
    #: solute_molar_mass, solids, stoichiometry, component_mass).
    core: tuple = None

    @property
    def n_rows(self) -> int:
        return self.water.shape[0]

    @property
    def n_minerals(self) -> int:
        return self.minerals.shape[1]


def path_lookup(table, solutes) -> PathLookup:
    """Prepare a path table for the kernel.

    Parameters
    ----------
    table : PathTable-like
        Object with ``water``, ``dissolved``, ``minerals``, ``mineral_names``,
        ``mineral_stoichiometry``, ``water_activity`` and ``density`` (see
        :class:`saltsim.chemistry.path_table.PathTable`).
    solutes : sequence of str
        Names of the solute components, in the order of the table's columns (``Na``, ``K`` …).

    Returns
    -------
    PathLookup

    Raises
    ------
    ValueError
        If the retained water does not decrease strictly along the path.
    """
    water = np.asarray(table.water, dtype=float)
    minerals = np.asarray(table.minerals, dtype=float).reshape(water.shape[0], -1)
    stoich = np.asarray(table.mineral_stoichiometry, dtype=float).reshape(minerals.shape[1], -1)
    solute_mass = np.array([MOLAR_MASS[s] for s in solutes])
    carbon = list(solutes).index("C") if "C" in solutes else None
    molar_mass = stoich[:, 0] * MOLAR_MASS["H2O"] + stoich[:, 1:] @ solute_mass
    if carbon is not None:
        molar_mass = molar_mass + 3.0 * _OXYGEN * stoich[:, 1 + carbon]
    names = tuple(table.mineral_names)
    grain = np.array([CRYSTAL_DENSITY.get(n.lower(), DEFAULT_CRYSTAL_DENSITY) for n in names])
    hydrate_water = stoich[:, 0] * MOLAR_MASS["H2O"]
    retained = water + minerals @ hydrate_water
    if np.any(np.diff(retained) >= 0.0):
        raise ValueError("path table: retained water must decrease strictly along the path")
    solids = minerals @ molar_mass
    ramp = 1e-12 * max(float(solids[-1]), 1.0) * np.arange(water.shape[0]) / max(water.shape[0] - 1, 1)
    solids = np.maximum.accumulate(solids) + ramp
    columns = np.column_stack([water, retained, np.asarray(table.density, dtype=float),
                               np.log(np.asarray(table.water_activity, dtype=float)), solids, minerals])
    columns = np.ascontiguousarray(columns)
    columns_delta = np.ascontiguousarray(np.concatenate([np.diff(columns, axis=0), np.zeros((1, columns.shape[1]))]))
    row_index = np.arange(water.shape[0], dtype=float)
    neg_retained = np.ascontiguousarray(-retained)
    solute_stoichiometry = np.ascontiguousarray(stoich[:, 1:])
    hydrate_water = np.ascontiguousarray(hydrate_water)
    solids = np.ascontiguousarray(solids)
    component_mass = np.concatenate([[MOLAR_MASS["H2O"]], solute_mass])
    core = (columns, columns_delta, neg_retained, row_index, solute_stoichiometry, hydrate_water,
            np.ascontiguousarray(solute_mass), solids, np.ascontiguousarray(stoich), component_mass)
    return PathLookup(water=water, retained=retained, columns=columns, columns_delta=columns_delta,
                      neg_retained=neg_retained, row_index=row_index, solute_stoichiometry=solute_stoichiometry,
                      component_mass=component_mass, core=core, dissolved=np.asarray(table.dissolved, dtype=float),
                      minerals=np.ascontiguousarray(minerals), solids=solids, stoichiometry=stoich,
                      hydrate_water=hydrate_water, mineral_molar_mass=molar_mass, mineral_volume=molar_mass / grain,
                      water_activity=np.asarray(table.water_activity, dtype=float),
                      density=np.asarray(table.density, dtype=float),
                      solute_molar_mass=solute_mass, mineral_names=names)


def at_position(values: np.ndarray, position: np.ndarray) -> np.ndarray:
    """Values of a path column at fractional row positions (linear between rows).

    Parameters
    ----------
    values : ndarray (K,) or (K, m)
        A column (or block of columns) of the path.
    position : ndarray (n,)
        Fractional row indices in [0, K − 1]. [-]

    Returns
    -------
    ndarray (n,) or (n, m)
    """
    last = values.shape[0] - 1
    # positions are never negative: truncation is the floor
    lower = np.minimum(position.astype(np.int64), max(last - 1, 0))
    weight = position - lower
    if values.ndim == 2:
        weight = weight[:, None]
    low = values[lower]
    return low + weight * (values[lower + 1] - low)


def interp_one(x: float, xp: list, fp: list) -> float:
    """``np.interp`` of one value on Python lists: the same branches and formula, so the same bits.

    About 1 µs instead of ~5 µs for ``np.interp`` on one element. ``xp`` must increase strictly.
    """
    if x != x:
        return x
    if x > xp[-1]:
        return fp[-1]
    if x < xp[0]:
        return fp[0]
    j = bisect_right(xp, x) - 1
    if j >= len(xp) - 1 or xp[j] == x:
        return fp[j]
    slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j])
    return slope * (x - xp[j]) + fp[j]
