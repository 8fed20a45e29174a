"""Pitzer activity model (Harvie–Møller–Weare form) for the Na-K-Mg-Ca-Cl-SO4-Br-Li-H2O system.

Equations follow Harvie, Møller & Weare (1984) [HMW1984] with the unsymmetrical mixing terms
E-θ of Pitzer (1975) [Pitzer1975], J(x) from the Chebyshev approximation of Harvie (1981)
[Harvie1981]. The parameter set and its temperature dependence are those of PHREEQC's
``pitzer.dat`` [pitzer.dat; Appelo2015; Plummer1988], read from ``saltsim/data/chemistry/
pitzer_*.csv``:

    P(T) = a0 + a1 (1/T − 1/Tr) + a2 ln(T/Tr) + a3 (T − Tr) + a4 (T² − Tr²) + a5 (1/T² − 1/Tr²),
    Tr = 298.15 K.

The Debye–Hückel slope Aφ(T) is computed from the dielectric constant of water of Bradley &
Pitzer (1979) [BradleyPitzer1979] and the density of water (IAPWS saturated liquid, Wagner &
Pruss 2002 eq. 2.6, with PHREEQC's pressure correction to 1 atm) [WagnerPruss2002], as PHREEQC
does. Individual ion activity coefficients are reported in the MacInnes convention
(ln γ(Cl⁻) = ln γ±(KCl) at the same ionic strength) when ``PitzerModel.macinnes`` is true, which
is PHREEQC's default; neutral combinations (saturation indices, mean activity coefficients of
electroneutral salts) do not depend on the convention.

Every function is pure and vectorised over leading axes: ``molality`` has shape
``(..., n_species)`` [mol kg⁻¹] and ``temperature`` shape ``(...)`` [K] (broadcast). The solver's
inner loop should call :func:`activity` (or :func:`activity_and_jacobian`, analytic derivatives)
with a parameter set evaluated once per temperature by :meth:`PitzerModel.at`.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from numpy.polynomial import chebyshev as _cheb

from saltsim.chemistry.species import SpeciesSet, load_species, read_data_csv

__all__ = [
    "PitzerModel",
    "PitzerAtT",
    "load_pitzer_model",
    "debye_huckel_aphi",
    "j_function",
    "ln_activity_coefficients",
    "osmotic_coefficient",
    "ln_water_activity",
    "activity",
    "activity_and_jacobian",
    "ionic_strength",
    "WATER_MOLALITY",
    "REFERENCE_TEMPERATURE",
]

#: Reference temperature of the parameter fits. [K]
REFERENCE_TEMPERATURE = 298.15
#: Moles of water per kg of water used in ln aw = −φ Σm / 55.50837 (PHREEQC pitzer.cpp). [mol kg⁻¹]
WATER_MOLALITY = 55.50837
#: Pitzer's universal b of the Debye–Hückel term [HMW1984]. [kg^½ mol^-½]
PITZER_B = 1.2
#: Avogadro constant as used by PHREEQC for the Debye–Hückel parameters. [mol⁻¹]
_AVOGADRO_PHREEQC = 6.02252e23
#: e²/k in CGS units as used by PHREEQC calc_dielectrics (4.803204e-10² / 1.38065e-16). [esu² erg⁻¹ K]
_E2_OVER_K_CGS = 1.671008e-3
#: Below this argument x the functions g(x), g'(x) use their Taylor series (cancellation). [-]
_SERIES_X = 1e-2

# Chebyshev coefficients of Harvie (1981) for the J integrals (Pitzer 1991, Table B-1; PHREEQC
# ETHETA_PARAMS): first set for x ≤ 1 with z = 4 x^0.2 − 2, second for x > 1 with
# z = (40 x^-0.1 − 22)/9; J(x) = x/4 − 1 + ½ (b0 − b2) of the Clenshaw recurrence in z.
_AK_LOW = np.array([
    1.925154014814667, -0.060076477753119, -0.029779077456514, -0.007299499690937,
    0.000388260636404, 0.000636874599598, 0.000036583601823, -0.000045036975204,
    -0.000004537895710, 0.000002937706971, 0.000000396566462, -0.000000202099617,
    -0.000000025267769, 0.000000013522610, 0.000000001229405, -0.000000000821969,
    -0.000000000050847, 0.000000000046333, 0.000000000001943, -0.000000000002563,
    -0.000000000010991])
_AK_HIGH = np.array([
    0.628023320520852, 0.462762985338493, 0.150044637187895, -0.028796057604906,
    -0.036552745910311, -0.001668087945272, 0.006519840398744, 0.001130378079086,
    -0.000887171310131, -0.000242107641309, 0.000087294451594, 0.000034682122751,
    -0.000004583768938, -0.000003548684306, -0.000000250453880, 0.000000216991779,
    0.000000080779570, 0.000000004558555, -0.000000006944757, -0.000000002849257,
    0.000000000237816])


def _cheb_series(ak: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standard Chebyshev coefficients (in t = z/2) of ½(b0 − b2), and their 1st/2nd derivatives."""
    c = ak.copy()
    c[0] *= 0.5
    return c, _cheb.chebder(c), _cheb.chebder(c, 2)


