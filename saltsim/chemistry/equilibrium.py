"""Brine–mineral equilibrium: stable assemblage, amounts and brine properties.

Given the amounts of the solute components (``constants.SOLUTES``), the water mass and the
temperature of many independent systems, find for each the set of minerals in equilibrium with
the brine, the amount of each, and the brine's molalities, water activity, osmotic coefficient,
ionic strength, density and Baumé degrees.

Method
------
The unknowns are the amounts ``p_j`` of the minerals present. Mass balance is explicit:

(1) n_e = N_e − Σ_j S_je p_j                      dissolved amount of component e [mol]
(2) W = W0 − M_w Σ_j h_j p_j                      water left in solution (hydrate water taken) [kg]

so it holds to rounding for every iterate. The equations are the mass-action laws of the
minerals present:

(3) r_j = Σ_s ν_js ln(γ_s m_s) + h_j ln a_w − ln K_j(T) = 0          (j present)

solved by a damped, projected Newton method (amounts ≥ 0; a backtracking line search on the
max residual) whose Jacobian is analytic: d ln m / d p from (1)–(2) and the Pitzer model's own
derivatives with respect to the molalities (forward differences, all perturbations in one call,
when a model has none). The linear systems are compressed to each brine's present minerals; the
Newton steps, their damped updates and the iterations of the linearised starts (below) are
compiled loops over the brines (numba, as the pond kernel: D45, D39 (8)).

The assemblage is found by an active-set strategy: after each converged Newton solve, a mineral
with negative amount is dropped (the most negative), otherwise the absent mineral most
supersaturated per formula ion is added (already during the Newton iterations when it is far
more supersaturated than the present minerals' residuals). A candidate whose solutes are a
combination of the present minerals' (glauberite = thenardite + anhydrite; gypsum beside
anhydrite) replaces the present mineral that the exchange exhausts first (a simplex ratio
test), so the Gibbs phase rule is respected and the Jacobian stays regular; a hydrate that
returns right after such an exchange enters beside the other (a water-activity buffer). Each
brine carries its own active set; all brines iterate together in one loop (one activity
evaluation per pass for every pending brine, whatever its stage). Safeguards for hard cases: a
brine whose warm start traps Newton restarts cold, then is solved by continuation in the water
(an evaporation path from a dilute state); a mineral rejected twice enters in exchange for a
present one chosen by a feasible Newton step; a brine still cycling has all subsets of the
minerals it visited solved at once and the valid one of least Gibbs energy kept.

Large cold batches start from solved neighbours: one brine in 16 is solved first (recursively;
the first few dozen along an evaporation ladder), and every other brine starts from its nearest
seed (k-d tree) by the lever rule at the seed's brine composition, refined (amounts and
assemblage) on the activity model linearised at the seed (in the molalities, and to first order
in the temperature), which costs no activity evaluation; predicted brines without any mineral
that nothing saturates are finished by one evaluation without Jacobian. Species that no mineral
contains and that a batch lacks (Br, Li) are left out of the activity model for that solve.

Convergence is judged on the residual (3) (``RESIDUAL_TOLERANCE``) and on every absent mineral
being undersaturated (``SUPERSATURATION_TOLERANCE``); otherwise :class:`ConvergenceError` is
raised with the state. Results outside the activity model's validity (``I > 20 mol/kg`` or
``a_w < 0.2``) are flagged ``valid = False`` with a :class:`ValidityWarning`.

References
----------
[HMW84] C. E. Harvie, N. Møller and J. H. Weare, "The prediction of mineral solubilities in
        natural waters: the Na-K-Mg-Ca-H-Cl-SO4-OH-HCO3-CO3-CO2-H2O system to high ionic
        strengths at 25 °C," Geochim. Cosmochim. Acta 48, 723–751, 1984,
        doi:10.1016/0016-7037(84)90098-X.
[PA13]  D. L. Parkhurst and C. A. J. Appelo, "Description of input and examples for PHREEQC
        version 3," USGS Techniques and Methods 6-A43, 2013 (the reference code's approach:
        Newton–Raphson on mass-action and mass-balance equations with phase add/drop).
"""
from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass

import numpy as np
from numba import njit

from ..constants import MOLAR_MASS, SOLUTES
from ..errors import ConvergenceError
from .density import baume, solution_density

__all__ = [
    "EquilibriumState",
    "ValidityWarning",
    "solve_equilibrium",
    "chemical_system",
    "ChemicalSystem",
    "RESIDUAL_TOLERANCE",
    "SUPERSATURATION_TOLERANCE",
    "MAX_IONIC_STRENGTH",
    "MIN_WATER_ACTIVITY",
]

#: Newton converges when every present mineral's |ln IAP − ln K| is below this. The Pitzer sums
#: at I ≈ 40 mol/kg (transient states of cold starts) carry rounding of a few 1e-9; 1e-8 in ln K
#: is 4e-9 in SI, far below the model's own accuracy (~1e-3). [-]
RESIDUAL_TOLERANCE = 1e-8
#: An absent mineral counts as supersaturated (and is added) above this ln(IAP/K). Above the
#: residual tolerance so that a mineral just dropped is not re-added by rounding. [-]
SUPERSATURATION_TOLERANCE = 1e-7
#: A present mineral whose amount is below −this (relative to the total of its scarcest
#: component) is dropped. [-]
NEGATIVE_AMOUNT_TOLERANCE = 1e-13
#: Validity range of the Pitzer model as parameterised (HMW84; PHREEQC flags the same). [mol kg⁻¹]
MAX_IONIC_STRENGTH = 20.0
#: [-]
MIN_WATER_ACTIVITY = 0.2
#: Assemblage changes after which a brine's visited minerals are enumerated (cycling), and the
#: largest number of minerals enumerated (2^n subsets in one vectorised solve).
_ENUMERATE_AFTER = 24
_MAX_ENUMERATED = 10
#: Rejected candidates (dropped while supersaturated) after which a brine goes to continuation.
_MAX_REJECTIONS = 4
#: Cold batches of at least this many brines start from solved neighbours (one seed per stride).
_SEED_MIN_BATCH = 256
_SEED_STRIDE = 16
#: Passes of the fused loop after which seeds still iterating are left out (see _seeded_start). [-]
_SEED_PASSES = 8
#: The first seeds (fewer than ``_SEED_MIN_BATCH``) are solved along an evaporation ladder with
#: this water ratio between stages (the finer ``_CONTINUATION_RATIO`` if that fails); seawater
#: concentrated up to 100× takes two stages after the first solve at I ≈ 6 mol/kg. [-]
_SEED_LADDER_RATIO = 5.0
#: Newton iterations on the activity model linearised at a neighbour's state that refine the
#: neighbour's start (cheap: no evaluation of the activity model).
_LINEARISED_ITERATIONS = 16
#: ... until every present mineral's |ln IAP − ln K| is below this (a start needs no more: the
#: linearisation itself leaves residuals of a few 1e-3 at the first evaluation; at 1e-2 the
#: same Jacobian evaluations follow as at 1e-3, with ~11 % fewer linearised Newton rows). [-]
_LINEARISED_TOLERANCE = 1e-2
#: An absent mineral more supersaturated than this ln(IAP/K) per formula ion on the linearised
#: model is added to the start, at most this many per brine. [-]
_LINEARISED_ADDITION = 0.02
_LINEARISED_MAX_ADDITIONS = 6
#: Dependence-test verdicts kept per chemical system before the cache is emptied (bounds
#: memory; a long run meets far fewer distinct assemblages). [-]
_DEPENDENCE_CACHE_SIZE = 100_000
#: Temperature step of the difference that gives the neighbours' d ln γ/dT and d ln a_w/dT. [K]
_TEMPERATURE_STEP = 1.0
#: Temperature scale of the neighbour search: 10 K weighs like a factor e in a molality. [K]
_SEED_TEMPERATURE_SCALE = 10.0
#: Continuation starts where the brine (nothing precipitated) has this ionic strength. [mol kg⁻¹]
CONTINUATION_IONIC_STRENGTH = 6.0
#: Water ratio between continuation stages, and their largest number. [-]
_CONTINUATION_RATIO = 1.5
_MAX_CONTINUATION_STAGES = 40
#: Euclidean residual norm below which the evaluation after a full Newton step is expected to
#: converge (quadratic convergence: ~1e-8 or less) and is made without the Jacobian; measured on
#: 10,000 seawater-derived brines: 7,036 of 7,037 such evaluations converged. [-]
_FINAL_EVALUATION_MERIT = 1e-4
#: ... when at least this many brines of a pass (or all of them) qualify: a separate activity
#: call costs ~150 NumPy operations, about what the Jacobian costs for ~100 brines. [-]
_MIN_CONFIRM_BATCH = 128
#: While Newton iterates on an assemblage, an absent mineral whose ln(IAP/K) per formula ion
#: exceeds this multiple of the present minerals' max |residual| (and ``_EARLY_ADDITION_MIN``)
#: is added at once. [-]
_EARLY_ADDITION_RATIO = 1.0
_EARLY_ADDITION_MIN = 0.01
#: ... as long as the brine has changed its assemblage fewer times than this (then only
#: converged assemblages change, with the anti-cycling rules of D27).
_EARLY_ADDITION_CHANGES = 8
#: Newton iterations per active set, and active-set changes per brine, before giving up.
MAX_NEWTON_ITERATIONS = 60
MAX_ACTIVE_SET_CHANGES = 60
#: A Newton step may remove at most this fraction of any dissolved amount or of the water. [-]
_MAX_DEPLETION = 0.9
#: Newton updates follow the logarithm of the most-changed species exactly (:func:`_take_step`)
#: when the full step changes its amount by more than this fraction, ... [-]
_LOG_UPDATE_MIN = 1.0
#: ... and at most by the factor e^this in one step. [-]
_LOG_UPDATE_MAX = 30.0
#: Step halvings tried by the line search before taking the smallest step anyway.
_MAX_BACKTRACKS = 12
#: Fraction of every consumed component kept in solution when a set change is repaired. [-]
_MIN_LEFT = 1e-9
#: Relative forward-difference step on molalities for the activity Jacobian. [-]
_FD_STEP = 1e-7
#: Smallest molality used as a finite-difference scale and as a floor in logarithms. [mol kg⁻¹]
_MOLALITY_FLOOR = 1e-30
_LN10 = np.log(10.0)
_WATER_MOLAR_MASS = MOLAR_MASS["H2O"]


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


class ValidityWarning(UserWarning):
    """A brine lies outside the validity range of the activity model (flagged ``valid = False``)."""


