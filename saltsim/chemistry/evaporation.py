"""Evaporation, dilution and cooling paths of a brine.

A path takes a brine through a sequence of states — water removed (evaporation), water added
(dilution by rain) or temperature changed (cooling) — and solves the brine–mineral equilibrium
at each (:func:`saltsim.chemistry.equilibrium.solve_equilibrium`). In equilibrium mode all
states are solved together in vectorised calls; in fractional mode they are solved one after
the other, each warm-started from the last.

Two modes:

* ``"equilibrium"``: the solids stay in contact with the brine and may redissolve (a closed
  system; every state depends only on the totals, the water and the temperature).
* ``"fractional"``: the solids formed in a step are removed before the next step (a pond train);
  the brine of each step is the brine left by the previous one.

Amounts are per kilogram of *initial* water (the brine starts with 1 kg of water and the given
molalities). Mineral amounts are cumulative: in equilibrium mode the amount present (precipitated
and not redissolved), in fractional mode the total removed so far.

Onsets: when a mineral first appears between two steps, the interval is bisected until the
concentration factor (CF = initial water / water left in solution) is bracketed within
``ONSET_RELATIVE_TOLERANCE``; the bracketing states are inserted as extra rows (so the path has
more rows than requested steps, and every onset is located to the tolerance).

Evaporation steps are geometric in the water left: step i removes the water down to
``to_water_fraction ** (i / (steps − 1))`` of the initial water (hydrate water bound in the
minerals comes out of the solution too, so the solution's own water fraction ends lower), the
scheme of the PHREEQC reference paths in ``tests/data/evaporation``. In fractional mode each
step removes the same *fraction* of the solution's water as the target does, so the solution
never runs dry although hydrate water leaves with the solids.

A state that cannot be solved — typically because the hydrates would bind more water than is
left (the brine dries out) — ends the path at the last solved state with a
:class:`PathTruncatedWarning`.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from dataclasses import fields as fields_of

import numpy as np

from ..constants import SOLUTES
from ..errors import ConvergenceError
from .equilibrium import (
    ChemicalSystem,
    EquilibriumState,
    ValidityWarning,
    chemical_system,
    solve_equilibrium,
)

__all__ = [
    "EvaporationPath",
    "PathTruncatedWarning",
    "evaporation_path",
    "dilution_path",
    "cooling_path",
    "ONSET_RELATIVE_TOLERANCE",
    "PRESENT_AMOUNT",
]

#: Every mineral's onset is bracketed within this relative width of the concentration factor
#: (the issue asks for 0.5 %; half of it leaves margin for interpolation inside the bracket). [-]
ONSET_RELATIVE_TOLERANCE = 0.0025
#: A mineral counts as present above this amount per kg of initial water (compare_path.py uses
#: 1e-9 mol). [mol kg⁻¹]
PRESENT_AMOUNT = 1e-12
#: Bisection steps allowed per onset (2⁻²⁰ of a step is far below the tolerance).
_MAX_BISECTIONS = 20
#: Equilibrium paths: every this-many-th state is solved cold, the others warm from it.
_COARSE_STRIDE = 8
#: Onsets on a cooling path are bracketed within this temperature interval. [K]
_TEMPERATURE_BRACKET = 0.05
_MODES = ("equilibrium", "fractional")


@dataclass(frozen=True)
class EvaporationPath:
    """A brine's path, one row per state; amounts per kg of initial water.

    Attributes
    ----------
    mode : str
        ``"equilibrium"`` or ``"fractional"``.
    mineral_names : tuple of str
        PHREEQC spelling, the last axis of ``minerals`` and ``saturation_index``.
    step : ndarray of int, shape (K,)
        Requested step of each row; refined onset rows carry the step they precede. [-]
    refined : ndarray of bool, shape (K,)
        True for rows inserted to bracket an onset. [-]
    temperature : ndarray, shape (K,)
        [K]
    water_removed : ndarray, shape (K,)
        Net water evaporated from the system (negative when diluted). [kg kg⁻¹]
    water_kg : ndarray, shape (K,)
        Water left in solution. [kg kg⁻¹]
    water_fraction, concentration_factor : ndarray, shape (K,)
        Water in solution / initial water, and its inverse. [-]
    water_activity, osmotic_coefficient : ndarray, shape (K,)
        [-]
    ionic_strength : ndarray, shape (K,)
        [mol kg⁻¹]
    density_kg_per_m3, baume : ndarray, shape (K,)
        [kg m⁻³], [°Bé]
    valid : ndarray of bool, shape (K,)
        False outside the activity model's validity range.
    molality, dissolved : ndarray, shape (K, n_el)
        Dissolved molality [mol kg⁻¹ water] and dissolved amount [mol kg⁻¹ initial water] of each
        solute component (``SOLUTES`` order).
    minerals : ndarray, shape (K, n_min)
        Cumulative amount precipitated and not redissolved (equilibrium) or removed (fractional). [mol kg⁻¹]
    saturation_index : ndarray, shape (K, n_min)
        log10(IAP/K). [-]
    mineral_stoichiometry : ndarray, shape (n_min, 1 + n_el)
        Moles of H2O and of each solute component per mole of mineral. [mol mol⁻¹]
    """

    mode: str
    mineral_names: tuple
    step: np.ndarray
    refined: np.ndarray
    temperature: np.ndarray
    water_removed: np.ndarray
    water_kg: np.ndarray
    water_fraction: np.ndarray
    concentration_factor: np.ndarray
    water_activity: np.ndarray
    osmotic_coefficient: np.ndarray
    ionic_strength: np.ndarray
    density_kg_per_m3: np.ndarray
    baume: np.ndarray
    valid: np.ndarray
    molality: np.ndarray
    dissolved: np.ndarray
    minerals: np.ndarray
    saturation_index: np.ndarray
    mineral_stoichiometry: np.ndarray

    def onsets(self) -> list[dict]:
        """Each mineral's first appearance, in order of appearance.

        Returns
        -------
        list of dict
            ``name``, ``row``, ``concentration_factor`` [-], ``density_kg_per_m3`` [kg m⁻³],
            ``baume`` [°Bé], ``temperature`` [K] of the first row where the mineral is present.
        """
        present = self.minerals > PRESENT_AMOUNT
        out = []
        for j, name in enumerate(self.mineral_names):
            rows = np.nonzero(present[:, j])[0]
            if len(rows) == 0:
                continue
            r = int(rows[0])
            out.append(dict(name=name, row=r, concentration_factor=float(self.concentration_factor[r]),
                            density_kg_per_m3=float(self.density_kg_per_m3[r]),
                            baume=float(self.baume[r]), temperature=float(self.temperature[r])))
        return sorted(out, key=lambda d: (d["row"], d["concentration_factor"]))


def _system(minerals, system):
    system = system or chemical_system()
    return system.select(minerals) if minerals is not None else system


@dataclass
class _Point:
    """A solved state of the march: the system's water target and temperature, the state."""

    water_target: float       # water of the system (initial minus evaporated) [kg kg⁻¹]
    temperature: float        # [K]
    state: EquilibriumState   # batch shape (1,)
    cumulative: np.ndarray    # (n_min,) cumulative minerals [mol kg⁻¹]
    increment: np.ndarray     # (n_min,) minerals formed in the last step (fractional) [mol kg⁻¹]
    seen: np.ndarray          # (n_min,) bool, minerals present at some earlier point
    last_removed: float = 0.0  # water evaporated in the step that led here [kg kg⁻¹]
    evaporated: float = 0.0    # net water evaporated since the start [kg kg⁻¹]


