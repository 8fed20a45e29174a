"""The compiled pond kernel against a vectorised NumPy transcription of the same equations.

:mod:`saltsim.kernels.pond_core` loops over ponds in compiled code. The references below write
the equations of :mod:`saltsim.kernels.ponds` (1)-(3) as array expressions over all ponds, so a
wrong index, branch or accumulation in the loops shows as a difference larger than round-off.
"""
import numpy as np
from hypothesis import given, settings, strategies as st

from saltsim.constants import SOLUTES
from saltsim.kernels import pond_core, ponds
from saltsim.kernels.path import at_position, interp_one, path_lookup

from nacl_path import nacl_path

#: The loops and the array expressions may associate sums differently: a few ulp.
RTOL_ROUNDING = 1e-12
#: Absolute floor for quantities that cancel to zero (mol, kg of ~1e9-kg ponds). [mol], [kg]
ATOL_CANCEL = 1e-6

LOOKUP = path_lookup(nacl_path(), SOLUTES)


def _random_state(rng, n):
    lk = LOOKUP
    position = rng.uniform(0.0, lk.n_rows - 1.0, n) * (rng.random(n) < 0.9)
    feed = rng.uniform(1.0, 1e9, n) * (rng.random(n) < 0.9)
    water = feed * np.interp(position, lk.row_index, lk.water) * rng.uniform(0.7, 1.4, n)
    solutes = feed[:, None] * lk.dissolved[position.astype(int)] * rng.uniform(0.9, 1.1, (n, len(SOLUTES)))
    layer = rng.uniform(0.0, 1e6, (n, lk.n_minerals)) * (rng.random((n, lk.n_minerals)) < 0.5)
    return ponds.PondState(water, solutes, feed, position, layer)


def _close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=RTOL_ROUNDING, atol=ATOL_CANCEL)


def _reference_properties(state):
    """Eqs. (2), (3) as array expressions."""
    lk = LOOKUP
    path_water = state.feed * at_position(lk.water, state.position)
    solute_mass = state.solutes @ lk.solute_molar_mass
    volume = (path_water + solute_mass) / at_position(lk.density, state.position) \
        + (state.water - path_water) / ponds.WATER_DENSITY
    volume = np.maximum(volume, 0.0)
    mass = state.water + solute_mass
    density = np.where(volume > 0.0, mass / np.where(volume > 0.0, volume, 1.0), ponds.WATER_DENSITY)
    ratio = np.minimum(path_water / np.maximum(state.water, 1e-300), 1e6)
    activity = np.exp(ratio * at_position(np.log(lk.water_activity), state.position))
    return volume, density, activity, mass


def _reference_equilibrate(state):
    """Eq. (1): the target row by the retained water, precipitation limited by the solutes,
    redissolution by the deposit."""
    lk = LOOKUP
    active = state.feed > pond_core.FEED_FLOOR
    feed = np.where(active, state.feed, 1.0)
    s = state.position
    excess = (state.water - feed * at_position(lk.water, s)) / feed
    target = np.where(active, np.interp(-(at_position(lk.retained, s) + excess), -lk.retained, lk.row_index), s)
    change = (at_position(lk.minerals, target) - at_position(lk.minerals, s)) * state.feed[:, None]
    need = change @ lk.solute_stoichiometry
    with np.errstate(divide="ignore", invalid="ignore"):
        theta = np.where(need > 0.0, state.solutes / need, np.inf).min(axis=1)
        phi = np.where(change < 0.0, state.layer / -change, np.inf).min(axis=1)
    factor = np.clip(np.where(target >= s, theta, phi), 0.0, 1.0) * active
    deposited = change * factor[:, None]
    new = ponds.PondState(state.water - deposited @ lk.hydrate_water, state.solutes - deposited @ lk.solute_stoichiometry,
                          state.feed, s + (target - s) * factor, state.layer + deposited)
    return new, deposited


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2 ** 32 - 1))
def test_properties_match_the_array_equations(seed):
    rng = np.random.default_rng(seed)
    state = _random_state(rng, int(rng.integers(1, 40)))
    props = ponds.brine_properties(state, LOOKUP)
    for actual, expected in zip((props.volume, props.density, props.water_activity, props.mass),
                                _reference_properties(state)):
        _close(actual, expected)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2 ** 32 - 1))
