"""Monte Carlo replications and parameter sweeps, serial, on local processes or on Dask.

A sweep is the product *design points × strategies × replications*. Every combination is one
*run*: the scenario with the point's and the strategy's overrides applied, simulated with one
seed. Runs are independent tasks keyed by a run id (``p00003-s01-r0017``); results are stored
and combined by run id, never by completion order, so the same seed gives the same table bit for
bit on every backend and worker count.

Random numbers
--------------
``SeedSequence(seed).spawn(replications)`` gives one child per replication; replication ``r``
of *every* point and strategy uses child ``r`` (common random numbers), so strategy and
parameter differences within a replication are not sampling noise. The child is turned into the
integer seed of :func:`saltsim.runner.run` (``seed`` column of the results, so any single run can
be repeated with ``saltsim run --seed``). Space-filling designs draw from a separate stream,
``SeedSequence(seed, spawn_key=(DESIGN_STREAM,))``, which no replication uses.

Backends
--------
``"serial"`` (in this process), ``"processes"`` (default: a :class:`concurrent.futures.ProcessPoolExecutor`
on all cores, forkserver start method configured here, never at import) and ``"dask"`` (an
existing ``tcp://`` scheduler, or a :class:`distributed.LocalCluster` started and closed here).
Only this process writes the store, as results arrive.

Examples
--------
>>> import saltsim
>>> result = saltsim.sweep("scenarios/qom_small.toml", vary=["ponds[0].area=10..40 km^2"],
...                        design="lhs", samples=8, replications=4, out="sweeps/area")  # doctest: +SKIP
>>> result.wide().groupby("ponds[0].area_km2").mean(numeric_only=True)  # doctest: +SKIP
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .designs import Design, Parameter, build_design, parse_vary, unit_suffix
from .errors import ResultsError, SaltsimError, ScenarioError
from .store import COMBINED_FILE, RunStore, atomic_write_bytes

__all__ = [
    "sweep",
    "replication_seeds",
    "SweepResult",
    "RunTask",
    "StrategySpec",
    "execute_task",
    "evaluate_scenario",
    "resolve_strategies",
    "BACKENDS",
    "DESIGN_STREAM",
    "DEFAULT_EVALUATOR",
    "RUN_COLUMNS",
]

#: Execution backends.
BACKENDS = ("serial", "processes", "dask")
#: Spawn key of the design's random stream (far from the replication children 0, 1, 2, ...).
DESIGN_STREAM = 2**31 - 1
#: The function that turns (scenario, overrides, seed, strategy) into a KPI table.
DEFAULT_EVALUATOR = "saltsim.sweeps:evaluate_scenario"
#: Columns identifying a run, first in every results row.
RUN_COLUMNS = ("run_id", "point", "strategy", "replication", "seed")
#: Columns of a KPI table returned by an evaluator.
KPI_COLUMNS = ("kpi", "value", "unit")
_SEED_MASK = (1 << 63) - 1
#: How long to wait for an existing Dask scheduler to answer. [s]
SCHEDULER_TIMEOUT_S = 10.0


# ---------------------------------------------------------------------------------- seeds
def replication_seeds(seed: int, replications: int) -> list[int]:
    """Integer run seeds of replications ``0 .. replications-1`` (common to all points/strategies).

    Child ``r`` of ``SeedSequence(seed).spawn(replications)`` gives 64 bits of state, masked to
    63 bits so the seed fits a signed 64-bit column. Child ``r`` does not depend on
    ``replications``, so a sweep with more replications extends one with fewer.

    Parameters
    ----------
    seed : int
        The sweep's root seed (non-negative). [-]
    replications : int
        Number of replications. [-]

    Returns
    -------
    list of int
    """
    children = np.random.SeedSequence(seed).spawn(replications)
    return [int(child.generate_state(1, dtype=np.uint64)[0]) & _SEED_MASK for child in children]


def design_generator(seed: int) -> np.random.Generator:
    """The Generator of the design stream (LHS permutations, Sobol' scrambling)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(DESIGN_STREAM,)))


# ---------------------------------------------------------------------------------- tasks
@dataclass(frozen=True, slots=True)
class StrategySpec:
    """A strategy to compare: a label, scenario overrides and/or a registered strategy name."""

    label: str
    overrides: tuple[tuple[str, object], ...] = ()
    strategy: str | None = None

    def to_json(self) -> dict:
        return {"label": self.label, "overrides": [list(kv) for kv in self.overrides],
                "strategy": self.strategy}


@dataclass(frozen=True, slots=True)
class RunTask:
    """Everything one run needs; plain data, so it pickles to any worker."""

    run_id: str
    point: int
    strategy_index: int
    strategy_label: str
    replication: int
    seed: int
    scenario: object                      # absolute path (str) or raw scenario dict
    overrides: tuple[tuple[str, object], ...]
    strategy: str | None
    columns: tuple[tuple[str, object], ...]
    evaluator: str = DEFAULT_EVALUATOR


def run_id(point: int, strategy_index: int, replication: int) -> str:
    """Sortable id of a run: ``p{point:05d}-s{strategy:02d}-r{replication:04d}``."""
    return f"p{point:05d}-s{strategy_index:02d}-r{replication:04d}"


def _resolve(reference: str) -> Callable:
    module_name, _, attribute = reference.partition(":")
    target = importlib.import_module(module_name)
    for part in attribute.split("."):
        target = getattr(target, part)
    return target


_SCENARIO_CACHE: dict[str, object] = {}
_SCENARIO_CACHE_SIZE = 8


def _load_cached(source, overrides: tuple[tuple[str, object], ...]):
    """Load a scenario with overrides, caching a few per process (replications share a load)."""
    key = json.dumps([source, [list(kv) for kv in overrides]], sort_keys=True, default=str)
    scenario = _SCENARIO_CACHE.get(key)
    if scenario is None:
        from .scenario import load_scenario

        scenario = load_scenario(source, overrides=dict(overrides) if overrides else None)
        if len(_SCENARIO_CACHE) >= _SCENARIO_CACHE_SIZE:
            _SCENARIO_CACHE.pop(next(iter(_SCENARIO_CACHE)))
        _SCENARIO_CACHE[key] = scenario
    return scenario


def evaluate_scenario(scenario, overrides, seed: int, strategy: str | None) -> pd.DataFrame:
    """Load ``scenario`` with ``overrides``, run it with ``seed``, return its KPI table.

    Parameters
    ----------
    scenario : str or dict
        Path of a scenario file or a raw scenario mapping. [-]
    overrides : tuple of (path, raw value)
        Applied before units are parsed. [-]
    seed : int
        Run seed. [-]
    strategy : str or None
        Registered strategy name passed to :func:`saltsim.runner.run`. [-]

    Returns
    -------
    pandas.DataFrame
        Columns ``kpi``, ``value``, ``unit``: the run's ``kpis`` table, then the absolute rows
        of its ``impacts`` table (``per_tonne_of`` empty; ``kpi`` = the impact's ``quantity``,
        prefixed ``impact:`` if a KPI has the same name).
    """
    from .runner import run

    loaded = _load_cached(scenario, tuple(overrides))
    results = run(loaded, seed=seed, strategy=strategy, progress=False)
    return kpis_with_impacts(results.kpis, getattr(results, "impacts", None))


def kpis_with_impacts(kpis: pd.DataFrame, impacts: pd.DataFrame | None) -> pd.DataFrame:
    """The KPI rows of a run followed by its absolute impact totals (see :func:`evaluate_scenario`)."""
    table = kpis.loc[:, list(KPI_COLUMNS)]
    if impacts is None or impacts.empty:
        return table.reset_index(drop=True)
    per_tonne = impacts.get("per_tonne_of", pd.Series("", index=impacts.index))
    absolute = impacts.loc[per_tonne.isna() | (per_tonne.astype(str).str.strip() == "")]
    names = set(table["kpi"])
    extra = pd.DataFrame({
        "kpi": [q if q not in names else f"impact:{q}" for q in absolute["quantity"].astype(str)],
        "value": absolute["value"].to_numpy(dtype=float),
        "unit": absolute["unit"].astype(str).to_numpy(),
    })
    return pd.concat([table, extra], ignore_index=True)


def execute_task(task: RunTask) -> tuple[str, pd.DataFrame, float, tuple]:
    """Run one task; return ``(run_id, rows, (wall_time_s, cpu_time_s), warnings)``.

    A :class:`~saltsim.errors.SaltsimError` raised by the model (an infeasible point, a failed
    solve) becomes a result with an ``error`` text and no KPI rows; any other exception is a bug
    and propagates. Warnings are caught and returned as ``(category, message)`` pairs, so the
    parent reports each distinct one once, whatever the backend.
    """
    import warnings

    started, cpu_started = time.perf_counter(), time.process_time()
    evaluate = _resolve(task.evaluator)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kpis = _evaluate_guarded(evaluate, task)
    rows = _run_frame(task, kpis)
    seen = tuple(dict.fromkeys((w.category, str(w.message)) for w in caught))
    timing = (time.perf_counter() - started, time.process_time() - cpu_started)
    return task.run_id, rows, timing, seen


def _evaluate_guarded(evaluate: Callable, task: RunTask) -> pd.DataFrame:
    try:
        kpis = evaluate(task.scenario, task.overrides, task.seed, task.strategy)
        kpis = pd.DataFrame({
            "kpi": kpis["kpi"].astype(str).to_numpy(),
            "value": kpis["value"].to_numpy(dtype=float),
            "unit": kpis["unit"].astype(str).to_numpy(),
            "error": "",
        })
    except SaltsimError as exc:
        kpis = pd.DataFrame({"kpi": [""], "value": [np.nan], "unit": [""],
                             "error": [f"{type(exc).__name__}: {exc}".replace("\n", "; ")]})
    return kpis


def _run_frame(task: RunTask, kpis: pd.DataFrame) -> pd.DataFrame:
    n = len(kpis)
    head = {
        "run_id": [task.run_id] * n,
        "point": np.full(n, task.point, dtype=np.int64),
        "strategy": [task.strategy_label] * n,
        "replication": np.full(n, task.replication, dtype=np.int64),
        "seed": np.full(n, task.seed, dtype=np.int64),
    }
    for name, value in task.columns:
        head[name] = [value] * n
    frame = pd.DataFrame(head)
    for column in kpis.columns:
        frame[column] = kpis[column].to_numpy()
    return frame


# ---------------------------------------------------------------------------------- strategies
def _raw_scenario(source) -> dict:
    if isinstance(source, Mapping):
        return dict(source)
    import tomllib

    try:
        with open(source, "rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ScenarioError(f"{source}: found no readable file ({exc.strerror}); "
                            f"expected a scenario file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: TOML syntax error: {exc}") from None


def resolve_strategies(source, names: Sequence[str] | None) -> list[StrategySpec]:
    """Resolve strategy names to specs.

    A name is looked up first among the scenario's ``[[variants]]`` (``base`` is the file as
    written), then in the strategy registry (passed to ``run(strategy=...)``). ``None`` gives
    the scenario as it is, unlabelled; ``["all"]`` gives ``base`` and every variant, in file order.

    Raises
    ------
    ScenarioError
        For unknown names (with close matches), listing all of them.
    """
    from .scenario.variants import BASE, variant_table

    if not names:
        return [StrategySpec(label="")]
    table = variant_table(_raw_scenario(source))
    if list(names) == ["all"]:
        names = [BASE, *table]
    registry = _registered_strategies()
    specs, problems = [], []
    for name in names:
        if name == BASE:
            specs.append(StrategySpec(label=BASE))
        elif name in table:
            overrides = table[name]["overrides"]
            specs.append(StrategySpec(label=name, overrides=tuple(overrides.items())))
        elif name in registry:
            specs.append(StrategySpec(label=name, strategy=name))
        else:
            import difflib

            known = sorted({BASE, *table, *registry})
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(f"--strategies: found {name!r}, which names no variant or registered "
                            f"strategy{hint} (known: {', '.join(known)})")
    labels = [s.label for s in specs]
    if len(set(labels)) != len(labels):
        problems.append(f"--strategies: found repeated names in {labels}; expected distinct strategies")
    if problems:
        raise ScenarioError(problems=problems)
    return specs


def _registered_strategies() -> set[str]:
    try:
        registry = importlib.import_module("saltsim.strategies.registry")
    except ModuleNotFoundError:
        return set()
    for attribute in ("available", "names", "registered"):
        function = getattr(registry, attribute, None)
        if callable(function):
            return set(function())
    for attribute in ("REGISTRY", "STRATEGIES"):
        mapping = getattr(registry, attribute, None)
        if isinstance(mapping, Mapping):
            return set(mapping)
    return set()


# ---------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class SweepResult:
    """Results of a sweep.

    Attributes
    ----------
    table : pandas.DataFrame
        Tidy: one row per run and KPI — ``run_id``, ``point``, ``strategy``, ``replication``,
        ``seed``, one column per swept parameter (``path_unit``), ``kpi``, ``value``, ``unit``;
        sorted by run id (KPIs in the model's order within a run).
    failures : pandas.DataFrame
        Runs whose model raised a saltsim error: run columns and ``error``.
    design : Design
    strategies : tuple of StrategySpec
    seed : int
    path : pathlib.Path or None
        The sweep directory, if the sweep was stored.
    wall_time_s, cpu_time_s : dict
        Wall-clock and CPU time of each run executed by this call (not of runs resumed), by run id.
    """

    table: pd.DataFrame
    failures: pd.DataFrame
    design: Design
    strategies: tuple[StrategySpec, ...]
    seed: int
    path: Path | None = None
    wall_time_s: dict = field(default_factory=dict)
    cpu_time_s: dict = field(default_factory=dict)

    @property
    def parameter_columns(self) -> list[str]:
        return [p.column for p in self.design.parameters]

    def wide(self) -> pd.DataFrame:
        """One row per run; one column per KPI, named ``kpi`` if it already ends with its unit
        suffix, else ``kpi_<unit>``."""
        index = list(RUN_COLUMNS) + self.parameter_columns
        if self.table.empty:
            return pd.DataFrame(columns=index)
        pairs = self.table[["kpi", "unit"]].drop_duplicates()
        column_of = {(k, u): _kpi_column(k, u) for k, u in pairs.itertuples(index=False)}
        names = [column_of[pair] for pair in zip(self.table["kpi"], self.table["unit"])]
        table = self.table.assign(kpi_column=names)
        order = list(dict.fromkeys(names))
        wide = table.pivot(index="run_id", columns="kpi_column", values="value")[order]
        heads = table.drop_duplicates("run_id").set_index("run_id")[index[1:]]
        wide = heads.join(wide).reset_index()
        wide.columns.name = None
        return wide


def _kpi_column(kpi: str, unit: str) -> str:
    suffix = unit_suffix(unit) if unit else ""
    if not suffix or kpi.endswith("_" + suffix) or suffix in ("1", "dimensionless"):
        return kpi
    return f"{kpi}_{suffix}"


def _split(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    if frame.empty:
        return frame, frame
    failed = frame["error"].astype(str) != ""
    failures = frame.loc[failed].drop(columns=list(KPI_COLUMNS)).reset_index(drop=True)
    table = frame.loc[~failed].drop(columns=["error"]).reset_index(drop=True)
    return table, failures


# ---------------------------------------------------------------------------------- backends
class _Sink:
    """Collects finished runs: into the store (if any) and memory; drives the progress bar."""

    def __init__(self, store: RunStore | None, bar):
        self.store = store
        self.bar = bar
        self.frames: dict[str, pd.DataFrame] = {}
        self.wall_time_s: dict[str, float] = {}
        self.cpu_time_s: dict[str, float] = {}
        self.warnings: dict[tuple, list[str]] = {}

    def __call__(self, result: tuple[str, pd.DataFrame, float, tuple]) -> None:
        run_id_, frame, (wall, cpu), caught = result
        for key in caught:
            self.warnings.setdefault(key, []).append(run_id_)
        if self.store is not None:  # the store keeps the rows; memory keeps only timings
            self.store.write_run(run_id_, frame, wall_time_s=round(wall, 6), cpu_time_s=round(cpu, 6))
        else:
            self.frames[run_id_] = frame
        self.wall_time_s[run_id_] = wall
        self.cpu_time_s[run_id_] = cpu
        if self.bar is not None:
            self.bar.update(1)


def _report_warnings(caught: Mapping[tuple, list[str]]) -> None:
    """Re-issue each distinct warning of the runs once, naming how many runs gave it."""
    import warnings

    for (category, message), ids in sorted(caught.items(), key=lambda kv: min(kv[1])):
        runs = f"run {ids[0]}" if len(ids) == 1 else f"{len(ids)} runs, first {min(ids)}"
        warnings.warn(f"{message} ({runs})", category, stacklevel=3)


def _run_serial(tasks: Sequence[RunTask], sink: _Sink, **_) -> None:
    for task in tasks:
        sink(execute_task(task))


def _preload_modules(evaluator: str) -> list[str]:
    modules = ["numpy", "pandas", "saltsim.sweeps", evaluator.partition(":")[0]]
    if evaluator == DEFAULT_EVALUATOR:
        modules += ["saltsim.runner", "saltsim.scenario"]
    return [m for m in modules if importlib.util.find_spec(m) is not None]


def _run_processes(tasks: Sequence[RunTask], sink: _Sink, workers: int | None = None, **_) -> None:
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    if not tasks:
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(_preload_modules(tasks[0].evaluator))
    workers = min(workers or _cpu_count(), len(tasks))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending = {pool.submit(execute_task, task) for task in tasks}
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    sink(future.result())
        except BaseException:
            for future in pending:
                future.cancel()
            raise


def _run_dask(tasks: Sequence[RunTask], sink: _Sink, workers: int | None = None,
              scheduler: str | None = None, **_) -> None:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ModuleNotFoundError:
        raise SaltsimError("the Dask backend needs dask.distributed; install it with "
                           "pip install 'saltsim[dask]'") from None

    if not tasks:
        return
    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout=SCHEDULER_TIMEOUT_S)
        except (OSError, TimeoutError) as exc:
            raise SaltsimError(f"--scheduler {scheduler}: no Dask scheduler answered within "
                               f"{SCHEDULER_TIMEOUT_S:g} s ({type(exc).__name__}: {exc}); expected the "
                               f"address of a running scheduler, such as tcp://HOST:8786",
                               scheduler=scheduler) from None
    else:
        cluster = LocalCluster(n_workers=workers or _cpu_count(), threads_per_worker=1,
                               processes=True, host="127.0.0.1", dashboard_address=None)
        client = Client(cluster)
    token = uuid.uuid4().hex[:12]
    try:
        futures = [client.submit(execute_task, task, key=f"saltsim-run-{token}-{task.run_id}", pure=False)
                   for task in tasks]
        try:
            for _future, result in as_completed(futures, with_results=True):
                sink(result)
        finally:
            client.cancel(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _cpu_count() -> int:
    """Cores this process may run on (the affinity mask, where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_BACKEND_FUNCTIONS = {"serial": _run_serial, "processes": _run_processes, "dask": _run_dask}


# ---------------------------------------------------------------------------------- sweep
def _scenario_source(scenario) -> tuple[object, str]:
    """The picklable source of a scenario (absolute path or raw dict) and its content hash."""
    if isinstance(scenario, (str, os.PathLike)):
        path = Path(scenario).resolve()
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise ScenarioError(f"{scenario}: found no readable file ({exc.strerror}); "
                                f"expected a scenario file") from None
        return str(path), hashlib.sha256(content).hexdigest()
    if isinstance(scenario, Mapping):
        raw = json.loads(json.dumps(scenario, default=str))
        text = json.dumps(raw, sort_keys=True).encode()
        return raw, hashlib.sha256(text).hexdigest()
    raise ScenarioError(f"scenario: found a {type(scenario).__name__}; expected a scenario file path "
                        f"or a raw scenario mapping (sweeps re-load the scenario with overrides)")


def _default_seed(source, raw: Mapping | None = None) -> int:
    raw = raw if raw is not None else _raw_scenario(source)
    seed = (raw.get("site") or {}).get("seed")
    if isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0:
        return seed
    return 0


def _check_overrides(source, design: Design, strategies: Sequence[StrategySpec],
                     evaluator: str) -> None:
    """Fail fast on bad field paths: apply every point's and strategy's overrides to the raw
    scenario (cheap), and fully load the first combination."""
    if evaluator != DEFAULT_EVALUATOR:
        return
    from .scenario import load_scenario
    from .scenario.overrides import apply_overrides

    raw = _raw_scenario(source)
    problems = []
    for spec in strategies:
        for index in range(len(design)):
            overrides = {**dict(spec.overrides), **design.overrides(index)}
            try:
                apply_overrides(raw, overrides)
            except ScenarioError as exc:
                problems.extend(exc.problems)
                break
    if problems:
        raise ScenarioError(problems=sorted(set(problems)))
    first = {**dict(strategies[0].overrides), **design.overrides(0)}
    import warnings

    with warnings.catch_warnings():  # the runs report the load's warnings, once each
        warnings.simplefilter("ignore")
        load_scenario(source, overrides=first or None)


def build_tasks(source, design: Design, strategies: Sequence[StrategySpec], replications: int,
                seed: int, evaluator: str = DEFAULT_EVALUATOR) -> list[RunTask]:
    """All runs of a sweep, sorted by run id."""
    seeds = replication_seeds(seed, replications)
    tasks = []
    for point in range(len(design)):
        point_overrides = design.overrides(point)
        columns = tuple(design.columns(point).items())
        for s, spec in enumerate(strategies):
            overrides = tuple({**dict(spec.overrides), **point_overrides}.items())
            for r, run_seed in enumerate(seeds):
                tasks.append(RunTask(run_id=run_id(point, s, r), point=point, strategy_index=s,
                                     strategy_label=spec.label, replication=r, seed=run_seed,
                                     scenario=source, overrides=overrides, strategy=spec.strategy,
                                     columns=columns, evaluator=evaluator))
    return sorted(tasks, key=lambda t: t.run_id)


def _progress_bar(total: int, initial: int, progress):
    if progress is False:
        return None
    from tqdm import tqdm

    disable = None if progress is None else not progress
    if progress is None:
        disable = not sys.stderr.isatty()
    return tqdm(total=total, initial=initial, unit="run", desc="sweep", disable=disable,
                dynamic_ncols=True, smoothing=0.1)


def sweep(scenario, vary: Sequence[str] | Mapping[str, str] | Sequence[Parameter] | None = None, *,
          design: str = "lhs", samples: int = 16, replications: int = 1,
          strategies: Sequence[str] | None = None, seed: int | None = None,
          out: str | os.PathLike | None = None, resume: bool = False,
          backend: str = "processes", workers: int | None = None, scheduler: str | None = None,
          progress: bool | None = None, evaluator: str = DEFAULT_EVALUATOR) -> SweepResult:
    """Run a parameter sweep with replications, and return the combined results.

    Parameters
    ----------
    scenario : str, os.PathLike or dict
        Scenario file, or a raw scenario mapping (as read by ``tomllib``). [-]
    vary : sequence of str, mapping or sequence of Parameter, optional
        Fields to vary: ``["ponds[0].area=10..40 km^2", "rail.wagons.count=20..120"]`` (see
        :func:`saltsim.designs.parse_parameter`). ``None``: replications of the scenario only. [-]
    design : {"lhs", "sobol", "grid"}
        Experimental design (:func:`saltsim.designs.build_design`). [-]
    samples : int
        Points of an LHS/Sobol' design, or levels per range of a grid. [-]
    replications : int
        Replications per point and strategy (common random numbers across both). [-]
    strategies : sequence of str, optional
        Variant or registered strategy names to run at every point (``["all"]``: every variant). [-]
    seed : int, optional
        Root seed; default ``site.seed`` of the scenario, else 0. [-]
    out : path, optional
        Sweep directory (crash-safe store). Without it results stay in memory. [-]
    resume : bool
        Continue the sweep stored in ``out``: runs already stored are kept, the rest are run. [-]
    backend : {"processes", "serial", "dask"}
        Where runs execute. ``scheduler`` implies ``"dask"``. [-]
    workers : int, optional
        Worker processes (default: all cores). [-]
    scheduler : str, optional
        Address of a running Dask scheduler, ``tcp://HOST:8786``; with ``backend="dask"`` and no
        scheduler a LocalCluster is started on loopback. [-]
    progress : bool, optional
        Progress bar; default: shown when stderr is a terminal. [-]
    evaluator : str
        ``"module:function"`` taking ``(scenario, overrides, seed, strategy)`` and returning a
        KPI table (``kpi``, ``value``, ``unit``); the default runs the saltsim model. [-]

    Returns
    -------
    SweepResult
    """
    if scheduler:
        backend = "dask"
    problems = []
    if backend not in BACKENDS:
        problems.append(f"backend: found {backend!r}; expected one of {', '.join(BACKENDS)}")
    if not isinstance(replications, (int, np.integer)) or isinstance(replications, bool) or replications < 1:
        problems.append(f"--replications: found {replications!r}; expected a positive integer")
    if workers is not None and (not isinstance(workers, (int, np.integer)) or workers < 1):
        problems.append(f"--workers: found {workers!r}; expected a positive integer")
    if seed is not None and (not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0):
        problems.append(f"--seed: found {seed!r}; expected a non-negative integer")
    if resume and out is None:
        problems.append("--resume: found no --out directory; expected the directory of the sweep to resume")
    if problems:
        raise ScenarioError(problems=problems)

    source, scenario_hash = _scenario_source(scenario)
    raw = source if isinstance(source, Mapping) else _raw_scenario(source)
    seed = int(seed) if seed is not None else _default_seed(source, raw)
    if vary and all(isinstance(v, Parameter) for v in vary):
        parameters = list(vary)
    else:
        parameters = parse_vary(vary or [])
    the_design = build_design(parameters, kind=design, samples=samples, rng=design_generator(seed))
    specs = resolve_strategies(source, strategies)
    _check_overrides(source, the_design, specs, evaluator)
    tasks = build_tasks(source, the_design, specs, int(replications), seed, evaluator)

    spec = {
        "scenario": source if isinstance(source, str) else "<mapping>",
        "scenario_sha256": scenario_hash,
        "design": the_design.to_json(),
        "replications": int(replications),
        "strategies": [s.to_json() for s in specs],
        "seed": seed,
        "evaluator": evaluator,
        "run_ids": [t.run_id for t in tasks],
    }
    store = None
    if out is not None:
        store = _open_store(out, spec) if resume else RunStore.create(out, spec)
    done = store.done if store is not None else frozenset()
    todo = [t for t in tasks if t.run_id not in done]

    bar = _progress_bar(len(tasks), len(tasks) - len(todo), progress)
    sink = _Sink(store, bar)
    try:
        _BACKEND_FUNCTIONS[backend](todo, sink, workers=workers, scheduler=scheduler)
    finally:
        if bar is not None:
            bar.close()

    _report_warnings(sink.warnings)
    all_ids = [t.run_id for t in tasks]
    if store is not None:
        frame = store.read_all(all_ids)
    else:
        frames = [sink.frames[i] for i in all_ids]
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if store is not None:
        store.write_combined(frame)
        atomic_write_bytes(store.root / "results.csv", frame.to_csv(index=False).encode())
    table, failures = _split(frame)
    return SweepResult(table=table, failures=failures, design=the_design, strategies=tuple(specs),
                       seed=seed, path=store.root if store is not None else None,
                       wall_time_s=dict(sink.wall_time_s), cpu_time_s=dict(sink.cpu_time_s))


#: What a difference in each part of a sweep's spec means, for the --resume error.
_SPEC_MEANING = {
    "scenario_sha256": "the scenario file changed since the sweep started",
    "scenario": "another scenario file",
    "design": "other --vary, --design or --samples",
    "replications": "another --replications",
    "strategies": "other --strategies (or their [[variants]] changed)",
    "seed": "another --seed",
    "run_ids": "another set of runs",
    "evaluator": "another model",
}


def _open_store(out, spec: Mapping) -> RunStore:
    try:
        return RunStore.open(out, spec)
    except ResultsError as exc:
        differs = exc.fields.get("differs")
        if not differs:
            raise
        meaning = "; ".join(_SPEC_MEANING.get(key, key) for key in differs)
        raise ResultsError(f"{out}: --resume of a different sweep ({meaning}); repeat the original "
                           f"options, or start a new sweep with another --out",
                           path=str(out), differs=differs) from None


def load_sweep(path: str | os.PathLike) -> pd.DataFrame:
    """The combined tidy table of a stored sweep (finished or not), sorted by run id."""
    root = Path(path)
    if (root / COMBINED_FILE).exists():
        return pd.read_parquet(root / COMBINED_FILE, engine="pyarrow")
    store = RunStore.open(root)
    return store.read_all()


# ---------------------------------------------------------------------------------- statistics
def _t_half_width(std: np.ndarray, n: np.ndarray, confidence: float) -> np.ndarray:
    from scipy import stats

    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        quantile = stats.t.ppf(0.5 + 0.5 * confidence, np.where(n > 1, n - 1, np.nan))
        return quantile * np.asarray(std, dtype=float) / np.sqrt(n)


def strategy_statistics(table: pd.DataFrame, confidence: float = 0.90,
                        baseline: str | None = None) -> pd.DataFrame:
    """Mean and t-based confidence interval of every KPI per strategy, and the paired difference
    to a baseline strategy.

    Replication ``r`` of every strategy shares its seed (common random numbers), so the
    difference ``d_r = x_{s,r} − x_{b,r}`` is paired: its interval
    ``mean(d) ± t_{(1+c)/2, n−1} s_d / √n`` excludes the weather and failure noise the two runs
    share.

    Parameters
    ----------
    table : pandas.DataFrame
        The tidy sweep table (``strategy``, ``point``, ``replication``, ``kpi``, ``value``,
        ``unit``). [-]
    confidence : float
        Two-sided confidence level, e.g. 0.90. [-]
    baseline : str, optional
        Strategy the differences refer to; default the first strategy in the table. [-]

    Returns
    -------
    pandas.DataFrame
        One row per strategy and KPI: ``strategy``, ``kpi``, ``unit``, ``n``, ``mean``, ``std``,
        ``ci_low``, ``ci_high``, ``diff_mean``, ``diff_ci_low``, ``diff_ci_high``, ``diff_frac``
        (mean difference over the baseline mean), ``n_pairs``.
    """
    if not 0.0 < confidence < 1.0:
        raise ScenarioError(f"--confidence: found {confidence!r}; expected a number in (0, 1)")
    strategies = list(dict.fromkeys(table["strategy"]))
    baseline = strategies[0] if baseline is None else baseline
    if baseline not in strategies:
        raise ScenarioError(f"--baseline: found {baseline!r}; expected one of {', '.join(strategies)}")
    kpi_order = list(dict.fromkeys(table["kpi"]))
    grouped = table.groupby(["strategy", "kpi"], sort=False)["value"]
    stats = grouped.agg(n="count", mean="mean", std="std").reset_index()
    half = _t_half_width(stats["std"].to_numpy(), stats["n"].to_numpy(), confidence)
    stats["ci_low"] = stats["mean"] - half
    stats["ci_high"] = stats["mean"] + half

    keys = ["point", "replication", "kpi"]
    base = table.loc[table["strategy"] == baseline, keys + ["value"]].rename(columns={"value": "base"})
    paired = table.merge(base, on=keys, how="inner")
    paired["diff"] = paired["value"] - paired["base"]
    diffs = paired.groupby(["strategy", "kpi"], sort=False).agg(
        n_pairs=("diff", "count"), diff_mean=("diff", "mean"), diff_std=("diff", "std"),
        base_mean=("base", "mean")).reset_index()
    half = _t_half_width(diffs["diff_std"].to_numpy(), diffs["n_pairs"].to_numpy(), confidence)
    is_base = diffs["strategy"].to_numpy() == baseline
    half = np.where(is_base, 0.0, half)
    diffs["diff_ci_low"] = diffs["diff_mean"] - half
    diffs["diff_ci_high"] = diffs["diff_mean"] + half
    with np.errstate(invalid="ignore", divide="ignore"):
        diffs["diff_frac"] = diffs["diff_mean"] / diffs["base_mean"].where(diffs["base_mean"] != 0)
    units = table.drop_duplicates("kpi").set_index("kpi")["unit"]
    out = stats.merge(diffs.drop(columns=["diff_std", "base_mean"]), on=["strategy", "kpi"], how="left")
    out.insert(2, "unit", out["kpi"].map(units))
    out["strategy"] = pd.Categorical(out["strategy"], strategies, ordered=True)
    out["kpi"] = pd.Categorical(out["kpi"], kpi_order, ordered=True)
    out = out.sort_values(["kpi", "strategy"]).reset_index(drop=True)
    out["strategy"] = out["strategy"].astype(str)
    out["kpi"] = out["kpi"].astype(str)
    out["n"] = out["n"].astype(np.int64)
    out["n_pairs"] = out["n_pairs"].fillna(0).astype(np.int64)
    return out.loc[:, ["strategy", "kpi", "unit", "n", "mean", "std", "ci_low", "ci_high",
                       "n_pairs", "diff_mean", "diff_ci_low", "diff_ci_high", "diff_frac"]]


def pareto_front(values: np.ndarray, maximize: Sequence[bool]) -> np.ndarray:
    """Mask of the non-dominated rows of ``values``.

    Row ``i`` is dominated when some row ``j`` is at least as good in every objective and
    strictly better in one (better = larger where ``maximize``, smaller otherwise). Rows with a
    NaN are never on the front.

    Parameters
    ----------
    values : ndarray, shape (n, k)
        Objective values (e.g. mean Mg output, PM10, CO2e per strategy). [various]
    maximize : sequence of bool, length k
        Sense of each objective. [-]

    Returns
    -------
    ndarray of bool, shape (n,)
    """
    values = np.asarray(values, dtype=float)
    sign = np.where(np.asarray(maximize, dtype=bool), -1.0, 1.0)
    cost = values * sign                      # minimise every column
    le = np.all(cost[None, :, :] <= cost[:, None, :], axis=2)   # le[i, j]: j at least as good as i
    lt = np.any(cost[None, :, :] < cost[:, None, :], axis=2)    # lt[i, j]: j strictly better somewhere
    dominated = np.any(le & lt, axis=1)
    valid = np.all(np.isfinite(values), axis=1)
    return valid & ~dominated


def rank_strategies(stats: pd.DataFrame, objectives: Sequence[tuple[str, bool]]) -> pd.DataFrame:
    """Rank strategies on each objective and mark the Pareto front of their means.

    Parameters
    ----------
    stats : pandas.DataFrame
        Output of :func:`strategy_statistics`. [-]
    objectives : sequence of (kpi, maximize)
        The KPIs to rank on, each with its sense (True: more is better). [-]

    Returns
    -------
    pandas.DataFrame
        One row per strategy: for each objective ``<kpi>`` the columns ``<kpi>:mean``,
        ``<kpi>:ci_low``, ``<kpi>:ci_high``, ``<kpi>:diff_mean``, ``<kpi>:diff_ci_low``,
        ``<kpi>:diff_ci_high``, ``<kpi>:rank`` (1 = best mean) and ``<kpi>:significant``
        (the paired interval excludes 0); then ``pareto`` (non-dominated on all objectives).
    """
    known = set(stats["kpi"])
    missing = [kpi for kpi, _ in objectives if kpi not in known]
    if missing:
        import difflib

        lines = []
        for kpi in missing:
            close = difflib.get_close_matches(kpi, sorted(known), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            lines.append(f"--objective: found {kpi!r}, which no run reports{hint}")
        raise ScenarioError(problems=lines)
    strategies = list(dict.fromkeys(stats["strategy"]))
    table = pd.DataFrame({"strategy": strategies})
    for kpi, maximize in objectives:
        rows = stats.loc[stats["kpi"] == kpi].set_index("strategy").reindex(strategies)
        for column in ("mean", "ci_low", "ci_high", "diff_mean", "diff_ci_low", "diff_ci_high"):
            table[f"{kpi}:{column}"] = rows[column].to_numpy()
        table[f"{kpi}:rank"] = rows["mean"].rank(ascending=not maximize, method="min").to_numpy()
        table[f"{kpi}:significant"] = ((rows["diff_ci_low"] > 0) | (rows["diff_ci_high"] < 0)).to_numpy()
    means = table[[f"{kpi}:mean" for kpi, _ in objectives]].to_numpy()
    table["pareto"] = pareto_front(means, [m for _, m in objectives])
    return table
