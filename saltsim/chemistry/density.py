"""Density of natural brines from their ionic molalities.

Model: the Laliberté–Cooper mixing rule [LC04] with the single-salt apparent-density
coefficients of Laliberté's 2009 compilation [L09]. A brine given as ions is first written as a
mixture of neutral salts by pairing every cation with every anion in proportion to their
equivalent fractions (the usual "ideal pairing" of a mixed electrolyte); each salt then
contributes its mass fraction divided by its apparent density.

Why this model (see docs/decisions.md, "Brine density"): it is a published, validated
correlation over 0–100 °C for every salt a salt-lake brine is made of, it needs no volumetric
Pitzer parameters (which exist for few of the 21 minerals' systems), and it is cheap
(vectorised; no iteration). It reproduces the NaCl table of [B4] to 0.05 % and the PHREEQC
seawater density to 0.05 %.

Limits: salts for which [L09] gives no coefficients (MgBr2, CaBr2, Mg/Ca bicarbonates) use the
chloride of the same cation (Br and C are minor constituents of the brines saltsim models);
CaSO4 is fitted only to its low solubility, so gypsum-saturated brines rely on the Ca–Cl pair
for most of their calcium. Beyond the fitted mass fractions (e.g. MgCl2 above 32 wt %, the
bischofite end of an evaporation path) the correlation is extrapolated; the evaporation tests
check it against PHREEQC's density there.

References
----------
[LC04] M. Laliberté and W. E. Cooper, "Model for calculating the density of aqueous electrolyte
       solutions," J. Chem. Eng. Data, vol. 49, pp. 1141–1151, 2004, doi:10.1021/je0498659.
[L09]  M. Laliberté, "A model for calculating the heat capacity of aqueous solutions, with
       updated density and viscosity data," J. Chem. Eng. Data, vol. 54, pp. 1725–1760, 2009,
       doi:10.1021/je8008123 (coefficients as tabulated in the `chemicals` package,
       chemicals/Electrolytes/Laliberte2009.tsv).
[K75]  G. S. Kell, "Density, thermal expansivity, and compressibility of liquid water from 0° to
       150 °C," J. Chem. Eng. Data, vol. 20, pp. 97–105, 1975, doi:10.1021/je60064a005.
[B1]   Heavy-liquid Baumé scale, SG = 145 / (145 − °Bé) (see /work/shared/domain.md §6.1).
"""
from __future__ import annotations

import numpy as np

from ..constants import MOLAR_MASS, SOLUTES, ZERO_CELSIUS

__all__ = ["solution_density", "water_density", "baume", "SALT_PAIRS"]

#: Heavy-liquid Baumé modulus (US scale, 60 °F) [B1]; the same value as saltsim.units.
BAUME_MODULUS = 145.0
#: Density of water at 60 °F, the reference of specific gravity [K75]. [kg m⁻³]
WATER_DENSITY_60F = 999.01

_CATIONS = ("Na", "K", "Mg", "Ca", "Li")
_ANIONS = ("Cl", "SO4", "C", "Br")
#: Charge magnitude used to pair ions; C (total inorganic carbon) is counted as HCO3⁻, the
#: dominant carbonate species of near-neutral brines.
_CHARGE_MAGNITUDE = {"Na": 1, "K": 1, "Mg": 2, "Ca": 2, "Li": 1, "Cl": 1, "SO4": 2, "C": 1, "Br": 1}
#: Mass of the anion as paired: C is carried as HCO3 (C + H + 3 O). [kg mol⁻¹]
_PAIRED_MASS = dict(MOLAR_MASS)
_PAIRED_MASS["C"] = MOLAR_MASS["C"] + 1.00794e-3 + 3 * 15.9994e-3