def test_equilibrate_matches_the_array_equations(seed):
    rng = np.random.default_rng(seed)
    state = _random_state(rng, int(rng.integers(1, 40)))
    new, deposited = ponds.equilibrate(state, LOOKUP)
    ref, ref_deposited = _reference_equilibrate(state)
    _close(deposited, ref_deposited)
    for name in ("water", "solutes", "feed", "position", "layer"):
        _close(getattr(new, name), getattr(ref, name))


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2 ** 32 - 1))
def test_step_is_atmosphere_equilibrate_seepage_and_overflow(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 40))
    state = _random_state(rng, n)
    area = rng.uniform(1e3, 1e6, n)
    seepage = rng.uniform(0.0, 0.01, n) * (rng.random(n) < 0.7)
    rain, fresh, humidity = rng.uniform(0.0, 0.05), rng.uniform(0.0, 0.02), rng.uniform(0.1, 0.99)
    volume_before, _, activity, _ = _reference_properties(state)
    capacity = volume_before * rng.uniform(0.5, 1.5, n)
    new, flows = ponds.step_day(state, LOOKUP, area, capacity, seepage, rain, fresh, humidity, ledger=True)
    # reference: atmosphere, equilibrate, then seepage and overflow as fractions of the brine
    rain_kg = rain * area * ponds.WATER_DENSITY
    rh = min(humidity, pond_core.MAX_RELATIVE_HUMIDITY)
    demand = np.where(state.water > 0.0, fresh * (activity - rh) / (1.0 - rh) * area * ponds.WATER_DENSITY, 0.0)
    evaporated = np.minimum(demand, np.maximum(state.water + rain_kg - state.feed * LOOKUP.water[-1], 0.0))
    _close(flows.rain, rain_kg)
    _close(flows.evaporated, evaporated)
    moved = ponds.PondState(state.water + rain_kg - evaporated, state.solutes, state.feed, state.position,
                            state.layer)
    ref, deposited = _reference_equilibrate(moved)
    _close(flows.deposited, deposited)
    volume = _reference_properties(ref)[0]
    seep = np.where(volume > pond_core.VOLUME_FLOOR, np.minimum(seepage * area / np.maximum(volume, 1e-300), 1.0), 0.0)
    volume = volume * (1.0 - seep)
    spill = np.where((volume > capacity) & (volume > pond_core.VOLUME_FLOOR),
                     (volume - capacity) / np.maximum(volume, 1e-300), 0.0)
    _close(flows.seepage[0], ref.water * seep)
    _close(flows.seepage[1], ref.solutes * seep[:, None])
    _close(flows.overflow[0], ref.water * (1.0 - seep) * spill)
    _close(new.water, ref.water * (1.0 - seep) * (1.0 - spill))
    _close(new.feed, ref.feed * (1.0 - seep) * (1.0 - spill))
    _close(new.position, ref.position)
    for actual, expected in zip((flows.properties.volume, flows.properties.density), _reference_properties(new)[:2]):
        _close(actual, expected)
    # the ledger rows: rain, evaporation, uptake, precipitation, redissolution, seepage (kg)
    component_mass = np.concatenate([[0.01801528], LOOKUP.solute_molar_mass])
    rows = flows.ledger.reshape(6, n, -1)
    _close(rows[0, :, 0], rain_kg)
    _close(rows[1, :, 0] - rows[2, :, 0], evaporated)
    _close(rows[3] - rows[4], (deposited @ LOOKUP.stoichiometry) * component_mass)
    _close(rows[5, :, 0], ref.water * seep)
    _close(rows[5, :, 1:], ref.solutes * seep[:, None] * LOOKUP.solute_molar_mass)
    assert np.all(flows.ledger >= 0.0)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2 ** 32 - 1))
def test_take_and_mix_with_repeated_ponds(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 12))
    state = _random_state(rng, n)
    m = int(rng.integers(1, 6))
    index = rng.integers(0, n, m)
    fraction = rng.uniform(0.0, 1.0 / m, m)   # repeats add up to at most 1
    new, parcel = ponds.take(state, index, fraction)
    taken = np.bincount(index, weights=fraction, minlength=n)
    _close(new.water, state.water * (1.0 - taken))
    _close(new.solutes, state.solutes * (1.0 - taken)[:, None])
    _close(parcel[1], state.solutes[index] * fraction[:, None])
    _close(parcel[3], state.position[index])
    # mixing: feed-weighted removed solids place the mixture on the path
    target = rng.integers(0, n, m)
    mixed = ponds.mix(state, LOOKUP, target, *parcel)
    feed = state.feed + np.bincount(target, weights=parcel[2], minlength=n)
    solids = state.feed * at_position(LOOKUP.solids, state.position) \
        + np.bincount(target, weights=parcel[2] * at_position(LOOKUP.solids, parcel[3]), minlength=n)
    received = np.bincount(target, weights=parcel[2], minlength=n) > 0.0
    place = received & (feed > pond_core.FEED_FLOOR)
    position = np.where(place, np.interp(solids / np.where(place, feed, 1.0), LOOKUP.solids, LOOKUP.row_index),
                        state.position)
    _close(mixed.feed, feed)
    _close(mixed.position, position)
    _close(mixed.water, state.water + np.bincount(target, weights=parcel[0], minlength=n))


