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
with a parameter set evaluated once per temperature by :meth:`PitzerModel.at` (memoised).
Batch many brines into one call: a single-brine call costs a few hundred microseconds of NumPy
overhead, a 10,000-brine call a few microseconds per brine (``benchmarks/bench_pitzer.py``).

Validity: the temperature functions are those of pitzer.dat, fitted for 0–200 °C (saltsim uses
0–50 °C); HMW-type parameters are tested to ionic strengths of ~20 mol/kg. The functions do not
flag extrapolation; the equilibrium solver flags results beyond I = 20 mol/kg or aw < 0.2.
Carbonate species are not modelled.
"""
from __future__ import annotations

import functools
import math
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
#: Ionic strength below which a brine is treated as pure water (all ionic terms < 1e-20, and
#: 1/I³ in the derivatives would overflow for subnormal molalities). [mol kg⁻¹]
_I_FLOOR = 1e-20
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
_POW_ROWS = [row[:, None] for row in _POW]  # rows as (6, 1) columns for the Horner loop
#: Arguments from which :func:`j_function` runs Horner's scheme (40 small operations) rather than
#: one product with the powers of t (whose cost grows faster with the number of arguments). On
#: the 2-core VM the product is ~2× faster up to ~300 arguments (100 brines: 250 vs 420 µs with
#: both derivatives) and as fast at 900; Horner is ~2.5× faster at 3,000. [-]
_HORNER_MIN_SIZE = 768


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
    if x.size < _HORNER_MIN_SIZE and x.min(initial=1.0) > 0.0:
        # all arguments positive and few (one brine, or a few dozen): when they all fall in one
        # branch, the branch's formulas alone (the same values as the masked selection)
        if low.all():
            return _j_one_branch(x, True, order)
        if not low.any():
            return _j_one_branch(x, False, order)
    pos = x > 0.0
    xs = np.where(pos, x, 1.0)  # placeholder where x == 0 (J(0) = 0 handled below)
    p2 = xs ** 0.2
    pm1 = xs ** -0.1
    t = np.where(low, 2.0 * p2 - 1.0, (20.0 * pm1 - 11.0) / 9.0)  # t = z/2
    if t.size < _HORNER_MIN_SIZE:  # few arguments: one product with the powers of t (fewer calls)
        powers = np.empty(t.shape + (_POW.shape[0],))
        powers[..., 0] = 1.0
        powers[..., 1:] = t[..., None]
        both = np.cumprod(powers, axis=-1) @ _POW  # (..., 6)
        return _j_from_sums(x, pos, low, p2, pm1, np.where(low[..., None], both[..., :3], both[..., 3:]),
                            order)
    # Horner in t, series-major (3, N) so that every operation runs over contiguous arguments;
    # the low and high sets each on their own arguments
    flat, low_flat = t.reshape(-1), low.reshape(-1)
    sums = np.empty((flat.size, 3))
    for columns, chosen in ((slice(0, 3), low_flat), (slice(3, 6), ~low_flat)):
        if not chosen.any():
            continue
        tc = flat[chosen]
        acc = np.empty((3, tc.size))
        acc[:] = _POW[-1, columns][:, None]
        for row in _POW_ROWS[-2::-1]:
            acc *= tc
            acc += row[columns]
        sums[chosen] = acc.T
    return _j_from_sums(x, pos, low, p2, pm1, sums.reshape(t.shape + (3,)), order)


def _j_one_branch(x, low: bool, order):
    """J, J1, J2 (by ``order``) for positive arguments all ≤ 1 (``low``) or all > 1."""
    if low:
        p = x ** 0.2
        t = 2.0 * p - 1.0
        pow_ = _POW[:, :3]
    else:
        p = x ** -0.1
        t = (20.0 * p - 11.0) / 9.0
        pow_ = _POW[:, 3:]
    powers = np.empty(t.shape + (_POW.shape[0],))
    powers[..., 0] = 1.0
    powers[..., 1:] = t[..., None]
    sums = np.cumprod(powers, axis=-1) @ pow_
    jay = x / 4.0 - 1.0 + sums[..., 0]
    if order == 0:
        return jay
    tz = 0.5 * sums[..., 1]
    xdz = 0.8 * p if low else -4.0 / 9.0 * p
    j1 = x / 4.0 + xdz * tz
    if order == 1:
        return jay, j1
    tzz = 0.25 * sums[..., 2]
    x2dzz = 0.16 * p if low else 0.4 / 9.0 * p
    return jay, j1, x / 4.0 + x2dzz * tz + xdz * xdz * tzz


def _j_from_sums(x, pos, low, p2, pm1, sums, order):
    """J, J1, J2 (by ``order``) from the Chebyshev sums and their t-derivatives (..., 3)."""
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


def _g_gp_exp(x):
    """(g(x), g'(x), e^{−x}) sharing one exponential; Taylor series (to x⁴) below x = 0.01. [-]

    g(x) = 2[1 − (1 + x) e^{−x}]/x² and g'(x) = −2[1 − (1 + x + x²/2) e^{−x}]/x² (Pitzer's
    notation for the function that gives B' = β1 g'(α√I)/I) [HMW1984].
    """
    e = np.exp(-x)
    small = x <= _SERIES_X
    if not small.any():  # common case: skip the series branch entirely
        inv2 = 1.0 / (x * x)
        g = 2.0 * (1.0 - (1.0 + x) * e) * inv2
        gp = -2.0 * (1.0 - (1.0 + x + 0.5 * x * x) * e) * inv2
        return g, gp, e
    xs = np.where(small, 1.0, x)
    es = np.where(small, 1.0, e)
    inv2 = 1.0 / (xs * xs)
    g = np.where(small, 1.0 - 2.0 * x / 3.0 + x * x / 4.0 - x ** 3 / 15.0 + x ** 4 / 72.0,
                 2.0 * (1.0 - (1.0 + xs) * es) * inv2)
    gp = np.where(small, -x / 3.0 + x * x / 4.0 - x ** 3 / 10.0 + x ** 4 / 36.0,
                  -2.0 * (1.0 - (1.0 + xs + 0.5 * xs * xs) * es) * inv2)
    return g, gp, e


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


#: Multiply-adds per block of :func:`_scatter`'s products: OpenBLAS runs a product of more than
#: 65536·4 multiply-adds on several threads, which cost 5–20× the CPU on the shared 2-core VM.
_BLAS_SINGLE_THREAD_SIZE = 200_000


def _plan(targets: np.ndarray, n_out: int, sources=None, weights=None) -> tuple:
    """Precomputed plan to sum columns of an array onto ``n_out`` targets (see :func:`_scatter`).

    Column ``sources[k]`` (default ``k``) is added, times ``weights[k]`` (default 1), to target
    ``targets[k]``; a column may feed several targets. The plan is the (columns × used targets)
    matrix of these weights.
    """
    targets = np.asarray(targets, dtype=np.intp)
    sources = np.arange(len(targets)) if sources is None else np.asarray(sources, dtype=np.intp)
    weights = np.ones(len(targets)) if weights is None else np.asarray(weights, dtype=float)
    uniq = np.unique(targets)
    matrix = np.zeros((int(sources.max(initial=-1)) + 1, len(uniq)))
    np.add.at(matrix, (sources, np.searchsorted(uniq, targets)), weights)
    rows = max(64, _BLAS_SINGLE_THREAD_SIZE // max(1, matrix.size))
    return matrix, uniq, n_out, rows


def _scatter(g: np.ndarray, plan: tuple, used_only: bool = False) -> np.ndarray:
    """out[..., t] = Σ w g[..., j] over the columns j whose target is t (see :func:`_plan`).

    One product with the plan's 0/1 matrix, by row blocks small enough for OpenBLAS to stay on
    one thread (~4× faster than a ``reduceat`` on these short rows). ``used_only`` returns only
    the targets that receive a column (``plan[1]``).
    """
    matrix, uniq, n_out, rows = plan
    lead = g.shape[:-1]
    if matrix.shape[0] == 0:
        return np.zeros(lead + ((len(uniq),) if used_only else (n_out,)))
    flat = g.reshape(-1, g.shape[-1])
    if len(flat) <= rows:  # one block: a single product
        red = flat @ matrix
    else:
        red = np.empty((len(flat), matrix.shape[1]))
        for lo in range(0, len(flat), rows):
            np.matmul(flat[lo:lo + rows], matrix, out=red[lo:lo + rows])
    red = red.reshape(lead + (matrix.shape[1],))
    if used_only or len(uniq) == n_out:
        return red
    out = np.zeros(lead + (n_out,))
    out[..., uniq] = red
    return out


@dataclass(frozen=True, eq=False)
class PitzerAtT:
    """Pitzer parameters evaluated at given temperature(s); leading shape = temperature shape.

    Built by :meth:`PitzerModel.at` (memoised for repeated temperature arrays); pass it as the
    ``model`` argument of :func:`activity` in solver loops. Parameters are stored per interaction
    (see :class:`PitzerModel` for the pair and triplet lists).

    Attributes
    ----------
    temperature : ndarray (...)
        Temperature. [K]
    a_phi : ndarray (...)
        Debye–Hückel osmotic slope. [kg^½ mol^-½]
    beta0, beta1, beta2 : ndarray (..., n_pairs)
        β0, β1, β2 of each cation–anion pair. [kg mol⁻¹]
    c : ndarray (..., n_pairs)
        C = Cφ / (2 √|z_M z_X|) of each cation–anion pair. [kg² mol⁻²]
    theta : ndarray (..., n_mix)
        θ of each same-sign pair. [kg mol⁻¹]
    psi : ndarray (..., n_triplets)
        ψ (or ζ) of each triplet. [kg² mol⁻²]
    lam : ndarray (..., n_lambda)
        λ of each neutral pair, halved for a neutral with itself (PHREEQC's convention). [kg mol⁻¹]
    kcl : ndarray (..., 3)
        β0, β1, Cφ of KCl for the MacInnes convention (zeros if not used). [-]
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
    lam: np.ndarray
    kcl: np.ndarray

    @functools.cached_property
    def alpha_weights(self) -> np.ndarray:
        """β1 and β2 of each pair placed at its α1 and α2 in the model's list of distinct α.

        Shape (..., n_alpha, n_pairs): for f evaluated at each distinct α √I, f @ alpha_weights
        is β1 f(α1 √I) + β2 f(α2 √I) of every pair. [kg mol⁻¹]
        """
        d = self.model._derived
        rows = np.arange(len(d["alphas"]))[:, None]
        return (self.beta1[..., None, :] * (d["a1"] == rows)
                + self.beta2[..., None, :] * (d["a2"] == rows))


#: Largest temperature array (elements) whose evaluated parameters :meth:`PitzerModel.at` memoises
#: (~0.8 kB of parameters per temperature: at most ~6 MB per entry).
_AT_CACHE_MAX_SIZE = 8192
#: Number of memoised temperature arrays per model.
_AT_CACHE_ENTRIES = 4


@dataclass(frozen=True, eq=False)
class PitzerModel:
    """Pitzer parameter set as coefficient arrays of the pitzer.dat temperature form.

    The dense arrays below are the reviewed data in matrix form; computations use the derived
    interaction lists (cation–anion pairs, same-sign pairs, triplets), so that every sum is a
    small matrix product.

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
        Coefficients of ψ (ion triplets) and ζ (neutral–cation–anion), fully symmetric. [-]
    lam : ndarray (6, n, n)
        Coefficients of λ (neutral–ion and neutral–neutral), symmetric. [-]
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
    lam: np.ndarray
    macinnes: bool = True

    @functools.cached_property
    def _derived(self) -> dict:
        z = self.species.charge
        n = len(z)
        cat = np.flatnonzero(z > 0)
        an = np.flatnonzero(z < 0)
        # cation–anion pairs
        pc, pa = (g.ravel() for g in np.meshgrid(cat, an, indexing="ij"))
        # same-sign pairs i < j
        mix = [(i, j) for i in range(n) for j in range(i + 1, n) if z[i] * z[j] > 0]
        qi = np.array([p[0] for p in mix], dtype=np.intp)
        qj = np.array([p[1] for p in mix], dtype=np.intp)
        # triplets i < j < k with any ψ coefficient
        trip = [(i, j, k) for i in range(n) for j in range(i + 1, n) for k in range(j + 1, n)
                if np.any(self.psi[:, i, j, k] != 0.0)]
        ti, tj, tk = (np.array([t[r] for t in trip], dtype=np.intp) for r in range(3))
        # λ pairs i ≤ j (at least one neutral) with any coefficient
        lam_pairs = [(i, j) for i in range(n) for j in range(i, n) if np.any(self.lam[:, i, j] != 0.0)]
        li = np.array([p[0] for p in lam_pairs], dtype=np.intp)
        lj = np.array([p[1] for p in lam_pairs], dtype=np.intp)
        lam_scale = np.where(li == lj, 0.5, 1.0)
        zz_q = z[qi] * z[qj]
        unsym = np.abs(z[qi]) != np.abs(z[qj])
        prods = np.unique(np.concatenate([np.abs(zz_q[unsym]), z * z]))
        alphas, inverse = np.unique(np.concatenate([self.alpha1[pc, pa], self.alpha2[pc, pa]]),
                                    return_inverse=True)
        n_p = len(pc)

        n_q = len(qi)
        j_weights = np.zeros((len(prods), n_q))  # S_J = J(x_ij) − J(x_ii)/2 − J(x_jj)/2, per pair
        q_ij = np.searchsorted(prods, np.abs(zz_q))
        q_ii, q_jj = np.searchsorted(prods, z[qi] ** 2), np.searchsorted(prods, z[qj] ** 2)
        np.add.at(j_weights, (q_ij, np.arange(n_q)), 1.0)
        np.add.at(j_weights, (q_ii, np.arange(n_q)), -0.5)
        np.add.at(j_weights, (q_jj, np.arange(n_q)), -0.5)
        j_weights *= unsym  # only pairs of different |z| have E-theta
        gather = np.concatenate([pc, pa, qi, qj, ti, tj, tk, li, lj])
        ends = np.cumsum([len(pc), len(pa), len(qi), len(qj), len(ti), len(tj), len(tk), len(li), len(lj)])
        cuts = tuple(slice(int(lo), int(hi)) for lo, hi in zip(np.concatenate([[0], ends[:-1]]), ends))
        alpha_two = np.flatnonzero(alphas == 2.0)
        kcl = -1
        if "K+" in self.species.ids and "Cl-" in self.species.ids:
            ik, ic = self.species.index("K+"), self.species.index("Cl-")
            kcl = int(np.flatnonzero((pc == ik) & (pa == ic))[0])
        ic = self.species.index("Cl-") if "Cl-" in self.species.ids else -1
        return {
            "z": z, "z2": z * z, "az": np.abs(z), "pc": pc, "pa": pa, "qi": qi, "qj": qj,
            "ti": ti, "tj": tj, "tk": tk, "zz_q": zz_q, "unsym": unsym, "prods": prods,
            "j_weights": j_weights, "gather": gather, "cuts": cuts,
            "sums": np.stack([z * z, np.abs(z), np.ones(n)], axis=-1),
            "alpha_two": int(alpha_two[0]) if len(alpha_two) else -1,
            "c_scale": 1.0 / (2.0 * np.sqrt(np.abs(z[pc] * z[pa]))),
            "alphas": alphas, "a1": inverse[:n_p], "a2": inverse[n_p:],
            # scatter plans: interaction terms summed back onto species (or species pairs)
            "e_all": _plan(np.concatenate([pc, pa, qi, qj, ti, tj, tk, li, lj]), n),
            "e_pair": _plan(np.concatenate([pc, pa]), n), "e_mix": _plan(np.concatenate([qi, qj]), n),
            # Jacobian cells: pair and same-sign-pair cells are distinct (added directly);
            # triplet and λ terms are summed onto cells (their product with m also gives the
            # triplet and λ sums of the osmotic derivative).
            "s_direct": np.concatenate([pc * n + pa, pa * n + pc, qi * n + qj, qj * n + qi]),
            # columns [ψ m_k, ψ m_j, ψ m_i, λ] of each triplet (i, j, k) / λ pair (i, j)
            "s_rest": _plan(np.concatenate([ti * n + tj, tj * n + ti, ti * n + tk, tk * n + ti,
                                            tj * n + tk, tk * n + tj, li * n + lj, lj * n + li]), n * n,
                            sources=np.concatenate([np.tile(np.arange(len(ti)), 2),
                                                    len(ti) + np.tile(np.arange(len(ti)), 2),
                                                    2 * len(ti) + np.tile(np.arange(len(ti)), 2),
                                                    3 * len(ti) + np.tile(np.arange(len(li)), 2)]),
                            weights=np.concatenate([np.ones(6 * len(ti)), np.full(2 * len(li), 2.0)])),
            "kcl": kcl, "ic": ic,
            "coef": {
                "beta0": self.beta0[:, pc, pa], "beta1": self.beta1[:, pc, pa],
                "beta2": self.beta2[:, pc, pa], "c_phi": self.c_phi[:, pc, pa],
                "theta": self.theta[:, qi, qj], "psi": self.psi[:, ti, tj, tk],
                "lam": self.lam[:, li, lj] * lam_scale,
            },
        }

    def subset(self, species) -> "PitzerModel":
        """The model restricted to the given species (positions, in model order).

        For molalities that are zero in every left-out species the result is the same: every
        term that couples a species to a left-out one carries the left-out molality as a factor,
        so ln γ, ln aw and their derivatives of the kept species are unchanged (up to the order
        of summation), and the interaction lists are shorter. The MacInnes convention needs K+
        and Cl- among the kept species to stay the same.

        Parameters
        ----------
        species : array_like of int
            Positions of the kept species in :attr:`species` order (increasing). [-]
        """
        keep = np.asarray(species, dtype=np.intp)
        sp = self.species
        sub_species = SpeciesSet(ids=tuple(sp.ids[i] for i in keep), charge=np.asarray(sp.charge)[keep],
                                 molar_mass=np.asarray(sp.molar_mass)[keep],
                                 component=tuple(sp.component[i] for i in keep))
        pair = np.ix_(keep, keep)
        arrays = {name: getattr(self, name)[(slice(None),) + pair]
                  for name in ("beta0", "beta1", "beta2", "c_phi", "theta", "lam")}
        arrays["psi"] = self.psi[(slice(None),) + np.ix_(keep, keep, keep)]
        arrays["alpha1"], arrays["alpha2"] = self.alpha1[pair], self.alpha2[pair]
        for arr in arrays.values():
            arr.flags.writeable = False
        return PitzerModel(species=sub_species, macinnes=self.macinnes, **arrays)

    @functools.cached_property
    def _at_cache(self) -> dict:
        return {}

    def at(self, temperature) -> PitzerAtT:
        """Evaluate every parameter at ``temperature`` (…) [K]; reuse the result in loops.

        Results for temperature arrays of up to 8,192 elements are memoised (the last four
        distinct arrays), so repeated calls with the same temperatures cost a dictionary lookup.
        """
        t = np.asarray(temperature, dtype=float)
        key = None
        if t.size <= _AT_CACHE_MAX_SIZE:
            key = (t.shape, t.tobytes())
            hit = self._at_cache.get(key)
            if hit is not None:
                return hit
        d = self._derived
        f = _temperature_basis(t)
        ev = {name: np.einsum("...k,kp->...p", f, coef) for name, coef in d["coef"].items()}
        if self.macinnes and d["kcl"] >= 0:
            k = d["kcl"]
            kcl = np.stack([ev["beta0"][..., k], ev["beta1"][..., k], ev["c_phi"][..., k]], axis=-1)
        else:
            kcl = np.zeros(t.shape + (3,))
        st = PitzerAtT(model=self, temperature=t, a_phi=debye_huckel_aphi(t), beta0=ev["beta0"],
                       beta1=ev["beta1"], beta2=ev["beta2"], c=ev["c_phi"] * d["c_scale"],
                       theta=ev["theta"], psi=ev["psi"], lam=ev["lam"], kcl=kcl)
        if key is not None:
            if len(self._at_cache) >= _AT_CACHE_ENTRIES:
                self._at_cache.pop(next(iter(self._at_cache)))
            self._at_cache[key] = st
        return st


@functools.lru_cache(maxsize=None)
def load_pitzer_model(macinnes: bool = True, carbonate: bool = False) -> PitzerModel:
    """Build the model from ``saltsim/data/chemistry/pitzer_*.csv`` once (cached).

    Rows whose species are not all in the species set are skipped, so the same files serve the
    major-ion set and the carbonate set.

    Parameters
    ----------
    macinnes : bool
        Individual activity coefficients in the MacInnes convention (PHREEQC default). [-]
    carbonate : bool
        Include H+, OH−, HCO3−, CO3²⁻, CO2, MgCO3, MgOH+, HSO4− (see :func:`load_species`). [-]
    """
    sp = load_species("carbonate" if carbonate else "major")
    n = sp.n
    known = set(sp.ids)
    coef_cols = [f"a{k}" for k in range(6)]

    def rows(name, columns):
        for r in read_data_csv(name):
            if all(r[c] in known for c in columns):
                yield r, [sp.index(r[c]) for c in columns], np.array([float(r[c]) for c in coef_cols])

    binary = {k: np.zeros((6, n, n)) for k in ("beta0", "beta1", "beta2", "c_phi")}
    for r, (i, j), a in rows("pitzer_binary.csv", ("cation", "anion")):
        binary[r["parameter"]][:, i, j] = a
        binary[r["parameter"]][:, j, i] = a
    alpha1 = np.full((n, n), 2.0)
    alpha2 = np.full((n, n), 12.0)
    for r in read_data_csv("pitzer_alpha.csv"):
        if r["cation"] in known and r["anion"] in known:
            i, j = sp.index(r["cation"]), sp.index(r["anion"])
            alpha1[i, j] = alpha1[j, i] = float(r["alpha1"])
            alpha2[i, j] = alpha2[j, i] = float(r["alpha2"])
    theta = np.zeros((6, n, n))
    for _, (i, j), a in rows("pitzer_theta.csv", ("species1", "species2")):
        theta[:, i, j] = theta[:, j, i] = a
    lam = np.zeros((6, n, n))
    for _, (i, j), a in rows("pitzer_lambda.csv", ("species1", "species2")):
        lam[:, i, j] = lam[:, j, i] = a
    psi = np.zeros((6, n, n, n))  # ψ (ion triplets) and ζ (neutral–cation–anion) share one form
    for name in ("pitzer_psi.csv", "pitzer_zeta.csv"):
        for _, (i, j, k), a in rows(name, ("species1", "species2", "species3")):
            for p in {(i, j, k), (i, k, j), (j, i, k), (j, k, i), (k, i, j), (k, j, i)}:
                psi[(slice(None),) + p] = a
    arrays = dict(binary, alpha1=alpha1, alpha2=alpha2, theta=theta, psi=psi, lam=lam)
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


def _einsum_dot(a, b):
    return np.einsum("...i,...i->...", a, b)


def _einsum_matvec(a, v):
    return np.einsum("...ij,...j->...i", a, v)


#: Σ a b over the last axis: ``np.vecdot`` (a ufunc: no einsum subscript parsing; ~2× faster than
#: einsum for one brine, ~3× faster than ``np.sum(a * b, axis=-1)`` on short rows); einsum on
#: NumPy < 2.0.
_dot = getattr(np, "vecdot", _einsum_dot)
#: Matrix–vector products over leading axes (``np.matvec`` from NumPy 2.2, else einsum).
_matvec = getattr(np, "matvec", _einsum_matvec)


def _core(m, st: PitzerAtT, jacobian: bool):
    """Shared evaluation of ln γ, ln aw and (optionally) their molality derivatives.

    Sums run over interaction lists: p = cation–anion pairs (c, a), q = same-sign pairs (i, j),
    t = triplets; each sum back onto species is one :func:`_scatter`.
    """
    d = st.model._derived
    z, z2, az = d["z"], d["z2"], d["az"]
    m = np.asarray(m, dtype=float)
    n = len(z)
    sums = m @ d["sums"]  # (..., 3): Σ m z², Σ m |z|, Σ m in one product
    big_i = 0.5 * sums[..., 0]
    big_z = sums[..., 1]
    sum_m = sums[..., 2]
    pos = big_i > _I_FLOOR  # below the floor the brine is treated as pure water
    all_pos = bool(pos.all())  # the common case: no pure water, no masked selections
    i_s = big_i if all_pos else np.where(pos, big_i, 1.0)
    s = np.sqrt(big_i if all_pos else np.where(pos, big_i, 0.0))
    a_phi = st.a_phi
    b = PITZER_B
    ibs = 1.0 / (1.0 + b * s)
    f_dh = -a_phi * (s * ibs + 2.0 / b * np.log1p(b * s))
    osm_dh = -a_phi * big_i * s * ibs
    ii = i_s[..., None]

    # cation–anion pairs: B, B', Bφ (g, g', e^{−x} once per distinct α)
    xu = s[..., None] * d["alphas"]
    gu, gpu, eu = _g_gp_exp(xu)
    a1, a2 = d["a1"], d["a2"]
    small = m.ndim == 1 or (m.ndim == 2 and len(m) <= _SMALL_BATCH)
    if small:
        # β1 f(α1 √I) + β2 f(α2 √I) of every pair for f = g, g', e^{−x} (and the two functions of
        # the derivatives) as one product with the pairs' α weights (fewer, larger operations)
        funcs = np.empty(xu.shape[:-1] + (5 if jacobian else 3, xu.shape[-1]))
        funcs[..., 0, :], funcs[..., 1, :], funcs[..., 2, :] = gu, gpu, eu
        if jacobian:
            funcs[..., 3, :] = -0.5 * xu * eu - 2.0 * gpu
            funcs[..., 4, :] = eu * xu
        fsum = funcs @ st.alpha_weights  # (..., 3 or 5, n_pairs)
        bmat = st.beta0 + fsum[..., 0, :]
        bprime = fsum[..., 1, :] / ii
        bphi = st.beta0 + fsum[..., 2, :]
    else:
        bmat = st.beta0 + st.beta1 * gu[..., a1] + st.beta2 * gu[..., a2]
        bprime = (st.beta1 * gpu[..., a1] + st.beta2 * gpu[..., a2]) / ii
        bphi = st.beta0 + st.beta1 * eu[..., a1] + st.beta2 * eu[..., a2]
    mg = m[..., d["gather"]]
    mc, ma, mi, mj, mti, mtj, mtk, mli, mlj = (mg[..., cut] for cut in d["cuts"])  # views
    mm = mc * ma
    c = st.c

    # same-sign pairs: θ + Eθ (only pairs of different |z| have Eθ)
    jres = j_function(6.0 * a_phi[..., None] * s[..., None] * d["prods"], order=2 if jacobian else 1)
    jv, j1 = jres[0], jres[1]
    zz, jw = d["zz_q"], d["j_weights"]  # jw is zero for pairs of equal |z| (no E-theta)
    s_j = jv @ jw
    s_j1 = j1 @ jw
    et = zz * s_j / (4.0 * ii)
    etp = zz * s_j1 / (8.0 * ii * ii) - et / ii
    mq = mi * mj
    phi = st.theta + et

    psi = st.psi  # triplets
    lam = st.lam  # neutral pairs (λ already halved for a species with itself)

    f_big = f_dh + _dot(mm, bprime) + _dot(mq, etp)
    csum = _dot(mm, c)
    w = 2.0 * bmat + big_z[..., None] * c
    gathered = np.concatenate([w * ma, w * mc, 2.0 * phi * mj, 2.0 * phi * mi,
                               psi * mtj * mtk, psi * mti * mtk, psi * mti * mtj,
                               2.0 * lam * mlj, 2.0 * lam * mli], axis=-1)
    ln_g = z2 * f_big[..., None] + az * csum[..., None] + _scatter(gathered, d["e_all"])

    psi_mmm = _dot(psi * mti, mtj * mtk)
    mix_phi = st.theta + et + ii * etp
    bphi_c = bphi + big_z[..., None] * c
    osm = (osm_dh + _dot(mm, bphi_c)
           + _dot(mq, mix_phi) + psi_mmm + _dot(lam * mli, mlj))
    ln_aw = -(sum_m + 2.0 * osm) / WATER_MOLALITY

    # MacInnes convention: ln γ(Cl⁻) := ln γ±(KCl) at the same I
    macinnes = st.model.macinnes and d["kcl"] >= 0 and d["ic"] >= 0
    if macinnes:
        kb0, kb1, kcphi = st.kcl[..., 0], st.kcl[..., 1], st.kcl[..., 2]
        # 4(1 − (1 + x − x²/2) e^{−x})/x² = 2 (g(x) + e^{−x}) at x = 2√I (α = 2 is in the pair list)
        k2 = d["alpha_two"]
        g2s, _, e2s = (gu[..., k2], None, eu[..., k2]) if k2 >= 0 else _g_gp_exp(2.0 * s)
        hk = 2.0 * (g2s + e2s)
        gamclm = f_dh + 2.0 * big_i * kb0 + 0.5 * big_i * kb1 * hk + 1.5 * kcphi * big_i * big_i
        phimac = ln_g[..., d["ic"]] - gamclm
        ln_g = ln_g + z * phimac[..., None]
    if not jacobian:
        return ln_g, ln_aw, None, None

    # ---- analytic derivatives with respect to molality ----
    shape = m.shape[:-1]
    if all_pos:
        dfdh_di = -a_phi * (ibs * ibs + 2.0 * ibs) / (2.0 * s)
    else:
        safe_s = np.where(pos, s, 1.0)
        dfdh_di = np.where(pos, -a_phi * (ibs * ibs + 2.0 * ibs) / (2.0 * safe_s), 0.0)
    if small:
        dbprime = fsum[..., 3, :] / (ii * ii)
        dbphi = fsum[..., 4, :] / (-2.0 * ii)
    else:
        x1, x2 = xu[..., a1], xu[..., a2]
        e1, e2 = eu[..., a1], eu[..., a2]
        dbprime = (st.beta1 * (-0.5 * x1 * e1 - 2.0 * gpu[..., a1])
                   + st.beta2 * (-0.5 * x2 * e2 - 2.0 * gpu[..., a2])) / (ii * ii)
        dbphi = -(st.beta1 * e1 * x1 + st.beta2 * e2 * x2) / (2.0 * ii)
    j2 = jres[2]
    s_j2 = j2 @ jw
    detp = zz * (s_j2 / (16.0 * ii ** 3) - s_j1 / (4.0 * ii ** 3)) - (etp / ii - et / (ii * ii))
    e_pair, e_mix = d["e_pair"], d["e_mix"]
    # Σ over partners of B' m, C m, (Bφ + Z C) m (pairs) and Eθ' m, (θ + Eθ + I Eθ') m (same-sign
    # pairs): one sum each for all pair terms and all same-sign terms
    pair_f = np.empty(bprime.shape[:-1] + (3, bprime.shape[-1]))
    pair_f[..., 0, :] = bprime
    pair_f[..., 1, :] = c
    pair_f[..., 2, :] = bphi_c
    uvy = _scatter(np.concatenate([pair_f * ma[..., None, :], pair_f * mc[..., None, :]], axis=-1), e_pair)
    u, v, y = uvy[..., 0, :], uvy[..., 1, :], uvy[..., 2, :]
    mix_f = np.empty(etp.shape[:-1] + (2, etp.shape[-1]))
    mix_f[..., 0, :] = etp
    mix_f[..., 1, :] = mix_phi
    wxm = _scatter(np.concatenate([mix_f * mj[..., None, :], mix_f * mi[..., None, :]], axis=-1), e_mix)
    wv, xm = wxm[..., 0, :], wxm[..., 1, :]
    coef_z2 = 0.5 * dfdh_di + 0.5 * (_dot(mm, dbprime) + _dot(mq, detp))
    dfbig = coef_z2[..., None] * z2 + u + wv                           # (..., k)
    pk, pj, pi_ = psi * mtk, psi * mtj, psi * mti
    lam_b = lam if lam.shape == mli.shape else lam + np.zeros(mli.shape)  # λ with the batch shape
    # triplet and λ cells: rest[i, j] = Σ_k ψ_ijk m_k + 2 λ_ij
    rest = np.zeros(shape + (n * n,))
    uniq = d["s_rest"][1]
    if len(uniq):
        rest[..., uniq] = _scatter(np.concatenate([pk, pj, pi_, lam_b], axis=-1), d["s_rest"], used_only=True)
    rest = rest.reshape(shape + (n, n))
    sym = rest.copy()
    sym.reshape(shape + (n * n,))[..., d["s_direct"]] += np.concatenate([w, w, 2.0 * phi, 2.0 * phi], axis=-1)
    # the rank-one terms z2 ⊗ dfbig + az ⊗ v + (u + wv) ⊗ z2 + v ⊗ az, added in place
    uw = u + wv
    jac = sym
    jac += z2[:, None] * dfbig[..., None, :]
    jac += az[:, None] * v[..., None, :]
    jac += uw[..., :, None] * z2
    jac += v[..., :, None] * az
    # osmotic sum
    dosm_dh = -a_phi * (1.5 * s * ibs - 0.5 * b * big_i * ibs * ibs)
    dmix_phi = 2.0 * etp + ii * detp
    # Σ over triplets (i, j, k) of ψ m_j m_k and Σ_j λ_ij m_j: ½ rest · m (each triplet twice)
    psi_lam = 0.5 * _matvec(rest, m)
    coef_osm = 0.5 * dosm_dh + 0.5 * (_dot(mm, dbphi) + _dot(mq, dmix_phi))
    dosm = coef_osm[..., None] * z2 + csum[..., None] * az + y + xm + psi_lam
    dln_aw = -(1.0 + 2.0 * dosm) / WATER_MOLALITY
    if macinnes:
        # jac += z ⊗ (jac[ic] − ½ dγ_KCl/dI z2)
        ic = d["ic"]
        dgamclm = dfdh_di + 2.0 * kb0 + 2.0 * kb1 * (1.0 - 0.5 * s) * e2s + 3.0 * kcphi * big_i
        dphimac = jac[..., ic, :] - dgamclm[..., None] * 0.5 * z2
        jac += z[:, None] * dphimac[..., None, :]
    return ln_g, ln_aw, jac, dln_aw


#: Largest number of brines for which :func:`_core` sums the β1/β2 terms of all pairs by one
#: product with :attr:`PitzerAtT.alpha_weights` (fewer operations; with per-brine temperatures a
#: batched product of small matrices, slower than the elementwise terms for many brines). [-]
_SMALL_BATCH = 64

#: Brines per block in :func:`_blocked`: the working arrays of a 1024-brine block stay in cache;
#: on the 2-core VM this cut the CPU time of a 10,000-brine call from ~75 to ~45 ms.
_BLOCK = 1024


def _blocked(m, st: PitzerAtT, jacobian: bool):
    """Run :func:`_core` over blocks of brines (cache blocking); same results as one call."""
    m = np.asarray(m, dtype=float)
    lead = m.shape[:-1]
    n_total = math.prod(lead)
    t_shape = st.temperature.shape
    if n_total <= _BLOCK or np.broadcast_shapes(lead, t_shape) != lead:
        return _core(m, st, jacobian)
    n = m.shape[-1]
    flat = m.reshape(n_total, n)
    per_brine = st.temperature.ndim > 0

    def cut(arr, extra):
        return np.broadcast_to(arr, lead + extra).reshape((n_total,) + extra)

    if per_brine:
        fields = {name: cut(getattr(st, name), getattr(st, name).shape[len(t_shape):])
                  for name in ("temperature", "a_phi", "beta0", "beta1", "beta2", "c", "theta", "psi", "lam",
                             "kcl")}
    ln_g = np.empty((n_total, n))
    ln_aw = np.empty(n_total)
    jac = np.empty((n_total, n, n)) if jacobian else None
    daw = np.empty((n_total, n)) if jacobian else None
    for lo in range(0, n_total, _BLOCK):
        hi = min(lo + _BLOCK, n_total)
        block = PitzerAtT(model=st.model, **{k: v[lo:hi] for k, v in fields.items()}) if per_brine else st
        out = _core(flat[lo:hi], block, jacobian)
        ln_g[lo:hi], ln_aw[lo:hi] = out[0], out[1]
        if jacobian:
            jac[lo:hi], daw[lo:hi] = out[2], out[3]
    ln_g, ln_aw = ln_g.reshape(lead + (n,)), ln_aw.reshape(lead)
    if jacobian:
        return ln_g, ln_aw, jac.reshape(lead + (n, n)), daw.reshape(lead + (n,))
    return ln_g, ln_aw, None, None


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
    ln_g, ln_aw, _, _ = _blocked(molality, _state(temperature, model), jacobian=False)
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
    return _blocked(molality, _state(temperature, model), jacobian=True)


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
    """Practical osmotic coefficient φ = −ln aw · 55.50837 / Σm, shape (...); 1 for pure water. [-]

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
    total = m.sum(axis=-1)
    phi = -ln_water_activity(m, temperature, model) * WATER_MOLALITY / np.where(total > 0.0, total, 1.0)
    return np.where(total > 0.0, phi, 1.0)