def _solve(totals, water, temperature, warm, system):
    return solve_equilibrium(totals[None], np.array([water]), np.array([temperature]),
                             warm_start=warm[None], system=system)


def _advance(current: _Point, water_target, temperature, mode, totals0, system) -> _Point:
    """Solve the state at (water_target, temperature) reached from ``current``."""
    if mode == "equilibrium":
        state = _solve(totals0, water_target, temperature, current.state.minerals[0], system)
        amounts = state.minerals[0].copy()
        return _Point(water_target, temperature, state, amounts, amounts,
                      current.seen | (amounts > PRESENT_AMOUNT),
                      current.water_target - water_target, 1.0 - water_target)
    # Fractional: the previous brine loses the same fraction of its water as the target does
    # (so the solution never runs dry although hydrates leave with the solids); the solids
    # formed are removed.
    solution_water = float(current.state.water_kg[0])
    removed = solution_water * (1.0 - water_target / current.water_target)
    dissolved = current.state.dissolved[0]
    water = solution_water - removed
    # Warm start: the minerals of the last step, scaled to this step's evaporation.
    last_removed = max(current.last_removed, 1e-300)
    scale = min(max(removed / last_removed, 1e-3), 1.0) if removed > 0 else 1e-3
    warm = np.where(current.increment > PRESENT_AMOUNT, current.increment * scale, 0.0)
    state = _solve(dissolved, water, temperature, warm, system)
    increment = state.minerals[0].copy()
    cumulative = current.cumulative + increment
    return _Point(water_target, temperature, state, cumulative, increment,
                  current.seen | (cumulative > PRESENT_AMOUNT), removed, current.evaporated + removed)


