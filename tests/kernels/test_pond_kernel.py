"""The daily pond kernel against hand calculations on a NaCl + MgCl2 path (tests/kernels/nacl_path.py)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from saltsim.constants import SOLUTES
from saltsim.kernels import ponds
from saltsim.kernels.evaporation import brine_evaporation_ratio
from saltsim.kernels.path import path_lookup

from nacl_path import M_SAT, MG0, NA0, W_SAT, feed_state, nacl_path

#: Linear interpolation on a piecewise-linear path is exact; only rounding remains.
RTOL_EXACT = 1e-12
#: Conservation through hundreds of steps: a few ulp of the largest mass per step.
RTOL_CONSERVATION = 1e-12

NA, MG, CL = SOLUTES.index("Na"), SOLUTES.index("Mg"), SOLUTES.index("Cl")


@pytest.fixture(scope="module")
def lookup():
    return path_lookup(nacl_path(), SOLUTES)


def _state(feed_kg, n_min=1):
    feed, solutes = feed_state(feed_kg)
    state = ponds.empty_state(feed.size, len(SOLUTES), n_min)
    state.water[:] = feed
    state.solutes[:] = solutes
    state.feed[:] = feed
    return state


def _evaporate(state, lookup, kg):
    state = ponds.PondState(state.water - kg, state.solutes, state.feed, state.position, state.layer)
    return ponds.equilibrate(state, lookup)


def test_evaporation_precipitates_halite_as_computed_by_hand(lookup):
    state = _state([1000.0, 1000.0, 1000.0])
    # water left: above saturation, just at it, and well past it
    left = np.array([900.0, 1000.0 * W_SAT, 300.0])
    state, deposited = _evaporate(state, lookup, 1000.0 - left)
    halite = np.maximum(NA0 * 1000.0 - M_SAT * left, 0.0)
    np.testing.assert_allclose(deposited[:, 0], halite, rtol=RTOL_EXACT, atol=1e-9)
    np.testing.assert_allclose(state.solutes[:, NA], NA0 * 1000.0 - halite, rtol=RTOL_EXACT)
    np.testing.assert_allclose(state.solutes[:, MG], MG0 * 1000.0, rtol=RTOL_EXACT)
    np.testing.assert_allclose(state.layer[:, 0], halite, rtol=RTOL_EXACT, atol=1e-9)


def test_many_small_steps_give_the_same_halite_as_one_large_step(lookup):
    state = _state(500.0)
    for _ in range(100):
        state, _ = _evaporate(state, lookup, np.array([3.5]))
    left = 500.0 - 350.0
    np.testing.assert_allclose(state.layer[0, 0], NA0 * 500.0 - M_SAT * left, rtol=RTOL_EXACT)


def test_rain_dilutes_without_un_precipitating_when_there_is_no_deposit(lookup):
    state = _state(1000.0)
    state, _ = _evaporate(state, lookup, np.array([700.0]))
    state.layer[:] = 0.0            # the deposit was harvested
    na_before = state.solutes[0, NA]
    state, deposited = _evaporate(state, lookup, np.array([-200.0]))   # 200 kg of rain
    assert deposited[0, 0] == 0.0 and state.solutes[0, NA] == na_before
    # evaporating the rain again precipitates nothing until the previous point is passed ...
    state, deposited = _evaporate(state, lookup, np.array([200.0]))
    assert abs(deposited[0, 0]) <= 1e-9 * NA0 * 1000.0
    # ... and then exactly the path's halite
    state, deposited = _evaporate(state, lookup, np.array([50.0]))
    np.testing.assert_allclose(deposited[0, 0], M_SAT * 50.0, rtol=1e-9)


def test_rain_redissolves_the_deposit_back_to_saturation(lookup):
    state = _state(1000.0)
    state, _ = _evaporate(state, lookup, np.array([700.0]))     # 300 kg water left, saturated
    state, deposited = _evaporate(state, lookup, np.array([-100.0]))
    # the 100 kg of rain dissolves halite up to saturation: 6.15 mol/kg × 100 kg
    np.testing.assert_allclose(-deposited[0, 0], M_SAT * 100.0, rtol=RTOL_EXACT)
    np.testing.assert_allclose(state.solutes[0, NA] / state.water[0], M_SAT, rtol=RTOL_EXACT)


def test_redissolution_is_limited_by_the_deposit(lookup):
    state = _state(1000.0)
    state, _ = _evaporate(state, lookup, np.array([700.0]))
    state.layer[0, 0] = 100.0                                     # most was harvested
    state, deposited = _evaporate(state, lookup, np.array([-100.0]))
    np.testing.assert_allclose(-deposited[0, 0], 100.0, rtol=RTOL_EXACT)
    assert state.layer[0, 0] == pytest.approx(0.0, abs=1e-9)


def test_mixing_places_the_mixture_by_removed_solids(lookup):
    # pond 0 at 300 kg water (halite removed), pond 1 fresh feed; mix equal feed amounts
    state = _state([1000.0, 1000.0])
    state, _ = _evaporate(state, lookup, np.array([700.0, 0.0]))
    state.layer[:] = 0.0
    state, parcel = ponds.take(state, np.array([1]), np.array([1.0]))
    state = ponds.mix(state, lookup, np.array([0]), *parcel)
    # removed halite per kg feed: (5000 − 6.15·300)/2000; the path removes 5 − 6.15 w
    removed = (NA0 * 1000.0 - M_SAT * 300.0) / 2000.0
    w_mix = (NA0 - removed) / M_SAT
    at = ponds.at_position(lookup.water, state.position)[0]
    np.testing.assert_allclose(at, w_mix, rtol=1e-9)
    assert state.feed[0] == 2000.0 and state.feed[1] == 0.0 and state.water[1] == 0.0


def test_evaporation_ratio_follows_salhotra():
    # (a_w − RH)/(1 − RH): fresh water 1; halite brine a_w 0.75 at RH 0.3 → 0.642857
    assert brine_evaporation_ratio(1.0, 0.4) == pytest.approx(1.0, rel=RTOL_EXACT)
    assert brine_evaporation_ratio(0.75, 0.3) == pytest.approx(0.45 / 0.7, rel=RTOL_EXACT)
    assert brine_evaporation_ratio(0.45, 0.6) < 0.0


def test_fresh_water_properties(lookup):
    state = ponds.empty_state(2, len(SOLUTES), 1)
    state.water[:] = [1000.0, 0.0]
    props = ponds.brine_properties(state, lookup)
    assert props.volume[0] == pytest.approx(1.0) and props.density[0] == pytest.approx(1000.0)
    assert props.water_activity[0] == 1.0 and props.volume[1] == 0.0


def _totals(state, flows_out, lookup):
    brine, layer = state.component_masses(lookup)
    return brine.sum(0) + layer.sum(0) + flows_out


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0.0, 0.03), st.floats(0.0, 0.02), st.floats(0.0, 0.002),
                          st.floats(0.0, 1.0)), min_size=1, max_size=60))
def test_step_day_conserves_every_component(days):
    lookup = path_lookup(nacl_path(), SOLUTES)
    area = np.array([100.0, 50.0, 10.0])
    state = _state([50e3, 20e3, 0.0])
    max_volume = area * 0.6
    outside = np.zeros(1 + len(SOLUTES))
    start = _totals(state, outside, lookup)
    for evap, rain, seep, move in days:
        state, f = ponds.step_day(state, lookup, area, max_volume, np.full(3, seep), rain, evap, 0.3)
        outside[0] += f.evaporated.sum() - f.rain.sum()
        for water, solutes, _, _ in (f.seepage, f.overflow):
            outside[0] += water.sum()
            outside[1:] += (solutes * lookup.solute_molar_mass).sum(0)
        state, parcel = ponds.take(state, np.array([0, 1]), np.array([move, move]))
        state = ponds.mix(state, lookup, np.array([1, 2]), *parcel)
        assert np.all(state.water >= 0.0) and np.all(state.layer >= -1e-9)
        assert np.all(state.solutes >= -1e-9)
    end = _totals(state, outside, lookup)
    scale = np.maximum(np.abs(start), 1.0)
    assert np.all(np.abs(end - start) / scale <= RTOL_CONSERVATION * len(days) + 1e-13)


def _hydrate_path():
    """MgSO4 feed 2 mol/kg saturating at 3 mol/kg as a heptahydrate (epsomite-like), by hand:
    water in solution w, precipitate P = 2 − 3w, retained water v = w + 7 M_w P."""
    from saltsim.chemistry.path_table import PathTable

    w_sat = 2.0 / 3.0
    w = np.unique(np.concatenate([np.linspace(1.0, 0.2, 17), [w_sat]]))[::-1]
    mg = np.where(w >= w_sat, 2.0, 3.0 * w)
    dissolved = np.zeros((w.size, len(SOLUTES)))
    dissolved[:, MG] = mg
    dissolved[:, SOLUTES.index("SO4")] = mg
    stoich = np.zeros((1, 1 + len(SOLUTES)))
    stoich[0, 0] = 7.0
    stoich[0, 1 + MG] = stoich[0, 1 + SOLUTES.index("SO4")] = 1.0
    return PathTable(temperature=298.15, ln_concentration_factor=-np.log(w), water=w, dissolved=dissolved,
                     minerals=(2.0 - mg)[:, None], mineral_names=("Epsomite",), mineral_stoichiometry=stoich,
                     water_activity=np.exp(-0.018015 * 2 * mg / w), density=1000.0 + 50.0 * mg / w)


def test_hydrate_water_leaves_the_brine_with_the_mineral():
    lookup = path_lookup(_hydrate_path(), SOLUTES)
    m_w = 18.01528e-3
    state = ponds.empty_state(1, len(SOLUTES), 1)
    state.water[:] = state.feed[:] = 1000.0
    state.solutes[0, MG] = state.solutes[0, SOLUTES.index("SO4")] = 2000.0
    evaporated = 500.0
    state, deposited = _evaporate(state, lookup, np.array([evaporated]))
    # w + 7 M_w (2 − 3 w) = 1 − E/1000  →  w = (1 − E/1000 − 14 M_w) / (1 − 21 M_w)
    w = (1.0 - evaporated / 1000.0 - 14.0 * m_w) / (1.0 - 21.0 * m_w)
    np.testing.assert_allclose(state.water[0], 1000.0 * w, rtol=RTOL_EXACT)
    np.testing.assert_allclose(deposited[0, 0], 1000.0 * (2.0 - 3.0 * w), rtol=RTOL_EXACT)
    brine, layer = state.component_masses(lookup)
    assert brine[0, 0] + layer[0, 0] == pytest.approx(1000.0 - evaporated, rel=RTOL_EXACT)