@dataclass(frozen=True)
class ChemicalSystem:
    """The arrays the solver needs, built once from the species and mineral data.

    Attributes
    ----------
    species_component : ndarray of int, shape (n_sp,)
        Index in ``SOLUTES`` of each aqueous species of the activity model.
    charge : ndarray, shape (n_sp,)
        Species charges. [-]
    mineral_names : tuple of str
        PHREEQC spelling (``"Halite"``).
    stoichiometry : ndarray, shape (n_min, n_el)
        Moles of each solute component per mole of mineral (``SOLUTES`` order). [mol mol⁻¹]
    hydrate_water : ndarray, shape (n_min,)
        Moles of H2O per mole of mineral. [mol mol⁻¹]
    activity : callable
        ``activity(molality (..., n_sp), temperature (...)) -> (ln_gamma (..., n_sp), ln_aw (...))``.
    ln_k : callable
        ``ln_k(temperature (...)) -> (..., n_min)``, natural logarithm of the solubility products.
    activity_jacobian : callable or None
        ``(molality, temperature) -> (ln_gamma, ln_aw, ∂lnγ_i/∂m_k (..., i, k), ∂ln a_w/∂m_k)``;
        None to use forward differences of ``activity``.
    conditions : callable or None
        ``conditions(temperature (B,)) -> C``: the model's temperature-dependent parameters of a
        batch, evaluated once per solve; ``C[index]`` selects brines, and ``activity`` and
        ``activity_jacobian`` accept ``C`` (or a selection of it) in place of the temperature.
        None: the temperatures themselves are passed.
    species_subset : callable or None
        ``species_subset(keep) -> (activity, activity_jacobian, conditions)`` of the activity
        model restricted to the species at positions ``keep`` (see :meth:`without_absent`);
        None if the model cannot be restricted.
    """

    species_component: np.ndarray
    charge: np.ndarray
    mineral_names: tuple
    stoichiometry: np.ndarray
    hydrate_water: np.ndarray
    activity: object
    ln_k: object
    activity_jacobian: object = None
    conditions: object = None
    species_subset: object = None

    @functools.cached_property
    def species_stoichiometry(self) -> np.ndarray:
        """Moles of each aqueous species per mole of mineral, shape (n_min, n_sp)."""
        return _read_only(self.stoichiometry[:, self.species_component])

    @property
    def full_stoichiometry(self) -> np.ndarray:
        """Moles of H2O and of each solute per mole of mineral, shape (n_min, 1 + n_el)."""
        return np.concatenate([self.hydrate_water[:, None], self.stoichiometry], axis=1)

    @functools.cached_property
    def padded_minerals(self) -> tuple:
        """:attr:`species_stoichiometry` and ``hydrate_water`` with a last row of zeros (a padding
        mineral without solutes or water), shapes (n_min + 1, n_sp) and (n_min + 1,)."""
        return (_read_only(np.vstack([self.species_stoichiometry, np.zeros(len(self.species_component))])),
                _read_only(np.append(self.hydrate_water, 0.0)))

    @functools.cached_property
    def capacity_plan(self) -> tuple:
        """Each mineral's solute components and coefficients (see ``_capacity``)."""
        return _capacity_plan(self.stoichiometry)

    @functools.cached_property
    def dependence_cache(self) -> dict:
        """Verdicts of the dependence test in :func:`_add_minerals`, by assemblage key."""
        return {}

    @functools.cached_property
    def mineral_vectors(self) -> np.ndarray:
        """Mineral vectors of the dependence test, shape (2, n_min, 1 + n_el): solutes only (the
        water entry zero), and with the hydrate water (:attr:`full_stoichiometry`)."""
        solutes = np.concatenate([np.zeros((len(self.hydrate_water), 1)), self.stoichiometry], axis=1)
        return _read_only(np.stack([solutes, self.full_stoichiometry]))

    @functools.cached_property
    def inert_species(self) -> np.ndarray:
        """Mask of the species that take part in no mineral of the system, shape (n_sp,)."""
        return _read_only(~np.any(self.species_stoichiometry != 0.0, axis=0))

    @functools.cached_property
    def _reduced(self) -> dict:
        return {}

    def without_absent(self, totals) -> "ChemicalSystem":
        """The system without the species that no mineral contains and that ``totals`` (B, n_el)
        lack in every brine (Br and Li of a brine without them): their molality stays zero, so
        the activity model of the others is the same with shorter interaction lists (and the
        solver's species axis is shorter). ``self`` if there are none (or no ``species_subset``).
        [-]
        """
        if self.species_subset is None or len(totals) == 0:
            return self
        absent = self.inert_species & ~np.any(totals[:, self.species_component] != 0.0, axis=0)
        if not absent.any() or absent.all():
            return self
        keep = tuple(np.flatnonzero(~absent).tolist())
        if keep not in self._reduced:
            activity, jacobian, conditions = self.species_subset(np.array(keep))
            index = np.array(keep, dtype=np.intp)
            self._reduced[keep] = ChemicalSystem(
                self.species_component[index], self.charge[index], self.mineral_names, self.stoichiometry,
                self.hydrate_water, activity, self.ln_k, jacobian, conditions)
        return self._reduced[keep]

    def select(self, names) -> "ChemicalSystem":
        """The same system restricted to the named minerals (PHREEQC or lower-case ids)."""
        lookup = {n.lower(): i for i, n in enumerate(self.mineral_names)}
        index = []
        for name in names:
            key = str(name).lower()
            if key not in lookup:
                raise KeyError(f"unknown mineral {name!r}; known: {', '.join(self.mineral_names)}")
            index.append(lookup[key])
        index = np.array(index, dtype=int)
        full_ln_k = self.ln_k
        return ChemicalSystem(self.species_component, self.charge,
                              tuple(self.mineral_names[i] for i in index),
                              self.stoichiometry[index], self.hydrate_water[index],
                              self.activity, lambda temperature: full_ln_k(temperature)[..., index],
                              self.activity_jacobian, self.conditions, self.species_subset)


@dataclass(frozen=True)
class EquilibriumState:
    """Equilibrium of many independent brines; every array has the batch shape (...) first.

    Attributes
    ----------
    molality : ndarray, shape (..., n_el)
        Dissolved molality of each solute component (``SOLUTES`` order). [mol kg⁻¹]
    dissolved : ndarray, shape (..., n_el)
        Dissolved amount of each solute component. [mol]
    minerals : ndarray, shape (..., n_min)
        Amount of each mineral present. [mol]
    mineral_names : tuple of str
        Mineral ids (PHREEQC spelling), the last axis of ``minerals``.
    water_kg : ndarray
        Water left in solution. [kg]
    water_activity, osmotic_coefficient : ndarray
        [-]
    ionic_strength : ndarray
        [mol kg⁻¹]
    density_kg_per_m3 : ndarray
        Brine density. [kg m⁻³]
    baume : ndarray
        Heavy-liquid Baumé degrees. [°Bé]
    valid : ndarray of bool
        False outside the activity model's validity range.
    saturation_index : ndarray, shape (..., n_min)
        log10(IAP / K) of every mineral (0 for those present, ≤ 0 for the others). [-]
    temperature : ndarray
        [K]
    """

    molality: np.ndarray
    dissolved: np.ndarray
    minerals: np.ndarray
    mineral_names: tuple
    water_kg: np.ndarray
    water_activity: np.ndarray
    osmotic_coefficient: np.ndarray
    ionic_strength: np.ndarray
    density_kg_per_m3: np.ndarray
    baume: np.ndarray
    valid: np.ndarray
    saturation_index: np.ndarray
    temperature: np.ndarray


# ---------------------------------------------------------------------------------------------
# The chemical system from the species / Pitzer / mineral data
# ---------------------------------------------------------------------------------------------

_SYSTEM_CACHE: dict = {}


def chemical_system() -> ChemicalSystem:
    """The full Na-K-Mg-Ca-Cl-SO4-Br-Li-H2O system of ``saltsim.chemistry`` (cached)."""
    if "full" not in _SYSTEM_CACHE:
        _SYSTEM_CACHE["full"] = _build_system()
    return _SYSTEM_CACHE["full"]


def _build_system() -> ChemicalSystem:
    from . import minerals as mineral_data
    from . import pitzer

    model = pitzer.load_pitzer_model()
    table = mineral_data.load_minerals()
    species_set = table.species
    species_component = np.array([SOLUTES.index(c) for c in species_set.component], dtype=int)
    stoichiometry = np.zeros((table.n, len(SOLUTES)))
    stoichiometry[:, species_component] = table.stoichiometry
    activity, activity_jacobian, conditions = _activity_functions(model)

    def species_subset(keep):
        return _activity_functions(model.subset(keep))

    def ln_k(temperature):
        return mineral_data.log_k(temperature, table) * _LN10

    return ChemicalSystem(species_component=species_component,
                          charge=np.asarray(species_set.charge, dtype=float),
                          mineral_names=tuple(table.phreeqc_names),
                          stoichiometry=stoichiometry,
                          hydrate_water=np.asarray(table.h2o, dtype=float),
                          activity=activity, ln_k=ln_k, activity_jacobian=activity_jacobian,
                          conditions=conditions, species_subset=species_subset)


def _activity_functions(model):
    """``activity``, ``activity_jacobian`` and ``conditions`` of :class:`ChemicalSystem` for a
    Pitzer model."""
    from . import pitzer

    parameters_at = _ParametersAt(model)

    def parameters(temperature):
        return temperature.parameters if isinstance(temperature, _Conditions) else parameters_at(temperature)

    def activity(molality, temperature):
        return pitzer.activity(molality, None, parameters(temperature))

    def activity_jacobian(molality, temperature):
        return pitzer.activity_and_jacobian(molality, None, parameters(temperature))

    def conditions(temperature):
        return _Conditions(np.asarray(temperature, dtype=float), parameters_at(temperature))

    return activity, activity_jacobian, conditions


class _Conditions:
    """Temperatures of a batch with their Pitzer parameters, evaluated once per solve.

    Indexing selects brines (the per-brine parameter arrays are sliced; a single-temperature
    parameter set is shared), so the solver's iterations on shrinking subsets of a batch never
    re-evaluate the temperature functions.
    """

    _FIELDS = ("temperature", "a_phi", "beta0", "beta1", "beta2", "c", "theta", "psi", "lam", "kcl")

    def __init__(self, temperature, parameters):
        self.temperature = temperature
        self.parameters = parameters

    def __len__(self):
        return len(self.temperature)

    def __getitem__(self, index):
        from .pitzer import PitzerAtT

        p = self.parameters
        if np.ndim(p.temperature) == 0:
            return _Conditions(self.temperature[index], p)
        return _Conditions(self.temperature[index],
                           PitzerAtT(model=p.model, **{k: getattr(p, k)[index] for k in self._FIELDS}))


class _ParametersAt:
    """Pitzer parameters at the brines' temperatures, cached per single temperature.

    Most calls come from one path or one batch at a single temperature: the parameters are then
    evaluated once and reused (a small cache keyed by the temperature value). Mixed temperatures
    are evaluated per brine, shape (B, 1) so they broadcast over the species axis.
    """

    _CACHE_SIZE = 64

    def __init__(self, model):
        self.model = model
        self.cache = {}

    def __call__(self, temperature):
        t = np.asarray(temperature, dtype=float)
        first = float(t.flat[0])
        if np.all(t == first):
            if first not in self.cache:
                if len(self.cache) >= self._CACHE_SIZE:
                    self.cache.pop(next(iter(self.cache)))
                self.cache[first] = self.model.at(first)
            return self.cache[first]
        return self.model.at(t)


# ---------------------------------------------------------------------------------------------
# Solver
# ---------------------------------------------------------------------------------------------

#: Rows per block of :func:`_thin_product`: OpenBLAS runs a matrix product of more than
#: 65536·4 multiply-adds on several threads, and on the shared 2-core VM a (10,000 × 22)·(22 × 9)
#: product took 2.8 ms threaded against 0.3 ms on one thread.
_BLAS_SINGLE_THREAD_SIZE = 200_000


