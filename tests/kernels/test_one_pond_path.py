"""The one-pond (lake) code paths of the kernel give the same bits as the array code.

``brine_properties``, ``step_day``, ``take`` and ``mix`` compute a single pond (or a single
parcel) in Python scalars, because a NumPy call on one element costs 10-50x its arithmetic. They
must perform the same IEEE operations in the same order as the array code, so results are
compared for exact equality, not within a tolerance.
"""
import numpy as np
from hypothesis import given, settings, strategies as st

from saltsim.constants import SOLUTES
from saltsim.kernels import ponds
from saltsim.kernels.path import interp_one, path_lookup

from nacl_path import nacl_path


def _lookup():
    return path_lookup(nacl_path(), SOLUTES)


LOOKUP = _lookup()


def _random_state(rng, n):
    lk = LOOKUP
    position = rng.uniform(0.0, lk.n_rows - 1.0, n) * (rng.random(n) < 0.9)
    feed = rng.uniform(1.0, 1e9, n) * (rng.random(n) < 0.9)
    water = feed * np.interp(position, lk.row_index, lk.water) * rng.uniform(0.7, 1.4, n)
    solutes = feed[:, None] * lk.dissolved[position.astype(int)] * rng.uniform(0.9, 1.1, (n, len(SOLUTES)))
    layer = rng.uniform(0.0, 1e6, (n, lk.n_minerals)) * (rng.random((n, lk.n_minerals)) < 0.5)
    return ponds.PondState(water, solutes, feed, position, layer)


def _equal(a, b):
    np.testing.assert_array_equal(a, b, strict=True)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2 ** 32 - 1))
def test_one_pond_properties_and_step_are_bit_identical(seed):
    rng = np.random.default_rng(seed)
    state = _random_state(rng, 1)
    one, many = ponds._properties_one(state, LOOKUP), ponds._properties_many(state, LOOKUP)
    for name in ("volume", "density", "water_activity", "mass"):
        _equal(getattr(one, name), getattr(many, name))
    _equal(np.array([ponds.volume_one(state, LOOKUP)]), many.volume)
    area = np.array([rng.uniform(1e2, 1e9)])
    rain, evaporation, humidity = rng.uniform(0.0, 0.02), rng.uniform(-1e-3, 0.02), rng.uniform(0.1, 1.0)
    new, flows = ponds.step_day(state, LOOKUP, area, np.array([np.inf]), np.zeros(1), rain, evaporation,
                                humidity, props=many)
    rain_kg, evaporated = ponds.atmosphere(state, LOOKUP, area, rain, evaporation, humidity, many.water_activity)
    water = state.water + rain_kg - evaporated
    ref, deposited = ponds.equilibrate(ponds.PondState(water, state.solutes, state.feed, state.position,
                                                       state.layer), LOOKUP)
    for a, b in ((new.water, ref.water), (new.solutes, ref.solutes), (new.feed, ref.feed),
                 (new.position, ref.position), (new.layer, ref.layer), (flows.rain, rain_kg),
                 (flows.evaporated, evaporated), (flows.deposited, deposited)):
        _equal(a, b)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2 ** 32 - 1))
def test_one_parcel_take_and_mix_are_bit_identical(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 12))   # 1: the lake
    state = _random_state(rng, n)
    i, fraction = np.array([int(rng.integers(n))]), np.array([rng.uniform(0.0, 1.0)])
    # the array code of take: the same pond twice with half the fraction each is the general path
    new, parcel = ponds.take(state, i, fraction)
    water = state.water.copy()
    water[i] -= state.water[i] * fraction
    solutes, feed = state.solutes.copy(), state.feed.copy()
    solutes[i] -= state.solutes[i] * fraction[:, None]
    feed[i] -= state.feed[i] * fraction
    _equal(new.water, water)
    _equal(new.solutes, solutes)
    _equal(new.feed, feed)
    _equal(parcel[0], state.water[i] * fraction)
    _equal(parcel[1], state.solutes[i] * fraction[:, None])
    parcel = (np.array([rng.uniform(0.0, 1e8)]), rng.uniform(0.0, 1e6, (1, len(SOLUTES))),
              np.array([rng.uniform(0.0, 1e8)]), np.array([rng.uniform(0.0, LOOKUP.n_rows - 1.0)]))
    one = ponds.mix(state, LOOKUP, i, *parcel)
    # the array code: two parcels, the second one empty, go through the general path
    two = ponds.mix(state, LOOKUP, np.array([i[0], i[0]]), *(np.concatenate([p, np.zeros_like(p)]) for p in parcel))
    for name in ("water", "solutes", "feed", "position", "layer"):
        _equal(getattr(one, name), getattr(two, name))


@settings(max_examples=300, deadline=None)
@given(st.floats(-10.0, 10.0))
def test_interp_one_is_numpy_interp(x):
    xp = np.linspace(-5.0, 5.0, 17) ** 3 / 25.0
    fp = np.sin(np.arange(17.0))
    assert interp_one(x, xp.tolist(), fp.tolist()) == np.interp(x, xp, fp)
    for node in xp:
        assert interp_one(float(node), xp.tolist(), fp.tolist()) == np.interp(node, xp, fp)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2 ** 32 - 1))
def test_refreshing_changed_ponds_equals_a_full_recomputation(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 40))
    state = _random_state(rng, n)
    props = ponds.brine_properties(state, LOOKUP)
    rows = sorted({int(i) for i in rng.integers(0, n, int(rng.integers(1, 3)))})
    changed = _random_state(rng, n)
    water, solutes, feed, position = (state.water.copy(), state.solutes.copy(), state.feed.copy(),
                                      state.position.copy())
    for i in rows:
        water[i], solutes[i], feed[i], position[i] = (changed.water[i], changed.solutes[i], changed.feed[i],
                                                      changed.position[i])
    new = ponds.PondState(water, solutes, feed, position, state.layer)
    refreshed, full = ponds.refresh_properties(props, new, LOOKUP, rows), ponds.brine_properties(new, LOOKUP)
    for name in ("volume", "density", "water_activity", "mass"):
        _equal(getattr(refreshed, name), getattr(full, name))
    for i in rows:   # the water activity alone, as the pond field's step reads it after a pump
        assert ponds.water_activity_one(new, LOOKUP, i) == full.water_activity[i]
