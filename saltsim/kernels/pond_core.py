"""Compiled core of the daily pond kernel (numba, no Python objects).

The functions here carry out :mod:`saltsim.kernels.ponds` on plain arrays: one compiled call per
step does all ponds, so a field of ten ponds costs microseconds a day instead of the fixed cost
of some hundred NumPy calls (D45). The physics and its equations are documented in
:mod:`saltsim.kernels.ponds`; the numbers in the comments refer to its equations.

Arrays of a path (``path_core`` of :class:`saltsim.kernels.path.PathLookup`):

* ``columns`` (K, 5 + n_min): water, retained water, density, ln a_w, removed solids, then the
  cumulative minerals, per kg of initial water; ``delta`` (K, 5 + n_min) the row-to-row differences
  (last row zero);
* ``neg_retained`` (K,): the retained water negated (increasing); ``solids`` (K,); ``rows`` (K,):
  the row numbers as floats;
* ``stoich`` (n_min, n_el): solutes per mole of mineral; ``hydrate`` (n_min,): water of
  crystallisation [kg mol⁻¹]; ``molar_mass`` (n_el,) [kg mol⁻¹];
* ``stoichiometry`` (n_min, 1 + n_el): H2O and solutes per mole of mineral; ``component_mass``
  (1 + n_el,): kg per mol of each ledger component (H2O first).

State arrays: ``water`` (n,) [kg], ``solutes`` (n, n_el) [mol], ``feed`` (n,) [kg], ``position``
(n,) [-], ``layer`` (n, n_min) [mol]. Functions return new arrays and never change their inputs.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["properties", "step", "equilibrate", "atmosphere", "take", "mix", "transfer", "move_along_edges", "pump", "field_day",
           "lake_day", "interp",
           "WATER_DENSITY", "FEED_FLOOR", "VOLUME_FLOOR", "MAX_RELATIVE_HUMIDITY"]

#: Density of fresh (rain) water. [kg m⁻³]
WATER_DENSITY = 1000.0
#: Feed-equivalent below which a pond holds no brine of the feed. [kg]
FEED_FLOOR = 1e-9
#: Brine volume below which a pond is empty for seepage and overflow fractions. [m³]
VOLUME_FLOOR = 1e-9
#: Relative humidity cap of the evaporation ratio (as saltsim.kernels.evaporation). [-]
MAX_RELATIVE_HUMIDITY = 0.98
_TINY = 1e-300
#: Cap of F·water(s)/W in the water-activity scaling (a nearly dry pond). [-]
_MAX_RATIO = 1e6
#: Room [m³] of an edge to the lake in the offer split (the lake takes any volume).
LAKE_ROOM = 1e30
_W, _RET, _RHO, _LNAW, _SOL, _MIN = 0, 1, 2, 3, 4, 5

_jit = njit(cache=True, nogil=True)


@_jit
def interp(x, xp, fp):
    """``np.interp`` of one value (``xp`` strictly increasing)."""
    if x != x:
        return x
    last = xp.shape[0] - 1
    if x >= xp[last]:
        return fp[last]
    if x <= xp[0]:
        return fp[0]
    j = np.searchsorted(xp, x, side="right") - 1
    return (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]) * (x - xp[j]) + fp[j]


@_jit
def _lower(position, n_rows):
    """Row below a fractional position and the weight of the row above."""
    lower = min(int(position), max(n_rows - 2, 0))
    return lower, position - lower


@_jit
def _at(columns, delta, lower, weight, c):
    return delta[lower, c] * weight + columns[lower, c]


@_jit
def _properties_one(water, solutes_row, feed, position, columns, delta, molar_mass):
    """(volume [m³], density [kg m⁻³], water activity [-], mass [kg]) of one brine (eqs. 2, 3)."""
    lower, weight = _lower(position, columns.shape[0])
    path_water = feed * _at(columns, delta, lower, weight, _W)
    solute_mass = 0.0
    for e in range(solutes_row.shape[0]):
        solute_mass += solutes_row[e] * molar_mass[e]
    mass = water + solute_mass
    volume = (path_water + solute_mass) / _at(columns, delta, lower, weight, _RHO)
    volume = max(volume + (water - path_water) / WATER_DENSITY, 0.0)
    density = mass / volume if volume > 0.0 else WATER_DENSITY
    ratio = min(path_water / max(water, _TINY), _MAX_RATIO) * _at(columns, delta, lower, weight, _LNAW)
    return volume, density, math.exp(ratio), mass


@_jit
def properties(water, solutes, feed, position, columns, delta, molar_mass):
    """Volume [m³], density [kg m⁻³], water activity [-] and mass [kg] of each brine, (n,) each."""
    n = water.shape[0]
    volume, density, activity, mass = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    for i in range(n):
        volume[i], density[i], activity[i], mass[i] = _properties_one(
            water[i], solutes[i], feed[i], position[i], columns, delta, molar_mass)
    return volume, density, activity, mass


@_jit
def _evaporation(water, feed, water_end, area, rain_depth, fresh, humidity, activity):
    """(rain [kg], evaporated [kg]) of one pond: rain, and evaporation through the water activity
    (Salhotra ratio), limited to the end of the path and to the water present."""
    rain = rain_depth * area * WATER_DENSITY + 0.0
    rh = min(humidity, MAX_RELATIVE_HUMIDITY)
    demand = fresh * ((activity - rh) / (1.0 - rh)) * area * WATER_DENSITY if water > 0.0 else 0.0
    return rain, min(demand, max(water + rain - feed * water_end, 0.0))


@_jit
def atmosphere(water, feed, water_end, area, rain_depth, fresh, humidity, activity):
    """Rain received and water evaporated by each pond over one step, (n,) each. [kg]"""
    n = water.shape[0]
    rain, evaporated = np.empty(n), np.empty(n)
    for i in range(n):
        rain[i], evaporated[i] = _evaporation(water[i], feed[i], water_end, area[i], rain_depth[i], fresh[i],
                                              humidity[i], activity[i])
    return rain, evaporated


@_jit
def _equilibrate_one(i, water, solutes, feed, position, layer, columns, delta, neg_retained, rows, stoich,
                     hydrate, deposited):
    """Move brine ``i`` along the path (eq. 1) in place: precipitation limited by its solutes,
    redissolution by its deposit; the minerals moved go to ``deposited[i]``. [mol]"""
    f, s = feed[i], position[i]
    n_min = stoich.shape[0]
    if not f > FEED_FLOOR:
        for j in range(n_min):
            deposited[i, j] = 0.0
        return
    lower, weight = _lower(s, columns.shape[0])
    excess = (water[i] - f * _at(columns, delta, lower, weight, _W)) / f
    target = interp(-(excess + _at(columns, delta, lower, weight, _RET)), neg_retained, rows)
    to_lower, to_weight = _lower(target, columns.shape[0])
    factor = math.inf
    for j in range(n_min):
        c = _MIN + j
        deposited[i, j] = (_at(columns, delta, to_lower, to_weight, c) - _at(columns, delta, lower, weight, c)) * f
    if target >= s:   # precipitation, limited by the solutes present
        for e in range(stoich.shape[1]):
            need = 0.0
            for j in range(n_min):
                need += deposited[i, j] * stoich[j, e]
            if need > 0.0:
                factor = min(factor, solutes[i, e] / need)
    else:             # redissolution, limited by the deposit
        for j in range(n_min):
            if deposited[i, j] < 0.0:
                factor = min(factor, layer[i, j] / -deposited[i, j])
    factor = min(max(factor, 0.0), 1.0)
    bound = 0.0
    for j in range(n_min):
        amount = deposited[i, j] * factor
        deposited[i, j] = amount
        bound += amount * hydrate[j]
        layer[i, j] += amount
        for e in range(stoich.shape[1]):
            solutes[i, e] -= amount * stoich[j, e]
    water[i] -= bound
    position[i] = (target - s) * factor + s


@_jit
def equilibrate(water, solutes, feed, position, layer, columns, delta, neg_retained, rows, stoich, hydrate):
    """Precipitate on concentration, redissolve on dilution (eq. 1), every pond.

    Returns the new (water, solutes, position, layer) and the minerals deposited (n, n_min)
    (negative: redissolved). [kg], [mol], [-], [mol], [mol]
    """
    water, solutes, position, layer = water.copy(), solutes.copy(), position.copy(), layer.copy()
    deposited = np.empty(layer.shape)
    for i in range(water.shape[0]):
        _equilibrate_one(i, water, solutes, feed, position, layer, columns, delta, neg_retained, rows, stoich,
                         hydrate, deposited)
    return water, solutes, position, layer, deposited


@_jit
def _mineral_masses(amounts, stoichiometry, component_mass, out):
    """Ledger component masses [kg] (H2O, solutes) of mineral amounts [mol] into ``out``."""
    for c in range(out.shape[0]):
        total = 0.0
        for j in range(amounts.shape[0]):
            total += amounts[j] * stoichiometry[j, c]
        out[c] = total * component_mass[c]


@_jit
def _take_fraction(i, fraction, water, solutes, feed, p_water, p_solutes, p_feed, k):
    """Move ``fraction`` of brine ``i`` into parcel ``k`` (in place)."""
    p_water[k], p_feed[k] = water[i] * fraction, feed[i] * fraction
    water[i] -= p_water[k]
    feed[i] -= p_feed[k]
    for e in range(solutes.shape[1]):
        p_solutes[k, e] = solutes[i, e] * fraction
        solutes[i, e] -= p_solutes[k, e]


@_jit
def step(water, solutes, feed, position, layer, columns, delta, neg_retained, rows, stoich, hydrate, molar_mass,
         stoichiometry, component_mass, area, max_volume, seepage_depth, rain_depth, fresh, humidity, with_ledger):
    """One step of every pond: rain and evaporation (through the water activity of the brine at
    the start of the step), precipitation or redissolution, seepage, overflow.

    ``stoichiometry`` (n_min, 1 + n_el) and ``component_mass`` (1 + n_el,) [kg mol⁻¹] turn minerals
    into ledger components. Returns ``(water, solutes, feed, position, layer)`` after the step,
    ``(rain, evaporated)`` (n,) [kg], ``deposited`` (n, n_min) [mol], the seepage and the overflow as
    ``(water (n,), solutes (n, n_el), feed (n,))`` parcels, the new brine's ``(volume, density,
    activity, mass)`` (n,) each (:func:`properties`), and, ``with_ledger``, the step's ledger rows
    (6n, 1 + n_el) [kg]: rain, evaporation, vapour uptake, precipitation, redissolution and seepage,
    n ponds each (else an empty block: a large field would spend more time zeroing the block than
    stepping).
    """
    n, n_el = solutes.shape
    water, solutes, feed = water.copy(), solutes.copy(), feed.copy()
    position, layer = position.copy(), layer.copy()
    rain, evaporated = np.empty(n), np.empty(n)
    deposited = np.empty(layer.shape)
    seep_w, seep_s, seep_f = np.zeros(n), np.zeros((n, n_el)), np.zeros(n)
    spill_w, spill_s, spill_f = np.zeros(n), np.zeros((n, n_el)), np.zeros(n)
    volume, density, act, mass = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    block = np.zeros((6 * n if with_ledger else 0, n_el + 1))
    solid = np.empty(layer.shape[1])
    water_end = columns[columns.shape[0] - 1, _W]
    for i in range(n):
        activity = _properties_one(water[i], solutes[i], feed[i], position[i], columns, delta, molar_mass)[2]
        rain[i], evaporated[i] = _evaporation(water[i], feed[i], water_end, area[i], rain_depth[i], fresh[i],
                                              humidity[i], activity)
        water[i] = water[i] + rain[i] - evaporated[i]
        _equilibrate_one(i, water, solutes, feed, position, layer, columns, delta, neg_retained, rows, stoich,
                         hydrate, deposited)
        v = _properties_one(water[i], solutes[i], feed[i], position[i], columns, delta, molar_mass)[0]
        if seepage_depth[i] > 0.0 and v > VOLUME_FLOOR:
            fraction = min(seepage_depth[i] * area[i] / v, 1.0)
            _take_fraction(i, fraction, water, solutes, feed, seep_w, seep_s, seep_f, i)
            v = v * (1.0 - fraction)
        if v > max_volume[i] and v > VOLUME_FLOOR:
            _take_fraction(i, (v - max_volume[i]) / v, water, solutes, feed, spill_w, spill_s, spill_f, i)
        volume[i], density[i], act[i], mass[i] = _properties_one(water[i], solutes[i], feed[i], position[i],
                                                                 columns, delta, molar_mass)
        if not with_ledger:
            continue
        block[i, 0] = rain[i]
        block[n + i, 0] = max(evaporated[i], 0.0)
        block[2 * n + i, 0] = max(-evaporated[i], 0.0)
        for j in range(solid.shape[0]):
            solid[j] = max(deposited[i, j], 0.0)
        _mineral_masses(solid, stoichiometry, component_mass, block[3 * n + i])
        for j in range(solid.shape[0]):
            solid[j] = max(-deposited[i, j], 0.0)
        _mineral_masses(solid, stoichiometry, component_mass, block[4 * n + i])
        block[5 * n + i, 0] = seep_w[i]
        for e in range(n_el):
            block[5 * n + i, 1 + e] = seep_s[i, e] * molar_mass[e]
    return ((water, solutes, feed, position, layer), (rain, evaporated), deposited,
            (seep_w, seep_s, seep_f), (spill_w, spill_s, spill_f), (volume, density, act, mass), block)


@_jit
def take(water, solutes, feed, index, fraction):
    """Remove ``fraction`` [-] of the brine of ponds ``index`` (repeats add up).

    Returns the new (water, solutes, feed) and the parcels (water (m,), solutes (m, n_el),
    feed (m,)), each a fraction of the brine before the call. [kg], [mol], [kg]
    """
    m, n_el = index.shape[0], solutes.shape[1]
    p_water, p_solutes, p_feed = np.empty(m), np.empty((m, n_el)), np.empty(m)
    for k in range(m):
        i, f = index[k], fraction[k]
        p_water[k], p_feed[k] = water[i] * f, feed[i] * f
        for e in range(n_el):
            p_solutes[k, e] = solutes[i, e] * f
    new_water, new_solutes, new_feed = water.copy(), solutes.copy(), feed.copy()
    for k in range(m):
        i = index[k]
        new_water[i] -= p_water[k]
        new_feed[i] -= p_feed[k]
        for e in range(n_el):
            new_solutes[i, e] -= p_solutes[k, e]
    return new_water, new_solutes, new_feed, p_water, p_solutes, p_feed


@_jit
def _solids_at(solids, position):
    lower, weight = _lower(position, solids.shape[0])
    low = solids[lower]
    return low + weight * (solids[lower + 1] - low)


@_jit
def _mix_into(water, solutes, feed, position, solids, rows, index, p_water, p_solutes, p_feed, p_position):
    """:func:`mix` in place."""
    n, n_el = solutes.shape
    solids_in, feed_in = np.zeros(n), np.zeros(n)
    for k in range(index.shape[0]):
        i = index[k]
        water[i] += p_water[k]
        feed_in[i] += p_feed[k]
        solids_in[i] += p_feed[k] * _solids_at(solids, p_position[k])
        for e in range(n_el):
            solutes[i, e] += p_solutes[k, e]
    for i in range(n):
        if feed_in[i] > 0.0:
            total = feed[i] + feed_in[i]
            if total > FEED_FLOOR:
                position[i] = interp((feed[i] * _solids_at(solids, position[i]) + solids_in[i]) / total, solids, rows)
            feed[i] = total


@_jit
def mix(water, solutes, feed, position, solids, rows, index, p_water, p_solutes, p_feed, p_position):
    """Add parcels to ponds ``index`` and place each mixture on the path by its feed-weighted
    removed solids S = Σ F_i S(s_i) / ΣF (first row where S(k) reaches it).

    Returns the new (water, solutes, feed, position). [kg], [mol], [kg], [-]
    """
    water, solutes, feed, position = water.copy(), solutes.copy(), feed.copy(), position.copy()
    _mix_into(water, solutes, feed, position, solids, rows, index, p_water, p_solutes, p_feed, p_position)
    return water, solutes, feed, position


@_jit
def _split_offers(offer, room, src, dst, external, n):
    """Volume [m³] moved along each edge: each source's offer split over its edges in proportion
    to the targets' room, each target taking at most its room (``LAKE_ROOM`` on lake edges)."""
    m = src.shape[0]
    per_source, demand = np.zeros(n), np.zeros(n)
    for k in range(m):
        per_source[src[k]] += room[k]
    wanted = np.empty(m)
    for k in range(m):
        share = room[k] / per_source[src[k]] if per_source[src[k]] > 0.0 else 0.0
        wanted[k] = offer[src[k]] * share
        if not external[k]:
            demand[dst[k]] += wanted[k]
    for k in range(m):
        if not external[k] and demand[dst[k]] > 0.0:
            wanted[k] *= min(1.0, room[k] / demand[dst[k]])
    return wanted