def _concentration_factor(point: _Point) -> float:
    return 1.0 / float(point.state.water_kg[0])


def _march(molality, water_targets, temperatures, mode, system):
    """Solve every requested state, bisecting steps in which a mineral first appears.

    Returns the list of (step, refined, point) rows in path order.
    """
    if mode not in _MODES:
        raise ValueError(f"mode: found {mode!r}; expected one of {', '.join(_MODES)}")
    if mode == "equilibrium":
        return _equilibrium_rows(np.asarray(molality, dtype=float), np.asarray(water_targets, dtype=float),
                                 np.asarray(temperatures, dtype=float), system)
    totals0 = np.asarray(molality, dtype=float)
    n_min = len(system.mineral_names)
    first = _solve(totals0, water_targets[0], temperatures[0], np.zeros(n_min), system)
    amounts = first.minerals[0].copy()
    current = _Point(float(water_targets[0]), float(temperatures[0]), first, amounts, amounts,
                     amounts > PRESENT_AMOUNT, 0.0, 1.0 - float(water_targets[0]))
    rows = [(0, False, current)]
    for i in range(1, len(water_targets)):
        goal = (float(water_targets[i]), float(temperatures[i]))
        try:
            current = _step_to(current, goal, i, rows, mode, totals0, system)
        except ConvergenceError as exc:
            if len(rows) < 2:
                raise ConvergenceError(f"path step {i} (system water {goal[0]:.6g} kg, T = {goal[1]:.2f} K): "
                                       f"{exc}", step=i, **exc.fields) from None
            _warn_truncated(current.water_target, goal[0], exc)
            break
    return rows


def _take(state: EquilibriumState, i: int) -> EquilibriumState:
    """Row ``i`` of a batched state, as a batch of one."""
    fields = {f.name: getattr(state, f.name) for f in fields_of(EquilibriumState)}
    return EquilibriumState(**{k: (v if k == "mineral_names" else v[i:i + 1]) for k, v in fields.items()})