@settings(max_examples=300, deadline=None)
@given(st.floats(-10.0, 10.0))
def test_interpolation_is_numpy_interp(x):
    xp = np.linspace(-5.0, 5.0, 17) ** 3 / 25.0
    fp = np.sin(np.arange(17.0))
    assert interp_one(x, xp.tolist(), fp.tolist()) == np.interp(x, xp, fp)
    np.testing.assert_allclose(pond_core.interp(x, xp, fp), np.interp(x, xp, fp), rtol=RTOL_ROUNDING, atol=1e-15)
    for node in xp:
        assert interp_one(float(node), xp.tolist(), fp.tolist()) == np.interp(node, xp, fp)
        np.testing.assert_allclose(pond_core.interp(float(node), xp, fp), np.interp(node, xp, fp),
                                   rtol=RTOL_ROUNDING, atol=1e-15)


def _reference_split(offer, room, src, dst):
    """Each source's offer split over its edges by the targets' room, each target taking at most
    its room; lake edges (dst < 0) take any volume."""
    n = offer.size
    internal = dst >= 0
    per_source = np.bincount(src, weights=room, minlength=n)[src]
    wanted = offer[src] * np.divide(room, per_source, out=np.zeros(room.shape), where=per_source > 0)
    demand = np.bincount(np.maximum(dst, 0), weights=np.where(internal, wanted, 0.0), minlength=n)[np.maximum(dst, 0)]
    scale = np.where(internal & (demand > 0), np.minimum(1.0, np.divide(room, demand, out=np.ones(room.shape),
                                                                        where=demand > 0)), 1.0)
    return wanted * scale


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2 ** 32 - 1))
def test_transfer_splits_offers_by_room_on_a_random_network(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 10))
    # an acyclic network: edges from lower to higher index, or to the lake (-1)
    src, dst = [], []
    for i in range(n - 1):
        targets = rng.choice(np.arange(i + 1, n), size=int(rng.integers(1, min(2, n - 1 - i) + 1)), replace=False)
        for j in targets:
            src.append(i), dst.append(int(j))
        if rng.random() < 0.2:
            src.append(i), dst.append(-1)
    src, dst = np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64)
    volume = rng.uniform(0.0, 1e5, n)
    fill = rng.uniform(1e4, 2e5, n)
    solid = rng.uniform(0.0, 1e3, n)
    min_volume = rng.uniform(0.0, 1e4, n)
    density_rule = np.ones(n, dtype=np.int64)     # offer the brine above the minimum once dense enough
    transfer_density = np.where(rng.random(n) < 0.5, 0.0, np.inf)
    online = rng.random(n) < 0.9
    months = np.ones(n, dtype=bool)
    receivers = np.zeros(n, dtype=bool)
    receivers[dst[dst >= 0]] = True
    moved = pond_core.transfer(volume, np.full(n, 1200.0), solid, density_rule, transfer_density, min_volume,
                               np.zeros(n), fill, np.full(n, np.inf), online, months, src, dst, receivers)
    offer = np.where(online & (transfer_density == 0.0), np.maximum(volume - min_volume, 0.0), 0.0)
    # the fixed point of the room freed downstream, as the pond field defined it
    sent = np.zeros(n)
    for _ in range(n):
        room_pond = np.where(online, np.maximum(fill - solid - volume + sent, 0.0), 0.0)
        room = np.where(dst >= 0, room_pond[np.maximum(dst, 0)], pond_core.LAKE_ROOM)
        expected = _reference_split(offer, room, src, dst)
        now_sent = np.bincount(src, weights=expected, minlength=n)
        if np.array_equal(now_sent, sent):
            break
        sent = now_sent
    np.testing.assert_allclose(moved, expected, rtol=RTOL_ROUNDING, atol=1e-9)
    # conservation of the rules: nobody sends more than its offer, receives more than its room
    assert np.all(np.bincount(src, weights=moved, minlength=n) <= offer * (1 + RTOL_ROUNDING) + 1e-9)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2 ** 32 - 1))
