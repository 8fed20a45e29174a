"""``saltsim bench-strategies``: rank a scenario's strategies with confidence intervals."""
from __future__ import annotations

import argparse
import sys

HELP = "Rank the strategies of a scenario on production and impacts, with confidence intervals"
EXAMPLES = """\
examples:
  saltsim bench-strategies scenarios/qom_baseline.toml --replications 20
  saltsim bench-strategies scenarios/qom_baseline.toml --replications 50 \\
      --strategies base crust_harvest ponds_salt_mg --objective bittern_Mg:max \\
      --objective pm10_total:min --objective co2e_total:min --out bench/qom

Every strategy runs the same replications (common random numbers: replication r of every
strategy uses the same seed), so differences to the baseline are paired and their t-based
intervals exclude the noise the runs share. The Pareto front is taken over the objectives'
means. Writes DIR/statistics.csv (every KPI), DIR/ranking.csv and DIR/pareto.png, beside the
sweep store (runs/, results.parquet), so --resume continues an interrupted benchmark.
"""

#: Default objectives: the first KPI present of each group (production up, impacts down).
DEFAULT_OBJECTIVES = (
    (("mg_output", "bittern_Mg", "bittern_Mg_kg_per_yr"), True),
    (("pm10_total", "pm10_total_kg"), False),
    (("co2e_total", "co2e_total_kg"), False),
)
FALLBACK_PRODUCTION = (("nacl_harvested", "salt_harvested_kg"), True)