def _solve_all(totals0, water_targets, temperatures, system):
    """Solve all states of an equilibrium path in two vectorised passes.

    Every ``_COARSE_STRIDE``-th state is solved cold; the others start from the mineral amounts
    of the nearest coarse state before them (which mostly has the right assemblage already), so
    the second, larger pass needs few active-set changes.
    """
    n = len(water_targets)
    totals = np.broadcast_to(totals0, (n, len(totals0)))
    coarse = np.zeros(n, dtype=bool)
    coarse[::_COARSE_STRIDE] = True
    coarse[-1] = True
    first = solve_equilibrium(totals[coarse], water_targets[coarse], temperatures[coarse], system=system)
    if coarse.all():
        return first
    nearest = np.maximum(np.searchsorted(np.nonzero(coarse)[0], np.arange(n), side="right") - 1, 0)
    warm = first.minerals[nearest]
    rest = ~coarse
    second = solve_equilibrium(totals[rest], water_targets[rest], temperatures[rest],
                               warm_start=warm[rest], system=system)
    merged = {}
    for f in fields_of(EquilibriumState):
        if f.name == "mineral_names":
            continue
        a, b = getattr(first, f.name), getattr(second, f.name)
        out = np.empty((n,) + a.shape[1:], dtype=a.dtype)
        out[coarse], out[rest] = a, b
        merged[f.name] = out
    return EquilibriumState(mineral_names=first.mineral_names, **merged)


class PathTruncatedWarning(UserWarning):
    """A path ends before its last requested step because a state could not be solved."""


def _warn_truncated(last_water, failed_water, exc):
    warnings.warn(f"the path ends at system water {last_water:.4g} kg per kg of initial water: the "
                  f"state at {failed_water:.4g} kg could not be solved ({exc.message.split(';')[0]}); "
                  f"typically the hydrate salts bind nearly all the water left (the brine dries out) "
                  f"or the brine is far beyond the Pitzer model's validity",
                  PathTruncatedWarning, stacklevel=4)


def _solvable_prefix(totals0, water_targets, temperatures, system):
    """Largest n such that the first n states of an equilibrium path solve (binary search)."""
    low, high = 0, len(water_targets)
    while high - low > 1:
        middle = (low + high) // 2
        try:
            _solve_all(totals0, water_targets[:middle + 1], temperatures[:middle + 1], system)
            low = middle
        except ConvergenceError:
            high = middle
    return low + 1


def _equilibrium_rows(totals0, water_targets, temperatures, system):
    """Equilibrium mode: every state depends only on (totals, water, T), so all requested states
    are solved in one vectorised call, and the onset brackets are bisected level by level, all
    brackets in one call per level."""
    n = len(water_targets)
    try:
        state = _solve_all(totals0, water_targets, temperatures, system)
    except ConvergenceError as exc:
        n = _solvable_prefix(totals0, water_targets, temperatures, system)
        if n < 2:
            raise
        _warn_truncated(water_targets[n - 1], water_targets[n], exc)
        water_targets, temperatures = water_targets[:n], temperatures[:n]
        state = _solve_all(totals0, water_targets, temperatures, system)
    rows = []
    for i in range(n):
        amounts = state.minerals[i].copy()
        rows.append((float(i), i, False, _Point(float(water_targets[i]), float(temperatures[i]),
                                                _take(state, i), amounts, amounts, amounts > PRESENT_AMOUNT,
                                                0.0, 1.0 - float(water_targets[i]))))
    for _ in range(_MAX_BISECTIONS):
        rows.sort(key=lambda r: r[0])
        seen = np.zeros(len(system.mineral_names), dtype=bool)
        brackets = []
        for k, (position, step, refined, point) in enumerate(rows):
            present = point.cumulative > PRESENT_AMOUNT
            if k > 0 and (present & ~seen).any() and not _bracketed(rows[k - 1][3], point):
                brackets.append((rows[k - 1], rows[k], present & ~seen))
            seen |= present
        if not brackets:
            break
        middle_target = np.array([0.5 * (lo[3].water_target + hi[3].water_target) for lo, hi, _ in brackets])
        middle_temp = np.array([0.5 * (lo[3].temperature + hi[3].temperature) for lo, hi, _ in brackets])
        warm = np.array([hi[3].cumulative for lo, hi, _ in brackets])
        try:
            middle = solve_equilibrium(np.broadcast_to(totals0, (len(brackets), len(totals0))), middle_target,
                                       middle_temp, warm_start=warm, system=system)
        except ConvergenceError as exc:
            warnings.warn(f"onset bisection stopped: {exc.message.split(';')[0]}; onsets are located "
                          f"to the step size only", PathTruncatedWarning, stacklevel=4)
            break
        for b, (lo, hi, _) in enumerate(brackets):
            amounts = middle.minerals[b].copy()
            rows.append((0.5 * (lo[0] + hi[0]), hi[1], True,
                         _Point(float(middle_target[b]), float(middle_temp[b]), _take(middle, b), amounts,
                                amounts, amounts > PRESENT_AMOUNT, 0.0, 1.0 - float(middle_target[b]))))
    rows.sort(key=lambda r: r[0])
    # Rows strictly between a bracket's ends that do not bound an onset are kept: they are
    # valid equilibrium states (refined rows).
    return [(step, refined, point) for _, step, refined, point in rows]


