"""The daily pond kernel: all ponds in one vectorised step (NumPy only).

State (struct of arrays, :class:`PondState`)
--------------------------------------------
Each pond holds brine — water ``W`` [kg] and solutes ``N`` [mol] — and a deposit (``layer``,
mol of each mineral). Two more numbers place the brine on the fractional evaporation path of the
feed brine (:mod:`saltsim.kernels.path`):

* ``feed`` F [kg]: the feed-equivalent tracer, the kilograms of *initial* feed water that the
  brine stands for. It moves with the brine (pumping, transfers, seepage, overflow) and is
  unchanged by evaporation, rain and precipitation.
* ``position`` s [-]: the furthest point of the path the brine has reached, as a fractional row.
  The minerals the path removed up to s are gone from the brine (F·M(s) per pond), so rain that
  dilutes the brine does not "un-precipitate" them: it moves the brine *off* the path towards
  lower concentration, and evaporation must first remove that water before anything
  precipitates again.

Equilibration (:func:`equilibrate`)
-----------------------------------
With v(k) the retained water of the path (water in solution plus hydrate water removed), the
brine's excess water over the path point is ``X = W − F·water(s)``. The target point is

    v(k*) = v(s) + X / F                                                          (1)

* X < 0 (concentrated past s): the path from s to k* precipitates F·(M(k*) − M(s)) (limited by
  the solutes present), and s ← k*.
* X > 0 (diluted) and a deposit present: the brine redissolves the deposit back along the path,
  F·(M(s) − M(k*)), limited by the layer (fraction φ); s ← s − φ(s − k*). For a fractional
  path this restores exactly the brine the path had at k*, since the brine at s plus the solids
  removed between k* and s plus water is the brine at k*.

Every change is an explicit movement of mass returned to the caller for the ledger; the state
arrays change only by those movements, so mass is conserved to rounding whatever the table.

Mixing (:func:`mix`)
--------------------
A mixture of brines of one feed gets F = ΣF and the feed-weighted mean of the solids removed,
S = Σ F_i S(s_i) / ΣF, placed on the path at the first row where S(k) reaches it.

See docs/decisions.md, D-entry "Pond state on the evaporation path".
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..constants import MOLAR_MASS
from .evaporation import MAX_RELATIVE_HUMIDITY, brine_evaporation
from .path import (COL_DENSITY, COL_LN_AW, COL_MINERALS, COL_RETAINED, COL_WATER, PathLookup,
                   at_position, at_rows, interp_array, interp_one, position_of_solids)

__all__ = ["PondState", "BrineProperties", "DayFlows", "empty_state", "brine_properties", "refresh_properties",
           "properties_one", "volume_one", "water_activity_one",
           "atmosphere", "equilibrate", "take", "take_scalar", "mix", "mix_one", "step_day", "layer_thickness",
           "WATER_DENSITY"]

#: Density of fresh (rain) water used to turn depths into masses. [kg m⁻³]
WATER_DENSITY = 1000.0
#: Feed-equivalent below which a pond is treated as holding no brine of the feed. [kg]
_FEED_FLOOR = 1e-9
_TINY_VOLUME = 1e-300
_TINY_WATER = 1e-300
#: Cap of F·water(s)/W in the water-activity scaling (a nearly dry pond). [-]
_MAX_RATIO = 1e6
#: Brine volume below which a pond is treated as empty for seepage and overflow fractions. [m³]
_VOLUME_FLOOR = 1e-9
#: Rows above which :func:`_row_min` transposes first (measured break-even ~50 rows). [-]
_ROW_MIN_TRANSPOSE = 64


def _constant(value: float) -> np.ndarray:
    """A read-only 0-d float64 array: as the operand of a ufunc on ~10 ponds it costs ~0.3 µs less
    than a Python float (no weak-scalar promotion) and gives the same numbers."""
    array = np.array(value, dtype=float)
    array.flags.writeable = False
    return array


#: The array code's constant operands (same values as the Python floats above).
_A_ZERO, _A_ONE, _A_WATER_DENSITY = _constant(0.0), _constant(1.0), _constant(WATER_DENSITY)
_A_TINY_VOLUME, _A_TINY_WATER, _A_MAX_RATIO = _constant(_TINY_VOLUME), _constant(_TINY_WATER), _constant(_MAX_RATIO)
_A_FEED_FLOOR, _A_VOLUME_FLOOR = _constant(_FEED_FLOOR), _constant(_VOLUME_FLOOR)


@dataclass(slots=True)
class PondState:
    """Struct-of-arrays state of n ponds.

    Attributes
    ----------
    water : ndarray (n,)
        Water in the brine. [kg]
    solutes : ndarray (n, n_el)
        Dissolved solutes. [mol]
    feed : ndarray (n,)
        Feed-equivalent initial water. [kg]
    position : ndarray (n,)
        Furthest path row reached (fractional). [-]
    layer : ndarray (n, n_min)
        Deposited minerals. [mol]
    """

    water: np.ndarray
    solutes: np.ndarray
    feed: np.ndarray
    position: np.ndarray
    layer: np.ndarray

    @property
    def n_ponds(self) -> int:
        return self.water.shape[0]

    def copy(self) -> "PondState":
        return PondState(self.water.copy(), self.solutes.copy(), self.feed.copy(),
                         self.position.copy(), self.layer.copy())

    def component_masses(self, lookup: PathLookup) -> tuple[np.ndarray, np.ndarray]:
        """(brine, layer) masses per pond in ledger components (H2O first). [kg], shapes (n, 1 + n_el)"""
        brine = np.concatenate([self.water[:, None], self.solutes * lookup.solute_molar_mass], axis=1)
        layer_mol = self.layer @ lookup.stoichiometry
        layer = np.concatenate([layer_mol[:, :1] * MOLAR_MASS["H2O"],
                                layer_mol[:, 1:] * lookup.solute_molar_mass], axis=1)
        return brine, layer


def empty_state(n_ponds: int, n_solutes: int, n_minerals: int) -> PondState:
    """Ponds with no brine and no deposit."""
    return PondState(np.zeros(n_ponds), np.zeros((n_ponds, n_solutes)), np.zeros(n_ponds),
                     np.zeros(n_ponds), np.zeros((n_ponds, n_minerals)))


@dataclass(slots=True)
class BrineProperties:
    """Bulk properties of each pond's brine (arrays (n,)).

    ``volume`` [m³], ``density`` [kg m⁻³], ``water_activity`` [-], ``mass`` [kg].
    """

    volume: np.ndarray
    density: np.ndarray
    water_activity: np.ndarray
    mass: np.ndarray


def brine_properties(state: PondState, lookup: PathLookup, row: np.ndarray | None = None) -> BrineProperties:
    """Volume, density and water activity of each pond's brine.

    The brine is read as the path brine at its position (water F·water(s), its actual solutes)
    plus the excess water X = W − F·water(s) at the density of water:

        V = (F·water(s) + m_solutes) / ρ(s) + X / ρ_w                                  (2)
        ln a_w = ln a_w(s) · F·water(s) / W                                            (3)

    (3) scales ln a_w with the total molality, as for dilute mixtures (osmotic coefficient held).

    Parameters
    ----------
    state : PondState
    lookup : PathLookup
    row : ndarray (n, 4), optional
        ``at_rows(lookup.bulk, lookup.bulk_delta, state.position)`` if the caller has it
        (:attr:`DayFlows.bulk_row`).

    Returns
    -------
    BrineProperties
    """
    if state.water.shape[0] == 1 and lookup.bulk_rows is not None:
        return _properties_one(state, lookup)
    return _properties_many(state, lookup, row)


def _properties_many(state: PondState, lookup: PathLookup, row: np.ndarray | None = None) -> BrineProperties:
    """:func:`brine_properties` with array operations (any number of ponds)."""
    if row is None:
        row = at_rows(lookup.bulk, lookup.bulk_delta, state.position)
    water = state.water
    path_water = state.feed * row[:, COL_WATER]
    solute_mass = state.solutes @ lookup.solute_molar_mass
    mass = water + solute_mass
    volume = np.add(path_water, solute_mass, out=solute_mass)
    volume /= row[:, COL_DENSITY]
    volume += (water - path_water) / _A_WATER_DENSITY
    np.maximum(volume, _A_ZERO, out=volume)
    density = np.maximum(volume, _A_TINY_VOLUME)
    np.divide(mass, density, out=density)
    positive = volume > _A_ZERO
    if np.count_nonzero(positive) < positive.size:
        np.copyto(density, WATER_DENSITY, where=~positive)
    ratio = np.divide(path_water, np.maximum(water, _A_TINY_WATER), out=path_water)
    np.minimum(ratio, _A_MAX_RATIO, out=ratio)
    ratio *= row[:, COL_LN_AW]
    water_activity = np.exp(ratio, out=ratio)
    return BrineProperties(volume=volume, density=density, water_activity=water_activity, mass=mass)


def _row_one(rows: list, deltas: list, position: float) -> tuple[list, list, float]:
    """The path row below ``position``, its differences and the weight, as :func:`at_rows` reads them."""
    lower = min(int(position), max(len(rows) - 2, 0))
    return rows[lower], deltas[lower], position - lower


def _properties_scalar(water: float, feed: float, position: float, solute_mass: float,
                       lookup: PathLookup) -> tuple[float, float, float, float]:
    """(volume, density, ln a_w, mass) of one brine, by the operations of :func:`_properties_many`.

    IEEE arithmetic is the same in Python and NumPy; ``solute_mass`` (a dot product) comes from
    the caller's NumPy product and the exponential is left to the caller (NumPy), so the results
    are bit-identical to the array code (tests/kernels/test_one_pond_path.py).
    """
    value, delta, weight = _row_one(lookup.bulk_rows, lookup.bulk_delta_rows, position)
    path_water = feed * (delta[COL_WATER] * weight + value[COL_WATER])
    mass = water + solute_mass
    volume = (path_water + solute_mass) / (delta[COL_DENSITY] * weight + value[COL_DENSITY])
    volume += (water - path_water) / WATER_DENSITY
    volume = max(volume, 0.0)
    density = mass / max(volume, _TINY_VOLUME) if volume > 0.0 else WATER_DENSITY
    ratio = min(path_water / max(water, _TINY_WATER), _MAX_RATIO)
    ratio *= delta[COL_LN_AW] * weight + value[COL_LN_AW]
    return volume, density, ratio, mass


def _dot_one(values: list, weights: list) -> float:
    """``np.dot`` of two short vectors as NumPy computes a one-row product: products added in
    order onto 0.0 (OpenBLAS's ``ddot`` below its 16-element block; tests compare the bits)."""
    total = 0.0
    for a, b in zip(values, weights):
        total += a * b
    return total


def volume_one(state: PondState, lookup: PathLookup) -> float:
    """``brine_properties(state, lookup).volume[0]`` of a single pond (the lake) alone, by the same
    operations (:func:`_properties_scalar`'s volume). [m³]"""
    if lookup.bulk_rows is None:
        return float(brine_properties(state, lookup).volume[0])
    solute_mass = _dot_one(state.solutes[0].tolist(), lookup.solute_molar_mass_list)
    value, delta, weight = _row_one(lookup.bulk_rows, lookup.bulk_delta_rows, float(state.position[0]))
    water = float(state.water[0])
    path_water = float(state.feed[0]) * (delta[COL_WATER] * weight + value[COL_WATER])
    volume = (path_water + solute_mass) / (delta[COL_DENSITY] * weight + value[COL_DENSITY])
    volume += (water - path_water) / WATER_DENSITY
    return max(volume, 0.0)


def properties_one(state: PondState, lookup: PathLookup) -> tuple[float, float, float, float]:
    """:func:`brine_properties` of a single pond (the lake) as Python floats: (volume [m³],
    density [kg m⁻³], water activity [-], mass [kg]), by the same operations."""
    solute_mass = _dot_one(state.solutes[0].tolist(), lookup.solute_molar_mass_list)
    volume, density, ratio, mass = _properties_scalar(state.water.item(), state.feed.item(), state.position.item(),
                                                      solute_mass, lookup)
    return volume, density, float(np.exp(ratio)), mass   # ln a_w -> a_w by NumPy's exp (the array code's)


def _properties_one(state: PondState, lookup: PathLookup) -> BrineProperties:
    """:func:`brine_properties` of a single pond (the lake) in Python scalars (~1/5 of the cost)."""
    values = np.array(properties_one(state, lookup))   # the four fields are views of one array
    return BrineProperties(volume=values[0:1], density=values[1:2], water_activity=values[2:3], mass=values[3:4])


def refresh_properties(props: BrineProperties, state: PondState, lookup: PathLookup, rows) -> BrineProperties:
    """:func:`brine_properties` of ``state`` when ``props`` holds them for a state that differs
    only in the ponds ``rows`` (e.g. one pond filled by a pump).

    Every step of :func:`brine_properties` is elementwise except the dot product of the solutes
    with their molar masses, which is done for all ponds as there (its rows do not depend on
    each other, and the same shape gives the same bits); the other steps are redone for
    ``rows`` only. The result is bit-identical to a full recomputation (a test checks it).

    Parameters
    ----------
    props : BrineProperties
    state : PondState
    lookup : PathLookup
    rows : iterable of int
        The ponds whose brine changed.

    Returns
    -------
    BrineProperties
    """
    if lookup.bulk_rows is None or state.water.shape[0] == 1:
        return brine_properties(state, lookup)
    solute_mass = state.solutes @ lookup.solute_molar_mass
    volume, density, activity, mass = (props.volume.copy(), props.density.copy(),
                                       props.water_activity.copy(), props.mass.copy())
    for i in rows:   # the one or two ponds that changed, not a loop over the field
        volume[i], density[i], ratio, mass[i] = _properties_scalar(
            float(state.water[i]), float(state.feed[i]), float(state.position[i]), float(solute_mass[i]), lookup)
        activity[i] = np.exp(ratio)
    return BrineProperties(volume=volume, density=density, water_activity=activity, mass=mass)


def water_activity_one(state: PondState, lookup: PathLookup, i: int) -> float:
    """``brine_properties(state, lookup).water_activity[i]`` alone, by the same operations
    (:func:`_properties_scalar`'s ratio and NumPy's exp). [-]"""
    value, delta, weight = _row_one(lookup.bulk_rows, lookup.bulk_delta_rows, float(state.position[i]))
    path_water = float(state.feed[i]) * (delta[COL_WATER] * weight + value[COL_WATER])
    ratio = min(path_water / max(float(state.water[i]), _TINY_WATER), _MAX_RATIO)
    ratio *= delta[COL_LN_AW] * weight + value[COL_LN_AW]
    return float(np.exp(ratio))


def _brine_volume(state: PondState, lookup: PathLookup, row: np.ndarray) -> np.ndarray:
    """``brine_properties(state, lookup).volume`` alone, by the same operations, given the path
    row of the ponds' positions (``at_rows(lookup.bulk, lookup.bulk_delta, state.position)``). [m³]"""
    path_water = state.feed * row[:, COL_WATER]
    volume = state.solutes @ lookup.solute_molar_mass
    volume += path_water
    volume /= row[:, COL_DENSITY]
    volume += (state.water - path_water) / _A_WATER_DENSITY
    return np.maximum(volume, _A_ZERO, out=volume)


def layer_thickness(layer: np.ndarray, lookup: PathLookup, area: np.ndarray, porosity: float) -> np.ndarray:
    """Thickness of each pond's deposit.

    Parameters
    ----------
    layer : ndarray (n, n_min)
        Deposited minerals. [mol]
    lookup : PathLookup
    area : ndarray (n,)
        Pond floor area. [m²]
    porosity : float
        Pore fraction of the deposit. [-]

    Returns
    -------
    ndarray (n,)
        [m]
    """
    return (layer @ lookup.mineral_volume) / ((1.0 - porosity) * area)


def atmosphere(state: PondState, lookup: PathLookup, area, rain_depth, fresh_evaporation,
               relative_humidity, water_activity):
    """Rain on and evaporation from each pond over one step.

    Evaporation follows :func:`saltsim.kernels.evaporation.brine_evaporation`; it cannot take
    the brine past the end of the path (water ≥ F·water(end)) nor below zero.

    Parameters
    ----------
    state : PondState
    lookup : PathLookup
    area : ndarray (n,)
        Surface area. [m²]
    rain_depth : float or ndarray
        Rain over the step. [m]
    fresh_evaporation : float or ndarray
        Fresh open-water evaporation over the step. [m]
    relative_humidity : float
        [-]
    water_activity : ndarray (n,)
        Water activity of each brine. [-]

    Returns
    -------
    rain : ndarray (n,)
        Rain water received. [kg]
    evaporated : ndarray (n,)
        Water evaporated (negative: vapour taken up). [kg]
    """
    water = state.water
    rain = rain_depth * area * _A_WATER_DENSITY
    if type(rain) is np.ndarray and rain.shape == water.shape:
        rain += _A_ZERO   # what adding np.zeros does (-0.0 → 0.0), without the array
    else:
        rain = rain + np.zeros(water.shape)
    demand = brine_evaporation(fresh_evaporation, water_activity, relative_humidity) * area * _A_WATER_DENSITY
    # a pond without brine neither evaporates nor takes up vapour
    has_brine = water > _A_ZERO
    if np.count_nonzero(has_brine) < has_brine.size:
        demand[~has_brine] = 0.0
    available = water + rain
    available -= state.feed * lookup.water[-1]
    np.maximum(available, _A_ZERO, out=available)
    evaporated = np.minimum(demand, available, out=available)
    return rain, evaporated


def _row_min(values: np.ndarray) -> np.ndarray:
    """Minimum of each row of a (n, m) block (exact, so the order of comparison does not matter).

    For many rows the block is transposed to contiguous columns first: reducing along short rows
    costs ~5x more than m elementwise minima over long columns.
    """
    if values.shape[0] > _ROW_MIN_TRANSPOSE:
        return np.minimum.reduce(np.ascontiguousarray(values.T), axis=0)
    return np.minimum.reduce(values, axis=1)


def _ratio_or_inf(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator where the denominator is positive, else inf."""
    out = np.empty(denominator.shape)
    out.fill(np.inf)
    return np.divide(numerator, denominator, out=out, where=denominator > _A_ZERO)


def equilibrate(state: PondState, lookup: PathLookup) -> tuple[PondState, np.ndarray]:
    """Move each brine along its path: precipitate on concentration, redissolve on dilution.

    Parameters
    ----------
    state : PondState
    lookup : PathLookup

    Returns
    -------
    state : PondState
        New state.
    deposited : ndarray (n, n_min)
        Minerals moved from the brine to the layer (negative: redissolved). [mol]
    """
    feed = state.feed
    n = feed.shape[0]
    active = feed > _A_FEED_FLOOR
    all_active = np.count_nonzero(active) == n
    # (the branches below skip work whose result the array code would discard: same numbers)
    if not all_active:
        inactive = ~active
        safe_feed = np.where(active, feed, _A_ONE)
    else:
        safe_feed = feed
    s = state.position
    row = at_rows(lookup.columns, lookup.columns_delta, s)
    # minus the excess water per feed, -X/F − v(s) (eq. 1), without a negation: IEEE a − b = −(b − a)
    neg_excess = feed * row[:, COL_WATER]
    neg_excess -= state.water
    neg_excess /= safe_feed
    neg_excess -= row[:, COL_RETAINED]
    target = interp_array(neg_excess, lookup.neg_retained, lookup.row_index)
    if not all_active:
        np.copyto(target, s, where=inactive)
    change = at_rows(lookup.minerals, lookup.minerals_delta, target)
    change -= row[:, COL_MINERALS:]
    change *= feed[:, None]
    stoich = lookup.solute_stoichiometry
    if change.shape[1]:
        # precipitation limited by the solutes present, redissolution by the deposit
        up = target >= s
        n_up = np.count_nonzero(up)
        if n_up:
            theta = _row_min(_ratio_or_inf(state.solutes, change @ stoich))
        if n_up < n:
            phi = _row_min(_ratio_or_inf(state.layer, -change))
        factor = theta if n_up == n else phi if n_up == 0 else np.where(up, theta, phi)
    else:
        factor = np.full(n, np.inf)
    np.maximum(factor, _A_ZERO, out=factor)
    np.minimum(factor, _A_ONE, out=factor)
    if not all_active:
        factor[inactive] = 0.0
    deposited = change
    deposited *= factor[:, None]
    position = target - s
    position *= factor
    position += s
    new = PondState(water=state.water - deposited @ lookup.hydrate_water,
                    solutes=state.solutes - deposited @ stoich,
                    feed=feed, position=position, layer=state.layer + deposited)
    return new, deposited


def take(state: PondState, index: np.ndarray, fraction: np.ndarray, unique: bool = False):
    """Remove a fraction of the brine of some ponds (transfer, seepage, overflow, drain).

    Parameters
    ----------
    state : PondState
    index : ndarray (m,) of int
        Ponds to take from (may repeat; fractions of one pond then add up, at most 1).
    fraction : ndarray (m,)
        Fraction of the brine content taken, in [0, 1]. [-]
    unique : bool
        The caller guarantees that ``index`` has no repeats (faster: no unbuffered ``ufunc.at``).

    Returns
    -------
    state : PondState
        New state.
    parcel : tuple (water (m,) [kg], solutes (m, n_el) [mol], feed (m,) [kg], position (m,) [-])
        The brine taken, with the path position of its source (for :func:`mix`).
    """
    index = np.asarray(index, dtype=np.int64)
    fraction = np.asarray(fraction, dtype=float)
    if index.size == 1 and fraction.size == 1:
        return _take_one(state, int(index.reshape(-1)[0]), float(fraction.reshape(-1)[0]))
    water = state.water[index] * fraction
    solutes = state.solutes[index] * fraction[:, None]
    feed = state.feed[index] * fraction
    new_water = state.water.copy()
    new_solutes = state.solutes.copy()
    new_feed = state.feed.copy()
    if unique or index.size <= 1:
        new_water[index] -= water
        new_solutes[index] -= solutes
        new_feed[index] -= feed
    else:
        np.subtract.at(new_water, index, water)
        np.subtract.at(new_solutes, index, solutes)
        np.subtract.at(new_feed, index, feed)
    new = PondState(new_water, new_solutes, new_feed, state.position, state.layer)
    return new, (water, solutes, feed, state.position[index])


def _take_one(state: PondState, i: int, fraction: float):
    """:func:`take` from one pond, in scalars where the arrays would have one element (same bits)."""
    new, (water, solutes, feed, position) = take_scalar(state, i, fraction)
    return new, (np.array([water]), solutes, np.array([feed]), np.array([position]))


def take_scalar(state: PondState, i: int, fraction: float):
    """:func:`take` of ``fraction`` [-] (a float) from pond ``i`` alone: the same operations, with the
    parcel's water [kg], feed [kg] and position [-] as Python floats and its solutes (1, n_el) [mol]
    as an array (arguments of :func:`mix_one`)."""
    water, feed = float(state.water[i]) * fraction, float(state.feed[i]) * fraction
    solutes = state.solutes[i:i + 1] * fraction
    if state.water.shape[0] == 1:   # the lake: new arrays at once
        new = PondState(np.array([float(state.water[0]) - water]), state.solutes - solutes,
                        np.array([float(state.feed[0]) - feed]), state.position, state.layer)
    else:
        new_water, new_solutes, new_feed = state.water.copy(), state.solutes.copy(), state.feed.copy()
        new_water[i] -= water
        row = new_solutes[i]   # a view: the row is changed in place
        row -= solutes[0]
        new_feed[i] -= feed
        new = PondState(new_water, new_solutes, new_feed, state.position, state.layer)
    return new, (water, solutes, feed, float(state.position[i]))


def _at_position_one(values: list, position: float) -> float:
    """:func:`saltsim.kernels.path.at_position` of a 1-D column (a list) at one position."""
    lower = min(int(position), max(len(values) - 2, 0))
    low = values[lower]
    return low + (position - lower) * (values[lower + 1] - low)


def _take_each(state: PondState, fraction: np.ndarray):
    """:func:`take` of ``fraction`` [-] from every pond (index ``arange(n)``), without the gathers."""
    water = state.water * fraction
    solutes = state.solutes * fraction[:, None]
    feed = state.feed * fraction
    new = PondState(state.water - water, state.solutes - solutes, state.feed - feed, state.position, state.layer)
    return new, (water, solutes, feed, state.position.copy())


def mix(state: PondState, lookup: PathLookup, index: np.ndarray, water: np.ndarray,
        solutes: np.ndarray, feed: np.ndarray, position: np.ndarray) -> PondState:
    """Add parcels of brine to ponds and place each mixture on the path.

    Parameters
    ----------
    state : PondState
    lookup : PathLookup
    index : ndarray (m,) of int
        Receiving ponds (may repeat).
    water : ndarray (m,)
        [kg]
    solutes : ndarray (m, n_el)
        [mol]
    feed : ndarray (m,)
        Feed-equivalent of each parcel. [kg]
    position : ndarray (m,)
        Path position of each parcel's source. [-]

    Returns
    -------
    PondState
    """
    index = np.asarray(index, dtype=np.int64)
    if index.size == 1 and lookup.solids_list is not None:
        return _mix_one(state, lookup, int(index.reshape(-1)[0]), water, solutes, feed, position)
    n = state.n_ponds
    # the removed solids of the parcels' sources and of the ponds, in one (elementwise) lookup
    solids = at_position(lookup.solids, np.concatenate([np.asarray(position, float), state.position]))
    solids_in = np.bincount(index, weights=feed * solids[:index.size], minlength=n)
    feed_in = np.bincount(index, weights=feed, minlength=n)
    feed_new = state.feed + feed_in
    solids_total = state.feed * solids[index.size:] + solids_in
    received = feed_in > 0.0
    mean_solids = np.divide(solids_total, feed_new, out=np.zeros(n), where=feed_new > _FEED_FLOOR)
    position_new = np.where(received & (feed_new > _FEED_FLOOR),
                            position_of_solids(lookup, mean_solids), state.position)
    new_water = state.water + np.bincount(index, weights=water, minlength=n)
    new_solutes = state.solutes.copy()
    if index.size <= 1 or len(set(index.tolist())) == index.size:
        new_solutes[index] += solutes
    else:
        np.add.at(new_solutes, index, solutes)
    return PondState(new_water, new_solutes, feed_new, position_new, state.layer)


def mix_one(state: PondState, lookup: PathLookup, i: int, water, solutes, feed, position) -> PondState:
    """:func:`mix` of one parcel into pond ``i`` (the parcel as :func:`take_scalar` returns it)."""
    if lookup.solids_list is None:
        return mix(state, lookup, np.array([i]), np.array([_scalar(water)]), np.asarray(solutes).reshape(1, -1),
                   np.array([_scalar(feed)]), np.array([_scalar(position)]))
    return _mix_one(state, lookup, i, water, solutes, feed, position)


def _mix_one(state: PondState, lookup: PathLookup, i: int, water, solutes, feed, position) -> PondState:
    """:func:`mix` of one parcel into pond ``i``: the same operations on the one pond that changes.

    The array code adds zeros (``np.bincount``) to the other ponds and keeps their positions, so
    only pond ``i`` is computed here, in scalars (bit-identical; a test checks it).
    """
    water_in, feed_in = _scalar(water) + 0.0, _scalar(feed) + 0.0
    solids_in = feed_in * _at_position_one(lookup.solids_list, _scalar(position)) + 0.0
    feed_old = float(state.feed[i])
    feed_new = feed_old + feed_in
    new_water, new_feed = state.water.copy(), state.feed.copy()
    new_water[i] += water_in
    new_feed[i] = feed_new
    new_position = state.position
    if feed_in > 0.0 and feed_new > _FEED_FLOOR:
        solids = feed_old * _at_position_one(lookup.solids_list, float(state.position[i])) + solids_in
        new_position = state.position.copy()
        new_position[i] = interp_one(solids / feed_new, lookup.solids_list, lookup.row_index_list)
    new_solutes = state.solutes.copy()
    row = new_solutes[i]   # a view: the row is added in place
    row += solutes.reshape(-1) if type(solutes) is np.ndarray else np.asarray(solutes, dtype=float).reshape(-1)
    return PondState(new_water, new_solutes, new_feed, new_position, state.layer)


@dataclass(slots=True)
class DayFlows:
    """Movements of mass of one kernel step (arrays over ponds).

    ``rain`` (n,) [kg], ``evaporated`` (n,) [kg] (negative: uptake), ``deposited`` (n, n_min)
    [mol] (negative: redissolved), ``seepage`` and ``overflow``: (water (n,) [kg],
    solutes (n, n_el) [mol], feed (n,) [kg], position (n,) [-]); ``bulk_row`` (n, 4): the path
    row of the returned state's positions (``row`` of :func:`brine_properties`), or None. A
    one-pond step with no seepage and no overflow (the lake) returns shared read-only zeros for both.
    """

    rain: np.ndarray
    evaporated: np.ndarray
    deposited: np.ndarray
    seepage: tuple
    overflow: tuple
    bulk_row: np.ndarray | None = None


def _scalar(value) -> float:
    """A float, or the one element of a one-element array."""
    if type(value) is float:
        return value
    if type(value) is np.ndarray and value.dtype == np.float64 and value.size == 1:
        return value.item()
    return float(np.asarray(value, dtype=float).reshape(-1)[0])


#: Read-only zeros of the one-pond step's empty seepage and overflow (shared: nothing leaves the lake).
_ONE_ZERO = np.zeros(1)
_ONE_ZERO.flags.writeable = False
_ZEROS_ONE: dict[int, np.ndarray] = {}


def _zeros_one(n_solutes: int) -> np.ndarray:
    """Read-only zeros of shape (1, n_solutes), shared."""
    zeros = _ZEROS_ONE.get(n_solutes)
    if zeros is None:
        zeros = np.zeros((1, n_solutes))
        zeros.flags.writeable = False
        _ZEROS_ONE[n_solutes] = zeros
    return zeros


def _step_one(state: PondState, lookup: PathLookup, area, rain_depth, fresh_evaporation, relative_humidity,
              water_activity: np.ndarray):
    """:func:`atmosphere` and :func:`equilibrate` of a single pond (the lake) in Python scalars.

    The same operations in the same order as the array code, with the products of mineral
    vectors and matrices still NumPy calls on the same (1, m) shapes, so the results are
    bit-identical (a test checks it). Returns (state, rain (1,), evaporated (1,),
    deposited (1, n_min)).
    """
    water, feed, s = float(state.water[0]), float(state.feed[0]), float(state.position[0])
    area = _scalar(area)
    # atmosphere: rain, and evaporation through the water activity (brine_evaporation, eq. (2))
    rain = _scalar(rain_depth) * area * WATER_DENSITY + 0.0
    rh = min(_scalar(relative_humidity), MAX_RELATIVE_HUMIDITY)
    demand = _scalar(fresh_evaporation) * ((_scalar(water_activity) - rh) / (1.0 - rh))
    demand = demand * area * WATER_DENSITY if water > 0.0 else 0.0
    available = water + rain
    available -= feed * lookup.water_list[-1]
    evaporated = min(demand, max(available, 0.0))
    water = water + rain
    water -= evaporated
    # equilibrate, with the path rows and the mineral vector as Python lists
    active = feed > _FEED_FLOOR
    value, delta, weight = _row_one(lookup.columns_rows, lookup.columns_delta_rows, s)
    excess = water - feed * (delta[COL_WATER] * weight + value[COL_WATER])
    excess /= feed if active else 1.0
    excess += delta[COL_RETAINED] * weight + value[COL_RETAINED]
    target = interp_one(-excess, lookup.neg_retained_list, lookup.row_index_list) if active else s
    to_value, to_delta, to_weight = _row_one(lookup.columns_rows, lookup.columns_delta_rows, target)
    m = COL_MINERALS
    change = [((d1 * to_weight + v1) - (d0 * weight + v0)) * feed
              for d1, v1, d0, v0 in zip(to_delta[m:], to_value[m:], delta[m:], value[m:])]
    stoich = lookup.solute_stoichiometry
    factor = math.inf
    if change:
        # precipitation limited by the solutes present, redissolution by the deposit
        if target >= s:
            need = (np.array([change]) @ stoich)[0].tolist()
            factor = min([a / b for a, b in zip(state.solutes[0].tolist(), need) if b > 0.0], default=math.inf)
        else:
            factor = min([a / -c for a, c in zip(state.layer[0].tolist(), change) if -c > 0.0], default=math.inf)
    factor = min(max(factor, 0.0), 1.0) if active else 0.0
    change = [c * factor for c in change]
    deposited = np.array([change]).reshape(1, len(change))
    position = (target - s) * factor + s
    # the hydrate water's one-row product in Python (_dot_one); the solutes' (a matrix) stays NumPy's
    new = PondState(water=np.array([water - _dot_one(change, lookup.hydrate_water_list)]),
                    solutes=state.solutes - deposited @ stoich,
                    feed=state.feed, position=np.array([position]), layer=state.layer + deposited)
    flows = np.array([rain, evaporated])
    return new, flows[0:1], flows[1:2], deposited


def step_day(state: PondState, lookup: PathLookup, area: np.ndarray, max_volume: np.ndarray,
             seepage_depth: np.ndarray, rain_depth, fresh_evaporation, relative_humidity, props=None,
             water_activity=None):
    """One step of all ponds: rain and evaporation, precipitation or redissolution, seepage, overflow.

    Parameters
    ----------
    state : PondState
    lookup : PathLookup
    area : ndarray (n,)
        Pond area. [m²]
    max_volume : ndarray (n,)
        Brine volume above which the pond overflows. [m³]
    seepage_depth : ndarray (n,)
        Seepage over the step (depth of brine). [m]
    rain_depth : float
        [m]
    fresh_evaporation : float
        Fresh open-water evaporation over the step. [m]
    relative_humidity : float
        [-]
    props : BrineProperties, optional
        Properties of ``state`` if the caller has them already (only the water activity is read).
    water_activity : ndarray (n,), optional
        ``brine_properties(state, lookup).water_activity`` if the caller has it (instead of
        ``props``; a float for a single pond). [-]

    Returns
    -------
    state : PondState
    flows : DayFlows
    """
    if water_activity is None:
        water_activity = (props if props is not None else brine_properties(state, lookup)).water_activity
    if state.water.shape[0] == 1 and lookup.bulk_rows is not None:
        state, rain, evaporated, deposited = _step_one(state, lookup, area, rain_depth, fresh_evaporation,
                                                       relative_humidity, water_activity)
        if not (_scalar(seepage_depth) > 0.0 or _scalar(max_volume) < math.inf):   # the lake: nothing leaves
            nothing = (_ONE_ZERO, _zeros_one(state.solutes.shape[1]), _ONE_ZERO, state.position)
            return state, DayFlows(rain=rain, evaporated=evaporated, deposited=deposited,
                                   seepage=nothing, overflow=nothing)
    else:
        rain, evaporated = atmosphere(state, lookup, area, rain_depth, fresh_evaporation,
                                      relative_humidity, water_activity)
        water = state.water + rain
        water -= evaporated
        state, deposited = equilibrate(PondState(water, state.solutes, state.feed, state.position, state.layer),
                                       lookup)
    # the path row of the positions: seepage and overflow keep them, so it is also the row of
    # the returned state (DayFlows.bulk_row, for brine_properties)
    row = at_rows(lookup.bulk, lookup.bulk_delta, state.position)
    volume = _brine_volume(state, lookup, row)
    seepage = overflow = None
    if np.count_nonzero(seepage_depth > _A_ZERO):
        seep_fraction = np.minimum(seepage_depth * area / np.maximum(volume, _A_VOLUME_FLOOR), _A_ONE)
        seep_fraction[~(volume > _A_VOLUME_FLOOR)] = 0.0
        state, seepage = _take_each(state, seep_fraction)
        volume = volume * (_A_ONE - seep_fraction)
    spills = volume > max_volume
    if np.count_nonzero(spills) and np.count_nonzero(np.logical_and(spills, volume > _A_VOLUME_FLOOR, out=spills)):
        spill_fraction = np.where(spills, (volume - max_volume) / np.maximum(volume, _VOLUME_FLOOR), 0.0)
        state, overflow = _take_each(state, spill_fraction)
    if seepage is None or overflow is None:
        nothing = (np.zeros(volume.shape), np.zeros(state.solutes.shape), np.zeros(volume.shape), state.position)
        seepage = nothing if seepage is None else seepage
        overflow = nothing if overflow is None else overflow
    return state, DayFlows(rain=rain, evaporated=evaporated, deposited=deposited,
                           seepage=seepage, overflow=overflow, bulk_row=row)