def _thin_product(a, b):
    """``a @ b`` for a tall 2-D ``a`` and a small ``b``, by row blocks small enough for BLAS to
    stay on one thread (the same numbers as one product)."""
    rows = max(64, _BLAS_SINGLE_THREAD_SIZE // max(1, b.shape[0] * b.shape[1]))
    if len(a) <= rows:
        return a @ b
    out = np.empty((len(a), b.shape[1]))
    for lo in range(0, len(a), rows):
        np.matmul(a[lo:lo + rows], b, out=out[lo:lo + rows])
    return out


def _composition(totals, water0, amounts, system):
    """Dissolved amounts (B, n_el) and water (B,) from mineral amounts; eqs (1)–(2)."""
    dissolved = totals - _thin_product(amounts, system.stoichiometry)
    water = water0 - _WATER_MOLAR_MASS * (amounts @ system.hydrate_water)
    return dissolved, water


def _log_activities(dissolved, water, temperature, system, with_jacobian):
    """ln a of species (B, n_sp), ln aw (B,) and optionally their molality derivatives.

    The derivatives are ∂ ln γ_s / ∂ m_t as (B, t, s) and ∂ ln a_w / ∂ m_t as (B, t): analytic
    when the system provides ``activity_jacobian``, else forward differences evaluated for all
    perturbations in one vectorised call.
    """
    species_amount = dissolved[:, system.species_component]
    molality = np.maximum(species_amount, 0.0) / water[:, None]
    ln_m = np.log(np.maximum(molality, _MOLALITY_FLOOR))
    if not with_jacobian:
        ln_gamma, ln_aw = system.activity(molality, temperature)
        return ln_m + ln_gamma, ln_aw, molality, None, None
    if system.activity_jacobian is not None:
        ln_gamma, ln_aw, d_gamma, d_aw = system.activity_jacobian(molality, temperature)
        return ln_m + ln_gamma, ln_aw, molality, np.swapaxes(d_gamma, -1, -2), d_aw
    n_sp = molality.shape[1]
    step = _FD_STEP * np.maximum(molality, 1e-8)                            # (B, n_sp)
    stacked = np.repeat(molality[:, None, :], n_sp + 1, axis=1)             # (B, n_sp+1, n_sp)
    index = np.arange(n_sp)
    stacked[:, index + 1, index] += step
    ln_gamma_all, ln_aw_all = system.activity(stacked, temperature[:, None])
    ln_gamma, ln_aw = ln_gamma_all[:, 0], ln_aw_all[:, 0]
    d_ln_gamma = (ln_gamma_all[:, 1:] - ln_gamma[:, None, :]) / step[:, :, None]  # (B, t, s)
    d_ln_aw = (ln_aw_all[:, 1:] - ln_aw[:, None]) / step                          # (B, t)
    return ln_m + ln_gamma, ln_aw, molality, d_ln_gamma, d_ln_aw


def _residuals(ln_a, ln_aw, ln_k, system):
    """ln(IAP/K) of every mineral, (B, n_min)."""
    return _thin_product(ln_a, system.species_stoichiometry.T) + ln_aw[:, None] * system.hydrate_water - ln_k


def _newton_step(active, residual, molality, water, d_ln_gamma, d_ln_aw, system, rows=None):
    """Newton step of the present minerals' amounts, (B, n_min) (zero for absent minerals).

    Each brine's system is compressed to its present minerals (≤ ~6 by the phase rule, not the
    number of minerals in the database) and solved in one compiled loop over the brines
    (:func:`_newton_kernel`, D39 (8)); a call without activity derivatives takes the NumPy route.
    ``rows`` (optional) selects the rows of ``molality``, ``d_ln_gamma`` and ``d_ln_aw`` (an
    evaluation of more brines) that belong to the B brines.
    """
    if d_ln_gamma is None or len(active) == 0:
        if rows is not None:
            molality, d_ln_gamma, d_ln_aw = molality[rows], None if d_ln_gamma is None else d_ln_gamma[rows], \
                d_ln_aw[rows]
        return _newton_step_numpy(active, residual, molality, water, d_ln_gamma, d_ln_aw, system)
    # C-contiguous inputs (one compiled version); the Jacobian in the activity model's own
    # orientation, ∂ln γ_s/∂m_t at [b, s, t], which _log_activities returns transposed (a view)
    c = np.ascontiguousarray
    rows = np.arange(len(active)) if rows is None else rows
    return _newton_kernel(c(rows, dtype=np.int64), c(active), c(residual), c(molality), c(water),
                          c(np.swapaxes(d_ln_gamma, -1, -2)), c(d_ln_aw), system.species_stoichiometry,
                          system.hydrate_water, _WATER_MOLAR_MASS, _MOLALITY_FLOOR)


_jit = njit(cache=True, nogil=True)
#: Relative ridge of a compiled Newton step whose matrix is exactly singular: the step is the
#: least-squares step of least norm to ~1e-9 (the ridge's bias), and its split among dependent
#: minerals is fixed to ~1e-7 (rounding amplified by 1/ε); a smaller ridge splits erratically. [-]
_SINGULAR_RIDGE = 1e-9


@_jit
def _solve_in_place(jac, rhs, k):
    """jac[:k, :k] x = rhs[:k] by Gaussian elimination with partial pivoting, x left in ``rhs``;
    False (``rhs`` undefined) if a pivot column is exactly zero."""
    for c in range(k):
        pivot_row = c
        big = abs(jac[c, c])
        for r in range(c + 1, k):
            if abs(jac[r, c]) > big:
                big = abs(jac[r, c])
                pivot_row = r
        if big == 0.0:
            return False
        if pivot_row != c:
            for q in range(c, k):
                jac[c, q], jac[pivot_row, q] = jac[pivot_row, q], jac[c, q]
            rhs[c], rhs[pivot_row] = rhs[pivot_row], rhs[c]
        for r in range(c + 1, k):
            factor = jac[r, c] / jac[c, c]
            if factor != 0.0:
                for q in range(c + 1, k):
                    jac[r, q] -= factor * jac[c, q]
                rhs[r] -= factor * rhs[c]
    for c in range(k - 1, -1, -1):
        acc = rhs[c]
        for q in range(c + 1, k):
            acc -= jac[c, q] * rhs[q]
        rhs[c] = acc / jac[c, c]
    return True


@_jit
def _row_jacobian(present, k, molality, water, d_ln_gamma, d_ln_aw, nu, h, water_molar_mass, floor, dm, d_ln_a,
                  d_aw, jac):
    """Jacobian of one brine's present mineral laws into jac[:k, :k]: ∂r_i/∂p_a =
    Σ_s ν_is ∂ln a_s/∂p_a + h_i ∂ln a_w/∂p_a, with ∂m_s/∂p_a = (m_s M_w h_a − ν_as)/W,
    ∂ln a_s/∂p_a = (∂m_s/∂p_a)/m_s + Σ_t (∂m_t/∂p_a) ∂ln γ_s/∂m_t (``d_ln_gamma[s, t]``) and
    ∂ln a_w/∂p_a = Σ_t (∂m_t/∂p_a) ∂ln a_w/∂m_t. ``dm``, ``d_ln_a``, ``d_aw`` are work arrays."""
    n_sp = molality.shape[0]
    for a in range(k):
        j = present[a]
        for t in range(n_sp):
            dm[a, t] = (molality[t] * (water_molar_mass * h[j]) - nu[j, t]) / water
    for a in range(k):
        for t in range(n_sp):
            acc = dm[a, t] / max(molality[t], floor)
            for u in range(n_sp):
                acc += dm[a, u] * d_ln_gamma[t, u]
            d_ln_a[a, t] = acc
        acc = 0.0
        for u in range(n_sp):
            acc += dm[a, u] * d_ln_aw[u]
        d_aw[a] = acc
    for i in range(k):
        ji = present[i]
        for a in range(k):
            acc = 0.0
            for t in range(n_sp):
                acc += nu[ji, t] * d_ln_a[a, t]
            jac[i, a] = acc + h[ji] * d_aw[a]


@_jit
def _row_step(present, k, residual, molality, water, d_ln_gamma, d_ln_aw, nu, h, water_molar_mass, floor, dm,
              d_ln_a, d_aw, jac, rhs):
    """Newton step of one brine's present minerals into rhs[:k] (``residual`` over all minerals).

    An exactly singular matrix J (present minerals dependent on the species actually present,
    e.g. two salts of an ion that is absent) takes the least-squares step of least norm, as the
    ridge limit (JᵀJ + εI) x = −Jᵀr with ε = ``_SINGULAR_RIDGE`` tr(JᵀJ)."""
    _row_jacobian(present, k, molality, water, d_ln_gamma, d_ln_aw, nu, h, water_molar_mass, floor, dm, d_ln_a,
                  d_aw, jac)
    for i in range(k):
        rhs[i] = -residual[present[i]]
    if _solve_in_place(jac, rhs, k):
        return
    _row_jacobian(present, k, molality, water, d_ln_gamma, d_ln_aw, nu, h, water_molar_mass, floor, dm, d_ln_a,
                  d_aw, jac)
    normal = np.empty((k, k))
    trace = 0.0
    for a in range(k):
        acc = 0.0
        for i in range(k):
            acc -= jac[i, a] * residual[present[i]]
        rhs[a] = acc
        for c in range(k):
            acc = 0.0
            for i in range(k):
                acc += jac[i, a] * jac[i, c]
            normal[a, c] = acc
        trace += normal[a, a]
    for a in range(k):
        normal[a, a] += _SINGULAR_RIDGE * trace + 1e-300
    _solve_in_place(normal, rhs, k)


@_jit
def _newton_kernel(rows, active, residual, molality, water, d_ln_gamma, d_ln_aw, nu, h, water_molar_mass, floor):
    """Newton steps (B, n_min) of every brine's present minerals (:func:`_row_step`); brine i's
    molalities and activity derivatives are row ``rows[i]`` of theirs."""
    n_batch, n_min = active.shape
    n_sp = molality.shape[1]
    delta = np.zeros((n_batch, n_min))
    present = np.empty(n_min, dtype=np.int64)
    dm, d_ln_a = np.empty((n_min, n_sp)), np.empty((n_min, n_sp))
    d_aw, jac, rhs = np.empty(n_min), np.empty((n_min, n_min)), np.empty(n_min)
    for i in range(n_batch):
        k = 0
        for j in range(n_min):
            if active[i, j]:
                present[k] = j
                k += 1
        if k == 0:
            continue
        b = rows[i]
        _row_step(present, k, residual[i], molality[b], water[i], d_ln_gamma[b], d_ln_aw[b], nu, h, water_molar_mass,
                  floor, dm, d_ln_a, d_aw, jac, rhs)
        for a in range(k):
            delta[i, present[a]] = rhs[a]
    return delta


def _newton_step_numpy(active, residual, molality, water, d_ln_gamma, d_ln_aw, system):
    """:func:`_newton_step` in NumPy (every brine padded to the largest number of present
    minerals, padding rows set to the identity; LAPACK, least squares for singular matrices)."""
    n_batch, n_min = active.shape
    count = int(np.maximum.reduce(np.add.reduce(active, axis=1, dtype=np.intp), initial=0))
    if count == 0:
        return np.zeros((n_batch, n_min))
    return _newton_step_padded(active, residual, molality, water, d_ln_gamma, d_ln_aw, system, count)


def _newton_step_padded(active, residual, molality, water, d_ln_gamma, d_ln_aw, system, count):
    """:func:`_newton_step` with every brine's present minerals padded to ``count``."""
    n_batch, n_min = active.shape
    r, c = np.nonzero(active)
    # Every brine with ``count`` present minerals (one brine always): no padding, and the
    # row-major nonzero order is the compressed order.
    unpadded = len(c) == n_batch * count
    if unpadded:
        order = c.reshape(n_batch, count)
    else:
        # padding slots point at a mineral without solutes or water: their rows and columns are zero
        order, present, (r, c, slot) = _compress(active, count, pad=n_min)   # (B, k): present first
    species_stoichiometry, hydrate_water = system.padded_minerals
    nu = species_stoichiometry[order]                                         # (B, k, s)
    h = hydrate_water[order]                                                  # (B, k)
    # dm_s/dp_k = (−ν_ks + m_s M_w h_k) / W
    dm = (molality[:, None, :] * (_WATER_MOLAR_MASS * h)[:, :, None] - nu) / water[:, None, None]
    d_ln_a = dm / np.maximum(molality, _MOLALITY_FLOOR)[:, None, :]
    if d_ln_gamma is not None:  # (None: activity coefficients held fixed)
        d_ln_a += dm @ d_ln_gamma
    d_aw = (dm @ d_ln_aw[:, :, None])[..., 0]
    jac = nu @ np.swapaxes(d_ln_a, 1, 2)
    jac += h[:, :, None] * d_aw[:, None, :]
    if unpadded:
        rhs = -residual[r, c].reshape(n_batch, count)
    else:
        jac.reshape(n_batch, count * count)[:, :: count + 1] += ~present      # identity on padding
        rhs = np.zeros((n_batch, count))
        rhs[r, slot] = -residual[r, c]
    step = _solve_small(jac, rhs)
    delta = np.zeros((n_batch, n_min))
    delta[r, c] = step.reshape(-1) if unpadded else step[r, slot]
    return delta


def _solve_small(jac, rhs):
    """Solutions x of ``jac`` x = ``rhs`` for a stack of small systems, (B, k, k) and (B, k), by
    LAPACK; a stack with an exactly singular system (present minerals dependent on the species
    actually present, e.g. two salts of an ion that is absent) takes the least-squares step for
    those systems instead."""
    try:
        return np.linalg.solve(jac, rhs[..., None])[..., 0]
    except np.linalg.LinAlgError:
        singular = np.linalg.slogdet(jac)[0] == 0
        step = np.empty_like(rhs)
        step[singular] = np.einsum("bkj,bj->bk", np.linalg.pinv(jac[singular]), rhs[singular])
        try:
            step[~singular] = np.linalg.solve(jac[~singular], rhs[~singular][..., None])[..., 0]
        except np.linalg.LinAlgError:
            step[~singular] = np.einsum("bkj,bj->bk", np.linalg.pinv(jac[~singular]), rhs[~singular])
        return step


def _compress(active, count, pad=0):
    """Indices of each brine's present minerals, first ``count`` slots: ``order`` (B, count)
    (padding slots point at mineral ``pad``), the mask of filled slots, and the (brine, mineral,
    slot) triples of the present minerals (cheaper than a stable argsort of the mask)."""
    slot_of = np.add.accumulate(active, axis=1, dtype=np.intp) - 1
    r, c = np.nonzero(active)
    slot = slot_of[r, c]
    order = np.full((len(active), count), pad, dtype=np.intp)
    order[r, slot] = c
    # (a padding index that is no mineral marks the empty slots itself)
    present = order != pad if pad >= active.shape[1] else np.arange(count) <= slot_of[:, -1:]
    return order, present, (r, c, slot)


def _max_step(totals_dissolved, water, delta_dissolved, delta_water):
    """Largest fraction of a Newton step that removes at most _MAX_DEPLETION of any amount."""
    # (divisions only where the divisor is negative: no floating-point state to switch)
    ratio = np.divide(_MAX_DEPLETION * np.maximum(totals_dissolved, 0.0), -delta_dissolved,
                      out=np.full(delta_dissolved.shape, np.inf), where=delta_dissolved < 0)
    ratio_w = np.divide(_MAX_DEPLETION * water, -delta_water, out=np.full(delta_water.shape, np.inf),
                        where=delta_water < 0)
    return np.minimum(1.0, np.minimum(np.minimum.reduce(ratio, axis=1), ratio_w))


def _take_step(amounts, delta, active, dissolved, water, d_dissolved, d_water, system):
    """Damped Newton update of the present minerals' amounts; a full step follows the logarithm
    of a fast-growing species exactly.

    The update takes the largest fraction t ≤ 1 of the step that keeps every amount ≥ 0 (the
    mineral that limits it ends at exactly zero) and removes at most ``_MAX_DEPLETION`` of any
    dissolved amount or of the water. But Newton
    linearises ln n_s: where a present mineral of a nearly exhausted ion (glauberite or gypsum
    beside halite with almost no Ca left) is undersaturated by r, the full step raises that
    ion's amount by a factor 1 + r instead of e^r, and Newton gains only ln(1 + r) per
    iteration. Newton in the coordinates (ln n_s*, the other amounts), where s* is the species
    of the largest relative growth y = Δn_s*/n_s* and the present mineral j* that contributes
    most to it is the dependent amount, takes the same linear step but lands on n_s* e^y: the
    other minerals move as in the plain step, and j* dissolves the extra
    n_s* (e^y − 1 − y)/ν_j*s* (not beyond its amount). Used for full steps (t = 1) with
    y > ``_LOG_UPDATE_MIN`` (e^y at most e^``_LOG_UPDATE_MAX``).

    Returns the new amounts (B, n_min) and the step lengths t (B,). [mol]
    """
    species = system.species_component
    c = np.ascontiguousarray
    return _take_step_kernel(c(amounts, dtype=float), c(delta), c(active), c(dissolved[:, species]), c(water),
                             c(d_dissolved[:, species]), c(d_water), system.species_stoichiometry, _MAX_DEPLETION,
                             _LOG_UPDATE_MIN, _LOG_UPDATE_MAX)


@_jit
def _take_step_kernel(amounts, delta, active, dissolved, water, d_dissolved, d_water, nu, max_depletion, log_min,
                      log_max):
    """:func:`_take_step` compiled, row by row (:func:`_row_take_step`); ``dissolved`` and
    ``d_dissolved`` over the species (the other components are in no mineral)."""
    n_batch, n_min = amounts.shape
    new = amounts.copy()
    length = np.empty(n_batch)
    present = np.empty(n_min, dtype=np.int64)
    step = np.empty(n_min)
    for b in range(n_batch):
        k = 0
        for j in range(n_min):
            if active[b, j]:
                present[k] = j
                step[k] = delta[b, j]
                k += 1
        length[b] = _row_take_step(present, k, step, amounts[b], active[b], dissolved[b], water[b], d_dissolved[b],
                                   d_water[b], nu, max_depletion, log_min, log_max, new[b])
    return new, length


@_jit
def _row_take_step(present, k, step, amounts, active, dissolved, water, d_dissolved, d_water, nu, max_depletion,
                   log_min, log_max, new):
    """One brine of :func:`_take_step`: ``new`` (n_min) receives the updated amounts of the present
    minerals (``step`` (k) in the order of ``present``); returns the step length."""
    n_sp = dissolved.shape[0]
    to_zero, limiting = np.inf, -1
    for a in range(k):
        j = present[a]
        if active[j] and step[a] < 0.0 and amounts[j] > 0.0 and amounts[j] / -step[a] < to_zero:
            to_zero, limiting = amounts[j] / -step[a], j
    length = 1.0
    for s in range(n_sp):
        if d_dissolved[s] < 0.0:
            length = min(length, max_depletion * max(dissolved[s], 0.0) / -d_dissolved[s])
    if d_water < 0.0:
        length = min(length, max_depletion * water / -d_water)
    length = min(length, to_zero)
    for a in range(k):
        new[present[a]] = amounts[present[a]] + length * step[a]
    if length == to_zero:
        new[limiting] = 0.0           # (rounding would leave ~1e-17 of it)
    if length == 1.0:
        y_star, star = -np.inf, 0
        for s in range(n_sp):
            y = d_dissolved[s] / dissolved[s] if dissolved[s] > 0.0 else 0.0
            if y > y_star:
                y_star, star = y, s
        if y_star > log_min and np.isfinite(y_star):
            y_star = min(y_star, log_max)
            best, best_j = -np.inf, -1
            for a in range(k):
                j = present[a]
                if active[j] and nu[j, star] > 0.0 and -nu[j, star] * step[a] > best:
                    best, best_j = -nu[j, star] * step[a], j
            if best > 0.0:
                extra = dissolved[star] * (np.expm1(y_star) - y_star)     # Δn beyond the linear step
                new[best_j] = max(new[best_j] - extra / nu[best_j, star], 0.0)
    return length


def _newton(totals, water0, temperature, ln_k, amounts, active, system):
    """Damped Newton on the present minerals' mass-action laws, assemblage fixed (the subsets
    tested by :func:`_enumerate_assemblages`).

    Each iteration makes one activity evaluation (with Jacobian) per unconverged brine. A step
    is limited so that no dissolved amount or water is depleted (``_MAX_DEPLETION``), and
    backtracked (halved from the previous point) when the max |residual| has not decreased — the
    check uses the evaluation of the next iteration, so the line search costs no extra
    evaluation when full steps succeed. Amounts are not projected: they may turn negative (the
    caller then rejects that assemblage), so no mineral leaves it.

    Updates ``amounts`` in place. Returns the converged mask and ln(IAP/K) of every mineral at
    the converged states (B, n_min).
    """
    n_batch, n_min = amounts.shape
    converged = np.zeros(n_batch, dtype=bool)
    saturation = np.zeros((n_batch, n_min))
    previous_amounts = amounts.copy()
    previous_delta = np.zeros_like(amounts)
    previous_norm = np.full(n_batch, np.inf)
    alpha = np.zeros(n_batch)
    backtracks = np.zeros(n_batch, dtype=int)
    for _ in range(MAX_NEWTON_ITERATIONS):
        idx = np.nonzero(~converged)[0]
        if len(idx) == 0:
            break
        act = active[idx]
        dissolved, water = _composition(totals[idx], water0[idx], amounts[idx], system)
        ln_a, ln_aw, molality, d_ln_gamma, d_ln_aw = _log_activities(
            dissolved, water, temperature[idx], system, with_jacobian=True)
        ratio = _residuals(ln_a, ln_aw, ln_k[idx], system)
        residual = np.where(act, ratio, 0.0)
        norm = np.abs(residual).max(axis=1, initial=0.0)
        done = norm <= RESIDUAL_TOLERANCE
        converged[idx[done]] = True
        saturation[idx[done]] = ratio[done]
        # Backtrack where the last step did not reduce the residual (Armijo-like on the max norm).
        worse = ~done & (norm > (1.0 - 1e-4 * alpha[idx]) * previous_norm[idx]) \
            & (backtracks[idx] < _MAX_BACKTRACKS)
        if np.count_nonzero(worse):
            rows = idx[worse]
            alpha[rows] *= 0.5
            backtracks[rows] += 1
            amounts[rows] = previous_amounts[rows] + alpha[rows, None] * previous_delta[rows]
        step = ~done & ~worse
        if not np.count_nonzero(step):
            continue
        idx, act, residual = idx[step], act[step], residual[step]
        dissolved, water, norm = dissolved[step], water[step], norm[step]
        delta = _newton_step(act, residual, molality[step], water, d_ln_gamma[step], d_ln_aw[step], system)
        d_dissolved = -_thin_product(delta, system.stoichiometry)
        d_water = -_WATER_MOLAR_MASS * (delta @ system.hydrate_water)
        step_length = _max_step(dissolved, water, d_dissolved, d_water)
        previous_amounts[idx] = amounts[idx]
        previous_delta[idx] = delta
        previous_norm[idx] = norm
        alpha[idx] = step_length
        backtracks[idx] = 0
        amounts[idx] = amounts[idx] + step_length[:, None] * delta
    return converged, saturation


def _iterate(totals, water0, temperature, ln_k, amounts, active, system, continuation, final=None,
             pass_limit=None, pending=None):
    """Newton iterations and assemblage changes of all brines, fused into one loop.

    Every pass makes one activity evaluation (with Jacobian) for all pending brines, whatever
    their stage: a brine whose present minerals have converged changes its assemblage
    (:func:`_update_active_sets`) in the same pass, and when the change only adds minerals (the
    brine is unchanged) it takes the Newton step of its new assemblage from that same
    evaluation. So the batch stays large until the last brines finish, and an addition costs
    no evaluation of its own. The evaluation after a full Newton step from a small residual
    (``_FINAL_EVALUATION_MERIT``) is expected to confirm convergence and skips the Jacobian; a
    brine it does not confirm (or that adds a mineral then) is evaluated again with it.

    Only the brines ``pending`` (mask; default all) are solved. Updates ``amounts`` and
    ``active`` in place, and ``final`` = (evaluated mask, ln a, ln a_w, species molalities), the
    last evaluation of each brine that finished, if given. Returns the
    mask of brines to be solved by continuation (set only when ``continuation`` is true) and the
    mask of brines whose assemblage did not settle.
    """
    n_batch, n_min = amounts.shape
    pending = np.ones(n_batch, dtype=bool) if pending is None else pending.copy()
    # the pending brines' parameters, evaluated once; ``slot`` maps a brine to its row there
    solved = np.flatnonzero(pending)
    slot = np.zeros(n_batch, dtype=np.intp)
    slot[solved] = np.arange(len(solved))
    conditions = temperature[solved] if len(solved) < n_batch else temperature
    if system.conditions is not None:
        conditions = system.conditions(conditions)
    to_continue = np.zeros(n_batch, dtype=bool)
    unsettled = np.zeros(n_batch, dtype=bool)
    restarted = np.zeros(n_batch, dtype=bool)
    tabu = np.zeros((n_batch, n_min), dtype=bool)
    tabu_count = np.zeros((n_batch, n_min), dtype=int)
    rejections = np.zeros(n_batch, dtype=int)
    changes = np.zeros(n_batch, dtype=int)
    visited = active.copy()
    last_left = np.full(n_batch, -1)                  # mineral replaced by a hydrate exchange
    iterations = np.zeros(n_batch, dtype=int)        # evaluations on the current assemblage
    previous_amounts = amounts.copy()
    previous_delta = np.zeros_like(amounts)
    previous_norm = np.full(n_batch, np.inf)
    alpha = np.zeros(n_batch)
    backtracks = np.zeros(n_batch, dtype=int)
    need_jacobian = np.zeros(n_batch, dtype=bool)
    boundary = np.zeros(n_batch, dtype=bool)       # the last step exhausted a present mineral

    ions = system.species_stoichiometry.sum(axis=1)
    capacity = None                                  # scale of "negative" amounts, solved brines

    def reset(rows):
        previous_norm[rows] = np.inf
        alpha[rows] = 0.0
        backtracks[rows] = 0
        iterations[rows] = 0
        tabu[rows] = False

    max_passes = pass_limit or (MAX_ACTIVE_SET_CHANGES + 2) * (MAX_NEWTON_ITERATIONS + 1)
    # Brines only ever leave ``pending``: while their number is unchanged, so are the pending
    # rows and their selections of the fixed inputs (no views of the whole arrays: ``amounts``
    # changes in place during a pass).
    n_pending = -1
    for _ in range(max_passes):
        count = np.count_nonzero(pending)
        if count == 0:
            break
        if count != n_pending:
            n_pending, pending_rows = count, np.nonzero(pending)[0]
            if count == n_batch:
                pending_totals, pending_water0, pending_ln_k = totals, water0, ln_k
            else:
                pending_totals, pending_water0 = totals[pending_rows], water0[pending_rows]
                pending_ln_k = ln_k[pending_rows]
            pending_slot = slot[pending_rows]
        idx = pending_rows
        act = active[idx]
        dissolved, water = _composition(pending_totals, pending_water0,
                                        amounts if count == n_batch else amounts[idx], system)
        # A full Newton step from a residual below _FINAL_EVALUATION_MERIT lands within the
        # tolerance (quadratic convergence): that evaluation only confirms it, without Jacobian.
        confirm = (previous_norm[idx] <= _FINAL_EVALUATION_MERIT) & (alpha[idx] == 1.0) & ~need_jacobian[idx]
        if np.count_nonzero(confirm) < min(len(idx), _MIN_CONFIRM_BATCH):
            confirm[:] = False  # a second, small evaluation call costs more than it saves
        ln_a, ln_aw, molality, d_ln_gamma, d_ln_aw = _split_evaluation(
            dissolved, water, conditions, pending_slot, confirm, system)
        need_jacobian[idx] = False
        ratio = _residuals(ln_a, ln_aw, pending_ln_k, system)
        residual = np.where(act, ratio, 0.0)
        norm = np.maximum.reduce(np.abs(residual), axis=1, initial=0.0)
        merit = _merit(residual)
        done = norm <= RESIDUAL_TOLERANCE
        step = ~done
        # ---- converged brines: change the assemblage (or finish) ----
        if np.count_nonzero(done):
            local = np.nonzero(done)[0]
            rows = idx[local]
            row_tabu = tabu[rows]
            tabu_count[rows] += row_tabu
            rejections[rows] += np.add.reduce(row_tabu, axis=1, dtype=np.intp)
            repeated = row_tabu & (tabu_count[rows] >= 2)
            tabu_count[rows] = np.where(repeated, 0, tabu_count[rows])
            # Brines that keep rejecting candidates are far from any physical state (cold starts
            # at I ≫ 20 mol/kg): they are solved by continuation instead.
            cycling = rejections[rows] >= _MAX_REJECTIONS
            if continuation and np.count_nonzero(cycling):
                to_continue[rows[cycling]] = True
                pending[rows[cycling]] = False
                keep = ~cycling
                local, rows, row_tabu, repeated = local[keep], rows[keep], row_tabu[keep], repeated[keep]
            sub_amounts, sub_active = amounts[rows], active[rows]
            row_left = last_left[rows]
            if capacity is None:  # (a function of the totals only: once per call, rows by ``slot``)
                capacity = np.maximum(_capacity(totals[solved] if len(solved) < n_batch else totals, system),
                                      1e-300)
            changed, moved = _update_active_sets(
                totals[rows], sub_amounts, sub_active, ratio[local], system, row_tabu, repeated,
                (totals[rows], water0[rows], temperature[rows], ln_k[rows]), row_left, capacity[slot[rows]])
            last_left[rows] = row_left
            # A brine whose only supersaturated candidates are tabu must try again.
            changed |= np.logical_or.reduce(row_tabu, axis=1) & ~changed
            restored = _restore_feasibility(totals[rows], water0[rows], sub_amounts, system)
            moved |= np.logical_or.reduce(restored != sub_amounts, axis=1)
            amounts[rows], active[rows] = restored, sub_active
            pending[rows[~changed]] = False
            if final is not None:
                kept = ~changed & ~moved
                final[0][rows[kept]] = True
                final[1][rows[kept]], final[2][rows[kept]] = ln_a[local[kept]], ln_aw[local[kept]]
                final[3][rows[kept]] = molality[local[kept]]
            moved_rows = rows[changed]
            visited[moved_rows] |= active[moved_rows]
            changes[moved_rows] += 1
            reset(moved_rows)
            # Brines whose assemblage does not settle go to continuation (or fail without it).
            unsettled_now = changed & (changes[rows] > MAX_ACTIVE_SET_CHANGES)
            (to_continue if continuation else unsettled)[rows[unsettled_now]] = True
            pending[rows[unsettled_now]] = False
            # Brines cycling among assemblages: test every subset of the minerals they visited.
            looping = changed & ~unsettled_now & (changes[rows] >= _ENUMERATE_AFTER)
            for row in rows[looping]:
                found = _enumerate_assemblages(totals[row], water0[row], temperature[row], ln_k[row],
                                               amounts[row], visited[row], system)
                if found is not None:
                    amounts[row], active[row] = found, found > 0
                    pending[row] = False
            # Pure additions leave the brine as it was: step the new assemblage from this
            # evaluation.
            again = changed & ~moved & pending[rows]
            step[local[again]] = True
            act = active[idx]
            residual = np.where(act, ratio, 0.0)
            norm = np.where(done, np.maximum.reduce(np.abs(residual), axis=1, initial=0.0), norm)
            merit = np.where(done, _merit(residual), merit)
        # ---- early additions: a mineral far more supersaturated than the present minerals'
        # residuals will be added anyway; add it now rather than converge a wrong assemblage ----
        if _EARLY_ADDITION_RATIO > 0:
            candidate_si = np.where(act | tabu[idx], -np.inf, ratio / ions)
            best = np.maximum.reduce(candidate_si, axis=1)
            early = ~done & step & (best > _EARLY_ADDITION_RATIO * norm) & (best > _EARLY_ADDITION_MIN) \
                & (changes[idx] < _EARLY_ADDITION_CHANGES)
            if np.count_nonzero(early):
                candidate = np.argmax(candidate_si, axis=1)                   # (its ``best``)
                local = np.nonzero(early)[0]
                rows = idx[local]
                sub_amounts, sub_active = amounts[rows], active[rows]
                row_left = last_left[rows]
                moved = _add_minerals(np.arange(len(rows)), candidate[local], sub_amounts, sub_active,
                                      system, row_left)
                amounts[rows], active[rows], last_left[rows] = sub_amounts, sub_active, row_left
                visited[rows] |= sub_active
                changes[rows] += 1
                reset(rows)
                iterations[rows] = -1            # this pass's evaluation belongs to the old set
                step[local[moved]] = False       # the brine changed: evaluate it again first
                done[local[moved]] = True        # (no Newton bookkeeping for them this pass)
                act = active[idx]
                residual = np.where(act, ratio, 0.0)
                norm = np.maximum.reduce(np.abs(residual), axis=1, initial=0.0)
                merit = _merit(residual)
        # ---- Newton iterations ----
        newton = ~done
        iterations[idx[newton]] += 1
        out_of_iterations = newton & (iterations[idx] >= MAX_NEWTON_ITERATIONS)
        if np.count_nonzero(out_of_iterations):
            # A warm start far from the solution (e.g. a salt missing from the starting
            # assemblage in a very supersaturated brine) may trap Newton; such a brine restarts
            # cold once. Brines that fail cold too are solved by continuation in the water.
            failed = idx[out_of_iterations]
            twice = failed[restarted[failed]]
            if len(twice):
                if not continuation:
                    _raise_convergence(twice, totals, water0, temperature, amounts, active, ln_k, system,
                                       "Newton iteration did not reach the residual tolerance")
                to_continue[twice] = True
                pending[twice] = False
            fresh = failed[~restarted[failed]]
            restarted[fresh] = True
            amounts[fresh], active[fresh] = 0.0, False
            reset(fresh)
            step &= ~out_of_iterations
        # Backtrack where the last step did not reduce the residual (Armijo-like on the max norm).
        # A step that ended with a present mineral at exactly zero is kept: the projection drops
        # that mineral next if Newton still points below zero (halving back from the boundary
        # can cycle at an invariant point).
        worse = newton & step & (merit > (1.0 - 1e-4 * alpha[idx]) * previous_norm[idx]) \
            & (backtracks[idx] < _MAX_BACKTRACKS) & ~boundary[idx]
        if np.count_nonzero(worse):
            rows = idx[worse]
            alpha[rows] *= 0.5
            backtracks[rows] += 1
            amounts[rows] = previous_amounts[rows] + alpha[rows, None] * previous_delta[rows]
            step &= ~worse
        # Brines evaluated without Jacobian that still need a step: evaluated again, with it.
        lacking = step & confirm
        if np.count_nonzero(lacking):
            need_jacobian[idx[lacking]] = True
            step &= ~lacking
        n_step = np.count_nonzero(step)
        if not n_step:
            continue
        norm = merit
        stepping = None   # (all stepping, as one brine always: no copies; all read-only here)
        if n_step < len(step):
            stepping = np.flatnonzero(step)
            idx, act, residual = idx[stepping], act[stepping], residual[stepping]
            dissolved, water, norm = dissolved[stepping], water[stepping], merit[stepping]
        # (the evaluation's molalities and derivatives are read at their rows by the compiled step)
        delta = _newton_step(act, residual, molality, water, d_ln_gamma, d_ln_aw, system, rows=stepping)
        # Projected Newton: a present mineral at zero amount that would go negative is dropped
        # (none of it is left to dissolve); the brine restarts its Newton history. Minerals
        # dropped while supersaturated are tabu until the assemblage converges.
        at_bound = act & (amounts[idx] <= 0.0) & (delta < 0.0)
        blocked = np.logical_or.reduce(at_bound, axis=1)
        if np.count_nonzero(blocked):
            rows = idx[blocked]
            worst = np.argmin(np.where(at_bound[blocked], delta[blocked], 0.0), axis=1)
            tabu[rows, worst] |= residual[blocked, worst] > 0.0
            active[rows, worst] = False
            amounts[rows, worst] = 0.0
            previous_norm[rows] = np.inf
            alpha[rows] = 0.0
            free = ~blocked
            idx, act, delta = idx[free], act[free], delta[free]
            dissolved, water, norm = dissolved[free], water[free], norm[free]
        if len(idx) == 0:
            continue
        d_dissolved = -_thin_product(delta, system.stoichiometry)
        d_water = -_WATER_MOLAR_MASS * (delta @ system.hydrate_water)
        old = amounts[idx]
        moved, step_length = _take_step(old, delta, act, dissolved, water, d_dissolved, d_water, system)
        # (a step the log update curved that fails the test is backtracked along the plain
        # Newton direction: the curve's chord need not descend)
        previous_amounts[idx] = old
        previous_delta[idx] = delta
        previous_norm[idx] = norm
        alpha[idx] = step_length
        backtracks[idx] = 0
        amounts[idx] = moved
        boundary[idx] = np.logical_or.reduce(act & (old > 0.0) & (moved == 0.0), axis=1)
    unsettled |= pending
    return to_continue, unsettled


def _split_evaluation(dissolved, water, conditions, idx, confirm, system):
    """:func:`_log_activities` of the brines ``idx``, with Jacobian except where ``confirm``
    (their derivative rows are NaN: they must not take a step from this evaluation)."""
    # ``idx`` holds sorted distinct rows: all of them means no selection (saves copying the
    # per-brine Pitzer parameters, ~1 µs per brine)
    selected = conditions if len(idx) == len(conditions) else conditions[idx]
    if not np.count_nonzero(confirm):
        return _log_activities(dissolved, water, selected, system, with_jacobian=True)
    if np.count_nonzero(confirm) == len(confirm):
        ln_a, ln_aw, molality, _, _ = _log_activities(dissolved, water, selected, system, False)
        n_sp = molality.shape[1]
        return ln_a, ln_aw, molality, np.full((len(idx), n_sp, n_sp), np.nan), np.full((len(idx), n_sp), np.nan)
    full = ~confirm
    parts = _log_activities(dissolved[full], water[full], conditions[idx[full]], system, with_jacobian=True)
    light = _log_activities(dissolved[confirm], water[confirm], conditions[idx[confirm]], system, False)
    out = [np.full((len(idx),) + part.shape[1:], np.nan) for part in parts]
    for k, part in enumerate(parts):
        out[k][full] = part
        if k < 3:
            out[k][confirm] = light[k]
    return tuple(out)


def _merit(residual):
    """Merit function of the line search: the Euclidean norm of the residuals (the Newton
    direction descends on it; on the max norm it need not)."""
    return np.sqrt(np.einsum("bj,bj->b", residual, residual))


def _update_active_sets(totals, amounts, active, saturation, system, tabu, repeated=None, context=None,
                        last_left=None, capacity=None):
    """One active-set change per brine; returns the masks of brines whose set changed and of
    those whose brine changed too (a mineral dropped or exchanged; additions leave it as it was).

    ``repeated`` marks minerals that were dropped while supersaturated more than once: the
    assemblage cannot take them as an addition, so they enter in exchange for a present
    mineral — the one whose removal lets the newcomer's Newton step point positive
    (:func:`_choose_leaving`, given ``context = (totals, water0, temperature, ln_k)``), else the
    one nearest to exhaustion (smallest amount relative to its scarcest component).
    ``capacity`` is that scale, ``max(_capacity(totals), 1e-300)``, if the caller has it.
    """
    n_batch, n_min = amounts.shape
    rows = np.arange(n_batch)
    # Scale for "negative": the total of the scarcest component of each mineral.
    if capacity is None:
        capacity = np.maximum(_capacity(totals, system), 1e-300)
    relative = np.where(active, amounts / capacity, np.inf)
    most_negative = np.argmin(relative, axis=1)
    drop = relative[rows, most_negative] < -NEGATIVE_AMOUNT_TOLERANCE
    changed = drop.copy()
    active[rows[drop], most_negative[drop]] = False
    amounts[rows[drop], most_negative[drop]] = 0.0

    # "Most supersaturated" per formula ion (ln(IAP/K) / Σν): without the normalisation a
    # many-ion double salt (labile salt, polyhalite) outranks halite in a concentrated cold start.
    ions = system.species_stoichiometry.sum(axis=1)
    if repeated is not None:
        swap = ~drop & repeated.any(axis=1)
        if np.count_nonzero(swap):
            entering = np.argmax(repeated[swap], axis=1)
            sub = rows[swap]
            rel = np.where(active[sub], amounts[sub] / capacity[sub], np.inf)
            leaving = np.argmin(rel, axis=1)
            if context is not None:
                leaving = _choose_leaving(sub, entering, leaving, amounts, active, system, *context)
            has_leaving = np.isfinite(rel[np.arange(len(sub)), leaving])
            active[sub[has_leaving], leaving[has_leaving]] = False
            amounts[sub[has_leaving], leaving[has_leaving]] = 0.0
            active[sub, entering] = True
            amounts[sub, entering] = 0.0
            changed |= swap
            drop = drop | swap
    candidate_si = np.where(active | tabu, -np.inf, saturation / ions)
    candidate = np.argmax(candidate_si, axis=1)
    add = ~drop & (saturation[rows, candidate] > SUPERSATURATION_TOLERANCE) & ~active[rows, candidate]
    if np.count_nonzero(add):
        moved = _add_minerals(rows[add], candidate[add], amounts, active, system, last_left)
        changed |= add
        drop[rows[add][moved]] = True
    return changed, drop


def _capacity_plan(stoich):
    """Each mineral's solute components (padded by repeating the first) and their coefficients,
    and whether it has any, for :func:`_capacity`."""
    support = stoich > 0
    width = max(1, int(support.sum(axis=1).max(initial=0)))
    rank = np.cumsum(support, axis=1) - 1
    comp = np.zeros((stoich.shape[0], width), dtype=np.intp)
    coef = np.ones((stoich.shape[0], width))
    mins, comps = np.nonzero(support)
    comp[mins, rank[mins, comps]] = comps
    coef[mins, rank[mins, comps]] = stoich[mins, comps]
    counts = support.sum(axis=1)
    for slot in range(1, width):
        pad = counts <= slot
        comp[pad, slot], coef[pad, slot] = comp[pad, 0], coef[pad, 0]
    return [(comp[:, k], coef[:, k]) for k in range(width)], counts > 0


def _capacity(totals, system):
    """Moles of each mineral the totals could form, min over its components of N_e / ν_e, (B, n_min);
    inf for a mineral without solutes. Gathers each mineral's few components instead of dividing
    by the whole stoichiometric matrix. [mol]"""
    columns, has_solutes = system.capacity_plan
    capacity = totals[:, columns[0][0]] / columns[0][1]
    for comp, coef in columns[1:]:
        np.minimum(capacity, totals[:, comp] / coef, out=capacity)
    return np.where(has_solutes, capacity, np.inf)


def _choose_leaving(rows, entering, fallback, amounts, active, system, totals, water0, temperature, ln_k):
    """For each brine, the present mineral to exchange for ``entering``.

    Each present mineral k is tried in turn (one vectorised evaluation per brine, k stacked):
    with k removed and the newcomer added, the Newton step from the current state must raise
    the newcomer's amount; among those k, one whose full step keeps all amounts non-negative is
    preferred, then the largest rise. Rare (only for repeatedly rejected candidates), so the
    loop over brines is not hot.
    """
    out = fallback.copy()
    for i, (row, j) in enumerate(zip(rows, entering)):
        present = np.nonzero(active[row])[0]
        present = present[present != j]
        if len(present) == 0:
            continue
        trial = np.repeat(active[row][None], len(present), axis=0)
        trial[:, j] = True
        trial[np.arange(len(present)), present] = False
        start = np.repeat(amounts[row][None], len(present), axis=0)
        start[np.arange(len(present)), present] = 0.0
        n = len(present)
        dissolved, water = _composition(np.repeat(totals[row][None], n, axis=0),
                                        np.repeat(water0[row], n), start, system)
        ln_a, ln_aw, molality, d_gamma, d_aw = _log_activities(
            dissolved, water, np.repeat(temperature[row], n), system, with_jacobian=True)
        residual = np.where(trial, _residuals(ln_a, ln_aw, np.repeat(ln_k[row][None], n, axis=0), system), 0.0)
        step = _newton_step(trial, residual, molality, water, d_gamma, d_aw, system)
        rise = step[:, j]
        # Prefer exchanges whose full step keeps every present amount non-negative.
        feasible = np.all(np.where(trial, start + step, 0.0) >= 0.0, axis=1)
        score = np.where(rise > 0, rise + np.where(feasible, np.inf, 0.0), -np.inf)
        if np.any(rise > 0):
            best = np.nonzero(score == score.max())[0]
            out[i] = present[best[np.argmax(rise[best])]]
    return out


def _add_minerals(rows, candidate, amounts, active, system, last_left=None):
    """Activate ``candidate`` in ``rows``; swap out a dependent mineral by the ratio test.

    Dependence is tested on the solutes only (water left out): a candidate whose solutes are a
    combination of the present minerals' (glauberite = thenardite + anhydrite, but also gypsum
    beside anhydrite, or bloedite beside thenardite and kieserite) could coexist with them at
    one water activity only, and Newton stalls on the nearly singular system; it replaces the
    present mineral that the exchange exhausts first. But a candidate that left in such an
    exchange just before (``last_left``, per brine; updated here) is a hydrate pair buffering
    the water activity (the exchange released or bound enough water to turn the saturation
    back): it is added beside the others, as are candidates dependent only through water.
    Returns the mask of ``rows`` whose brine the exchange changed (hydrate water taken up or
    given back).
    """
    returning = np.zeros(len(rows), dtype=bool) if last_left is None else last_left[rows] == candidate
    # mineral vectors without water (0) or, for a returning hydrate, with it (1): (2, n_min, 1+n_el)
    vectors = system.mineral_vectors
    kind = returning.astype(np.intp)
    act = active[rows]                                                      # (k, n_min)
    target = vectors[kind, candidate]                                       # (k, c)
    active[rows, candidate] = True
    moved = np.zeros(len(rows), dtype=bool)
    if not act.any():
        return moved
    if act.shape[1] < 48:  # (keys below 2**62)
        # The test depends on (present set, returning, candidate) only: each distinct one is
        # decided once per system and kept (a handful of assemblages recur across batches).
        n_min = act.shape[1]
        keys = (((act @ (1 << np.arange(n_min, dtype=np.int64))) * 2 + kind) * n_min + candidate).tolist()
        cache = system.dependence_cache
        if len(cache) > _DEPENDENCE_CACHE_SIZE:
            cache.clear()
        # (one dictionary pass over the rows: cheaper than np.unique for the few hundred rows of
        # a typical call)
        verdicts = {}
        for row, key in enumerate(keys):
            if key not in verdicts:
                if key not in cache:
                    cache[key] = _dependence(act[row], vectors[kind[row]], target[row])
                verdicts[key] = cache[key]
        dependent = np.array([verdicts[key][0] for key in keys])
        if not np.count_nonzero(dependent):
            return moved
        alpha = np.stack([verdicts[key][1] for key, dep in zip(keys, dependent.tolist()) if dep])
    else:
        # Express the candidate in the present minerals (compressed to the present ones, padded
        # with zero rows): target = α · present (least squares), one pseudo-inverse per distinct
        # (present set, returning).
        count = int(act.sum(axis=1).max())
        order, is_present, _ = _compress(act, count)                             # (k, p)
        present = np.where(is_present[:, :, None], vectors[kind[:, None], order], 0.0)  # (k, p, c)
        _, first, inverse = np.unique(np.concatenate([act, returning[:, None]], axis=1), axis=0,
                                      return_index=True, return_inverse=True)
        inverse = inverse.reshape(-1)
        alpha_p = np.einsum("kc,kcp->kp", target, np.linalg.pinv(present[first])[inverse])
        misfit = np.abs(np.einsum("kp,kpc->kc", alpha_p, present) - target).max(axis=1)
        dependent = misfit <= 1e-9 * np.abs(target).max(axis=1)
        if not np.count_nonzero(dependent):
            return moved
        alpha = np.zeros(act.shape)
        r, c, slot = _compress(act, count)[2]
        alpha[r, c] = alpha_p[r, slot]
        alpha = alpha[dependent]
    dep_rows = rows[dependent]                                              # (``alpha``: their rows)
    a = np.where(act[dependent] & (alpha > 1e-12), alpha, 0.0)
    p = amounts[dep_rows]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(a > 0, np.maximum(p, 0.0) / a, np.inf)
    leaving = np.argmin(ratio, axis=1)
    theta = ratio[np.arange(len(dep_rows)), leaving]
    theta = np.where(np.isfinite(theta), theta, 0.0)
    # Exchange θ mol of the candidate for the combination it equals: the solids' solutes (and
    # so the brine's) are unchanged; the brine's water changes by the hydrate water difference.
    amounts[dep_rows] = p - theta[:, None] * a
    amounts[dep_rows, candidate[dependent]] = theta
    amounts[dep_rows, leaving] = 0.0
    active[dep_rows, leaving] = False
    water_change = theta * (system.hydrate_water[candidate[dependent]] - a @ system.hydrate_water)
    moved[dependent] = water_change != 0.0
    if last_left is not None:
        last_left[dep_rows] = np.where(water_change != 0.0, leaving, -1)
    return moved


def _dependence(present, vectors, target):
    """Whether ``target`` (1 + n_el) is a combination of the present minerals' ``vectors``
    (n_min, 1 + n_el), and the coefficients (n_min,) of that least-squares combination."""
    index = np.nonzero(present)[0]
    alpha = np.zeros(len(present))
    alpha[index] = target @ np.linalg.pinv(vectors[index])
    misfit = np.abs(alpha[index] @ vectors[index] - target).max()
    return bool(misfit <= 1e-9 * np.abs(target).max()), _read_only(alpha)


def _restore_feasibility(totals, water0, amounts, system):
    """Shrink the mineral amounts of brines whose brine a set change left (nearly) empty.

    Dropping a mineral with a negative amount can leave the others consuming more of a
    component than the system holds. Scaling all amounts by the largest s ≤ 1 that keeps
    ``_MIN_LEFT`` of every consumed component (and of the water) in solution restores a state
    from which Newton can proceed; the mass balance (1)–(2) holds for any amounts.
    """
    consumed = _thin_product(amounts, system.stoichiometry)                 # (B, n_el)
    consumed_water = _WATER_MOLAR_MASS * (amounts @ system.hydrate_water)
    limit = np.divide((1.0 - _MIN_LEFT) * totals, consumed, out=np.full(consumed.shape, np.inf),
                      where=consumed > 0).min(axis=1)
    limit_w = np.divide((1.0 - _MIN_LEFT) * water0, consumed_water, out=np.full(consumed_water.shape, np.inf),
                        where=consumed_water > 0)
    scale = np.minimum(1.0, np.minimum(limit, limit_w))
    return amounts * scale[:, None]


def _state(totals, water0, temperature, amounts, ln_k, system, final=None):
    """Properties of the solved states; ``final`` = (evaluated mask, ln a, ln a_w, species
    molalities) of the last evaluation of brines that finished in :func:`_iterate` at these
    amounts (reused, not recomputed)."""
    dissolved, water = _composition(totals, water0, amounts, system)
    if final is None:
        ln_a, ln_aw, molality_sp, *_ = _log_activities(dissolved, water, temperature, system, False)
    else:
        evaluated, ln_a, ln_aw, molality_sp = (a.copy() for a in final)
        rows = np.nonzero(~evaluated)[0]
        if len(rows):
            ln_a[rows], ln_aw[rows], molality_sp[rows], *_ = _log_activities(
                dissolved[rows], water[rows], temperature[rows], system, False)
    saturation = _residuals(ln_a, ln_aw, ln_k, system)
    molality = dissolved / water[:, None]
    ionic_strength = 0.5 * (molality_sp * system.charge ** 2).sum(axis=1)
    water_activity = np.exp(ln_aw)
    total_molality = molality_sp.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        osmotic = np.where(total_molality > 0, -ln_aw / (_WATER_MOLAR_MASS * total_molality), 1.0)
    density = solution_density(molality, temperature)
    valid = (ionic_strength <= MAX_IONIC_STRENGTH) & (water_activity >= MIN_WATER_ACTIVITY)
    return dict(molality=molality, dissolved=dissolved, minerals=amounts, water_kg=water,
                water_activity=water_activity, osmotic_coefficient=osmotic,
                ionic_strength=ionic_strength, density_kg_per_m3=density, baume=baume(density),
                valid=valid, saturation_index=saturation / _LN10, temperature=temperature)


def solve_equilibrium(totals, water, temperature, minerals=None, warm_start=None,
                      system: ChemicalSystem | None = None, continuation: bool = True) -> EquilibriumState:
    """Equilibrium of brines with the minerals of the Na-K-Mg-Ca-Cl-SO4-H2O system.

    Parameters
    ----------
    totals : array_like, shape (..., n_el)
        Amount of each solute component in the system (brine plus minerals), ``SOLUTES`` order
        (Na, K, Mg, Ca, Cl, SO4, C, Br, Li). C takes part in no reaction here (no carbonate
        species in the activity model): it stays dissolved. [mol]
    water : float or array_like, shape (...)
        Water in the system, including the water bound in the minerals given in
        ``warm_start`` (the solver takes hydrate water out of it). [kg]
    temperature : float or array_like, shape (...)
        Temperature, 273.15–323.15 K. [K]
    minerals : sequence of str, optional
        Minerals allowed to form (PHREEQC spelling or lower-case ids); default all.
    warm_start : EquilibriumState or array_like (..., n_min), optional
        Initial mineral amounts; minerals with a positive amount start present. With an
        ``EquilibriumState`` of the same minerals, its amounts are used. [mol]
    system : ChemicalSystem, optional
        The species/mineral arrays; default :func:`chemical_system` (restricted to ``minerals``).
    continuation : bool
        Solve brines that fail from a cold start by continuation: first at more water (ionic
        strength ≈ ``CONTINUATION_IONIC_STRENGTH``), then removing the water in steps, each
        warm-started from the last (an evaporation path to the requested state).

    Returns
    -------
    EquilibriumState
        Shapes follow the broadcast batch shape of the inputs.

    Raises
    ------
    ConvergenceError
        If a brine's residual or assemblage does not converge; the error carries ``residual``,
        ``temperature``, ``ionic_strength``, ``totals`` and ``water`` of the first failing brine.

    Warns
    -----
    ValidityWarning
        If any brine lies outside I ≤ 20 mol/kg and a_w ≥ 0.2 (those are flagged ``valid``).

    Examples
    --------
    >>> import numpy as np
    >>> totals = np.zeros(9); totals[0] = totals[4] = 7.0      # 7 mol NaCl in 1 kg water
    >>> state = solve_equilibrium(totals, 1.0, 298.15, minerals=["Halite"])
    >>> round(float(state.molality[0]), 2)                    # halite solubility
    6.13
    """
    system = system or chemical_system()
    if minerals is not None:
        system = system.select(minerals)
    totals = np.asarray(totals, dtype=float)
    n_el = len(SOLUTES)
    if totals.shape[-1] != n_el:
        raise ValueError(f"totals: last axis has {totals.shape[-1]} entries; expected {n_el} ({', '.join(SOLUTES)})")
    batch_shape = np.broadcast_shapes(totals.shape[:-1], np.shape(water), np.shape(temperature))
    totals_b = np.broadcast_to(totals, batch_shape + (n_el,)).reshape(-1, n_el).copy()
    water_b = np.broadcast_to(np.asarray(water, dtype=float), batch_shape).reshape(-1).copy()
    temp_b = np.broadcast_to(np.asarray(temperature, dtype=float), batch_shape).reshape(-1).copy()
    n_batch, n_min = len(totals_b), len(system.mineral_names)
    system = system.without_absent(totals_b)

    amounts = np.zeros((n_batch, n_min))
    if warm_start is not None:
        start = warm_start.minerals if isinstance(warm_start, EquilibriumState) else warm_start
        amounts[:] = np.broadcast_to(np.asarray(start, dtype=float), batch_shape + (n_min,)).reshape(-1, n_min)
    elif continuation and n_batch >= _SEED_MIN_BATCH:
        amounts[:] = _seeded_start(totals_b, water_b, temp_b, system)
    active = amounts > 0
    amounts = _restore_feasibility(totals_b, water_b, amounts, system)
    ln_k = np.broadcast_to(system.ln_k(temp_b), (n_batch, n_min))

    n_sp = len(system.species_component)
    final = (np.zeros(n_batch, dtype=bool), np.zeros((n_batch, n_sp)), np.zeros(n_batch), np.zeros((n_batch, n_sp)))
    pending = None
    if warm_start is None and continuation and n_batch >= _SEED_MIN_BATCH:
        pending = ~_finish_undersaturated(totals_b, water_b, temp_b, ln_k, active, system, final)
    to_continue, unsettled = _iterate(totals_b, water_b, temp_b, ln_k, amounts, active, system, continuation,
                                      final, pending=pending)
    if unsettled.any():
        _raise_convergence(np.nonzero(unsettled)[0], totals_b, water_b, temp_b, amounts, active, ln_k,
                           system, "the mineral assemblage did not settle")
    if to_continue.any():
        rows = np.nonzero(to_continue)[0]
        solved = _continuation(totals_b[rows], water_b[rows], temp_b[rows], system).minerals
        amounts[rows], active[rows] = solved, solved > 0
        final[0][rows] = False

    fields = _state(totals_b, water_b, temp_b, amounts, ln_k, system, final)
    # Final verification on the returned state itself (cheap: one activity evaluation).
    ln_ratio = fields["saturation_index"] * _LN10
    bad = np.where(active, np.abs(ln_ratio) > RESIDUAL_TOLERANCE, ln_ratio > SUPERSATURATION_TOLERANCE)
    failed = bad.any(axis=1) | ~np.isfinite(fields["molality"]).all(axis=1) | (fields["water_kg"] <= 0)
    if failed.any():
        _raise_convergence(np.nonzero(failed)[0], totals_b, water_b, temp_b, amounts, active, ln_k,
                           system, "the final state fails the residual or saturation check")
    if not fields["valid"].all():
        bad = int((~fields["valid"]).sum())
        warnings.warn(f"{bad} of {n_batch} brines lie outside the activity model's validity "
                      f"(I > {MAX_IONIC_STRENGTH} mol/kg or a_w < {MIN_WATER_ACTIVITY}); flagged valid=False",
                      ValidityWarning, stacklevel=2)
    shaped = {}
    for key, value in fields.items():
        shaped[key] = value.reshape(batch_shape + value.shape[1:])
    return EquilibriumState(mineral_names=system.mineral_names, **shaped)


def _finish_undersaturated(totals, water, temperature, ln_k, active, system, final):
    """Brines of a predicted start without any mineral that no mineral saturates: one
    evaluation without Jacobian (about a third of the cost) finishes them before the fused loop,
    which would evaluate them with it. Fills their rows of ``final`` (see :func:`_iterate`) and
    returns their mask. [-]"""
    finished = np.zeros(len(totals), dtype=bool)
    rows = np.flatnonzero(~active.any(axis=1))
    if len(rows) < _MIN_CONFIRM_BATCH:
        return finished
    ln_a, ln_aw, molality, *_ = _log_activities(totals[rows], water[rows], temperature[rows], system, False)
    done = np.all(_residuals(ln_a, ln_aw, ln_k[rows], system) <= SUPERSATURATION_TOLERANCE, axis=1)
    rows = rows[done]
    finished[rows] = True
    final[0][rows] = True
    final[1][rows], final[2][rows], final[3][rows] = ln_a[done], ln_aw[done], molality[done]
    return finished


def _seeded_start(totals, water, temperature, system):
    """Starting mineral amounts for a large cold batch, from solved neighbours.

    One brine in ``_SEED_STRIDE`` (evenly spaced in the order of the brines' ionic strength) is
    solved cold; every other brine starts from the solids of its nearest seed in (ln molality,
    temperature) space, scaled to its own water. A good start saves most of the assemblage
    changes of a cold start; a poor one only costs the usual changes (or a cold restart).
    """
    from scipy.spatial import cKDTree

    molality = np.maximum(totals / water[:, None], 1e-8)
    features = np.concatenate([np.log(molality[:, system.species_component]),
                               (temperature / _SEED_TEMPERATURE_SCALE)[:, None]], axis=1)
    charge_sq = np.zeros(totals.shape[1])
    charge_sq[system.species_component] = system.charge ** 2
    order = np.argsort(molality @ charge_sq)
    seeds = order[:: _SEED_STRIDE]
    if len(seeds) >= _SEED_MIN_BATCH:
        # Seeds need to be near their equilibrium, not exactly at it for every one: the seeds
        # still iterating after _SEED_PASSES passes (the tail of small, fixed-cost passes) are
        # left out, and start like the other brines.
        seeded, converged = _solve_seeds(totals[seeds], water[seeds], temperature[seeds], system)
        if converged.any():
            seeds = seeds[converged]
        else:
            seeded = solve_equilibrium(totals[seeds], water[seeds], temperature[seeds], system=system)
    else:
        # The first seeds are solved along an evaporation ladder (all together): cheaper and
        # surer than cold starts of concentrated brines, which often end in continuation anyway.
        # The ladder's last stage is the seeds' own equilibrium (no further solve).
        try:
            seeded = _continuation(totals[seeds], water[seeds], temperature[seeds], system, _SEED_LADDER_RATIO)
        except ConvergenceError:
            seeded = _continuation(totals[seeds], water[seeds], temperature[seeds], system)
    _, nearest = cKDTree(features[seeds]).query(features, k=1)
    start = _predict(totals, water, temperature, seeded, nearest, system)
    start[seeds] = seeded.minerals
    return start


def _solve_seeds(totals, water, temperature, system):
    """Cold solve of the seeds, stopped after ``_SEED_PASSES`` passes of the fused loop; returns
    the state of the converged seeds and their mask."""
    amounts = _restore_feasibility(totals, water, _seeded_start(totals, water, temperature, system), system)
    active = amounts > 0
    n_batch = len(totals)
    ln_k = np.broadcast_to(system.ln_k(temperature), (n_batch, len(system.mineral_names)))
    n_sp = len(system.species_component)
    final = (np.zeros(n_batch, dtype=bool), np.zeros((n_batch, n_sp)), np.zeros(n_batch), np.zeros((n_batch, n_sp)))
    pending = ~_finish_undersaturated(totals, water, temperature, ln_k, active, system, final)
    to_continue, unsettled = _iterate(totals, water, temperature, ln_k, amounts, active, system, True, final,
                                      pass_limit=_SEED_PASSES, pending=pending)
    converged = final[0] & ~to_continue & ~unsettled
    rows = np.nonzero(converged)[0]
    fields = _state(totals[rows], water[rows], temperature[rows], amounts[rows], ln_k[rows], system,
                    tuple(part[rows] for part in final))
    return EquilibriumState(mineral_names=system.mineral_names, **fields), converged


def _predict(totals, water, temperature, neighbours, nearest, system, follow_temperature=True):
    """Starting amounts of brines from solved neighbours (``neighbours[nearest]``): the lever
    rule at the neighbour's brine composition, refined on the activity model linearised at the
    neighbour's state (:func:`_lever_rule`, :func:`_linearised_newton`), in the molalities and,
    for a neighbour at another temperature, in the temperature (on the 10,000-brine benchmark
    this cut the median residual of the first evaluation from 0.021 to 0.004). [mol]"""
    solved_present = neighbours.minerals > 0
    start = _lever_rule(totals, water, neighbours.molality, solved_present, system, nearest)
    present = solved_present[nearest]
    start = _restore_feasibility(totals, water, start, system)
    dissolved = neighbours.molality * neighbours.water_kg[:, None]
    ln_a, ln_aw, m, d_gamma, d_aw = _log_activities(dissolved, neighbours.water_kg, neighbours.temperature,
                                                    system, with_jacobian=True)
    ln_gamma = ln_a - np.log(np.maximum(m, _MOLALITY_FLOOR))
    ln_gamma_b, ln_aw_b = ln_gamma[nearest], ln_aw[nearest]
    shift = np.asarray(temperature, dtype=float) - neighbours.temperature[nearest]
    if follow_temperature and np.any(shift != 0.0):
        # ln γ and ln a_w move with the temperature too (a few 1e-3 per K in concentrated
        # brines): first order by a difference of _TEMPERATURE_STEP at the neighbours
        warmer = neighbours.temperature + _TEMPERATURE_STEP
        ln_a_t, ln_aw_t, *_ = _log_activities(dissolved, neighbours.water_kg, warmer, system, with_jacobian=False)
        shift = shift / _TEMPERATURE_STEP
        ln_gamma_b = ln_gamma_b + shift[:, None] * (ln_a_t - ln_a)[nearest]
        ln_aw_b = ln_aw_b + shift * (ln_aw_t - ln_aw)[nearest]
    # (the Jacobian in the activity model's orientation, ∂ln γ_s/∂m_t at [b, s, t])
    return _linearised_newton(totals, water, system.ln_k(temperature), start, present,
                              (m[nearest], ln_gamma_b, ln_aw_b, np.swapaxes(d_gamma, 1, 2)[nearest], d_aw[nearest]),
                              system)


def _linearised_newton(totals, water0, ln_k, amounts, active, model, system, iterations=None):
    """Refine starting amounts and assemblage on the activity model linearised at a neighbour.

    ``model`` = (m', ln γ', ln a_w', ∂ ln γ/∂m ([b, s, t] = ∂ln γ_s/∂m_t), ∂ ln a_w/∂m) of the
    neighbour (primed; ln γ' and ln a_w' carried to the brine's temperature to first order by
    :func:`_predict`); here
    ln γ = ln γ' + (m − m')·∂ ln γ/∂m and ln a_w likewise, so a damped Newton iteration on the
    mass-action laws (3) costs no evaluation of the activity model, and the start it gives is
    off by second-order terms in m − m' only. On this model too, an absent mineral
    supersaturated by more than ``_LINEARISED_ADDITION`` (per formula ion) is added once the
    present ones converge (at most ``_LINEARISED_MAX_ADDITIONS``), and a mineral at zero whose
    step points negative is dropped (and not added again). Each iteration's residuals and Newton
    steps are one compiled pass over the brines (:func:`_linearised_pass`, D39 (8)); additions
    stay in NumPy. Returns the amounts (a start for the full solve, not a solution). [mol]
    """
    amounts = amounts.copy()
    active = active & (amounts > 0)
    dropped = np.zeros_like(active)
    additions = np.zeros(len(amounts), dtype=int)
    ions = system.species_stoichiometry.sum(axis=1)
    m0, ln_gamma0, ln_aw0, d_gamma, d_aw = model
    species_totals = np.ascontiguousarray(totals[:, system.species_component])
    ln_k = np.ascontiguousarray(ln_k)
    rows = np.arange(len(amounts))
    for _ in range(iterations or _LINEARISED_ITERATIONS):
        if len(rows) == 0:
            break
        ratio, going = _linearised_pass(rows, species_totals, water0, amounts, active, dropped, ln_k, m0, ln_gamma0,
                                        ln_aw0, d_gamma, d_aw, system.species_stoichiometry, system.hydrate_water,
                                        _WATER_MOLAR_MASS, _MOLALITY_FLOOR, _LINEARISED_TOLERANCE, _MAX_DEPLETION,
                                        _LOG_UPDATE_MIN, _LOG_UPDATE_MAX)
        add = np.zeros(len(rows), dtype=bool)
        settled = np.flatnonzero(~going)
        if len(settled):
            converged = rows[settled]
            candidate_si = np.where(active[converged] | dropped[converged], -np.inf, ratio[settled] / ions)
            candidate = np.argmax(candidate_si, axis=1)
            adding = (candidate_si[np.arange(len(converged)), candidate] > _LINEARISED_ADDITION) \
                & (additions[converged] < _LINEARISED_MAX_ADDITIONS)
            if adding.any():
                added = converged[adding]
                sub_amounts, sub_active = amounts[added], active[added]
                _add_minerals(np.arange(len(added)), candidate[adding], sub_amounts, sub_active, system)
                amounts[added], active[added] = sub_amounts, sub_active
                additions[added] += 1
                add[settled[adding]] = True
        rows = rows[going | add]
    return amounts


@_jit
def _linearised_pass(rows, totals, water0, amounts, active, dropped, ln_k, m0, ln_gamma0, ln_aw0, d_gamma, d_aw, nu,
                     h, water_molar_mass, floor, tolerance, max_depletion, log_min, log_max):
    """One iteration of :func:`_linearised_newton` for the brines ``rows``: ln(IAP/K) of every
    mineral on the linearised model, returned (R, n_min) with the mask of brines whose present
    minerals are not within ``tolerance``; those take a damped Newton step here, updating
    ``amounts``, ``active`` and ``dropped`` in place (the rules of :func:`_take_step`: a
    present mineral at zero whose step points negative is dropped; amounts stay ≥ 0, the
    mineral that limits the step ends at exactly zero, at most ``max_depletion`` of any
    dissolved amount or of the water is removed; a full step follows the logarithm of a
    fast-growing species). ``totals`` (B, n_sp) are the species' totals."""
    n_min, n_sp = nu.shape
    n_rows = rows.shape[0]
    ratio = np.empty((n_rows, n_min))
    going = np.zeros(n_rows, dtype=np.bool_)
    present = np.empty(n_min, dtype=np.int64)
    dissolved, molality, ln_a, d_dissolved = np.empty(n_sp), np.empty(n_sp), np.empty(n_sp), np.empty(n_sp)
    new = np.empty(n_min)
    dm, d_ln_a = np.empty((n_min, n_sp)), np.empty((n_min, n_sp))
    d_aw_k, jac, step = np.empty(n_min), np.empty((n_min, n_min)), np.empty(n_min)
    for r in range(n_rows):
        b = rows[r]
        # composition (1)–(2), linearised ln a and ln a_w, residuals (3)
        for s in range(n_sp):
            dissolved[s] = totals[b, s]
        water = water0[b]
        k = 0
        for j in range(n_min):
            if active[b, j]:
                present[k] = j
                k += 1
            if amounts[b, j] != 0.0:
                for s in range(n_sp):
                    dissolved[s] -= amounts[b, j] * nu[j, s]
                water -= water_molar_mass * amounts[b, j] * h[j]
        for s in range(n_sp):
            molality[s] = max(dissolved[s], 0.0) / water
        ln_aw = ln_aw0[b]
        for t in range(n_sp):
            ln_aw += (molality[t] - m0[b, t]) * d_aw[b, t]
        for s in range(n_sp):
            acc = np.log(max(molality[s], floor)) + ln_gamma0[b, s]
            for t in range(n_sp):
                acc += (molality[t] - m0[b, t]) * d_gamma[b, s, t]
            ln_a[s] = acc
        worst = 0.0
        for j in range(n_min):
            acc = h[j] * ln_aw - ln_k[b, j]
            for s in range(n_sp):
                acc += nu[j, s] * ln_a[s]
            ratio[r, j] = acc
            if active[b, j] and abs(acc) > worst:
                worst = abs(acc)
        if not worst > tolerance:
            continue
        going[r] = True
        _row_step(present, k, ratio[r], molality, water, d_gamma[b], d_aw[b], nu, h, water_molar_mass, floor, dm,
                  d_ln_a, d_aw_k, jac, step)
        for a in range(k):
            j = present[a]
            if amounts[b, j] <= 0.0 and step[a] < 0.0:
                active[b, j] = False
                dropped[b, j] = True
                step[a] = 0.0
        d_water = 0.0
        for s in range(n_sp):
            d_dissolved[s] = 0.0
        for a in range(k):
            j = present[a]
            for s in range(n_sp):
                d_dissolved[s] -= step[a] * nu[j, s]
            d_water -= water_molar_mass * step[a] * h[j]
        _row_take_step(present, k, step, amounts[b], active[b], dissolved, water, d_dissolved, d_water, nu,
                       max_depletion, log_min, log_max, new)
        for a in range(k):
            j = present[a]
            amounts[b, j] = max(new[j], 0.0) if active[b, j] else 0.0
    return ratio, going


def _lever_rule(totals, water0, molality, present, system, nearest=None):
    """Amounts of the ``present`` minerals that leave each brine nearest to ``molality``.

    With the amounts p of the present minerals, the brine holds N − Sᵀp and W0 − M_w hᵀp;
    asking for the target molalities m gives the linear equations
    (Sᵀ − M_w m hᵀ) p = N − m W0 (one per reacting component, scaled by its target dissolved amount),
    solved in the least-squares sense and clipped at zero. With the neighbour's equilibrium brine
    as the target this is the lever rule of phase diagrams: brines near an invariant point keep
    its brine composition and differ in the amounts of solids.

    ``molality`` (T, n_el) and ``present`` (T, n_min) are targets, brine b aims at target
    ``nearest[b]`` (default: target b). Scaled by 1/(m W0), the equations of all brines of one
    target share the matrix up to the factor 1/W0, which cancels: p = P (N − m W0)/m with
    P = (A Aᵀ)⁻¹ A, A = (Sᵀ − M_w m hᵀ)/m, one small solve per target. Brines for which the
    scale's floor (1e-12 N) applies are solved one by one. [mol]
    """
    nearest = np.arange(len(totals)) if nearest is None else np.asarray(nearest)
    n_batch, n_min = len(totals), present.shape[1]
    count = int(present.sum(axis=1).max(initial=0))
    amounts = np.zeros((n_batch, n_min))
    if count == 0:
        return amounts
    reacting = np.flatnonzero(np.any(system.stoichiometry != 0, axis=0))
    order = np.argsort(~present, axis=1, kind="stable")[:, :count]            # (T, k)
    mask = np.take_along_axis(present, order, axis=1)
    m = molality[:, reacting]                                                 # (T, e)
    n_el = totals[:, reacting]
    m_b = m[nearest]
    shared = np.all(m_b * water0[:, None] >= 1e-12 * n_el + 1e-300, axis=1)
    solution = np.empty((n_batch, count))
    if shared.any():
        targets = np.unique(nearest[shared])
        safe = np.where(m[targets] > 0.0, m[targets], 1.0)
        matrix = _lever_matrix(system, order[targets], mask[targets], m[targets], 1.0 / safe, reacting)
        normal, ridge = _lever_normal(matrix, mask[targets])
        projector = np.zeros((len(m), count, len(reacting)))
        projector[targets] = np.linalg.solve(normal + ridge * np.eye(count), matrix)   # (T, k, e)
        rows = np.flatnonzero(shared)
        target_m = m_b[rows]
        q = (n_el[rows] - target_m * water0[rows, None]) / target_m
        solution[rows] = np.einsum("bke,be->bk", projector[nearest[rows]], q)
    rows = np.flatnonzero(~shared)
    if len(rows):
        t = nearest[rows]
        scale = 1.0 / np.maximum(m_b[rows] * water0[rows, None], 1e-12 * n_el[rows] + 1e-300)
        matrix = _lever_matrix(system, order[t], mask[t], m[t], scale, reacting)
        normal, ridge = _lever_normal(matrix, mask[t])
        rhs = (n_el[rows] - m_b[rows] * water0[rows, None]) * scale
        solution[rows] = np.linalg.solve(normal + ridge * np.eye(count), (matrix @ rhs[:, :, None]))[..., 0]
    np.put_along_axis(amounts, order[nearest], np.where(mask[nearest], np.maximum(solution, 0.0), 0.0), axis=1)
    return amounts


def _lever_matrix(system, order, mask, m, scale, reacting):
    """(Sᵀ − M_w m hᵀ) of the lever rule per row, scaled by ``scale`` per component, padding
    minerals zero, (R, k, e)."""
    stoich = system.stoichiometry[:, reacting][order]                         # (R, k, e)
    h = system.hydrate_water[order]                                           # (R, k)
    matrix = stoich - _WATER_MOLAR_MASS * h[:, :, None] * m[:, None, :]
    return np.where(mask[:, :, None], matrix, 0.0) * scale[:, None, :]


def _lever_normal(matrix, mask):
    """Normal matrix of the lever rule's least squares, padding slots the identity, and its
    ridge (the present minerals of a solved neighbour are independent; the ridge only guards
    rounding)."""
    count = matrix.shape[1]
    normal = matrix @ np.swapaxes(matrix, 1, 2)                               # (R, k, k)
    ridge = 1e-12 * np.trace(normal, axis1=1, axis2=2)[:, None, None] + 1e-300
    return np.where(mask[:, :, None] & mask[:, None, :], normal, np.eye(count)), ridge


def _enumerate_assemblages(totals, water, temperature, ln_k, amounts, visited, system):
    """Last resort for a brine whose assemblage cycles: try every subset of the minerals it
    visited (one vectorised Newton solve over all subsets); among the subsets whose solution has
    no negative amount and no supersaturated absent mineral, return the amounts of the one of
    least Gibbs energy, or None.
    """
    members = np.nonzero(visited)[0][:_MAX_ENUMERATED]
    n_min = len(visited)
    count = 1 << len(members)
    bits = (np.arange(count)[:, None] >> np.arange(len(members))[None, :]) & 1
    active = np.zeros((count, n_min), dtype=bool)
    active[:, members] = bits.astype(bool)
    start = np.where(active, np.maximum(amounts, 1e-9)[None, :], 0.0)
    totals_k = np.repeat(totals[None], count, axis=0)
    water_k = np.repeat(water, count)
    start = _restore_feasibility(totals_k, water_k, start, system)
    # Unprojected Newton: amounts may go negative (that subset is then rejected), so no mineral
    # is dropped from the subset being tested.
    converged, saturation = _newton(totals_k, water_k, np.repeat(temperature, count),
                                    np.repeat(ln_k[None], count, axis=0), start, active, system)
    ok = converged & np.all(np.where(active, start >= -NEGATIVE_AMOUNT_TOLERANCE, True), axis=1) \
        & np.all(np.where(active, True, saturation <= SUPERSATURATION_TOLERANCE), axis=1)
    if not ok.any():
        return None
    # Several subsets may satisfy the conditions (the Pitzer free energy is not convex); the
    # stable one has the least Gibbs energy. With the totals fixed, up to a constant,
    # G / RT = Σ_s n_s ln a_s + n_w ln a_w − Σ_j p_j ln K_j.
    candidates = np.nonzero(ok)[0]
    amounts_ok = np.maximum(start[candidates], 0.0)
    dissolved, water_left = _composition(totals_k[candidates], water_k[candidates], amounts_ok, system)
    ln_a, ln_aw, *_ = _log_activities(dissolved, water_left, np.repeat(temperature, len(candidates)),
                                      system, False)
    n_species = np.maximum(dissolved[:, system.species_component], 0.0)
    gibbs = (n_species * ln_a).sum(axis=1) + water_left / _WATER_MOLAR_MASS * ln_aw \
        - (amounts_ok * ln_k[None]).sum(axis=1)
    return amounts_ok[int(np.argmin(gibbs))]


def _continuation(totals, water, temperature, system, ratio=None):
    """Equilibrium state of brines solved along a ladder of water amounts down to ``water``
    (water ratio between stages ``ratio``, default ``_CONTINUATION_RATIO``); the last stage is
    ``water`` itself."""
    ratio = ratio or _CONTINUATION_RATIO
    charge_sq = np.zeros(len(SOLUTES))
    charge_sq[system.species_component] = system.charge ** 2
    start = np.maximum(water, 0.5 * (totals @ charge_sq) / CONTINUATION_IONIC_STRENGTH)
    stages = int(np.clip(np.ceil(np.log(start / water).max() / np.log(ratio)), 1,
                         _MAX_CONTINUATION_STAGES))
    state = None
    rows = np.arange(len(water))
    for k in range(stages + 1):
        ladder = water if k == stages else start * (water / start) ** (k / stages)
        if state is None:
            state = solve_equilibrium(totals, ladder, temperature, system=system, continuation=False)
            continue
        try:
            # Each stage starts from the last one's solids, moved by the lever rule and the
            # linearised activity model (:func:`_predict`) ...
            warm = _predict(totals, ladder, temperature, state, rows, system)
            state = solve_equilibrium(totals, ladder, temperature, warm_start=warm, system=system,
                                      continuation=False)
        except ConvergenceError:
            # ... or, should that prediction mislead Newton, from the last solids as they are.
            state = solve_equilibrium(totals, ladder, temperature, warm_start=state, system=system,
                                      continuation=False)
    return state


def _raise_convergence(rows, totals, water0, temperature, amounts, active, ln_k, system, reason):
    first = int(rows[0])
    dissolved, water = _composition(totals[first:first + 1], water0[first:first + 1],
                                    amounts[first:first + 1], system)
    ln_a, ln_aw, molality_sp, *_ = _log_activities(dissolved, water, temperature[first:first + 1],
                                                   system, False)
    residual = np.where(active[first:first + 1], _residuals(ln_a, ln_aw, ln_k[first:first + 1], system), 0.0)
    ionic_strength = float(0.5 * (molality_sp * system.charge ** 2).sum())
    present = [n for n, a in zip(system.mineral_names, active[first]) if a]
    raise ConvergenceError(
        f"equilibrium solve failed for {len(rows)} brine(s): {reason}; first failing brine "
        f"#{first}: max |residual| {float(np.abs(residual).max()):.3g} (tol {RESIDUAL_TOLERANCE:g}), "
        f"T = {float(temperature[first]):.2f} K, I = {ionic_strength:.3g} mol/kg, "
        f"minerals present: {', '.join(present) or 'none'}",
        residual=float(np.abs(residual).max()), tol=RESIDUAL_TOLERANCE,
        temperature=float(temperature[first]), ionic_strength=ionic_strength,
        totals=totals[first].tolist(), water=float(water0[first]), minerals_present=present)

