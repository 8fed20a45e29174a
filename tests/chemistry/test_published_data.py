"""Pitzer model (pitzer.dat parameters) vs published measurements, not vs PHREEQC.

- Mean activity coefficients at 25 °C of NaCl, KCl, MgCl2, Na2SO4 and MgSO4, 0.1–1 mol/kg (NaCl,
  KCl to 5, Na2SO4 to 2; KCl at 5 and Na2SO4 at 2 mol/kg are slightly above saturation): CRC
  Handbook tables after Hamer & Wu 1972, Goldberg et al. 1978–1981, Staples
  (``<salt>_mean_activity_25C.csv``).
- Osmotic coefficients at 25 °C up to saturation from published correlations of measured water
  activities (``osmotic_coefficient_correlations_25C.csv``): Tang, Munkelwitz & Wang (1986; the
  extended Debye–Hückel form of Hamer & Wu 1972) for NaCl and KCl, Clegg et al. (1997) for NaCl
  and Na2SO4.
- MgSO4 osmotic and mean activity coefficients at 25 °C up to epsomite saturation from the
  Archer & Rard (1998) ion-interaction model of the MgSO4–H2O system
  (``mgso4_archer_rard_1998_parameters.csv``). The CRC γ± table for MgSO4 lies 10–12 % below both
  that model and the HMW (1984) parameters; it is kept, with those cases marked.
- Single-salt solubilities 0–50 °C of halite, sylvite, bischofite, epsomite (10–40 °C), gypsum
  (0–40 °C), mirabilite (20–30 °C) and thenardite (40–50 °C): CRC "Aqueous Solubility of Inorganic
  Compounds at Various Temperatures", plus a second table for halite and sodium sulphate
  (``single_salt_solubility.csv``). MgSO4 at 0 and 50 °C and CaSO4 at 50 °C are left out: the
  source does not name the solid there and another hydrate (or anhydrite) may be the stable one.

Every row names where its number was read. Cases the parameter set misses by more than the
issue-3 tolerance are ``xfail(strict=True)`` with the measured deviation, so a parameter change
that fixes (or breaks) them shows up.

Not covered, for want of a published table that could be retrieved: γ± of MgCl2 above 1 mol/kg
and osmotic coefficients of MgCl2 (PHREEQC comparison only, in ``test_pitzer_published.py``).
"""
import csv
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import brentq

from saltsim.chemistry.minerals import load_minerals, saturation_index
from saltsim.chemistry.pitzer import (activity, debye_huckel_aphi, load_pitzer_model,
                                      osmotic_coefficient)
from saltsim.constants import MOLAR_MASS

#: Issue 3 target for mean activity coefficients vs published tables.
RTOL_GAMMA_PUBLISHED = 1e-2
#: Issue 3 target for single-salt solubilities vs published values.
RTOL_SOLUBILITY_PUBLISHED = 1e-2
#: Issue 3 target for osmotic coefficients vs published data.
RTOL_OSMOTIC_PUBLISHED = 1e-2
#: Two published NaCl correlations (Tang et al. 1986, Clegg et al. 1997) agree to 0.52 % over
#: 0.1–6 mol/kg (measured); 0.6 % checks that the Clegg form is evaluated as published.
RTOL_CORRELATIONS_AGREE = 6e-3
#: Root-finding tolerance on the saturation molality; far below the 1 % comparison. [mol/kg]
XTOL_SOLUBILITY = 1e-12

DATA = Path(__file__).parents[1] / "data" / "chemistry"
MODEL = load_pitzer_model()
SP = MODEL.species
MINERALS = load_minerals()
T25 = 298.15  # [K]

#: Salts with published γ± / φ: salt → (cation, anion, ν+, ν−).
SALTS = {
    "NaCl": ("Na+", "Cl-", 1, 1), "KCl": ("K+", "Cl-", 1, 1), "MgCl2": ("Mg+2", "Cl-", 1, 2),
    "Na2SO4": ("Na+", "SO4-2", 2, 1), "MgSO4": ("Mg+2", "SO4-2", 1, 1),
}
#: Every salt used here, including those with a published solubility only.
STOICHIOMETRY = {**SALTS, "CaSO4": ("Ca+2", "SO4-2", 1, 1)}
#: Mineral → anhydrous salt it dissolves to.
MINERAL_SALT = {"halite": "NaCl", "sylvite": "KCl", "bischofite": "MgCl2", "epsomite": "MgSO4",
                "gypsum": "CaSO4", "mirabilite": "Na2SO4", "thenardite": "Na2SO4"}