@_jit
def transfer(volume, density, solid_volume, offer_rule, transfer_density, min_volume, level_volume,
             fill_volume, step_volume, online, in_months, src, dst, receivers):
    """Volume [m³] moved along each edge of the pond network by the ponds' transfer rules.

    ``offer_rule`` (n,) int: 0 none, 1 density (the brine above the minimum depth once the
    density reaches ``transfer_density``), 2 level (the brine above ``level_volume``), 3 always
    (schedule or continuous; the brine above the minimum depth); a pond offers while it is
    ``online`` and ``in_months`` (n,) bool, and receives while online. Offers are capped at ``step_volume``. ``dst`` is −1 for
    the lake. Downstream first: a pond that sends brine on frees that room for its own feeders
    the same step; the room freed is a fixed point reached within the longest chain of edges
    (exact on an acyclic network; a cycle stops at the pond count). [m³]
    """
    n, m = volume.shape[0], src.shape[0]
    offer = np.zeros(n)
    any_offer, receiver_offers = False, False
    for i in range(n):
        rule = offer_rule[i]
        if not (online[i] and in_months[i]) or rule == 0:
            continue
        if rule == 2:
            o = max(volume[i] - level_volume[i], 0.0)
        elif rule == 3 or density[i] >= transfer_density[i]:
            o = max(volume[i] - min_volume[i], 0.0)
        else:
            o = 0.0
        offer[i] = min(o, step_volume[i])
        if offer[i] > 0.0:
            any_offer = True
            if receivers[i]:
                receiver_offers = True
    moved = np.zeros(m)
    if not any_offer:
        return moved
    external = dst < 0
    sent = np.zeros(n)
    room = np.empty(m)
    for _ in range(n if receiver_offers else 1):
        for k in range(m):
            if external[k]:
                room[k] = LAKE_ROOM
            else:
                j = dst[k]
                room[k] = max(fill_volume[j] - solid_volume[j] - volume[j] + sent[j], 0.0) if online[j] else 0.0
        moved = _split_offers(offer, room, src, np.maximum(dst, 0), external, n)
        if not receiver_offers:
            break
        now_sent = np.zeros(n)
        for k in range(m):
            now_sent[src[k]] += moved[k]
        if np.all(now_sent == sent):
            break
        sent = now_sent
    return moved


