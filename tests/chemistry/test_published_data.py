"""Pitzer model (pitzer.dat parameters) vs published measurements, not vs PHREEQC.

Mean activity coefficients at 25 °C of NaCl, KCl, MgCl2, Na2SO4 and MgSO4 (CRC Handbook tables
after Hamer & Wu 1972, Goldberg et al. 1978–1981, Staples; files ``<salt>_mean_activity_25C.csv``)
and single-salt solubilities of halite, mirabilite and thenardite (``single_salt_solubility.csv``).
Every row names where its number was read. Cases the parameter set misses by more than the issue-3
tolerance are ``xfail(strict=True)`` with the measured deviation, so a parameter change that fixes
(or breaks) them shows up.

Not covered here, for want of a published table that could be retrieved: osmotic coefficients,
and the solubilities of sylvite, bischofite, epsomite and gypsum (these are compared with PHREEQC
only, in ``test_minerals.py``).
"""
import csv
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import brentq

from saltsim.chemistry.minerals import load_minerals, saturation_index
from saltsim.chemistry.pitzer import activity, load_pitzer_model

#: Issue 3 target for mean activity coefficients vs published tables.
RTOL_GAMMA_PUBLISHED = 1e-2
#: Issue 3 target for single-salt solubilities vs published values.
RTOL_SOLUBILITY_PUBLISHED = 1e-2
#: Root-finding tolerance on the saturation molality; far below the 1 % comparison. [mol/kg]
XTOL_SOLUBILITY = 1e-12

DATA = Path(__file__).parents[1] / "data" / "chemistry"
MODEL = load_pitzer_model()
SP = MODEL.species
MINERALS = load_minerals()
T25 = 298.15  # [K]

#: Salt → (cation, anion, ν+, ν−).
SALTS = {
    "NaCl": ("Na+", "Cl-", 1, 1), "KCl": ("K+", "Cl-", 1, 1), "MgCl2": ("Mg+2", "Cl-", 1, 2),
    "Na2SO4": ("Na+", "SO4-2", 2, 1), "MgSO4": ("Mg+2", "SO4-2", 1, 1),
}
#: Mineral → salt it dissolves to (anhydrous formula unit, same stoichiometry as SALTS).
MINERAL_SALT = {"halite": "NaCl", "mirabilite": "Na2SO4", "thenardite": "Na2SO4"}

#: Published cases the pitzer.dat parameter set misses by more than 1 % (measured deviation
#: model/published − 1, rounded). Keyed by (salt, molality string as in the CSV).
_MGSO4 = ("pitzer.dat MgSO4 parameters (β2 = -32.45 at 25 °C, its ref. 3) give γ± {:+.1f} % vs the "
          "CRC table at {} mol/kg; PHREEQC with pitzer.dat gives the same value")
_MGCL2 = ("pitzer.dat MgCl2 parameters give γ± {:+.2f} % vs the CRC table at {} mol/kg "
          "(−0.4 … −1.1 % over 0.1–1 mol/kg)")
KNOWN_GAMMA_DEVIATIONS = {
    **{("MgSO4", m): _MGSO4.format(d, m) for m, d in [
        ("0.1", 12.7), ("0.2", 13.8), ("0.3", 14.2), ("0.4", 14.3), ("0.5", 14.4), ("0.6", 14.5),
        ("0.7", 14.4), ("0.8", 14.3), ("0.9", 14.3), ("1.0", 14.3)]},
    **{("MgCl2", m): _MGCL2.format(d, m) for m, d in [
        ("0.3", -1.00), ("0.5", -1.10), ("0.6", -1.01), ("0.7", -1.07)]},
}
KNOWN_SOLUBILITY_DEVIATIONS = {
    ("mirabilite", "0"): "pitzer.dat gives mirabilite saturation at 0.2996 mol/kg Na2SO4 at 0 °C vs "
                         "0.352 mol/kg published (5.0 g/100 g water): -14.9 %",
}


def stoichiometric_molalities(salt, molality):
    """Ion molalities of a single salt. [mol/kg]"""
    cat, an, nc, na = SALTS[salt]
    m = np.zeros((len(molality), SP.n))
    m[:, SP.index(cat)] = nc * np.asarray(molality, dtype=float)
    m[:, SP.index(an)] = na * np.asarray(molality, dtype=float)
    return m


def mean_activity_coefficient(salt, molality, temperature=T25):
    """γ± = (γ+^ν+ γ−^ν−)^(1/ν) of a single salt, free ions = stoichiometric. [-]"""
    cat, an, nc, na = SALTS[salt]
    lg, _ = activity(stoichiometric_molalities(salt, molality), temperature, MODEL)
    return np.exp((nc * lg[:, SP.index(cat)] + na * lg[:, SP.index(an)]) / (nc + na))


def solubility(mineral, temperature_c):
    """Salt molality at which SI(mineral) = 0 in pure water (1-D root find). [mol/kg]"""
    salt = MINERAL_SALT[mineral]
    k = MINERALS.index(mineral)
    t = temperature_c + 273.15
    state = MODEL.at(t)

    def si(x):
        m = stoichiometric_molalities(salt, [x])[0]
        lg, law = activity(m, None, state)
        return saturation_index(lg, m, law, t)[k]

    return brentq(si, 1e-6, 7.0, xtol=XTOL_SOLUBILITY)


def anhydrous_molar_mass(salt):
    """Molar mass of the anhydrous salt from the species table. [kg/mol]"""
    cat, an, nc, na = SALTS[salt]
    return nc * SP.molar_mass[SP.index(cat)] + na * SP.molar_mass[SP.index(an)]


def _read(name):
    with open(DATA / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _gamma_cases():
    for salt in SALTS:
        for row in _read(f"{salt.lower()}_mean_activity_25C.csv"):
            key = (salt, row["molality_mol_per_kg"])
            marks = ()
            if key in KNOWN_GAMMA_DEVIATIONS:
                marks = pytest.mark.xfail(strict=True, reason=KNOWN_GAMMA_DEVIATIONS[key])
            yield pytest.param(salt, row, marks=marks, id=f"{salt}-{row['molality_mol_per_kg']}m")


@pytest.mark.parametrize("salt,row", list(_gamma_cases()))
def test_mean_activity_coefficient_matches_published_table(salt, row):
    gamma = mean_activity_coefficient(salt, [float(row["molality_mol_per_kg"])])[0]
    assert gamma == pytest.approx(float(row["gamma_mean"]), rel=RTOL_GAMMA_PUBLISHED)


def _solubility_cases():
    for row in _read("single_salt_solubility.csv"):
        key = (row["mineral"], row["temperature_C"])
        marks = ()
        if key in KNOWN_SOLUBILITY_DEVIATIONS:
            marks = pytest.mark.xfail(strict=True, reason=KNOWN_SOLUBILITY_DEVIATIONS[key])
        yield pytest.param(row, marks=marks, id=f"{row['mineral']}-{row['temperature_C']}C")


@pytest.mark.parametrize("row", list(_solubility_cases()))
def test_single_salt_solubility_matches_published_table(row):
    salt = MINERAL_SALT[row["mineral"]]
    published = float(row["anhydrous_g_per_100g_water"]) * 10.0 / (anhydrous_molar_mass(salt) * 1e3)
    assert solubility(row["mineral"], float(row["temperature_C"])) == pytest.approx(
        published, rel=RTOL_SOLUBILITY_PUBLISHED)