#: Apparent-density coefficients c0..c4 of [L09] per salt (ρ_app in kg m⁻³, t in °C).
_LALIBERTE = {
    "NaCl": (-0.00324112223655149, 0.0636354335906616, 1.01371399467365, 0.0145951015210159, 3317.34854426537),
    "KCl": (-0.855928945959145, 6.04073571306402, 2.81787416217166, 0.0253924645877338, 2681.61723465886),
    "MgCl2": (-0.0215001423271867, 0.0441202083909434, 1.53227586827304, -0.0098078506056196, -3478.36496883693),
    "CaCl2": (-9.72893747074295, 14.7005352975276, 4.19033341468332, 0.0397403624277021, 2708.12778894614),
    "LiCl": (1777.71168869463, 208.095675885873, 0.0924032897423372, -0.0000965138194640463, -303.212122198705),
    "Na2SO4": (0.00000445025449497252, 0.00000912086519621226, 0.0840358370073922, 0.00465767525381795, 4349.50513887423),
    "K2SO4": (0.00000710599369467468, 0.000046555866279207, 0.349566841181191, 0.00751053641501126, 4200.09377806549),
    "MgSO4": (98.1201663080777, 59.265764731786, -0.0303404982114453, 0.000503619228557116, 1763.7594229147),
    "CaSO4": (-1.38417190570761, 1074.7049263687, 0.219888642311938, 0.00351994723894431, 1590.05921703206),
    "Li2SO4": (0.00711493013455434, 0.00869246384846451, 0.151649349676449, 0.00360862647418256, 3458.25184736606),
    "NaHCO3": (0.0377378060615898, 0.00710029652458366, 0.0735733388535116, 0.00168369765511221, 3291.38382252025),
    "KHCO3": (0.0458479253730966, 0.0749127808255568, 0.505766905030703, 0.00643951863958203, 3163.65175558093),
    "NaBr": (23.765937876294, 210.721942848473, 2.01023472140861, 0.0163941235513688, 1941.82908042744),
    "KBr": (-13.151388032057, 190.74540854419, 5.39738604657711, 0.0402662461365671, 2153.22549041443),
}

#: Salt used for each (cation, anion) pair; pairs without [L09] data use the cation's chloride.
SALT_PAIRS: dict[tuple[str, str], str] = {
    ("Na", "Cl"): "NaCl", ("K", "Cl"): "KCl", ("Mg", "Cl"): "MgCl2", ("Ca", "Cl"): "CaCl2",
    ("Li", "Cl"): "LiCl",
    ("Na", "SO4"): "Na2SO4", ("K", "SO4"): "K2SO4", ("Mg", "SO4"): "MgSO4", ("Ca", "SO4"): "CaSO4",
    ("Li", "SO4"): "Li2SO4",
    ("Na", "C"): "NaHCO3", ("K", "C"): "KHCO3", ("Mg", "C"): "MgCl2", ("Ca", "C"): "CaCl2",
    ("Li", "C"): "LiCl",
    ("Na", "Br"): "NaBr", ("K", "Br"): "KBr", ("Mg", "Br"): "MgCl2", ("Ca", "Br"): "CaCl2",
    ("Li", "Br"): "LiCl",
}

_CATION_INDEX = np.array([SOLUTES.index(c) for c in _CATIONS])
_ANION_INDEX = np.array([SOLUTES.index(a) for a in _ANIONS])
_CATION_Z = np.array([_CHARGE_MAGNITUDE[c] for c in _CATIONS], dtype=float)
_ANION_Z = np.array([_CHARGE_MAGNITUDE[a] for a in _ANIONS], dtype=float)
#: Mass per equivalent of each ion as paired. [kg eq⁻¹]
_CATION_MASS_PER_EQ = np.array([_PAIRED_MASS[c] / _CHARGE_MAGNITUDE[c] for c in _CATIONS])
_ANION_MASS_PER_EQ = np.array([_PAIRED_MASS[a] / _CHARGE_MAGNITUDE[a] for a in _ANIONS])
#: Coefficients per pair, shape (5 cations, 4 anions, 5 coefficients).
_PAIR_COEFFICIENTS = np.array([[_LALIBERTE[SALT_PAIRS[(c, a)]] for a in _ANIONS] for c in _CATIONS])


def water_density(temperature):
    """Density of pure liquid water at 1 atm (Kell's equation as used by [LC04]).

    Parameters
    ----------
    temperature : float or ndarray
        Temperature, 0–150 °C. [K]

    Returns
    -------
    ndarray
        Density of water. [kg m⁻³]

    Notes
    -----
    ρ_w = (999.83952 + 16.945176 t − 7.9870401e-3 t² − 4.6170461e-5 t³ + 1.0556302e-7 t⁴
    − 2.8054253e-10 t⁵) / (1 + 1.6879850e-2 t), t in °C [K75].
    """
    t = np.asarray(temperature, dtype=float) - ZERO_CELSIUS
    numerator = ((((-2.8054253e-10 * t + 1.0556302e-7) * t - 4.6170461e-5) * t - 7.9870401e-3) * t
                 + 16.945176) * t + 999.83952
    return numerator / (1.0 + 1.6879850e-2 * t)