@_jit
def move_along_edges(water, solutes, feed, position, solids, rows, volume, src, dst, moved):
    """Take the ``moved`` volumes [m³] from the edges' sources (as fractions of their brine
    ``volume``) and mix them into the edges' targets (``dst`` ≥ 0; parcels to the lake, dst −1,
    are only taken).

    Returns the new (water, solutes, feed, position) and each edge's parcel (water (m,),
    solutes (m, n_el), feed (m,), position (m,)) (zero where nothing moved). [kg], [mol], [kg], [-]
    """
    m = src.shape[0]
    fraction = np.zeros(m)
    for k in range(m):
        if moved[k] > 0.0:
            fraction[k] = moved[k] / volume[src[k]]
    new_water, new_solutes, new_feed, p_water, p_solutes, p_feed = take(water, solutes, feed, src, fraction)
    p_position = np.empty(m)
    for k in range(m):
        p_position[k] = position[src[k]]
    new_position = position.copy()
    internal = np.flatnonzero((dst >= 0) & (fraction > 0.0))
    _mix_into(new_water, new_solutes, new_feed, new_position, solids, rows, dst[internal], p_water[internal],
              p_solutes[internal], p_feed[internal], p_position[internal])
    return new_water, new_solutes, new_feed, new_position, (p_water, p_solutes, p_feed, p_position)


