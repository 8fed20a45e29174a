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

See docs/decisions.md, D-entry "Pond state on the evaporation path". The arithmetic runs in one
compiled call per step over all ponds (:mod:`saltsim.kernels.pond_core`, D45); the functions here
adapt the state and the path to it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..constants import MOLAR_MASS
from . import pond_core as core
from .path import PathLookup, at_position

__all__ = ["PondState", "BrineProperties", "DayFlows", "empty_state", "brine_properties", "atmosphere",
           "equilibrate", "take", "mix", "step_day", "layer_thickness", "at_position", "WATER_DENSITY"]

#: Density of fresh (rain) water used to turn depths into masses. [kg m⁻³]
WATER_DENSITY = core.WATER_DENSITY


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


def _arrays(state: PondState) -> tuple:
    """The state's arrays as the compiled core takes them (float64; the kernel's own are)."""
    arrays = (state.water, state.solutes, state.feed, state.position, state.layer)
    if all(a.dtype == np.float64 for a in arrays):
        return arrays
    return tuple(np.asarray(a, dtype=float) for a in arrays)


def _per_pond(value, n: int) -> np.ndarray:
    """A number or an array as one float per pond (n values), 1-D. [-]"""
    if type(value) is np.ndarray and value.dtype == np.float64 and value.shape == (n,):
        return value
    if type(value) is float:
        return np.full(n, value)
    value = np.asarray(value, dtype=float)
    return np.ascontiguousarray(np.broadcast_to(value.reshape(-1) if value.ndim else value, (n,)))


@dataclass(slots=True)
class BrineProperties:
    """Bulk properties of each pond's brine (arrays (n,)).

    ``volume`` [m³], ``density`` [kg m⁻³], ``water_activity`` [-], ``mass`` [kg].
    """

    volume: np.ndarray
    density: np.ndarray
    water_activity: np.ndarray
    mass: np.ndarray


def brine_properties(state: PondState, lookup: PathLookup) -> BrineProperties:
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

    Returns
    -------
    BrineProperties
    """
    water, solutes, feed, position, _ = _arrays(state)
    columns, delta, molar_mass = lookup.core[0], lookup.core[1], lookup.core[6]
    return BrineProperties(*core.properties(water, solutes, feed, position, columns, delta, molar_mass))


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
    the brine past the end of the path (water ≥ F·water(end)) nor below zero; a pond without
    brine neither evaporates nor takes up vapour.

    Parameters
    ----------
    state : PondState
    lookup : PathLookup
    area : float or ndarray (n,)
        Surface area. [m²]
    rain_depth : float or ndarray
        Rain over the step. [m]
    fresh_evaporation : float or ndarray
        Fresh open-water evaporation over the step. [m]
    relative_humidity : float or ndarray
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
    n = state.n_ponds
    water, _, feed, _, _ = _arrays(state)
    return core.atmosphere(water, feed, float(lookup.water[-1]), _per_pond(area, n), _per_pond(rain_depth, n),
                           _per_pond(fresh_evaporation, n), _per_pond(relative_humidity, n),
                           _per_pond(water_activity, n))


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
    water, solutes, feed, position, layer = _arrays(state)
    columns, delta, neg_retained, rows, stoich, hydrate = lookup.core[:6]
    water, solutes, position, layer, deposited = core.equilibrate(water, solutes, feed, position, layer, columns,
                                                                  delta, neg_retained, rows, stoich, hydrate)
    return PondState(water, solutes, feed, position, layer), deposited


def take(state: PondState, index, fraction):
    """Remove a fraction of the brine of some ponds (transfer, seepage, overflow, drain).

    Parameters
    ----------
    state : PondState
    index : ndarray (m,) of int
        Ponds to take from (may repeat; fractions of one pond then add up, at most 1).
    fraction : ndarray (m,)
        Fraction of the brine content taken, in [0, 1]. [-]

    Returns
    -------
    state : PondState
        New state.
    parcel : tuple (water (m,) [kg], solutes (m, n_el) [mol], feed (m,) [kg], position (m,) [-])
        The brine taken, with the path position of its source (for :func:`mix`).
    """
    if not (type(index) is np.ndarray and index.dtype == np.int64 and index.ndim == 1):
        index = np.asarray(index, dtype=np.int64).reshape(-1)
    fraction = _per_pond(fraction, index.shape[0])
    water, solutes, feed, position, layer = _arrays(state)
    water, solutes, feed, p_water, p_solutes, p_feed = core.take(water, solutes, feed, index, fraction)
    return PondState(water, solutes, feed, position, layer), (p_water, p_solutes, p_feed, position[index])


def mix(state: PondState, lookup: PathLookup, index, water, solutes, feed, position) -> PondState:
    """Add parcels of brine to ponds and place each mixture on the path.

    A mixture of brines of one feed gets F = ΣF and the feed-weighted mean of the solids removed,
    S = Σ F_i S(s_i) / ΣF, placed on the path at the first row where S(k) reaches it.

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
    if not (type(index) is np.ndarray and index.dtype == np.int64 and index.ndim == 1):
        index = np.asarray(index, dtype=np.int64).reshape(-1)
    m = index.shape[0]
    s_water, s_solutes, s_feed, s_position, layer = _arrays(state)
    p_solutes = solutes if type(solutes) is np.ndarray and solutes.shape == (m, s_solutes.shape[1]) \
        and solutes.dtype == np.float64 else np.asarray(solutes, dtype=float).reshape(m, s_solutes.shape[1])
    new = core.mix(s_water, s_solutes, s_feed, s_position, lookup.solids, lookup.row_index, index,
                   _per_pond(water, m), p_solutes, _per_pond(feed, m), _per_pond(position, m))
    return PondState(*new, layer)


