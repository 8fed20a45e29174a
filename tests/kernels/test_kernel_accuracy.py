"""Kernel accuracy: a pond season read off the path table vs direct equilibrium solves (issue 4).

The feed is the Lake Urmia brine used as the Qom proxy [U1] (Cl adjusted to close the charge
balance). Over 150 days the pond loses 94 % of its water (from 24 °Bé to about 30.5 °Bé: gypsum,
halite, then the first Mg sulphates), with two rain events that redissolve part of the salt.
The kernel follows the precomputed fractional path (:mod:`saltsim.kernels.ponds`); the reference
re-solves the whole pond (brine plus the deposit in contact with it) with
:func:`saltsim.chemistry.equilibrium.solve_equilibrium` after every step of the same water
history.
"""
import numpy as np
import pytest

from saltsim.chemistry.equilibrium import solve_equilibrium
from saltsim.chemistry.path_table import build_path_table
from saltsim.constants import SOLUTES
from saltsim.kernels import ponds
from saltsim.kernels.path import path_lookup

#: Acceptance bound of issue 4: halite precipitated, Mg and K left in the brine within 1 %.
RTOL_KERNEL = 0.01
TEMPERATURE = 298.15
DAYS = 150
EVAPORATED = 0.94          # of the initial water, over the season [kg kg⁻¹]
RAIN = {40: 0.03, 90: 0.05}  # day → rain [kg per kg initial water]


def _feed():
    feed = np.zeros(len(SOLUTES))
    for ion, molality in {"Na": 4.900, "K": 0.005, "Mg": 0.461, "Ca": 0.0156, "SO4": 0.181}.items():
        feed[SOLUTES.index(ion)] = molality                      # [U1], mol/kg water
    cations = feed[SOLUTES.index("Na")] + feed[SOLUTES.index("K")] + 2 * (feed[SOLUTES.index("Mg")]
                                                                          + feed[SOLUTES.index("Ca")])
    feed[SOLUTES.index("Cl")] = cations - 2 * feed[SOLUTES.index("SO4")]   # charge balance
    return feed


@pytest.fixture(scope="module")
def season():
    feed = _feed()
    lookup = path_lookup(build_path_table(feed, TEMPERATURE), SOLUTES)
    water_change = np.full(DAYS, -EVAPORATED / DAYS)
    for day, rain in RAIN.items():
        water_change[day] = rain
    state = ponds.empty_state(1, len(SOLUTES), lookup.n_minerals)
    state.water[:] = state.feed[:] = 1.0
    state.solutes[:] = feed
    water, warm, rows = 1.0, None, []
    halite = lookup.mineral_names.index("Halite")
    for change in water_change:
        state = ponds.PondState(state.water + change, state.solutes, state.feed, state.position, state.layer)
        state, _ = ponds.equilibrate(state, lookup)
        water += change
        direct = solve_equilibrium(feed, water, TEMPERATURE, warm_start=warm)
        warm = direct
        rows.append((state.layer[0, halite], direct.minerals[direct.mineral_names.index("Halite")],
                     state.solutes[0, SOLUTES.index("Mg")], direct.dissolved[SOLUTES.index("Mg")],
                     state.solutes[0, SOLUTES.index("K")], direct.dissolved[SOLUTES.index("K")],
                     float(direct.baume)))
    return np.array(rows)


def test_the_season_reaches_the_bittern_stage(season):
    assert season[-1, 6] > 30.0                       # °Bé, past the 29–30 °Bé drain-off [S1]
    assert season[-1, 3] < 0.99 * season[0, 3]        # Mg salts have started to precipitate


def test_halite_precipitated_matches_direct_solves(season):
    np.testing.assert_allclose(season[:, 0], season[:, 1], rtol=RTOL_KERNEL, atol=RTOL_KERNEL * season[:, 1].max())
    assert season[-1, 0] == pytest.approx(season[-1, 1], rel=RTOL_KERNEL)


def test_mg_and_k_left_in_the_brine_match_direct_solves(season):
    np.testing.assert_allclose(season[:, 2], season[:, 3], rtol=RTOL_KERNEL)
    np.testing.assert_allclose(season[:, 4], season[:, 5], rtol=RTOL_KERNEL)