@_jit
def pump(from_water, from_solutes, from_feed, from_position, i, fraction, water, solutes, feed, position, solids,
         rows, columns, delta, molar_mass, j):
    """Move ``fraction`` [-] of brine ``i`` of one field (the lake) into pond ``j`` of another.

    Returns the source's new (water, solutes, feed), the target's new (water, solutes, feed,
    position), the parcel in ledger components (1, 1 + n_el) [kg], and the new properties of the
    source's and of the target's brines (:func:`properties`).
    """
    index, share = np.array([i]), np.array([fraction])
    from_water, from_solutes, from_feed, p_water, p_solutes, p_feed = take(from_water, from_solutes, from_feed,
                                                                           index, share)
    water, solutes, feed, position = mix(water, solutes, feed, position, solids, rows, np.array([j]), p_water,
                                         p_solutes, p_feed, np.array([from_position[i]]))
    masses = np.empty((1, 1 + molar_mass.shape[0]))
    masses[0, 0] = p_water[0]
    for e in range(molar_mass.shape[0]):
        masses[0, 1 + e] = p_solutes[0, e] * molar_mass[e]
    return (from_water, from_solutes, from_feed), (water, solutes, feed, position), masses, \
        properties(from_water, from_solutes, from_feed, from_position, columns, delta, molar_mass), \
        properties(water, solutes, feed, position, columns, delta, molar_mass)