_C_LOW = _cheb_series(_AK_LOW)
_C_HIGH = _cheb_series(_AK_HIGH)


def _power_matrix(series) -> np.ndarray:
    """Power-basis coefficients (in t) of the value and the two t-derivatives, shape (21, 3)."""
    out = np.zeros((len(series[0]), 3))
    for k, c in enumerate(series):
        p = _cheb.cheb2poly(c)
        out[:len(p), k] = p
    return out


# The Chebyshev sums are evaluated as one matrix product with the powers of t (exact to ~1e-14 on
# [−1, 1], checked against Clenshaw in the tests); columns: low set (3), high set (3).
_POW = np.concatenate([_power_matrix(_C_LOW), _power_matrix(_C_HIGH)], axis=1)


def j_function(x, order: int = 1):
    """Pitzer's J(x) = x/4 − 1 + (1/x)∫₀^∞ (1 − exp(−(x/y) e^{−y})) y² dy and its derivatives.

    Harvie's (1981) Chebyshev approximation [Harvie1981], as used by PHREEQC.

    Parameters
    ----------
    x : array_like
        Argument, x ≥ 0. [-]
    order : int
        0: return J; 1: return (J, J1) with J1 = x dJ/dx; 2: return (J, J1, J2) with
        J2 = x dJ1/dx. [-]

    Returns
    -------
    tuple or ndarray
        J(x) and, by ``order``, J1(x), J2(x). [-]
    """
    x = np.asarray(x, dtype=float)
    low = x <= 1.0
    pos = x > 0.0
    xs = np.where(pos, x, 1.0)  # placeholder where x == 0 (J(0) = 0 handled below)
    p2 = xs ** 0.2
    pm1 = xs ** -0.1
    t = np.where(low, 2.0 * p2 - 1.0, (20.0 * pm1 - 11.0) / 9.0)  # t = z/2
    powers = np.empty(t.shape + (_POW.shape[0],))
    powers[..., 0] = 1.0
    powers[..., 1:] = t[..., None]
    sums = np.cumprod(powers, axis=-1) @ _POW                          # (..., 6)
    sums = np.where(low[..., None], sums[..., :3], sums[..., 3:])
    jay = np.where(pos, x / 4.0 - 1.0 + sums[..., 0], 0.0)
    if order == 0:
        return jay
    tz = 0.5 * sums[..., 1]                                             # dT/dz = ½ dT/dt
    xdz = np.where(low, 0.8 * p2, -4.0 / 9.0 * pm1)                     # x dz/dx
    j1 = np.where(pos, x / 4.0 + xdz * tz, 0.0)
    if order == 1:
        return jay, j1
    tzz = 0.25 * sums[..., 2]                                           # d²T/dz² = ¼ d²T/dt²
    x2dzz = np.where(low, 0.16 * p2, 0.4 / 9.0 * pm1)                   # x dz/dx + x² d²z/dx²
    j2 = np.where(pos, x / 4.0 + x2dzz * tz + xdz * xdz * tzz, 0.0)
    return jay, j1, j2