#: Published cases the pitzer.dat parameter set misses by more than 1 % (measured deviation
#: model/published − 1, rounded). Keyed by (salt, molality string as in the CSV).
_MGSO4 = ("pitzer.dat MgSO4 parameters (β2 = -32.45 at 25 °C, its ref. 3) give γ± {:+.1f} % vs the "
          "CRC table at {} mol/kg; PHREEQC with pitzer.dat gives the same value. The HMW (1984) 25 °C "
          "parameters (+10.7 to +12.8 %) and the Archer & Rard (1998) model (+10.2 to +12.1 %) sit as "
          "far above this table over 0.1-1 mol/kg (measured): the table is the outlier")
_MGCL2 = ("pitzer.dat MgCl2 parameters give γ± {:+.2f} % vs the CRC table at {} mol/kg "
          "(−0.4 … −1.1 % over 0.1–1 mol/kg)")
KNOWN_GAMMA_DEVIATIONS = {
    **{("MgSO4", m): _MGSO4.format(d, m) for m, d in [
        ("0.1", 12.7), ("0.2", 13.8), ("0.3", 14.2), ("0.4", 14.3), ("0.5", 14.4), ("0.6", 14.5),
        ("0.7", 14.4), ("0.8", 14.3), ("0.9", 14.3), ("1.0", 14.3)]},
    **{("MgCl2", m): _MGCL2.format(d, m) for m, d in [
        ("0.3", -1.00), ("0.5", -1.10), ("0.6", -1.01), ("0.7", -1.07)]},
}
_NA2SO4_PHI = ("pitzer.dat Na2SO4 parameters give φ {:+.1f} % vs the Clegg et al. (1997) correlation "
               "at {} mol/kg")
KNOWN_OSMOTIC_DEVIATIONS = {
    ("Na2SO4", "clegg_mole_fraction", m): _NA2SO4_PHI.format(d, m) for m, d in [
        ("1.0", 1.1), ("1.5", 1.7), ("1.9", 1.2)]
}
_SOL = "pitzer.dat gives {} saturation {:+.1f} % from the published value at {} °C ({})"
#: (mineral, temperature_C as in the CSV, source tag) → reason; measured model/published − 1.
KNOWN_SOLUBILITY_DEVIATIONS = {
    (mn, tc, src): _SOL.format(mn, d, tc, src) for mn, tc, src, d in [
        ("sylvite", "0", "CRC", -3.6), ("bischofite", "0", "CRC", 2.9),
        ("epsomite", "10", "CRC", 7.5), ("epsomite", "20", "CRC", 1.1),
        ("epsomite", "25", "CRC", 1.4), ("epsomite", "30", "CRC", -1.6),
        ("mirabilite", "20", "CRC", 1.7), ("mirabilite", "25", "CRC", -1.3),
        ("mirabilite", "30", "CRC", -4.8), ("thenardite", "40", "CRC", 1.1),
        ("mirabilite", "0", "romek", -14.9),
    ]
}


def stoichiometric_molalities(salt, molality):
    """Ion molalities of a single salt. [mol/kg]"""
    cat, an, nc, na = STOICHIOMETRY[salt]
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
    cat, an, nc, na = STOICHIOMETRY[salt]
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


def published_solubility(row):
    """Published solubility of one CSV row as salt molality. [mol/kg]"""
    molar_mass = anhydrous_molar_mass(MINERAL_SALT[row["mineral"]])
    if row["mass_percent"]:
        w = float(row["mass_percent"]) / 100.0
        return w / (molar_mass * (1.0 - w))
    return float(row["anhydrous_g_per_100g_water"]) * 1e-2 / molar_mass


def _source_tag(row):
    return "CRC" if row["mass_percent"] else "romek"


def _solubility_cases():
    for row in _read("single_salt_solubility.csv"):
        key = (row["mineral"], row["temperature_C"], _source_tag(row))
        marks = ()
        if key in KNOWN_SOLUBILITY_DEVIATIONS:
            marks = pytest.mark.xfail(strict=True, reason=KNOWN_SOLUBILITY_DEVIATIONS[key])
        yield pytest.param(row, marks=marks, id="-".join(key))


@pytest.mark.parametrize("row", list(_solubility_cases()))
def test_single_salt_solubility_matches_published_table(row):
    assert solubility(row["mineral"], float(row["temperature_C"])) == pytest.approx(
        published_solubility(row), rel=RTOL_SOLUBILITY_PUBLISHED)