@dataclass(slots=True)
class DayFlows:
    """Movements of mass of one kernel step (arrays over ponds).

    ``rain`` (n,) [kg], ``evaporated`` (n,) [kg] (negative: uptake), ``deposited`` (n, n_min)
    [mol] (negative: redissolved), ``seepage`` and ``overflow``: (water (n,) [kg],
    solutes (n, n_el) [mol], feed (n,) [kg], position (n,) [-]); ``properties``: the
    :class:`BrineProperties` of the returned state; ``ledger`` (when asked for): the step's
    movements in ledger components (6n, 1 + n_el) [kg], rows of rain, evaporation, vapour uptake,
    precipitation, redissolution and seepage, n ponds each.
    """

    rain: np.ndarray
    evaporated: np.ndarray
    deposited: np.ndarray
    seepage: tuple
    overflow: tuple
    properties: BrineProperties
    ledger: np.ndarray


def step_day(state: PondState, lookup: PathLookup, area, max_volume, seepage_depth, rain_depth,
             fresh_evaporation, relative_humidity, ledger: bool = False):
    """One step of all ponds: rain and evaporation, precipitation or redissolution, seepage, overflow.

    Evaporation goes through the water activity of each brine at the start of the step.

    Parameters
    ----------
    state : PondState
    lookup : PathLookup
    area : float or ndarray (n,)
        Pond area. [m²]
    max_volume : float or ndarray (n,)
        Brine volume above which the pond overflows. [m³]
    seepage_depth : float or ndarray (n,)
        Seepage over the step (depth of brine). [m]
    rain_depth : float or ndarray (n,)
        [m]
    fresh_evaporation : float or ndarray (n,)
        Fresh open-water evaporation over the step. [m]
    relative_humidity : float or ndarray (n,)
        [-]
    ledger : bool
        Also return the step's movements as ledger rows (:attr:`DayFlows.ledger`).

    Returns
    -------
    state : PondState
    flows : DayFlows
    """
    n = state.n_ponds
    columns, delta, neg_retained, rows, stoich, hydrate, molar_mass, _, stoichiometry, component_mass = lookup.core
    new, (rain, evaporated), deposited, seepage, overflow, properties, block = core.step(
        *_arrays(state), columns, delta, neg_retained, rows, stoich, hydrate, molar_mass, stoichiometry,
        component_mass, _per_pond(area, n), _per_pond(max_volume, n), _per_pond(seepage_depth, n),
        _per_pond(rain_depth, n), _per_pond(fresh_evaporation, n), _per_pond(relative_humidity, n), ledger)
    position = new[3]
    return PondState(*new), DayFlows(rain=rain, evaporated=evaporated, deposited=deposited,
                                     seepage=(*seepage, position), overflow=(*overflow, position),
                                     properties=BrineProperties(*properties), ledger=block if ledger else None)
