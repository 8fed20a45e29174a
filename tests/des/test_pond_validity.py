"""The ponds table's ``valid`` flag: the activity model's validity range (issue 3: results beyond
I ≈ 20 mol/kg or a_w ≈ 0.2 are flagged, not silently extrapolated), computed by hand here."""
import importlib.util
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from saltsim.des.model import SiteModel, within_validity
from saltsim.scenario import load_scenario

_spec = importlib.util.spec_from_file_location("nacl_path", Path(__file__).parents[1] / "kernels" / "nacl_path.py")
nacl_path = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nacl_path)

SMALL = resources.files("saltsim").joinpath("scenarios/qom_small.toml")
#: Charges written out by hand (Na, K, Mg, Ca, Cl, SO4, C, Br, Li), not read from saltsim.
HAND_CHARGE = {"Na": 1, "K": 1, "Mg": 2, "Ca": 2, "Cl": -1, "SO4": -2, "C": 0, "Br": -1, "Li": 1}


def _molality(**values):
    return np.array([values.get(name, 0.0) for name in HAND_CHARGE])


@pytest.mark.parametrize("molality, water_activity, volume, expected", [
    (_molality(Na=6.0, Cl=6.0), 0.75, 10.0, True),                 # halite-saturated NaCl: I = 6
    (_molality(Mg=10.0, Cl=20.0), 0.3, 10.0, False),               # I = (10·4 + 20)/2 = 30 > 20
    (_molality(Mg=5.0, Cl=10.0), 0.3, 10.0, True),                 # I = 15
    (_molality(Mg=20.0 / 3.0, Cl=40.0 / 3.0), 0.5, 10.0, True),    # I = 20 exactly: inside
    (_molality(Na=5.0, Cl=5.0), 0.1, 10.0, False),                 # a_w below 0.2
    (_molality(Mg=764.0, Cl=1478.0, Li=196.0), 3e-28, 0.0, True),  # no brine: nothing extrapolated
])
def test_validity_by_hand(molality, water_activity, volume, expected):
    assert bool(within_validity(molality, water_activity, volume)) is expected


def test_the_ponds_table_flags_exactly_the_brines_outside_the_range():
    scenario = load_scenario(SMALL, overrides={"site.horizon": "1 yr"})
    ponds = SiteModel(scenario, path_table=nacl_path.nacl_path()).run(progress=False).tables()["ponds"]
    ionic_strength = 0.5 * sum(ponds[f"{name}_mol_per_kg"] * z ** 2 for name, z in HAND_CHARGE.items())
    expected = (ponds["volume_m3"] <= 0) | ((ionic_strength <= 20.0) & (ponds["water_activity_frac"] >= 0.2))
    assert ponds["valid"].dtype == bool
    assert (ponds["valid"] == expected).all()
