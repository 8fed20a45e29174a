"""Side-by-side comparison of runs: production, logistics and impacts, with differences.

What can be compared (:func:`collect`):

- a run directory written by ``saltsim run --out`` (``metadata.json`` + one file per table);
- a sweep directory written by ``saltsim sweep``/``bench-strategies`` (tidy KPI rows with a
  ``replication`` column): one entry per strategy (or per design point), with replications;
- a scenario file, or one variant of it as ``FILE#NAME``: simulated here with the given seed
  (and, if the scenario asks for it, the no-project counterfactual for the lake and dust
  differences);
- every variant of a scenario file (``--variants FILE``).

Each entry yields *metrics*: the rows of its ``kpis`` table and the totals of its ``impacts``
table (``impacts:<quantity>``). With replications, :func:`summarise` gives the mean and a
90 % confidence interval of the mean (Student t, ``n − 1`` degrees of freedom); with one run, the
interval is the value itself. :func:`side_by_side` puts entries in columns and adds the absolute
and relative difference of every entry from the first (the reference).

All values stay SI (with their unit) until :func:`display_table`, which converts to display
units (t, kt, MWh, ha, ...) with pint.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import ResultsError, ScenarioError

__all__ = [
    "CONFIDENCE",
    "Entry",
    "metrics_of",
    "collect",
    "summarise",
    "side_by_side",
    "display_table",
    "format_table",
    "write_figures",
    "HEADLINE_METRICS",
]

#: Two-sided confidence level of the intervals shown with replications.
CONFIDENCE = 0.90
#: Metrics drawn in the comparison figures when present (impacts totals; KPIs are added by name).
HEADLINE_METRICS = ("impacts:co2e_total", "impacts:pm10_total", "impacts:pm10_project_increment",
                    "impacts:freshwater_total", "impacts:energy_total", "impacts:brine_abstracted",
                    "impacts:level_change_vs_no_project_mean", "impacts:land_disturbed_total")


@dataclass(frozen=True)
class Entry:
    """One thing compared: a label and its metrics, one row per (replication, metric).

    ``metrics`` has columns ``replication``, ``metric``, ``unit``, ``value``.
    """

    label: str
    metrics: pd.DataFrame
    origin: str


def metrics_of(kpis: pd.DataFrame | None, impacts: pd.DataFrame | None, replication: int = 0,
               per_tonne_of: Sequence[str] = ()) -> pd.DataFrame:
    """Metrics of one run from its ``kpis`` and ``impacts`` tables.

    Parameters
    ----------
    kpis : DataFrame or None
        Columns ``kpi``, ``value``, ``unit``.
    impacts : DataFrame or None
        The impacts table; only totals (``per_tonne_of`` empty) are taken, as
        ``impacts:<quantity>``.
    replication : int
        Replication number of this run.
    per_tonne_of : sequence of str
        Products whose intensities are added as ``impacts:<quantity> per t <product>``.

    Returns
    -------
    DataFrame
        Columns ``replication``, ``metric``, ``unit``, ``value``.
    """
    parts = []
    if kpis is not None and len(kpis):
        parts.append(pd.DataFrame({"metric": kpis["kpi"].astype(str), "unit": kpis["unit"].astype(str),
                                   "value": pd.to_numeric(kpis["value"], errors="coerce")}))
    if impacts is not None and len(impacts):
        totals = impacts[impacts["per_tonne_of"].fillna("").astype(str) == ""]
        parts.append(pd.DataFrame({"metric": "impacts:" + totals["quantity"].astype(str),
                                   "unit": totals["unit"].astype(str),
                                   "value": pd.to_numeric(totals["value"], errors="coerce")}))
        for product in per_tonne_of:
            rows = impacts[impacts["per_tonne_of"].fillna("").astype(str) == product]
            parts.append(pd.DataFrame({"metric": "impacts:" + rows["quantity"].astype(str) + f" per t {product}",
                                       "unit": rows["unit"].astype(str),
                                       "value": pd.to_numeric(rows["value"], errors="coerce")}))
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["metric", "unit", "value"])
    frame.insert(0, "replication", replication)
    return frame.reset_index(drop=True)


# ------------------------------------------------------------------------------- collecting
def _is_run_dir(path: Path) -> bool:
    return path.is_dir() and (path / "metadata.json").exists()


def _sweep_table(path: Path) -> pd.DataFrame | None:
    if not path.is_dir():
        return None
    if (path / "results.csv").exists():
        return pd.read_csv(path / "results.csv", keep_default_na=False,
                           dtype={"strategy": str, "kpi": str, "unit": str})
    try:
        from .sweeps import load_sweep
    except ImportError:  # pragma: no cover - sweeps is part of the package
        return None
    try:
        return load_sweep(path)
    except Exception:  # not a sweep store
        return None


def _entries_from_sweep(path: Path, table: pd.DataFrame) -> list[Entry]:
    if "replication" not in table.columns or "kpi" not in table.columns:
        raise ResultsError(f"{path}: found a table without replication/kpi columns; expected a sweep store")
    if "error" in table.columns:
        table = table[table["error"].fillna("").astype(str) == ""]
    keys = ["strategy"] if table["point"].nunique() <= 1 else ["point", "strategy"]
    entries = []
    for key, group in table.groupby(keys, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        label = " ".join(f"p{k}" if name == "point" else (str(k) or "base") for name, k in zip(keys, key))
        metrics = pd.DataFrame({"replication": group["replication"].astype(int).to_numpy(),
                                "metric": group["kpi"].astype(str).to_numpy(),
                                "unit": group["unit"].astype(str).to_numpy(),
                                "value": pd.to_numeric(group["value"], errors="coerce").to_numpy()})
        entries.append(Entry(label=f"{path.name}:{label}", metrics=metrics, origin=str(path)))
    return entries


def _read_run(path: Path):
    from .results import Results

    return Results.read(path)


def _label_of_run(path: Path) -> str:
    return path.name


def collect(specs: Sequence[str], variants_of: Sequence[str] = (), seed: int | None = None,
            overrides: Mapping[str, object] | None = None, counterfactual: bool | None = None,
            run=None, keep_runs: str | Path | None = None, per_tonne_of: Sequence[str] = ()) -> list[Entry]:
    """Entries for every spec, in order.

    Parameters
    ----------
    specs : sequence of str
        Run directories, sweep directories, scenario files or ``FILE#VARIANT``.
    variants_of : sequence of str
        Scenario files whose variants (base first) are all compared.
    seed : int, optional
        Seed of the simulated entries (default: each scenario's own seed).
    overrides : mapping, optional
        Overrides applied to every simulated scenario (e.g. ``{"site.horizon": "2 yr"}``).
    counterfactual : bool, optional
        Simulate the no-project counterfactual (default: the scenario's
        ``impacts.counterfactual``).
    run : callable, optional
        ``run(scenario, seed) -> Results``; default :func:`run_with_impacts`.
    keep_runs : str or Path, optional
        Write the results of every simulated entry under this directory (``FILE-VARIANT``),
        for ``saltsim report`` or a later comparison.
    per_tonne_of : sequence of str
        Products whose impact intensities (per tonne) are compared too (runs, not sweeps).

    Raises
    ------
    ScenarioError
        For a spec that is neither a directory of results nor a scenario file.
    """
    from .scenario.variants import BASE, expand_variants, load_variant, split_spec

    run = run or (lambda scenario, seed: run_with_impacts(scenario, seed, counterfactual=counterfactual))
    entries: list[Entry] = []

    def simulated(scenario, label, origin):
        results = run(scenario, seed)
        if keep_runs is not None:
            results.write(Path(keep_runs) / label.replace("#", "-"))
        entries.append(Entry(label=label, metrics=metrics_of(results.kpis, results.impacts,
                                                             per_tonne_of=per_tonne_of), origin=origin))

    for spec in specs:
        path = Path(spec)
        if _is_run_dir(path):
            results = _read_run(path)
            entries.append(Entry(label=_label_of_run(path),
                                 metrics=metrics_of(results.kpis, results.impacts, per_tonne_of=per_tonne_of),
                                 origin=str(path)))
            continue
        table = _sweep_table(path)
        if table is not None:
            entries.extend(_entries_from_sweep(path, table))
            continue
        file, name = split_spec(spec)
        if not Path(file).is_file():
            raise ScenarioError(f"{spec}: found neither a run directory, a sweep directory nor a "
                                f"scenario file; expected one of these (or FILE#VARIANT)")
        scenario = load_variant(file, name, overrides)
        simulated(scenario, f"{Path(file).stem}#{name or BASE}", spec)
    for file in variants_of:
        for name, scenario in expand_variants(file, overrides=overrides).items():
            simulated(scenario, f"{Path(file).stem}#{name}", f"{file}#{name}")
    labels = [e.label for e in entries]
    for i, label in enumerate(labels):
        if labels.count(label) > 1:
            entries[i] = Entry(label=f"{label} [{i + 1}]", metrics=entries[i].metrics, origin=entries[i].origin)
    return entries


def run_with_impacts(scenario, seed: int | None = None, counterfactual: bool | None = None):
    """Run a scenario and (if asked) its no-project counterfactual; impacts include both.

    Parameters
    ----------
    scenario : Scenario
    seed : int, optional
        Run seed (default: the scenario's).
    counterfactual : bool, optional
        Default: ``scenario.impacts.counterfactual``.

    Returns
    -------
    Results
        The run's results with the ``impacts`` table computed against the counterfactual.
    """
    import dataclasses
    import inspect

    from .environment.impacts import impacts_from_tables
    from .runner import run

    if counterfactual is None:
        counterfactual = bool(getattr(scenario.impacts, "counterfactual", True))
    if "counterfactual" in inspect.signature(run).parameters:  # the runner accounts for impacts
        results = run(scenario, seed=seed, progress=False, counterfactual=counterfactual)
    else:
        results = run(scenario, seed=seed, progress=False)
    counterfactual = counterfactual and results.metadata.get("strategy") != "no_project"
    impacts = results.impacts
    if not impacts.empty and (not counterfactual or (impacts["quantity"] == "pm10_total_no_project").any()):
        return results
    no_project = None
    if counterfactual:
        no_project = run(scenario, seed=results.metadata.get("seed", seed), strategy="no_project",
                         progress=False).tables()
    return dataclasses.replace(results, impacts=impacts_from_tables(results.tables(), scenario, no_project))


# ------------------------------------------------------------------------------- summaries
def _t_quantile(confidence: float, dof: int) -> float:
    from scipy import stats

    return float(stats.t.ppf(0.5 + confidence / 2.0, dof))


def summarise(entries: Sequence[Entry], confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Mean and confidence interval of every metric of every entry.

    Returns
    -------
    DataFrame
        Columns ``label``, ``metric``, ``unit``, ``n``, ``mean``, ``low``, ``high`` (the interval
        of the mean; equal to the mean when n = 1), in entry order then first-seen metric order.
    """
    rows = []
    for entry in entries:
        grouped = entry.metrics.groupby(["metric", "unit"], sort=False)["value"]
        for (metric, unit), values in grouped:
            values = values.to_numpy(dtype=float)
            values = values[np.isfinite(values)]
            n = int(values.size)
            mean = float(values.mean()) if n else math.nan
            if n >= 2:
                half = _t_quantile(confidence, n - 1) * float(values.std(ddof=1)) / math.sqrt(n)
            else:
                half = 0.0 if n else math.nan
            rows.append({"label": entry.label, "metric": metric, "unit": unit, "n": n,
                         "mean": mean, "low": mean - half, "high": mean + half})
    return pd.DataFrame(rows, columns=["label", "metric", "unit", "n", "mean", "low", "high"])


def side_by_side(summary: pd.DataFrame, reference: str | None = None) -> pd.DataFrame:
    """One row per metric, a column of means per entry, and differences from the reference.

    Parameters
    ----------
    summary : DataFrame
        From :func:`summarise`.
    reference : str, optional
        Label of the reference entry (default: the first).

    Returns
    -------
    DataFrame
        Columns ``metric``, ``unit``, then for each label ``<label>``, and for each other label
        ``Δ <label>`` (mean − reference) and ``Δ% <label>`` (100 · Δ / |reference|; NaN when the
        reference is 0).
    """
    labels = list(dict.fromkeys(summary["label"]))
    if not labels:
        return pd.DataFrame(columns=["metric", "unit"])
    reference = reference or labels[0]
    if reference not in labels:
        raise ScenarioError(f"--reference: found {reference!r}; expected one of {labels}")
    wide = summary.pivot_table(index=["metric", "unit"], columns="label", values="mean", sort=False,
                               dropna=False)
    order = list(dict.fromkeys(zip(summary["metric"], summary["unit"])))
    wide = wide.reindex(pd.MultiIndex.from_tuples(order, names=["metric", "unit"]))[labels]
    out = wide.reset_index()
    out.columns.name = None
    base = out[reference].to_numpy(dtype=float)
    for label in labels:
        if label == reference:
            continue
        delta = out[label].to_numpy(dtype=float) - base
        with np.errstate(divide="ignore", invalid="ignore"):
            percent = np.where(base != 0, 100.0 * delta / np.abs(base), np.nan)
        out[f"Δ {label}"] = delta
        out[f"Δ% {label}"] = percent
    return out


# ------------------------------------------------------------------------------- display
def display_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary with SI values converted to display units (same columns); one display unit
    per metric, chosen from its largest value over all entries."""
    from .report import display_unit

    out = summary.copy()
    for (metric, unit), rows in summary.groupby(["metric", "unit"], sort=False):
        values = rows[["mean", "low", "high"]].to_numpy(dtype=float)
        finite = values[np.isfinite(values)]
        shown, factor = display_unit(unit, float(np.abs(finite).max()) if finite.size else 0.0)
        out.loc[rows.index, "unit"] = shown
        out.loc[rows.index, ["mean", "low", "high"]] = values * factor
    return out


def _fmt(value: float) -> str:
    if value is None or not np.isfinite(value):
        return "–"
    magnitude = abs(value)
    if magnitude == 0:
        return "0"
    if magnitude >= 1e6 or magnitude < 1e-3:
        return f"{value:.3e}"
    return f"{value:,.4g}" if magnitude < 1000 else f"{value:,.0f}"


def format_table(summary: pd.DataFrame, reference: str | None = None) -> str:
    """Terminal table: metrics in rows, entries in columns (mean [low, high] with
    replications), absolute and % differences from the reference, in display units."""
    shown = display_table(summary)
    wide = side_by_side(shown, reference)
    labels = list(dict.fromkeys(shown["label"]))
    reference = reference or (labels[0] if labels else None)
    others = [label for label in labels if label != reference]
    intervals = {(r.label, r.metric): (r.n, r.low, r.high) for r in shown.itertuples()}
    header = ["metric", "unit", *labels]
    for label in others:
        header += [f"Δ {label}", "Δ%"]
    lines = []
    for values in wide.to_dict("records"):
        cells = [values["metric"], values["unit"]]
        for label in labels:
            n, low, high = intervals.get((label, values["metric"]), (0, np.nan, np.nan))
            text = _fmt(values[label])
            if n >= 2:
                text += f" [{_fmt(low)}, {_fmt(high)}]"
            cells.append(text)
        for label in others:
            percent = values[f"Δ% {label}"]
            cells += [_fmt(values[f"Δ {label}"]), f"{percent:+.1f}%" if np.isfinite(percent) else "–"]
        lines.append(cells)
    widths = [max([len(str(h))] + [len(str(c[i])) for c in lines]) for i, h in enumerate(header)]
    text = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths)),
            "  ".join("-" * w for w in widths)]
    text += ["  ".join(str(c).ljust(w) if i < 2 else str(c).rjust(w)
                       for i, (c, w) in enumerate(zip(cells, widths))) for cells in lines]
    if (shown["n"] >= 2).any():
        text.append(f"(mean [{int(CONFIDENCE * 100)} % confidence interval of the mean] over replications; "
                    f"Δ against {reference})")
    elif reference:
        text.append(f"(Δ against {reference})")
    return "\n".join(text)


def write_figures(summary: pd.DataFrame, directory: str | Path, metrics: Sequence[str] | None = None) -> list[Path]:
    """Bar charts (with interval whiskers) of headline metrics per entry, as PNG files.

    Parameters
    ----------
    summary : DataFrame
        From :func:`summarise`.
    directory : str or Path
        Created if missing.
    metrics : sequence of str, optional
        Metrics to draw (default: :data:`HEADLINE_METRICS` present, plus every KPI).

    Returns
    -------
    list of Path
        The PNG files written.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    shown = display_table(summary)
    present = list(dict.fromkeys(shown["metric"]))
    if metrics is None:
        metrics = [m for m in HEADLINE_METRICS if m in present] + [m for m in present if not m.startswith("impacts:")]
    written = []
    for metric in metrics:
        rows = shown[shown["metric"] == metric]
        means = rows["mean"].to_numpy(dtype=float)
        if rows.empty or not np.isfinite(means).any() or not np.any(means[np.isfinite(means)] != 0):
            continue  # nothing to draw: absent or zero in every entry
        fig, ax = plt.subplots(figsize=(max(4.0, 1.2 * len(rows) + 2), 3.2), dpi=110)
        x = np.arange(len(rows))
        means = rows["mean"].to_numpy(dtype=float)
        errors = np.vstack([means - rows["low"].to_numpy(dtype=float), rows["high"].to_numpy(dtype=float) - means])
        ax.bar(x, means, color="#4C72B0", yerr=errors if (rows["n"] >= 2).any() else None, capsize=4)
        ax.set_xticks(x, rows["label"], rotation=20, ha="right", fontsize=8)
        ax.set_ylabel(rows["unit"].iloc[0])
        ax.set_title(metric.removeprefix("impacts:").replace("_", " "), fontsize=10)
        ax.axhline(0, color="black", linewidth=0.6)
        fig.tight_layout()
        target = directory / f"{_slug(metric)}.png"
        fig.savefig(target)
        plt.close(fig)
        written.append(target)
    return written


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text).strip("_")