def _g(x):
    """g(x) = 2[1 − (1 + x) e^{−x}]/x² with its series near 0. [-]"""
    xs = np.where(x > _SERIES_X, x, 1.0)
    direct = 2.0 * (1.0 - (1.0 + xs) * np.exp(-xs)) / (xs * xs)
    series = 1.0 - 2.0 * x / 3.0 + x * x / 4.0 - x ** 3 / 15.0
    return np.where(x > _SERIES_X, direct, series)


def _gp(x):
    """g'(x) = −2[1 − (1 + x + x²/2) e^{−x}]/x² (Pitzer's notation, = x/2 dg/dx). [-]"""
    xs = np.where(x > _SERIES_X, x, 1.0)
    direct = -2.0 * (1.0 - (1.0 + xs + 0.5 * xs * xs) * np.exp(-xs)) / (xs * xs)
    series = -x / 3.0 + x * x / 4.0 - x ** 3 / 10.0
    return np.where(x > _SERIES_X, direct, series)


def _temperature_basis(temperature) -> np.ndarray:
    """Basis functions of the pitzer.dat temperature form, shape (..., 6). [-]"""
    t = np.asarray(temperature, dtype=float)
    tr = REFERENCE_TEMPERATURE
    return np.stack([np.ones_like(t), 1.0 / t - 1.0 / tr, np.log(t / tr), t - tr,
                     t * t - tr * tr, 1.0 / (t * t) - 1.0 / (tr * tr)], axis=-1)


def water_density_phreeqc(temperature) -> np.ndarray:
    """Density of pure water at 1 atm as computed in PHREEQC (calc_rho_0). [kg m⁻³]

    Saturated-liquid density of Wagner & Pruss (2002) eq. 2.6 plus PHREEQC's polynomial pressure
    correction from the saturation pressure to 1 atm [WagnerPruss2002; pitzer.dat].

    Parameters
    ----------
    temperature : array_like
        Temperature, 273–373 K. [K]
    """
    t = np.asarray(temperature, dtype=float)
    tc = t - 273.15
    th = 1.0 - t / 647.096
    b = (1.99274064, 1.09965342, -0.510839303, -1.75493479, -45.5170352, -6.7469445e5)
    rho_sat = 322.0 * (1.0 + b[0] * th ** (1 / 3) + b[1] * th ** (2 / 3) + b[2] * th ** (5 / 3)
                       + b[3] * th ** (16 / 3) + b[4] * th ** (43 / 3) + b[5] * th ** (110 / 3))
    p0 = 5.1880000e-02 + tc * (-4.1885519e-04 + tc * (6.6780748e-06 + tc * (-3.6648699e-08 + tc * 8.3501912e-11)))
    p1 = -6.0251348e-06 + tc * (3.6696407e-07 + tc * (-9.2056269e-09 + tc * (6.7024182e-11 + tc * -1.5947241e-13)))
    p2 = -2.2983596e-09 + tc * (-4.0133819e-10 + tc * (1.2619821e-11 + tc * (-9.8952363e-14 + tc * 2.3363281e-16)))
    p3 = 7.0517647e-11 + tc * (6.8566831e-12 + tc * (-2.2829750e-13 + tc * (1.8113313e-15 + tc * -4.2475324e-18)))
    p_sat = np.exp(11.6702 - 3816.44 / (t - 46.13))  # [atm]
    pa = np.maximum(1.0, p_sat) - (p_sat - 1e-6)
    return rho_sat + pa * (p0 + pa * (p1 + pa * (p2 + np.sqrt(pa) * p3)))