def _salt_mass_fractions(molality):
    """Mass fraction of each (cation, anion) salt and of water; shapes (..., 5, 4) and (...)."""
    m = np.asarray(molality, dtype=float)
    cation_eq = m[..., _CATION_INDEX] * _CATION_Z          # (..., 5) [eq kg⁻¹ water]
    anion_eq = m[..., _ANION_INDEX] * _ANION_Z             # (..., 4)
    total_cation = cation_eq.sum(axis=-1, keepdims=True)
    total_anion = anion_eq.sum(axis=-1, keepdims=True)
    x_cation = cation_eq / np.where(total_cation > 0, total_cation, 1.0)
    y_anion = anion_eq / np.where(total_anion > 0, total_anion, 1.0)
    mean_eq = 0.5 * (total_cation + total_anion)           # (..., 1)
    pair_eq = x_cation[..., :, None] * y_anion[..., None, :] * mean_eq[..., None]
    pair_mass = pair_eq * (_CATION_MASS_PER_EQ[:, None] + _ANION_MASS_PER_EQ[None, :])  # kg / kg water
    # Scale the pairs so that they carry exactly the dissolved mass (exact when electroneutral).
    solute_mass = (m[..., _CATION_INDEX] * np.array([_PAIRED_MASS[c] for c in _CATIONS])).sum(-1) \
        + (m[..., _ANION_INDEX] * np.array([_PAIRED_MASS[a] for a in _ANIONS])).sum(-1)
    pair_total = pair_mass.sum(axis=(-2, -1))
    scale = np.where(pair_total > 0, solute_mass / np.where(pair_total > 0, pair_total, 1.0), 0.0)
    pair_mass = pair_mass * scale[..., None, None]
    total_mass = 1.0 + solute_mass
    return pair_mass / total_mass[..., None, None], 1.0 / total_mass


def solution_density(molality, temperature):
    """Density of a brine from its molalities (Laliberté–Cooper mixing rule).

    Parameters
    ----------
    molality : array_like, shape (..., 9)
        Dissolved molality of each solute component in ``saltsim.constants.SOLUTES`` order
        (Na, K, Mg, Ca, Cl, SO4, C, Br, Li); C is total inorganic carbon. [mol kg⁻¹]
    temperature : float or array_like, shape (...)
        Temperature. [K]

    Returns
    -------
    ndarray, shape (...)
        Density of the solution at 1 atm. [kg m⁻³]

    Notes
    -----
    With w_w the mass fraction of water and w_i that of salt i [LC04]:

    (1) ρ = 1 / (w_w / ρ_w + Σ_i w_i / ρ_app,i)
    (2) ρ_app,i = (c0 (1 − w_w) + c1) exp(10⁻⁶ (t + c4)²) / ((1 − w_w) + c2 + c3 t)

    Ions are paired into salts by equivalent fractions: the salt of cation c and anion a
    carries E·x_c·y_a equivalents, x and y being equivalent fractions among cations and anions.

    Examples
    --------
    >>> import numpy as np
    >>> m = np.zeros(9); m[0] = m[4] = 1.0          # 1 mol/kg NaCl
    >>> round(float(solution_density(m, 298.15)), 1)
    1036.1
    """
    m = np.asarray(molality, dtype=float)
    temperature = np.asarray(temperature, dtype=float)
    t = temperature - ZERO_CELSIUS
    w_salt, w_water = _salt_mass_fractions(m)
    solute_fraction = (1.0 - w_water)[..., None, None]
    tt = t[..., None, None]
    c0, c1, c2, c3, c4 = np.moveaxis(_PAIR_COEFFICIENTS, -1, 0)
    apparent = ((c0 * solute_fraction + c1) * np.exp(1e-6 * (tt + c4) ** 2)
                / (solute_fraction + c2 + c3 * tt))
    specific_volume = w_water / water_density(temperature) + (w_salt / apparent).sum(axis=(-2, -1))
    return 1.0 / specific_volume


def baume(density):
    """Heavy-liquid Baumé degrees of a brine [B1].

    Parameters
    ----------
    density : float or ndarray
        Density. [kg m⁻³]

    Returns
    -------
    ndarray
        °Bé = 145 − 145 / SG, SG = density / 999.01 kg m⁻³. [°Bé]
    """
    return BAUME_MODULUS - BAUME_MODULUS / (np.asarray(density, dtype=float) / WATER_DENSITY_60F)
