"""Brine density (saltsim.chemistry.density) against published tables and PHREEQC."""
import csv
from pathlib import Path

import numpy as np
import pytest

from saltsim.chemistry.density import baume, solution_density, water_density
from saltsim.constants import MOLAR_MASS, SOLUTES

DATA = Path(__file__).resolve().parents[1] / "data" / "evaporation"

#: The issue's acceptance tolerance against the NaCl table of [B4].
RTOL_NACL_TABLE = 3e-3
#: Seawater, 1.0233 g/cm³ at 25 °C (PHREEQC reference README); the table-quality tolerance.
RTOL_SEAWATER = 3e-3
#: Concentrated brines of the PHREEQC path up to carnallite saturation (CF ≤ 120): the
#: Laliberté salts are fitted to about 0.1 % inside their ranges; Mg–Cl-rich bitterns extrapolate.
RTOL_PATH_BRINE = 5e-3
#: Bischofite-saturated end liquor (CF ≈ 500), MgCl2 beyond the fitted mass fraction.
RTOL_END_LIQUOR = 1e-2
#: Kell's water density reproduces the IAPWS value at 25 °C (997.047 kg/m³) to ~1e-5.
RTOL_WATER = 2e-5


def _nacl_molality(weight_percent):
    w = weight_percent / 100.0
    m = w / (1.0 - w) / (MOLAR_MASS["Na"] + MOLAR_MASS["Cl"])
    x = np.zeros(len(SOLUTES))
    x[SOLUTES.index("Na")] = x[SOLUTES.index("Cl")] = m
    return x


def _reference_path():
    with open(DATA / "seawater_noC_25C_pitzer.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    molality = np.array([[float(r[f"m_{el}"]) for el in SOLUTES] for r in rows])
    density = np.array([float(r["density_g_cm3"]) * 1000.0 for r in rows])
    cf = np.array([float(r["cf"]) for r in rows])
    return cf, molality, density


def test_water_density_matches_iapws_at_25c():
    assert water_density(298.15) == pytest.approx(997.047, rel=RTOL_WATER)


def test_nacl_table_at_15_and_20_c_vectorised():
    with open(DATA / "nacl_density_wnt1974.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    molality = np.array([_nacl_molality(float(r["wt_percent_nacl"])) for r in rows])
    for column, celsius in (("density_15C_kg_per_m3", 15.0), ("density_20C_kg_per_m3", 20.0)):
        expected = np.array([float(r[column]) for r in rows])
        got = solution_density(molality, np.full(len(rows), 273.15 + celsius))
        np.testing.assert_allclose(got, expected, rtol=RTOL_NACL_TABLE)


def test_seawater_density_at_25c():
    _, molality, density = _reference_path()
    assert solution_density(molality[0], 298.15) == pytest.approx(1023.3, rel=RTOL_SEAWATER)
    assert solution_density(molality[0], 298.15) == pytest.approx(density[0], rel=RTOL_SEAWATER)


def test_concentrated_brines_of_the_phreeqc_path():
    cf, molality, density = _reference_path()
    got = solution_density(molality, np.full(len(cf), 298.15))
    middle = cf <= 120.0
    np.testing.assert_allclose(got[middle], density[middle], rtol=RTOL_PATH_BRINE)
    np.testing.assert_allclose(got[~middle], density[~middle], rtol=RTOL_END_LIQUOR)


def test_density_rises_with_salinity_and_falls_with_temperature():
    molality = np.array([_nacl_molality(w) for w in (0.0, 5.0, 10.0, 20.0, 26.0)])
    at_25 = solution_density(molality, 298.15)
    at_40 = solution_density(molality, 313.15)
    assert np.all(np.diff(at_25) > 0)
    assert np.all(at_40 < at_25)
    assert at_25[0] == pytest.approx(water_density(298.15), rel=1e-12)


def test_baume_of_halite_saturation():
    # SG 1.2185 → 26.0 °Bé with the modulus-145 scale (domain.md §3.1, §6.1).
    assert baume(1.2185 * 999.01) == pytest.approx(26.0, abs=0.05)