def debye_huckel_aphi(temperature) -> np.ndarray:
    """Debye–Hückel osmotic slope Aφ at 1 atm, as in PHREEQC. [kg^½ mol^-½]

    Aφ = (1/3) (2π N_A ρw/1000)^½ (e²/(ε k T))^{3/2} (CGS), with ε of Bradley & Pitzer (1979)
    [BradleyPitzer1979] and ρw from :func:`water_density_phreeqc`. Aφ(25 °C) ≈ 0.3915.

    Parameters
    ----------
    temperature : array_like
        Temperature. [K]
    """
    t = np.asarray(temperature, dtype=float)
    u1, u2, u3, u4, u5, u6, u7, u8, u9 = (3.4279e2, -5.0866e-3, 9.469e-7, -2.0525, 3.1159e3,
                                          -1.8289e2, -8.0325e3, 4.2142e6, 2.1417)
    d1000 = u1 * np.exp(t * (u2 + t * u3))
    c = u4 + u5 / (u6 + t)
    b = u7 + u8 / t + u9 * t
    pb = 1.01325  # 1 atm in bar
    eps_r = d1000 + c * np.log((b + pb) / (b + 1e3))
    e2_dkt = _E2_OVER_K_CGS / (eps_r * t)
    rho = water_density_phreeqc(t) / 1e3  # [g cm⁻³]
    dh_b = np.sqrt(8.0 * np.pi * _AVOGADRO_PHREEQC * e2_dkt * rho / 1e3)
    return dh_b * e2_dkt / 6.0


@dataclass(frozen=True, eq=False)
class PitzerAtT:
    """Pitzer parameters evaluated at given temperature(s); leading shape = temperature shape.

    Build with :meth:`PitzerModel.at` once per temperature and reuse in the solver loop.

    Attributes
    ----------
    temperature : ndarray (...)
        Temperature. [K]
    a_phi : ndarray (...)
        Debye–Hückel osmotic slope. [kg^½ mol^-½]
    beta0, beta1, beta2 : ndarray (..., n, n)
        Symmetric cation–anion matrices (zero for same-sign pairs). [kg mol⁻¹]
    c : ndarray (..., n, n)
        C = Cφ / (2 √|z_M z_X|). [kg² mol⁻²]
    theta : ndarray (..., n, n)
        Symmetric same-sign mixing parameters θ, zero diagonal. [kg mol⁻¹]
    psi : ndarray (..., n, n, n)
        Fully symmetric triplet tensor ψ (each triplet on all six permutations). [kg² mol⁻²]
    kcl : ndarray (..., 3)
        β0, β1, Cφ of KCl for the MacInnes convention. [-]
    """

    model: "PitzerModel"
    temperature: np.ndarray
    a_phi: np.ndarray
    beta0: np.ndarray
    beta1: np.ndarray
    beta2: np.ndarray
    c: np.ndarray
    theta: np.ndarray
    psi: np.ndarray
    kcl: np.ndarray


