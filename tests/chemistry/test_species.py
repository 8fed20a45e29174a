"""Species table: ids, charges, molar masses and component mapping."""

import numpy as np
import pytest

from saltsim.chemistry.species import load_species, read_data_csv
from saltsim.constants import MOLAR_MASS, SOLUTES

#: Ion molar masses equal the element/sulphate molar masses to the IUPAC digits carried (the
#: electron mass, 5.5e-7 kg/mol, is below that precision).
RTOL_MOLAR_MASS = 1e-9


def test_species_ids_and_charges():
    sp = load_species()
    assert sp.ids == ("Na+", "K+", "Mg+2", "Ca+2", "Cl-", "SO4-2", "Br-", "Li+")
    for sid, z in zip(sp.ids, sp.charge):
        sign = 1 if "+" in sid else -1
        digits = sid.split("+" if sign > 0 else "-")[-1]
        assert z == sign * (int(digits) if digits else 1), sid


def test_molar_masses_match_constants_module():
    sp = load_species()
    for comp, mm in zip(sp.component, sp.molar_mass):
        assert mm == pytest.approx(MOLAR_MASS[comp], rel=RTOL_MOLAR_MASS)


def test_component_matrix_maps_species_to_solutes():
    sp = load_species()
    cm = sp.component_matrix
    assert cm.shape == (len(SOLUTES), sp.n)
    np.testing.assert_array_equal(cm.sum(axis=0), 1.0)
    m = np.arange(1.0, sp.n + 1)
    totals = m @ cm.T
    assert totals[SOLUTES.index("SO4")] == m[sp.index("SO4-2")]
    assert totals[SOLUTES.index("C")] == 0.0  # carbonate is not modelled


def test_index_lookup_and_unknown_species_message():
    sp = load_species()
    assert sp.index("Cl-") == 4
    np.testing.assert_array_equal(sp.indices(["Na+", "SO4-2"]), [0, 5])
    with pytest.raises(KeyError, match="unknown species 'NO3-'"):
        sp.index("NO3-")


def test_every_data_row_cites_a_known_source():
    keys = {r["key"] for r in read_data_csv("references.csv")}
    files = ["species.csv", "pitzer_binary.csv", "pitzer_theta.csv", "pitzer_psi.csv",
             "pitzer_alpha.csv", "pitzer_lambda.csv", "pitzer_zeta.csv", "minerals.csv",
             "aqueous_complexes.csv"]
    for name in files:
        for row in read_data_csv(name):
            cited = [k.strip().split(" ")[0] for k in row["source"].split(";")]
            assert any(k in keys for k in cited), f"{name}: {row}"


def test_carbonate_set_extends_the_major_set():
    major, carb = load_species(), load_species("carbonate")
    assert carb.ids[:major.n] == major.ids
    assert {"H+", "OH-", "HCO3-", "CO3-2", "CO2", "MgCO3", "MgOH+", "HSO4-"} == set(carb.ids[major.n:])
    cm = carb.component_matrix
    # MgCO3 counts one Mg and one C; H+ and OH- are water-derived and not mass-accounted
    assert cm[SOLUTES.index("Mg"), carb.index("MgCO3")] == 1 and cm[SOLUTES.index("C"), carb.index("MgCO3")] == 1
    assert cm[:, carb.index("H+")].sum() == 0 and cm[:, carb.index("OH-")].sum() == 0
    with pytest.raises(KeyError, match="unknown species set"):
        load_species("nitrate")