# ---------------------------------------------------------------- osmotic coefficients
#: Molalities at which the correlations are evaluated (below each row's molality_max, plus it). [mol/kg]
OSMOTIC_GRID = (0.1, 0.2, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0)
#: Mole-fraction Debye–Hückel closest-approach parameter of the Clegg et al. model. [-]
CLEGG_RHO = 13.0


def phi_extended_debye_huckel(m, a, b, c, d, e, beta):
    """Osmotic coefficient of a 1:1 salt, Hamer & Wu (1972) form with Tang et al. (1986) coefficients.

    ln γ± / ln 10 = −A√m/(1 + B√m) + βm + Cm² + Dm³ + Em⁴ integrated by Gibbs–Duhem. [-]
    """
    bb = 1.0 + b * np.sqrt(m)
    term1 = a / (b**3 * m) * (bb - 2.0 * np.log(bb) - 1.0 / bb)
    term2 = -beta * m / 2 - 2.0 / 3.0 * c * m**2 - 3.0 / 4.0 * d * m**3 - 4.0 / 5.0 * e * m**4
    return 1.0 - np.log(10.0) * (term1 + term2)


def phi_clegg(salt, m, a_x, b, alpha, w1, u1, v1):
    """Osmotic coefficient from the Clegg et al. (1997) mole-fraction water activity. [-]"""
    _, _, n1, n2 = SALTS[salt]
    z1, z2 = n2, n1  # |charges| of a binary salt follow from its stoichiometry (1:1, 2:1)
    mw = MOLAR_MASS["H2O"]
    x = m / (m + 1.0 / mw)  # salt mole fraction
    x_unit = x / (1.0 + x * (n1 + n2 - 1))
    x_c, x_a = n1 * x_unit, n2 * x_unit  # ion mole fractions
    x_w = 1.0 - x_c - x_a
    ix = 0.5 * (x_c * z1**2 + x_a * z2**2)
    ln_f = (2.0 * a_x * ix**1.5 / (1.0 + CLEGG_RHO * np.sqrt(ix))
            - x_c * x_a * b * np.exp(-alpha * np.sqrt(ix))
            + (1.0 - x_w) * x_a * (1.0 + z2) * w1
            + (1.0 - 2.0 * x_w) * x_c * x_a * (1.0 + z2) ** 2 / z2 * u1
            + 4.0 * x_w * (2.0 - 3.0 * x_w) * x_c * x_a * v1)
    return -(ln_f + np.log(x_w)) / ((n1 + n2) * m * mw)


def published_phi(row, m):
    """Osmotic coefficient of one correlation row at molality m. [-]"""
    coeffs = [float(row[f"c{i}"]) for i in range(1, 7)]
    if row["form"] == "extended_debye_huckel":
        return phi_extended_debye_huckel(m, *coeffs)
    return phi_clegg(row["salt"], m, *coeffs)


def _osmotic_cases():
    for row in _read("osmotic_coefficient_correlations_25C.csv"):
        top = float(row["molality_max_mol_per_kg"])
        for m in [x for x in OSMOTIC_GRID if x < top] + [top]:
            key = (row["salt"], row["form"], f"{m:.1f}")
            marks = ()
            if key in KNOWN_OSMOTIC_DEVIATIONS:
                marks = pytest.mark.xfail(strict=True, reason=KNOWN_OSMOTIC_DEVIATIONS[key])
            yield pytest.param(row, m, marks=marks, id=f"{row['salt']}-{row['form']}-{m:.1f}m")


@pytest.mark.parametrize("row,molality", list(_osmotic_cases()))
def test_osmotic_coefficient_matches_published_correlation(row, molality):
    phi = osmotic_coefficient(stoichiometric_molalities(row["salt"], [molality]), T25, MODEL)[0]
    assert phi == pytest.approx(published_phi(row, molality), rel=RTOL_OSMOTIC_PUBLISHED)


def test_published_nacl_correlations_agree_with_each_other():
    """Guards the transcription of the Clegg form: it must reproduce Tang et al. for NaCl."""
    rows = {r["form"]: r for r in _read("osmotic_coefficient_correlations_25C.csv") if r["salt"] == "NaCl"}
    m = np.array([x for x in OSMOTIC_GRID if x <= 6.0])
    np.testing.assert_allclose(published_phi(rows["clegg_mole_fraction"], m),
                               published_phi(rows["extended_debye_huckel"], m),
                               rtol=RTOL_CORRELATIONS_AGREE)