def _step_to(current, goal, i, rows, mode, totals0, system):
    """Advance from ``current`` to ``goal``, bisecting where a mineral first appears.

    Every state is advanced from the last accepted row (fractional states depend on the path),
    so the rows form one consistent sequence of steps.
    """
    refined = False
    while True:
        trial = _advance(current, *goal, mode, totals0, system)
        if not (trial.seen & ~current.seen).any() or _bracketed(current, trial):
            rows.append((i, refined, trial))
            return trial
        refined = True
        high, high_point = goal, trial
        for _ in range(_MAX_BISECTIONS):
            middle = (0.5 * (current.water_target + high[0]), 0.5 * (current.temperature + high[1]))
            point = _advance(current, *middle, mode, totals0, system)
            if (point.seen & ~current.seen).any():
                high, high_point = middle, point
            else:
                rows.append((i, True, point))
                current, high_point = point, None
            if high_point is not None and _bracketed(current, high_point):
                break
        if high_point is None:
            high_point = _advance(current, *high, mode, totals0, system)
        rows.append((i, True, high_point))
        current = high_point
        if (current.water_target, current.temperature) == goal:
            return current


def _bracketed(low: _Point, high: _Point) -> bool:
    """Is an onset between ``low`` and ``high`` located well enough?

    Along a cooling path the temperature brackets it; otherwise the concentration factor.
    """
    if high.temperature != low.temperature:
        return abs(high.temperature - low.temperature) <= _TEMPERATURE_BRACKET
    return abs(_concentration_factor(high) / _concentration_factor(low) - 1.0) <= ONSET_RELATIVE_TOLERANCE


def _assemble(rows, mode, system) -> EvaporationPath:
    def stack(getter):
        return np.array([getter(point) for _, _, point in rows])

    water = stack(lambda p: p.state.water_kg[0])
    return EvaporationPath(
        mode=mode, mineral_names=system.mineral_names,
        step=np.array([r[0] for r in rows], dtype=int),
        refined=np.array([r[1] for r in rows], dtype=bool),
        temperature=stack(lambda p: p.temperature),
        water_removed=stack(lambda p: p.evaporated),
        water_kg=water, water_fraction=water, concentration_factor=1.0 / water,
        water_activity=stack(lambda p: p.state.water_activity[0]),
        osmotic_coefficient=stack(lambda p: p.state.osmotic_coefficient[0]),
        ionic_strength=stack(lambda p: p.state.ionic_strength[0]),
        density_kg_per_m3=stack(lambda p: p.state.density_kg_per_m3[0]),
        baume=stack(lambda p: p.state.baume[0]),
        valid=stack(lambda p: p.state.valid[0]).astype(bool),
        molality=stack(lambda p: p.state.molality[0]),
        dissolved=stack(lambda p: p.state.dissolved[0]),
        minerals=stack(lambda p: p.cumulative),
        saturation_index=stack(lambda p: p.state.saturation_index[0]),
        mineral_stoichiometry=system.full_stoichiometry)