def _objective(text: str) -> tuple[str, bool]:
    kpi, sep, sense = text.rpartition(":")
    if not sep or sense not in ("max", "min") or not kpi:
        raise argparse.ArgumentTypeError(f"found {text!r}; expected KPI:max or KPI:min")
    return kpi, sense == "max"


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"found {text!r}; expected a number in (0, 1)") from None
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"found {value}; expected a number in (0, 1)")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from .sweep import _non_negative_int, _positive_int

    parser.add_argument("scenario", metavar="SCENARIO", help="scenario file with [[variants]]")
    parser.add_argument("--replications", type=_positive_int, default=10,
                        help="replications per strategy (default 10)")
    parser.add_argument("--strategies", nargs="+", metavar="NAME",
                        help="variants or registered strategies (default: base and every variant)")
    parser.add_argument("--baseline", metavar="NAME",
                        help="strategy the paired differences refer to (default: the first)")
    parser.add_argument("--objective", action="append", type=_objective, metavar="KPI:max|min",
                        help="objective for ranking and the Pareto front (repeatable; default: "
                             "Mg output max, PM10 min, CO2e min)")
    parser.add_argument("--confidence", type=_fraction, default=0.90,
                        help="two-sided confidence level of the intervals (default 0.90)")
    parser.add_argument("--seed", type=_non_negative_int, help="root seed (default: site.seed)")
    parser.add_argument("--out", metavar="DIR", help="output directory (default: new under ./bench/)")
    parser.add_argument("--resume", action="store_true", help="continue an interrupted benchmark in --out")
    parser.add_argument("--workers", type=_positive_int, help="worker processes (default: all cores)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="tcp://HOST:8786", help="run on an existing Dask scheduler")
    where.add_argument("--local-cluster", action="store_true", help="run on a Dask LocalCluster")
    where.add_argument("--serial", action="store_true", help="run in this process")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def default_objectives(kpis, groups=DEFAULT_OBJECTIVES) -> list[tuple[str, bool]]:
    """The first KPI present of each default group; production falls back to NaCl."""
    kpis = list(kpis)
    chosen = []
    for names, maximize in groups:
        for name in names:
            if name in kpis:
                chosen.append((name, maximize))
                break
    if not any(maximize for _, maximize in chosen):
        names, maximize = FALLBACK_PRODUCTION
        for name in names:
            if name in kpis:
                chosen.insert(0, (name, maximize))
                break
    return chosen


def plot_pareto(ranking, objectives, units: dict, path) -> None:
    """Scatter of the first objective against each other one: means with their intervals,
    Pareto-front strategies filled and labelled."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    first, first_max = objectives[0]
    others = objectives[1:] or objectives[:1]
    fig, axes = plt.subplots(1, len(others), figsize=(5.2 * len(others), 4.4), squeeze=False)
    front = ranking["pareto"].to_numpy()
    x = ranking[f"{first}:mean"].to_numpy()
    xerr = np.vstack([x - ranking[f"{first}:ci_low"].to_numpy(), ranking[f"{first}:ci_high"].to_numpy() - x])
    for ax, (kpi, maximize) in zip(axes[0], others):
        y = ranking[f"{kpi}:mean"].to_numpy()
        yerr = np.vstack([y - ranking[f"{kpi}:ci_low"].to_numpy(), ranking[f"{kpi}:ci_high"].to_numpy() - y])
        ax.errorbar(x, y, xerr=np.nan_to_num(xerr), yerr=np.nan_to_num(yerr), fmt="none",
                    ecolor="0.6", elinewidth=1, capsize=3, zorder=1)
        ax.scatter(x[~front], y[~front], s=40, facecolors="white", edgecolors="0.3", zorder=2,
                   label="dominated")
        ax.scatter(x[front], y[front], s=55, color="tab:red", zorder=3, label="Pareto front")
        for xi, yi, name in zip(x, y, ranking["strategy"]):
            ax.annotate(name or "scenario", (xi, yi), textcoords="offset points", xytext=(5, 5), fontsize=8)
        ax.set_xlabel(f"{first} [{units.get(first, '')}] ({'more' if first_max else 'less'} is better)")
        ax.set_ylabel(f"{kpi} [{units.get(kpi, '')}] ({'more' if maximize else 'less'} is better)")
        ax.grid(True, alpha=0.3)
    axes[0][0].legend(loc="best", fontsize=8)
    fig.suptitle("Strategies: means with confidence intervals; Pareto front over all objectives")
    fig.tight_layout()
    import io

    from ..store import atomic_write_bytes

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120)
    plt.close(fig)
    atomic_write_bytes(path, buffer.getvalue())


def format_ranking(ranking, objectives, units: dict, confidence: float, baseline: str) -> str:
    lines = []
    for kpi, maximize in objectives:
        lines.append(f"{kpi} [{units.get(kpi, '')}] ({'max' if maximize else 'min'}); "
                     f"{round(confidence * 100)} % intervals; difference paired with {baseline!r}")
        order = ranking.sort_values(f"{kpi}:rank", kind="stable")
        width = max(8, *(len(s) for s in ranking["strategy"]))
        for _, row in order.iterrows():
            mark = "*" if row[f"{kpi}:significant"] else " "
            lines.append(
                f"  {int(row[f'{kpi}:rank']):>2}. {row['strategy']:<{width}} "
                f"{row[f'{kpi}:mean']:>12.5g} [{row[f'{kpi}:ci_low']:.5g}, {row[f'{kpi}:ci_high']:.5g}]"
                f"   diff {row[f'{kpi}:diff_mean']:+.4g} [{row[f'{kpi}:diff_ci_low']:+.4g}, "
                f"{row[f'{kpi}:diff_ci_high']:+.4g}]{mark}")
    front = ", ".join(ranking.loc[ranking["pareto"], "strategy"])
    lines.append(f"Pareto front ({', '.join(k for k, _ in objectives)}): {front}")
    lines.append("* the paired interval of the difference excludes 0")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    import datetime
    from pathlib import Path

    from ..errors import ScenarioError
    from ..store import atomic_write_bytes
    from ..sweeps import rank_strategies, strategy_statistics, sweep

    if args.resume and not args.out:
        raise ScenarioError("--resume: found no --out; expected the directory of the benchmark to resume")
    out = Path(args.out) if args.out else (
        Path("bench") / f"{Path(args.scenario).stem}-{datetime.datetime.now():%Y%m%d-%H%M%S}")
    backend = "serial" if args.serial else ("dask" if (args.local_cluster or args.scheduler) else "processes")
    result = sweep(args.scenario, None, design="grid", samples=1, replications=args.replications,
                   strategies=args.strategies or ["all"], seed=args.seed, out=out, resume=args.resume,
                   backend=backend, workers=args.workers, scheduler=args.scheduler,
                   progress=False if args.no_progress else None)
    if not result.failures.empty:
        first = result.failures.iloc[0]
        print(f"warning: {result.failures['run_id'].nunique()} runs failed; first: {first['run_id']} "
              f"({first['strategy']}): {first['error']}", file=sys.stderr)
    if result.table.empty:
        print("error: no run succeeded", file=sys.stderr)
        return 1
    stats = strategy_statistics(result.table, confidence=args.confidence, baseline=args.baseline)
    objectives = args.objective or default_objectives(stats["kpi"].unique())
    if not objectives:
        raise ScenarioError("--objective: found no default objective among the KPIs; expected "
                            "--objective KPI:max|min naming a KPI of the runs")
    ranking = rank_strategies(stats, objectives)
    units = dict(zip(stats["kpi"], stats["unit"]))
    atomic_write_bytes(out / "statistics.csv", stats.to_csv(index=False).encode())
    atomic_write_bytes(out / "ranking.csv", ranking.to_csv(index=False).encode())
    plot_pareto(ranking, objectives, units, out / "pareto.png")
    baseline = args.baseline or result.strategies[0].label
    print(f"{len(result.strategies)} strategies x {args.replications} replications (seed {result.seed})")
    print(format_ranking(ranking, objectives, units, args.confidence, baseline))
    print(f"written: {out}/statistics.csv, {out}/ranking.csv, {out}/pareto.png")
    return 0