@_jit
def field_day(water, solutes, feed, position, layer, columns, delta, neg_retained, rows, stoich, hydrate,
              molar_mass, stoichiometry, component_mass, solids, mineral_volume, area, max_volume, seepage_depth,
              rain_depth, fresh, humidity, offer_rule, transfer_density, min_volume, level_volume, fill_volume,
              step_volume, online, in_months, src, dst, receivers):
    """A day of a pond field: :func:`step`, then :func:`transfer` and :func:`move_along_edges` on
    the stepped brine (its volume, density and deposit), in one call.

    Returns ``(water, solutes, feed, position, layer)`` at the end of the day, ``(rain,
    evaporated)``, ``deposited``, the overflow ``(water, solutes, feed, position)`` (positions of
    the stepped brine), the properties ``(volume, density, activity, mass)`` at the end of the day,
    the step's ledger rows (see :func:`step`), and the volume moved along each edge [m³] with the
    edges' parcels ``(water, solutes, feed, position)``.
    """
    state, flows, deposited, _, spill, props, block = step(
        water, solutes, feed, position, layer, columns, delta, neg_retained, rows, stoich, hydrate, molar_mass,
        stoichiometry, component_mass, area, max_volume, seepage_depth, rain_depth, fresh, humidity, True)
    water, solutes, feed, position, layer = state
    n = water.shape[0]
    solid_volume = np.zeros(n)
    for i in range(n):
        for j in range(mineral_volume.shape[0]):
            solid_volume[i] += layer[i, j] * mineral_volume[j]
    volume, density = props[0], props[1]
    moved = transfer(volume, density, solid_volume, offer_rule, transfer_density, min_volume, level_volume,
                     fill_volume, step_volume, online, in_months, src, dst, receivers)
    overflow = (spill[0], spill[1], spill[2], position)
    m = src.shape[0]
    parcel = (np.zeros(m), np.zeros((m, solutes.shape[1])), np.zeros(m), np.zeros(m))
    if np.any(moved > 0.0):
        water, solutes, feed, position, parcel = move_along_edges(water, solutes, feed, position, solids, rows,
                                                                  volume, src, dst, moved)
        props = properties(water, solutes, feed, position, columns, delta, molar_mass)
    return (water, solutes, feed, position, layer), flows, deposited, overflow, props, block, moved, parcel