def _run(totals, water_targets, temperatures, mode, system) -> EvaporationPath:
    """March and assemble a path; one ValidityWarning for the whole path (not one per solve)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ValidityWarning)
        path = _assemble(_march(totals, water_targets, temperatures, mode, system), mode, system)
    invalid = np.nonzero(~path.valid)[0]
    if len(invalid):
        warnings.warn(f"{len(invalid)} of {len(path.valid)} rows of the path lie outside the activity "
                      f"model's validity (I > 20 mol/kg or a_w < 0.2), the first at CF "
                      f"{path.concentration_factor[invalid[0]]:.4g}; flagged valid=False",
                      ValidityWarning, stacklevel=3)
    return path


def _check_brine(molality):
    m = np.asarray(molality, dtype=float)
    if m.shape != (len(SOLUTES),):
        raise ValueError(f"molality: found shape {m.shape}; expected ({len(SOLUTES)},) in the order "
                         f"{', '.join(SOLUTES)}")
    if not np.all(np.isfinite(m)) or np.any(m < 0):
        raise ValueError("molality: found negative or non-finite values; expected molalities ≥ 0")
    return m


def evaporation_path(molality, temperature, mode="equilibrium", to_water_fraction=0.005, steps=200,
                     minerals=None, system: ChemicalSystem | None = None) -> EvaporationPath:
    """Isothermal evaporation path of a brine.

    Parameters
    ----------
    molality : array_like, shape (n_el,)
        Starting brine, molality of each solute component (``SOLUTES`` order), with 1 kg of
        water. [mol kg⁻¹]
    temperature : float
        Temperature of the path. [K]
    mode : {"equilibrium", "fractional"}
        Solids stay in contact (and may redissolve), or are removed at each step.
    to_water_fraction : float
        Water left in the system at the last step, as a fraction of the initial water (hydrate
        water bound in minerals included). [-]
    steps : int
        Number of requested states (geometric in the water left, the first being the starting
        brine); onset bisection adds rows.
    minerals : sequence of str, optional
        Minerals allowed to form (default all).
    system : ChemicalSystem, optional
        Species/mineral arrays (default :func:`chemical_system`).

    Returns
    -------
    EvaporationPath

    Raises
    ------
    ConvergenceError
        If a state cannot be solved; the message names the step.

    Examples
    --------
    >>> import numpy as np
    >>> brine = np.zeros(9); brine[0] = brine[4] = 5.0            # 5 mol/kg NaCl
    >>> path = evaporation_path(brine, 298.15, steps=20, to_water_fraction=0.5)
    >>> [o["name"] for o in path.onsets()]
    ['Halite']
    """
    m = _check_brine(molality)
    if not (0.0 < to_water_fraction < 1.0):
        raise ValueError(f"to_water_fraction: found {to_water_fraction!r}; expected a number in (0, 1)")
    if int(steps) < 2:
        raise ValueError(f"steps: found {steps!r}; expected an integer ≥ 2")
    steps = int(steps)
    system = _system(minerals, system)
    water_targets = to_water_fraction ** (np.arange(steps) / (steps - 1))
    temperatures = np.full(steps, float(temperature))
    return _run(m, water_targets, temperatures, mode, system)


def dilution_path(molality, temperature, water_added, mode="equilibrium", minerals=None,
                  system: ChemicalSystem | None = None, start: EvaporationPath | None = None) -> EvaporationPath:
    """Path of a brine (and, in equilibrium mode, its solids) as water is added (rain).

    Parameters
    ----------
    molality : array_like, shape (n_el,)
        Starting brine with 1 kg of water (ignored when ``start`` is given). [mol kg⁻¹]
    temperature : float
        [K]
    water_added : array_like, shape (K,)
        Cumulative water added at each state, increasing from 0. [kg kg⁻¹]
    mode : {"equilibrium", "fractional"}
        In fractional mode nothing redissolves (solids were removed).
    start : EvaporationPath, optional
        Continue from the last row of this path (its totals, water and solids) instead of a
        fresh brine: e.g. rain on a pond after evaporation.

    Returns
    -------
    EvaporationPath
        Amounts per kg of the initial water of the starting brine.
    """
    added = np.asarray(water_added, dtype=float)
    if added.ndim != 1 or added.size < 1 or np.any(np.diff(added) < 0) or added[0] < 0:
        raise ValueError("water_added: expected a non-decreasing 1-D sequence of amounts ≥ 0 [kg]")
    system = _system(minerals, system)
    if start is None:
        totals, base_water = _check_brine(molality), 1.0
    elif start.mode == "equilibrium":
        # The closed system: brine plus the solids still present (their hydrate water too).
        totals = start.dissolved[-1] + start.minerals[-1] @ start.mineral_stoichiometry[:, 1:]
        base_water = 1.0 - float(start.water_removed[-1])
    else:
        # Solids were removed: only the last brine is rained on.
        totals, base_water = start.dissolved[-1], float(start.water_kg[-1])
    water_targets = base_water + added
    temperatures = np.full(len(added), float(temperature))
    return _run(totals, water_targets, temperatures, mode, system)


def cooling_path(molality, temperatures, mode="equilibrium", minerals=None,
                 system: ChemicalSystem | None = None) -> EvaporationPath:
    """Path of a brine of fixed water as its temperature changes (e.g. winter cooling).

    Parameters
    ----------
    molality : array_like, shape (n_el,)
        Brine with 1 kg of water. [mol kg⁻¹]
    temperatures : array_like, shape (K,)
        Temperature of each state, 273.15–323.15 K. [K]
    mode : {"equilibrium", "fractional"}

    Returns
    -------
    EvaporationPath
        Onsets are bracketed within ``_TEMPERATURE_BRACKET`` in temperature (the concentration
        factor changes only through hydrate water).

    Examples
    --------
    >>> import numpy as np
    >>> brine = np.zeros(9); brine[0] = 2.0; brine[5] = 1.0      # 1 mol/kg Na2SO4
    >>> path = cooling_path(brine, np.linspace(303.15, 273.15, 7))
    >>> [o["name"] for o in path.onsets()]
    ['Mirabilite']
    """
    m = _check_brine(molality)
    temps = np.asarray(temperatures, dtype=float)
    if temps.ndim != 1 or temps.size < 1:
        raise ValueError("temperatures: expected a 1-D sequence of temperatures [K]")
    system = _system(minerals, system)
    return _run(m, np.ones(len(temps)), temps, mode, system)


#: Always-written molality columns; ``m_C``, ``m_Br``, ``m_Li`` only when the brine has them.
_MAJOR_COMPONENTS = ("Na", "K", "Mg", "Ca", "Cl", "SO4")
_MINOR_COMPONENTS = ("Br", "Li", "C")


def path_columns(path: EvaporationPath) -> dict:
    """The path as named columns, in the order of the ``saltsim evaporate`` CSV.

    Parameters
    ----------
    path : EvaporationPath
        A computed path.

    Returns
    -------
    dict of str to ndarray
        ``step, water_fraction, concentration_factor, water_kg, water_activity,
        density_kg_per_m3, ionic_strength_mol_per_kg, valid``, then ``m_<component>`` (mol per kg
        water) and ``min_<Mineral>`` (cumulative mol per kg of initial water; PHREEQC names).
    """
    columns = {
        "step": np.arange(len(path.water_kg)),
        "water_fraction": path.water_fraction,
        "concentration_factor": path.concentration_factor,
        "water_kg": path.water_kg,
        "water_activity": path.water_activity,
        "density_kg_per_m3": path.density_kg_per_m3,
        "ionic_strength_mol_per_kg": path.ionic_strength,
        "valid": path.valid.astype(int),
    }
    for component in _MAJOR_COMPONENTS:
        columns[f"m_{component}"] = path.molality[:, SOLUTES.index(component)]
    for component in _MINOR_COMPONENTS:
        values = path.molality[:, SOLUTES.index(component)]
        if np.any(values > 0):
            columns[f"m_{component}"] = values
    for j, name in enumerate(path.mineral_names):
        columns[f"min_{name}"] = path.minerals[:, j]
    return columns
