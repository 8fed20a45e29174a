"""Path tables for the pond kernel (saltsim.chemistry.path_table): conservation, interpolation and
the on-path validity check."""
import doctest
from functools import lru_cache

import numpy as np
import pytest

import saltsim.chemistry.path_table as path_table
from saltsim.chemistry.path_table import (
    PATH_DEVIATION_TOLERANCE,
    build_path_table,
    interpolate,
    locate,
)
from saltsim.constants import MOLAR_MASS, SOLUTES

IDX = {c: i for i, c in enumerate(SOLUTES)}
#: Element and water balance of every table row, relative to the feed.
RTOL_MASS = 1e-12
#: Halite solubility in the Pitzer model at 25 °C (saltsim and PHREEQC pitzer.dat agree: 6.13). [mol/kg]
HALITE_SOLUBILITY = 6.13
RTOL_SOLUBILITY = 2e-3


def _nacl_feed(molality=4.0):
    feed = np.zeros(len(SOLUTES))
    feed[IDX["Na"]] = feed[IDX["Cl"]] = molality
    return feed


@lru_cache(maxsize=None)
def _nacl_table():
    return build_path_table(_nacl_feed(), 298.15, to_water_fraction=0.1, steps=12)


def test_nacl_table_is_built_quickly_and_conserves_mass():
    table = _nacl_table()
    assert table.mineral_names == ("Halite",)
    assert np.all(np.diff(table.ln_concentration_factor) > 0)
    assert table.ln_concentration_factor[0] == pytest.approx(0.0, abs=1e-15)
    feed = _nacl_feed()
    recombined = table.dissolved + table.minerals @ table.mineral_stoichiometry[:, 1:]
    np.testing.assert_allclose(recombined, np.broadcast_to(feed, recombined.shape), rtol=RTOL_MASS, atol=1e-15)
    np.testing.assert_allclose(table.water, np.exp(-table.ln_concentration_factor), rtol=1e-14)
    assert table.mineral_stoichiometry.tolist() == [[0, 1, 0, 0, 0, 1, 0, 0, 0, 0]]
    # Past halite saturation the brine stays at the halite solubility.
    saturated = table.minerals[:, 0] > 0
    assert saturated.any() and not saturated.all()
    np.testing.assert_allclose(table.molality[saturated, IDX["Na"]], HALITE_SOLUBILITY, rtol=RTOL_SOLUBILITY)


def test_interpolation_reproduces_rows_and_flags_the_end():
    table = _nacl_table()
    cf = np.exp(table.ln_concentration_factor)
    point = interpolate(table, cf)
    np.testing.assert_allclose(point.water, table.water, rtol=1e-13)
    np.testing.assert_allclose(point.minerals, table.minerals, rtol=1e-13, atol=1e-15)
    assert not point.beyond.any()
    middle = np.sqrt(cf[3] * cf[4])                          # halfway in ln CF
    half = interpolate(table, middle)
    np.testing.assert_allclose(half.dissolved, 0.5 * (table.dissolved[3] + table.dissolved[4]), rtol=1e-12)
    beyond = interpolate(table, np.array([cf[-1] * 2.0, 0.5]))
    assert beyond.beyond.tolist() == [True, False]
    np.testing.assert_allclose(beyond.water, [table.water[-1], table.water[0]], rtol=1e-14)


def test_locate_accepts_path_brines_and_rejects_others():
    table = _nacl_table()
    cf, deviation = locate(table, table.molality)
    assert np.all(deviation <= 1e-9)
    # Before halite saturation the composition fixes the CF; on the saturated plateau every row
    # has the same brine, and any of them is an exact match.
    unsaturated = table.minerals[:, 0] == 0
    np.testing.assert_allclose(cf[unsaturated], np.exp(table.ln_concentration_factor[unsaturated]), rtol=1e-12)
    # A brine with potassium mixed in has left the NaCl path.
    mixed = table.molality[5].copy()
    mixed[IDX["K"]] = 0.5
    mixed[IDX["Cl"]] += 0.5
    _, off = locate(table, mixed)
    assert off > PATH_DEVIATION_TOLERANCE
    # A slightly more dilute NaCl brine is on the path, between rows.
    _, near = locate(table, table.molality[1] * 0.995)
    assert near <= PATH_DEVIATION_TOLERANCE


def test_water_balance_with_hydrates():
    feed = np.zeros(len(SOLUTES))
    feed[IDX["Na"]], feed[IDX["SO4"]] = 1.0, 0.5
    table = build_path_table(feed, 278.15, to_water_fraction=0.3, steps=8)
    assert "Mirabilite" in table.mineral_names
    j = table.mineral_names.index("Mirabilite")
    bound = MOLAR_MASS["H2O"] * table.minerals[:, j] * table.mineral_stoichiometry[j, 0]
    assert table.mineral_stoichiometry[j, 0] == 10
    assert np.all(table.water + bound < 1.0 + 1e-12)
    assert np.all(np.diff(table.ln_concentration_factor) > 0)


def test_doctests():
    assert doctest.testmod(path_table).failed == 0
