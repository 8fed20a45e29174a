"""``run(scenario, seed, strategy, progress) -> Results``: one simulation, start to finish.

Steps, in order:

1. load the scenario if a path was given (:func:`saltsim.scenario.load_scenario`);
2. pick the seed (argument, else ``scenario.site.seed``);
3. call the site model, ``saltsim.des.model.simulate(scenario, seed, strategy, progress)``, when
   that module is installed; it returns ``(tables, metadata)`` — a mapping of result-table name
   → DataFrame and a metadata dict (or one mapping whose optional ``"metadata"`` entry is the
   dict). Without the model the result is the skeleton: every table empty, with its columns;
4. account for the environmental impacts when the model did not
   (:func:`saltsim.environment.impacts.impacts_from_tables`), against a no-project
   counterfactual run of the same scenario and seed (strategy ``no_project``) when
   ``scenario.impacts.counterfactual`` is true;
5. wrap everything in a frozen :class:`~saltsim.results.Results` with the run's metadata.

Randomness: the run's only source of randomness is ``seed``. The model derives one
``numpy.random.Generator`` per stochastic process with ``numpy.random.SeedSequence(seed).spawn``
in the fixed order it documents (``saltsim.des.model``), so the same seed gives the same results.
"""
from __future__ import annotations

import datetime
import importlib
import importlib.util
import os
import re
from collections.abc import Callable, Mapping

from . import __version__
from .results import Results

__all__ = ["run", "MODEL_MODULE", "citations_in"]

#: The module that provides ``simulate``; absent → skeleton results.
MODEL_MODULE = "saltsim.des.model"
#: Strategy of the counterfactual run (the lake without the project).
NO_PROJECT = "no_project"
_CITATION = re.compile(r"\[([A-Z][A-Z0-9]*\d+[a-z]?(?:-[0-9.]+)?)\]")


def citations_in(text: str) -> list[str]:
    """Source keys (``[S1]``, ``[R15]``, ``[AP42-13.2.2]``) cited in a text, sorted, unique."""
    return sorted(set(_CITATION.findall(text)))


def _model_available() -> bool:
    try:
        return importlib.util.find_spec(MODEL_MODULE) is not None
    except ModuleNotFoundError:
        return False


def _impacts_available() -> bool:
    return importlib.util.find_spec("saltsim.environment.impacts") is not None


def _split_output(output) -> tuple[dict, dict]:
    if isinstance(output, tuple) and len(output) == 2:
        tables, metadata = output
        return dict(tables), dict(metadata or {})
    if isinstance(output, Mapping):
        tables = dict(output)
        metadata = tables.pop("metadata", None) or getattr(output, "metadata", None) or {}
        return tables, dict(metadata)
    raise TypeError(f"{MODEL_MODULE}.simulate returned {type(output).__name__}; expected "
                    f"(tables, metadata) or a mapping of tables")


def run(scenario, seed: int | None = None, strategy=None,
        progress: bool | Callable | None = None, counterfactual: bool | None = None) -> Results:
    """Simulate a scenario and return its results.

    Parameters
    ----------
    scenario : Scenario or str or os.PathLike
        A loaded scenario, or a scenario file to load.
    seed : int, optional
        Seed of the run; default ``scenario.site.seed``. [-]
    strategy : str or object, optional
        A strategy name from the registry or a strategy object; default ``scenario.strategy``.
    progress : bool or callable, optional
        Show a progress bar (True), stay quiet (False), or the model's default for the terminal
        (None); a callable receives progress updates, as the model documents.
    counterfactual : bool, optional
        Run the no-project counterfactual for the impacts; default
        ``scenario.impacts.counterfactual`` (never for the ``no_project`` strategy itself).

    Returns
    -------
    Results
        Tidy tables and metadata (scenario hash, seed, version, wall-clock start and end, citations).
    """
    from .scenario import Scenario, load_scenario

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    seed = scenario.site.seed if seed is None else int(seed)
    started = datetime.datetime.now(datetime.timezone.utc)
    if _model_available():
        model = importlib.import_module(MODEL_MODULE)
        tables, model_metadata = _split_output(model.simulate(scenario, seed, strategy, progress))
        model_name = MODEL_MODULE
        impacts = tables.get("impacts")
        if (impacts is None or impacts.empty) and _impacts_available():
            from .environment.impacts import impacts_from_tables

            name = strategy if isinstance(strategy, str) else getattr(strategy, "name", None)
            if counterfactual is None:
                counterfactual = bool(scenario.impacts.counterfactual)
            no_project = None
            if counterfactual and (name or scenario.strategy.name) != NO_PROJECT:
                no_project, _ = _split_output(model.simulate(scenario, seed, NO_PROJECT, False))
                model_metadata["counterfactual"] = f"strategy {NO_PROJECT}, seed {seed}"
            tables["impacts"] = impacts_from_tables(tables, scenario, no_project)
    else:
        tables, model_metadata = {}, {}
        model_name = "skeleton (no site model installed: every table is empty)"
    ended = datetime.datetime.now(datetime.timezone.utc)
    citations = set(model_metadata.pop("citations", ()) or ())
    if scenario.path is not None and os.path.isfile(scenario.path):
        with open(scenario.path, encoding="utf-8") as fh:
            citations.update(citations_in(fh.read()))
    strategy_name = strategy if isinstance(strategy, str) else (
        getattr(strategy, "name", None) or scenario.strategy.name)
    metadata = {
        "scenario_name": scenario.site.name,
        "scenario_path": scenario.path,
        "scenario_hash": scenario.hash,
        "variant": scenario.variant,
        "strategy": strategy_name,
        "seed": seed,
        "saltsim_version": __version__,
        "model": model_name,
        "start_time": started.isoformat(),
        "end_time": ended.isoformat(),
        "wall_time_s": (ended - started).total_seconds(),
        "simulation_start": scenario.site.start.isoformat(),
        "horizon_s": scenario.site.horizon,
        **model_metadata,
        "citations": sorted(citations),
    }
    return Results.from_tables(tables, metadata)