# ---------------------------------------------------------------- MgSO4: Archer & Rard (1998)
#: Molalities up to epsomite saturation at 25 °C (2.96 mol/kg, CRC table above). [mol/kg]
MGSO4_GRID = (0.1, 0.2, 0.5, 1.0, 1.5, 2.0, 2.5, 2.96)
#: Temperature basis of Archer & Rard's parameters, in the order of the CSV rows. [-]
ARCHER_RARD_BASIS = {
    "1": lambda t: 1.0,
    "1e-2*(T-298.15)": lambda t: 1e-2 * (t - 298.15),
    "1e-5*(T-298.15)^2": lambda t: 1e-5 * (t - 298.15) ** 2,
    "1e2/(T-225)": lambda t: 1e2 / (t - 225.0),
    "1e1/(680-T)": lambda t: 1e1 / (680.0 - t),
    "1e3/T": lambda t: 1e3 / t,
    "1e-7*(T-298.15)^3": lambda t: 1e-7 * (t - 298.15) ** 3,
}
_MGSO4_AR_GAMMA = ("pitzer.dat gives MgSO4 γ± {:+.1f} % vs the Archer & Rard (1998) model at {} mol/kg "
                   "(φ agrees within 0.8 % there)")
KNOWN_ARCHER_RARD_DEVIATIONS = {
    ("gamma", m): _MGSO4_AR_GAMMA.format(d, m) for m, d in [
        ("0.1", 2.3), ("0.2", 2.5), ("0.5", 2.6), ("1", 2.0), ("1.5", 1.8), ("2", 2.0),
        ("2.5", 2.4), ("2.96", 2.5)]
}


def archer_rard_mgso4(m, temperature=T25):
    """φ and γ± of MgSO4(aq) from the Archer & Rard (1998) ion-interaction model. [-]

    Aφ is saltsim's Debye–Hückel slope at the same temperature.
    """
    rows = _read("mgso4_archer_rard_1998_parameters.csv")
    assert [r["basis_function"] for r in rows] == list(ARCHER_RARD_BASIS)
    basis = np.array([ARCHER_RARD_BASIS[r["basis_function"]](temperature) for r in rows])
    params = np.array([[float(r[k]) for k in ("beta0", "beta1", "beta2", "C0", "C1")] for r in rows])
    b0, b1, b2, c0, c1 = basis @ params
    a_phi = float(debye_huckel_aphi(temperature))
    b, a1, a2, a3 = 1.2, 1.4, 30.65 * a_phi, 1.0
    m = np.asarray(m, dtype=float)
    si = np.sqrt(4.0 * m)
    x1, x2, x3 = a1 * si, a2 * si, a3 * si

    def h(x):
        return 2.0 * (1.0 - (1.0 + x - 0.5 * x**2) * np.exp(-x)) / x**2

    g4 = 4.0 * (6.0 - (6.0 + 6.0 * x3 + 3.0 * x3**2 + x3**3 - 0.5 * x3**4) * np.exp(-x3)) / x3**4
    phi = (1.0 - 4.0 * a_phi * si / (1.0 + b * si)
           + m * (b0 + b1 * np.exp(-x1) + b2 * np.exp(-x2)) + 4.0 * m**2 * (c0 + c1 * np.exp(-x3)))
    ln_gamma = (-4.0 * a_phi * (si / (1.0 + b * si) + 2.0 / b * np.log(1.0 + b * si))
                + m * (2.0 * b0 + b1 * h(x1) + b2 * h(x2)) + 2.0 * m**2 * (3.0 * c0 + c1 * g4))
    return phi, np.exp(ln_gamma)


def _archer_rard_cases():
    for quantity in ("phi", "gamma"):
        for m in MGSO4_GRID:
            key = (quantity, f"{m:g}")
            marks = ()
            if key in KNOWN_ARCHER_RARD_DEVIATIONS:
                marks = pytest.mark.xfail(strict=True, reason=KNOWN_ARCHER_RARD_DEVIATIONS[key])
            yield pytest.param(quantity, m, marks=marks, id=f"MgSO4-{quantity}-{m:g}m")


@pytest.mark.parametrize("quantity,molality", list(_archer_rard_cases()))
def test_mgso4_matches_archer_rard_model(quantity, molality):
    phi_ref, gamma_ref = archer_rard_mgso4([molality])
    if quantity == "phi":
        got = osmotic_coefficient(stoichiometric_molalities("MgSO4", [molality]), T25, MODEL)[0]
        assert got == pytest.approx(phi_ref[0], rel=RTOL_OSMOTIC_PUBLISHED)
    else:
        got = mean_activity_coefficient("MgSO4", [molality])[0]
        assert got == pytest.approx(gamma_ref[0], rel=RTOL_GAMMA_PUBLISHED)
