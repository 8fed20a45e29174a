"""Evaporite minerals: dissolution stoichiometry, log K(T) and saturation indices.

Data: ``saltsim/data/chemistry/minerals.csv`` (rows of PHREEQC's pitzer.dat PHASES block with
sources [pitzer.dat; Appelo2015; HMW1984]). Each dissolution reaction is written as PHREEQC does,
mineral = Σ ν_s species + n_w H2O, with

    log10 K(T) = A1 + A2 T + A3/T + A4 log10 T + A5/T² + A6 T²      (analytic expression), or
    log10 K(T) = log10 K(298.15) − ΔH_r/(R ln 10) (1/T − 1/298.15)  (van 't Hoff, when no analytic
                                                                       expression is given;
                                                                       ΔH_r = 0 if none given).

The saturation index is SI = log10(IAP/K), IAP = Π (γ_s m_s)^ν_s · a_w^n_w.

The default table holds the 22 minerals of the Na-K-Mg-Ca-Cl-SO4-H2O system; temperature
dependence is as in pitzer.dat, i.e. none for kainite, polyhalite, bloedite, leonite, schoenite,
labile salt and pentahydrite (25 °C values of HMW 1984) and van 't Hoff for glaserite, syngenite.
The opt-in carbonate set adds 12 carbonate minerals, and :func:`load_aqueous_complexes` gives the
carbonate/acid–base complexes in the same dissociation form.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from saltsim.chemistry.species import SpeciesSet, load_species, read_data_csv

__all__ = ["MineralTable", "load_minerals", "load_aqueous_complexes", "log_k", "saturation_index", "log_iap"]

_TR = 298.15
_LN10 = math.log(10.0)
#: Gas constant of PHREEQC's van 't Hoff extrapolation (R_KJ_DEG_MOL = 0.0083147 kJ mol⁻¹ K⁻¹);
#: CODATA's 8.314462618 differs by 3e-5 relative, visible as 3e-5 in log K of MgOH+ at 0 °C. [J mol⁻¹ K⁻¹]
_R_VANT_HOFF = 8.3147


@dataclass(frozen=True, eq=False)
class MineralTable:
    """Minerals as parallel arrays (order of every mineral axis).

    Attributes
    ----------
    names : tuple of str
        saltsim ids, lowercase (``"halite"``, ``"labile_salt"``). [-]
    phreeqc_names : tuple of str
        PHREEQC spelling (``"Halite"``, ``"Labile_S"``), used for result columns. [-]
    formulas : tuple of str
        Chemical formula as in PHREEQC. [-]
    species : SpeciesSet
        Species of the stoichiometry columns. [-]
    stoichiometry : ndarray (n_min, n_species)
        Moles of each aqueous species released per mole of mineral dissolved. [-]
    h2o : ndarray (n_min,)
        Moles of hydrate water released per mole of mineral. [-]
    analytic : ndarray (n_min, 6)
        A1…A6 of the analytic log10 K(T) (zeros where none). [-]
    has_analytic : ndarray (n_min,) bool
        Whether the analytic expression is used. [-]
    log_k_25 : ndarray (n_min,)
        log10 K at 298.15 K for the van 't Hoff form. [-]
    delta_h : ndarray (n_min,)
        Reaction enthalpy for the van 't Hoff form. [J mol⁻¹]
    sources : tuple of str
        Source keys of each row. [-]
    """

    names: tuple[str, ...]
    phreeqc_names: tuple[str, ...]
    formulas: tuple[str, ...]
    species: SpeciesSet
    stoichiometry: np.ndarray
    h2o: np.ndarray
    analytic: np.ndarray
    has_analytic: np.ndarray
    log_k_25: np.ndarray
    delta_h: np.ndarray
    sources: tuple[str, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        """Alias of :attr:`names`."""
        return self.names

    @property
    def n(self) -> int:
        """Number of minerals. [-]"""
        return len(self.names)

    def index(self, name: str) -> int:
        """Position of a mineral by saltsim id or PHREEQC name (case-insensitive)."""
        key = name.lower()
        for i, (a, b) in enumerate(zip(self.names, self.phreeqc_names)):
            if key in (a, b.lower()):
                return i
        raise KeyError(f"unknown mineral {name!r}; known: {', '.join(self.names)}")

    def molar_mass(self) -> np.ndarray:
        """Molar mass of each mineral including hydrate water. [kg mol⁻¹]"""
        from saltsim.constants import MOLAR_MASS
        return self.stoichiometry @ self.species.molar_mass + self.h2o * MOLAR_MASS["H2O"]


def _parse_stoichiometry(text: str, species: SpeciesSet, where: str) -> np.ndarray:
    row = np.zeros(species.n)
    for part in text.split(";"):
        sid, _, coef = part.partition(":")
        try:
            row[species.index(sid.strip())] += float(coef)
        except (KeyError, ValueError) as exc:
            raise ValueError(f"minerals.csv {where}: bad stoichiometry term {part!r} ({exc})") from None
    return row


def _load_table(file_name: str, set_name: str, product_charge) -> MineralTable:
    """Rows of a reaction file (minerals.csv layout) for the species set ``set_name``."""
    from saltsim.chemistry.species import SPECIES_SETS

    species = load_species(set_name)
    rows = [r for r in read_data_csv(file_name) if r["set"] in SPECIES_SETS[set_name]]
    cols = ["A1", "A2", "A3", "A4", "A5", "A6"]
    stoich = np.array([_parse_stoichiometry(r["stoichiometry"], species, r["id"]) for r in rows])
    stoich = stoich.reshape(len(rows), species.n)
    has_an = np.array([r["A1"] != "" for r in rows], dtype=bool)
    analytic = np.array([[float(r[c]) if r[c] else 0.0 for c in cols] for r in rows]).reshape(len(rows), 6)
    log_k_25 = np.array([float(r["log_k_25"]) if r["log_k_25"] else np.nan for r in rows])
    missing = [r["id"] for r, a, k in zip(rows, has_an, log_k_25) if not a and np.isnan(k)]
    if missing:
        raise ValueError(f"{file_name}: no log K for {missing}")
    delta_h = np.array([float(r["delta_h_J_per_mol"]) if r["delta_h_J_per_mol"] else 0.0 for r in rows])
    h2o = np.array([float(r["h2o"]) for r in rows])
    residual = stoich @ species.charge - np.array([product_charge(r) for r in rows])
    if np.any(np.abs(residual) > 1e-12):
        bad = [r["id"] for r, q in zip(rows, residual) if abs(q) > 1e-12]
        raise ValueError(f"{file_name}: reactions not charge balanced: {bad}")
    for arr in (stoich, has_an, analytic, log_k_25, delta_h, h2o):
        arr.flags.writeable = False
    return MineralTable(names=tuple(r["id"] for r in rows),
                        phreeqc_names=tuple(r["phreeqc_name"] for r in rows),
                        formulas=tuple(r["formula"] for r in rows), species=species,
                        stoichiometry=stoich, h2o=h2o, analytic=analytic, has_analytic=has_an,
                        log_k_25=log_k_25, delta_h=delta_h,
                        sources=tuple(r["source"] for r in rows))


@functools.lru_cache(maxsize=None)
def load_minerals(set_name: str = "major") -> MineralTable:
    """Load ``minerals.csv`` once (cached).

    Parameters
    ----------
    set_name : str
        ``"major"`` (the 22 evaporite minerals of the Na-K-Mg-Ca-Cl-SO4-H2O system; default) or
        ``"carbonate"`` (adds calcite, aragonite, dolomite, magnesite, nesquehonite, brucite,
        gaylussite, pirssonite, burkeite, natron, nahcolite, trona over the carbonate species set). [-]
    """
    return _load_table("minerals.csv", set_name, lambda row: 0.0)


@functools.lru_cache(maxsize=None)
def load_aqueous_complexes() -> MineralTable:
    """Aqueous complexes of the carbonate species set as dissociation reactions (cached).

    Each row reads complex = Σ ν_s species + n_w H2O with log K of that dissociation (the negated
    formation constant of pitzer.dat), e.g. HCO3⁻ = CO3²⁻ + H⁺, CO2 = CO3²⁻ + 2 H⁺ − H2O,
    OH⁻ = H2O − H⁺. At equilibrium ln a(complex) = Σ ν ln a + n_w ln aw − ln K, which a speciation
    solver imposes; :func:`log_iap` and :func:`log_k` apply unchanged.
    """
    species = load_species("carbonate")
    return _load_table("aqueous_complexes.csv", "carbonate",
                       lambda row: species.charge[species.index(row["id"])])


def log_k(temperature, table: MineralTable | None = None) -> np.ndarray:
    """log10 of the dissolution equilibrium constant of every mineral, shape (..., n_min). [-]

    Parameters
    ----------
    temperature : array_like (...)
        Temperature. [K]
    table : MineralTable, optional
        Mineral data; default :func:`load_minerals`. [-]
    """
    table = table or load_minerals()
    t = np.asarray(temperature, dtype=float)[..., None]
    a = table.analytic
    analytic = (a[:, 0] + a[:, 1] * t + a[:, 2] / t + a[:, 3] * np.log10(t) + a[:, 4] / (t * t)
                + a[:, 5] * t * t)
    vant_hoff = table.log_k_25 - table.delta_h / (_R_VANT_HOFF * _LN10) * (1.0 / t - 1.0 / _TR)
    return np.where(table.has_analytic, analytic, vant_hoff)


def log_iap(ln_gamma, molality, ln_aw, table: MineralTable | None = None) -> np.ndarray:
    """log10 of the ion activity product of every mineral, shape (..., n_min). [-]

    Species absent from the brine (m ≤ 0) give −inf for minerals that contain them.

    Parameters
    ----------
    ln_gamma : array_like (..., n_species)
        Natural log of activity coefficients. [-]
    molality : array_like (..., n_species)
        Molalities. [mol kg⁻¹]
    ln_aw : array_like (...)
        Natural log of water activity. [-]
    table : MineralTable, optional
        Mineral data. [-]
    """
    table = table or load_minerals()
    m = np.asarray(molality, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ln_m = np.where(m > 0.0, np.log(np.where(m > 0.0, m, 1.0)), -np.inf)
    ln_a = ln_m + np.asarray(ln_gamma, dtype=float)
    nu = table.stoichiometry
    # 0·(−inf) must not poison minerals that do not contain an absent species
    ln_a_used = np.where(nu != 0, ln_a[..., None, :], 0.0)           # (..., n_min, n_species)
    ln_iap = np.sum(nu * ln_a_used, axis=-1) + np.asarray(ln_aw, dtype=float)[..., None] * table.h2o
    return ln_iap / _LN10


def saturation_index(ln_gamma, molality, ln_aw, temperature, table: MineralTable | None = None) -> np.ndarray:
    """Saturation index SI = log10(IAP/K) of every mineral, shape (..., n_min). [-]

    Parameters
    ----------
    ln_gamma : array_like (..., n_species)
        Natural log of activity coefficients. [-]
    molality : array_like (..., n_species)
        Molalities. [mol kg⁻¹]
    ln_aw : array_like (...)
        Natural log of water activity. [-]
    temperature : array_like (...)
        Temperature. [K]
    table : MineralTable, optional
        Mineral data. [-]
    """
    table = table or load_minerals()
    return log_iap(ln_gamma, molality, ln_aw, table) - log_k(temperature, table)