@dataclass(frozen=True, eq=False)
class PitzerModel:
    """Pitzer parameter set as coefficient arrays of the pitzer.dat temperature form.

    Attributes
    ----------
    species : SpeciesSet
        The aqueous species (order of every species axis). [-]
    beta0, beta1, beta2, c_phi : ndarray (6, n, n)
        Temperature coefficients a0…a5 of each cation–anion parameter (symmetric). [-]
    alpha1, alpha2 : ndarray (n, n)
        α1, α2 of each pair. [kg^½ mol^-½]
    theta : ndarray (6, n, n)
        Coefficients of θ for same-sign pairs (symmetric, zero diagonal). [-]
    psi : ndarray (6, n, n, n)
        Coefficients of ψ, fully symmetric. [-]
    macinnes : bool
        Report individual ln γ in the MacInnes convention (PHREEQC default). [-]
    """

    species: SpeciesSet
    beta0: np.ndarray
    beta1: np.ndarray
    beta2: np.ndarray
    c_phi: np.ndarray
    alpha1: np.ndarray
    alpha2: np.ndarray
    theta: np.ndarray
    psi: np.ndarray
    macinnes: bool = True

    @functools.cached_property
    def _derived(self) -> dict:
        z = self.species.charge
        zz = np.outer(z, z)
        same_sign = zz > 0
        unsym = same_sign & (np.abs(z)[:, None] != np.abs(z)[None, :])
        prods = np.unique(np.abs(np.concatenate([zz[unsym], (z * z)])))
        index = np.searchsorted(prods, np.abs(zz))
        index_ii = np.searchsorted(prods, z * z)
        c_scale = np.where(zz < 0, 1.0 / (2.0 * np.sqrt(np.abs(zz))), 0.0)
        alphas, inverse = np.unique(np.concatenate([self.alpha1.ravel(), self.alpha2.ravel()]),
                                    return_inverse=True)
        n2 = self.alpha1.size
        ik = self.species.index("K+") if "K+" in self.species.ids else -1
        ic = self.species.index("Cl-") if "Cl-" in self.species.ids else -1
        return {
            "z": z, "z2": z * z, "az": np.abs(z), "zz": zz, "unsym": unsym,
            "prods": prods, "pindex": np.where(unsym, index, 0),
            "pindex_i": index_ii, "c_scale": c_scale, "kcl": (ik, ic),
            "alphas": alphas, "alpha1_index": inverse[:n2].reshape(self.alpha1.shape),
            "alpha2_index": inverse[n2:].reshape(self.alpha2.shape),
        }

    def at(self, temperature) -> PitzerAtT:
        """Evaluate every parameter at ``temperature`` (…) [K]; reuse the result in loops."""
        t = np.asarray(temperature, dtype=float)
        f = _temperature_basis(t)

        def ev(coef):
            return np.tensordot(f, coef, axes=([-1], [0]))

        d = self._derived
        beta0, beta1, beta2 = ev(self.beta0), ev(self.beta1), ev(self.beta2)
        c_phi = ev(self.c_phi)
        ik, ic = d["kcl"]
        if ik >= 0 and ic >= 0 and self.macinnes:
            kcl = np.stack([beta0[..., ik, ic], beta1[..., ik, ic], c_phi[..., ik, ic]], axis=-1)
        else:
            kcl = np.zeros(t.shape + (3,))
        return PitzerAtT(model=self, temperature=t, a_phi=debye_huckel_aphi(t), beta0=beta0,
                         beta1=beta1, beta2=beta2, c=c_phi * d["c_scale"], theta=ev(self.theta),
                         psi=ev(self.psi), kcl=kcl)


@functools.lru_cache(maxsize=None)
def load_pitzer_model(macinnes: bool = True) -> PitzerModel:
    """Build the model from ``saltsim/data/chemistry/pitzer_*.csv`` once (cached).

    Parameters
    ----------
    macinnes : bool
        Individual activity coefficients in the MacInnes convention (PHREEQC default). [-]
    """
    sp = load_species()
    n = sp.n
    coef_cols = [f"a{k}" for k in range(6)]
    binary = {k: np.zeros((6, n, n)) for k in ("beta0", "beta1", "beta2", "c_phi")}
    for r in read_data_csv("pitzer_binary.csv"):
        i, j = sp.index(r["cation"]), sp.index(r["anion"])
        a = np.array([float(r[c]) for c in coef_cols])
        binary[r["parameter"]][:, i, j] = a
        binary[r["parameter"]][:, j, i] = a
    alpha1 = np.full((n, n), 2.0)
    alpha2 = np.full((n, n), 12.0)
    for r in read_data_csv("pitzer_alpha.csv"):
        i, j = sp.index(r["cation"]), sp.index(r["anion"])
        alpha1[i, j] = alpha1[j, i] = float(r["alpha1"])
        alpha2[i, j] = alpha2[j, i] = float(r["alpha2"])
    theta = np.zeros((6, n, n))
    for r in read_data_csv("pitzer_theta.csv"):
        i, j = sp.index(r["species1"]), sp.index(r["species2"])
        theta[:, i, j] = theta[:, j, i] = [float(r[c]) for c in coef_cols]
    psi = np.zeros((6, n, n, n))
    for r in read_data_csv("pitzer_psi.csv"):
        i, j, k = (sp.index(r[f"species{q}"]) for q in (1, 2, 3))
        a = np.array([float(r[c]) for c in coef_cols])
        for p in {(i, j, k), (i, k, j), (j, i, k), (j, k, i), (k, i, j), (k, j, i)}:
            psi[(slice(None),) + p] = a
    arrays = dict(binary, alpha1=alpha1, alpha2=alpha2, theta=theta, psi=psi)
    for arr in arrays.values():
        arr.flags.writeable = False
    return PitzerModel(species=sp, macinnes=macinnes, **arrays)