@_jit
def lake_day(water, solutes, feed, position, layer, columns, delta, neg_retained, rows, stoich, hydrate,
             molar_mass, stoichiometry, component_mass, water_in, volumes, areas, pore_volume, fresh, humidity):
    """A day of the lake (a field of one brine): ``water_in`` [kg] (inflow and rain) joins the brine,
    which then evaporates from its wetted area — the area of the level–area–volume table
    (``volumes`` [m³] increasing, ``areas`` [m²]) at its surface volume, the brine volume less the
    ``pore_volume`` [m³] — precipitating or redissolving along the path (:func:`step`, no seepage,
    no overflow).

    Returns as :func:`step` (without ledger rows) and the wetted area [m²].
    """
    water = water.copy()
    water[0] += water_in
    volume = _properties_one(water[0], solutes[0], feed[0], position[0], columns, delta, molar_mass)[0]
    surface = volume - pore_volume
    area = interp(surface, volumes, areas) if surface > 0.0 else 0.0
    state, flows, deposited, _, _, props, _ = step(
        water, solutes, feed, position, layer, columns, delta, neg_retained, rows, stoich, hydrate, molar_mass,
        stoichiometry, component_mass, np.array([area]), np.array([np.inf]), np.zeros(1), np.zeros(1),
        np.array([fresh]), np.array([humidity]), False)
    return state, flows, deposited, props, area