def test_the_fused_field_day_is_step_then_transfer(seed):
    """``field_day`` (the pond field's daily call) = ``step``, then ``transfer`` and
    ``move_along_edges`` on the stepped brine, its properties and its deposit's volume."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 8))
    state = _random_state(rng, n)
    lk = LOOKUP
    columns, delta, neg_retained, rows, stoich, hydrate, molar_mass, solids, stoichiometry, mass = lk.core
    src = np.arange(n - 1, dtype=np.int64)
    dst = np.arange(1, n, dtype=np.int64)
    weather = (rng.uniform(1e3, 1e6, n), rng.uniform(1e5, 1e9, n), np.zeros(n), np.full(n, 0.002),
               np.full(n, 0.006), np.full(n, 0.3))
    rules = (np.ones(n, dtype=np.int64), np.where(rng.random(n) < 0.5, 0.0, np.inf), rng.uniform(0.0, 1e4, n),
             np.zeros(n), rng.uniform(1e5, 1e7, n), np.full(n, np.inf), np.ones(n, dtype=bool), np.ones(n, dtype=bool))
    receivers = np.zeros(n, dtype=bool)
    receivers[dst] = True
    arrays = (state.water, state.solutes, state.feed, state.position, state.layer)
    new, _, deposited, _, props, block, moved, _ = pond_core.field_day(
        *arrays, *lk.core[:7], stoichiometry, mass, solids, lk.mineral_volume, *weather, *rules, src, dst, receivers)
    stepped, _, step_deposited, _, _, step_props, step_block = pond_core.step(
        *arrays, *lk.core[:7], stoichiometry, mass, *weather, True)
    solid_volume = np.array([sum(a * v for a, v in zip(row, lk.mineral_volume)) for row in stepped[4]])  # in order
    expected_moved = pond_core.transfer(step_props[0], step_props[1], solid_volume, *rules, src, dst, receivers)
    np.testing.assert_array_equal(moved, expected_moved)
    np.testing.assert_array_equal(deposited, step_deposited)
    np.testing.assert_array_equal(block, step_block)
    water, solutes, feed, position, _ = pond_core.move_along_edges(*stepped[:4], solids, rows, step_props[0],
                                                                   src, dst, expected_moved)
    for actual, expected in zip(new, (water, solutes, feed, position, stepped[4])):
        np.testing.assert_array_equal(actual, expected)
    np.testing.assert_array_equal(props[0], pond_core.properties(water, solutes, feed, position, columns, delta,
                                                                 molar_mass)[0])


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2 ** 32 - 1))
def test_the_lake_day_adds_water_then_steps_on_the_wetted_area(seed):
    """``lake_day`` = the inflow joins the brine, the wetted area is read from the level-area-volume
    table at the surface volume (brine less pore brine), then one step without seepage or overflow."""
    rng = np.random.default_rng(seed)
    lake = _random_state(rng, 1)
    lk = LOOKUP
    volume = _reference_properties(lake)[0][0]
    pore = rng.uniform(0.0, 1.2) * volume
    volumes = np.sort(rng.uniform(0.0, 2.0 * volume + 1.0, 6))
    areas = np.sort(rng.uniform(1e5, 1e8, 6))
    water_in, fresh, humidity = rng.uniform(0.0, 0.01) * lake.water[0], 0.006, 0.3
    new, (_, evaporated), deposited, props, area = pond_core.lake_day(
        lake.water, lake.solutes, lake.feed, lake.position, lake.layer, *lk.core[:7], lk.core[8], lk.core[9],
        water_in, volumes, areas, pore, fresh, humidity)
    wetted = ponds.PondState(lake.water + water_in, lake.solutes, lake.feed, lake.position, lake.layer)
    surface = _reference_properties(wetted)[0][0] - pore
    expected_area = np.interp(surface, volumes, areas) if surface > 0.0 else 0.0
    np.testing.assert_allclose(area, expected_area, rtol=RTOL_ROUNDING)
    ref, flows = ponds.step_day(wetted, lk, expected_area, np.inf, 0.0, 0.0, fresh, humidity)
    _close(evaporated, flows.evaporated)
    _close(deposited, flows.deposited)
    for actual, expected in zip(new, (ref.water, ref.solutes, ref.feed, ref.position, ref.layer)):
        _close(actual, expected)
    _close(props[0], flows.properties.volume)