def _state(temperature, model) -> PitzerAtT:
    if isinstance(model, PitzerAtT):
        return model
    return model.at(temperature)


def ionic_strength(molality, charge) -> np.ndarray:
    """Ionic strength I = ½ Σ m z². [mol kg⁻¹]

    Parameters
    ----------
    molality : array_like (..., n)
        Species molalities. [mol kg⁻¹]
    charge : array_like (n,)
        Charge numbers. [-]
    """
    m = np.asarray(molality, dtype=float)
    return 0.5 * m @ (np.asarray(charge, dtype=float) ** 2)


def _qf(m, a):
    """Quadratic form Σ_ij m_i A_ij m_j over the last axes (A may carry leading axes)."""
    return np.einsum("...i,...ij,...j->...", m, a, m)


def _mv(a, m):
    """Matrix–vector product Σ_j A_ij m_j over the last axes with broadcasting."""
    return np.einsum("...ij,...j->...i", a, m)


def _core(m, st: PitzerAtT, jacobian: bool):
    """Shared evaluation of ln γ, ln aw and (optionally) their molality derivatives."""
    d = st.model._derived
    z, z2, az = d["z"], d["z2"], d["az"]
    m = np.asarray(m, dtype=float)
    big_i = 0.5 * m @ z2
    big_z = m @ az
    sum_m = m.sum(axis=-1)
    pos = big_i > 0.0
    i_s = np.where(pos, big_i, 1.0)
    s = np.sqrt(np.where(pos, big_i, 0.0))
    a_phi = st.a_phi
    b = PITZER_B
    ibs = 1.0 / (1.0 + b * s)

    # Debye–Hückel
    f_dh = -a_phi * (s * ibs + 2.0 / b * np.log1p(b * s))
    osm_dh = -a_phi * big_i * s * ibs

    # binary B, B', Bφ: g, g', e^{−x} evaluated once per distinct α, then gathered per pair
    xu = s[..., None] * d["alphas"]
    eu, gu, gpu = np.exp(-xu), _g(xu), _gp(xu)
    ia1, ia2 = d["alpha1_index"], d["alpha2_index"]
    x1, x2 = xu[..., ia1], xu[..., ia2]
    e1, e2, g1, g2, gp1, gp2 = eu[..., ia1], eu[..., ia2], gu[..., ia1], gu[..., ia2], gpu[..., ia1], gpu[..., ia2]
    ii = i_s[..., None, None]
    bmat = st.beta0 + st.beta1 * g1 + st.beta2 * g2
    bprime = (st.beta1 * gp1 + st.beta2 * gp2) / ii
    bphi = st.beta0 + st.beta1 * e1 + st.beta2 * e2

    # unsymmetrical mixing E-θ (only pairs of equal sign and different |z|)
    prods = d["prods"]
    xcon = 6.0 * a_phi * s
    xk = xcon[..., None] * prods  # (..., n_prods)
    jres = j_function(xk, order=2 if jacobian else 1)
    jv, j1 = jres[0], jres[1]
    pidx, pidx_i = d["pindex"], d["pindex_i"]
    zz = d["zz"]
    unsym = d["unsym"]
    s_j = jv[..., pidx] - 0.5 * jv[..., pidx_i][..., :, None] - 0.5 * jv[..., pidx_i][..., None, :]
    s_j1 = j1[..., pidx] - 0.5 * j1[..., pidx_i][..., :, None] - 0.5 * j1[..., pidx_i][..., None, :]
    etheta = np.where(unsym, zz * s_j / (4.0 * ii), 0.0)
    ethetap = np.where(unsym, zz * s_j1 / (8.0 * ii * ii), 0.0) - etheta / ii
    phi = st.theta + etheta

    c = st.c
    cm = _mv(c, m)
    csum = 0.5 * np.einsum("...i,...i->...", m, cm)
    bpm = _mv(bprime, m)
    etpm = _mv(ethetap, m)
    f_big = f_dh + 0.5 * np.einsum("...i,...i->...", m, bpm) + 0.5 * np.einsum("...i,...i->...", m, etpm)
    psim = np.einsum("...ijk,...j->...ik", st.psi, m)  # (..., n, n) = Σ_j ψ_ijk m_j
    psimm = np.einsum("...ik,...k->...i", psim, m)

    ln_g = (z2 * f_big[..., None] + az * csum[..., None] + 2.0 * _mv(bmat, m)
            + big_z[..., None] * cm + 2.0 * _mv(phi, m) + 0.5 * psimm)

    osm = (osm_dh + 0.5 * _qf(m, bphi) + big_z * csum
           + 0.5 * _qf(m, st.theta + etheta + ii * ethetap)
           + np.einsum("...i,...i->...", m, psimm) / 6.0)
    ln_aw = -(sum_m + 2.0 * osm) / WATER_MOLALITY

    # MacInnes convention
    ik, ic = d["kcl"]
    macinnes = st.model.macinnes and ik >= 0 and ic >= 0
    if macinnes:
        kb0, kb1, kcphi = st.kcl[..., 0], st.kcl[..., 1], st.kcl[..., 2]
        xk2 = 2.0 * s
        xs = np.where(pos, xk2, 1.0)
        hk = np.where(xk2 > _SERIES_X, (1.0 - (1.0 + xs - 0.5 * xs * xs) * np.exp(-xs)) / (xs * xs) * 4.0,
                      4.0 - 10.0 / 3.0 * xk2 + 1.5 * xk2 ** 2 - 7.0 / 15.0 * xk2 ** 3)  # series near 0
        # I·XXX with XXX of PHREEQC = (1 − (1 + x − x²/2) e^{−x})/x², x = 2√I
        gamclm = f_dh + 2.0 * big_i * kb0 + 0.5 * big_i * kb1 * hk + 1.5 * kcphi * big_i * big_i
        phimac = ln_g[..., ic] - gamclm
        ln_g = ln_g + z * phimac[..., None]

    if not jacobian:
        return ln_g, ln_aw, None, None

    # ---- analytic derivatives with respect to molality ----
    dfdh_di = np.where(pos, -a_phi * (ibs * ibs + 2.0 * ibs) / (2.0 * np.where(pos, s, 1.0)), 0.0)
    # dB'/dI = [β1(−x1 e^{−x1}/2 − 2 g'1) + β2(…)]/I²
    dbprime = (st.beta1 * (-0.5 * x1 * e1 - 2.0 * gp1) + st.beta2 * (-0.5 * x2 * e2 - 2.0 * gp2)) / (ii * ii)
    j2 = jres[2]
    s_j2 = j2[..., pidx] - 0.5 * j2[..., pidx_i][..., :, None] - 0.5 * j2[..., pidx_i][..., None, :]
    # Eθ' = zz S1/(8I²) − Eθ/I, dS1/dI = S2/(2I)
    dethetap = np.where(unsym, zz * (s_j2 / (2.0 * ii) / (8.0 * ii * ii) - 2.0 * s_j1 / (8.0 * ii ** 3)), 0.0) \
        - (ethetap / ii - etheta / (ii * ii))
    dfbig = (dfdh_di[..., None] * 0.5 * z2 + bpm + etpm
             + 0.25 * (_qf(m, dbprime) + _qf(m, dethetap))[..., None] * z2)  # (..., k)
    jac = (z2[:, None] * dfbig[..., None, :]
           + az[:, None] * cm[..., None, :]
           + 2.0 * bmat
           + bpm[..., :, None] * z2
           + cm[..., :, None] * az
           + big_z[..., None, None] * c
           + 2.0 * phi
           + etpm[..., :, None] * z2
           + psim)
    # osmotic sum derivative
    dosm_dh = -a_phi * (1.5 * s * ibs - 0.5 * b * big_i * ibs * ibs)
    dbphi = -(st.beta1 * e1 * x1 + st.beta2 * e2 * x2) / (2.0 * ii)
    mix_phi = st.theta + etheta + ii * ethetap
    dmix_phi = 2.0 * ethetap + ii * dethetap
    dosm = (dosm_dh[..., None] * 0.5 * z2 + _mv(bphi, m) + 0.25 * _qf(m, dbphi)[..., None] * z2
            + big_z[..., None] * cm + csum[..., None] * az
            + _mv(mix_phi, m) + 0.25 * _qf(m, dmix_phi)[..., None] * z2 + 0.5 * psimm)
    dln_aw = -(1.0 + 2.0 * dosm) / WATER_MOLALITY
    if macinnes:
        ex = np.exp(-2.0 * s)
        dgamclm = dfdh_di + 2.0 * kb0 + 2.0 * kb1 * (1.0 - 0.5 * s) * ex + 3.0 * kcphi * big_i
        dphimac = jac[..., ic, :] - dgamclm[..., None] * 0.5 * z2
        jac = jac + z[:, None] * dphimac[..., None, :]
    return ln_g, ln_aw, jac, dln_aw


def activity(molality, temperature, model) -> tuple[np.ndarray, np.ndarray]:
    """ln γ of every species and ln aw in one evaluation (the solver's inner-loop entry point).

    Parameters
    ----------
    molality : array_like (..., n_species)
        Species molalities. [mol kg⁻¹]
    temperature : array_like (...)
        Temperature; ignored when ``model`` is a :class:`PitzerAtT`. [K]
    model : PitzerModel or PitzerAtT
        Parameter set, or parameters already evaluated at the temperature (faster). [-]

    Returns
    -------
    ln_gamma : ndarray (..., n_species)
        Natural log of molal activity coefficients. [-]
    ln_aw : ndarray (...)
        Natural log of the water activity. [-]
    """
    ln_g, ln_aw, _, _ = _core(molality, _state(temperature, model), jacobian=False)
    return ln_g, ln_aw


def activity_and_jacobian(molality, temperature, model):
    """ln γ, ln aw and their analytic derivatives with respect to the molalities.

    Parameters
    ----------
    molality : array_like (..., n_species)
        Species molalities. [mol kg⁻¹]
    temperature : array_like (...)
        Temperature; ignored when ``model`` is a :class:`PitzerAtT`. [K]
    model : PitzerModel or PitzerAtT
        Parameter set or evaluated parameters. [-]

    Returns
    -------
    ln_gamma : ndarray (..., n)
        [-]
    ln_aw : ndarray (...)
        [-]
    dln_gamma_dm : ndarray (..., n, n)
        ∂ ln γ_i / ∂ m_k (axis −2: i, axis −1: k). [kg mol⁻¹]
    dln_aw_dm : ndarray (..., n)
        ∂ ln aw / ∂ m_k. [kg mol⁻¹]
    """
    return _core(molality, _state(temperature, model), jacobian=True)


def ln_activity_coefficients(molality, temperature, model) -> np.ndarray:
    """Natural log of the molal activity coefficients, shape (..., n_species). [-]

    Parameters
    ----------
    molality : array_like (..., n_species)
        Species molalities. [mol kg⁻¹]
    temperature : array_like (...)
        Temperature. [K]
    model : PitzerModel or PitzerAtT
        Parameter set. [-]
    """
    return activity(molality, temperature, model)[0]


def ln_water_activity(molality, temperature, model) -> np.ndarray:
    """Natural log of the water activity, shape (...). [-]

    Parameters
    ----------
    molality : array_like (..., n_species)
        Species molalities. [mol kg⁻¹]
    temperature : array_like (...)
        Temperature. [K]
    model : PitzerModel or PitzerAtT
        Parameter set. [-]
    """
    return activity(molality, temperature, model)[1]


def osmotic_coefficient(molality, temperature, model) -> np.ndarray:
    """Practical osmotic coefficient φ = −ln aw · 55.50837 / Σm, shape (...). [-]

    Parameters
    ----------
    molality : array_like (..., n_species)
        Species molalities (Σm > 0). [mol kg⁻¹]
    temperature : array_like (...)
        Temperature. [K]
    model : PitzerModel or PitzerAtT
        Parameter set. [-]
    """
    m = np.asarray(molality, dtype=float)
    return -ln_water_activity(m, temperature, model) * WATER_MOLALITY / m.sum(axis=-1)
