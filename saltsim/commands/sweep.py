"""``saltsim sweep``: replications and parameter sweeps, on local cores or a Dask cluster."""
from __future__ import annotations

import argparse
import sys

HELP = "Run replications and parameter sweeps (grid, Latin hypercube, Sobol') in parallel"
EXAMPLES = """\
examples:
  saltsim sweep scenarios/qom_small.toml --replications 20
  saltsim sweep scenarios/qom_small.toml --vary 'ponds[0].area=50..120 ha' --samples 32 \\
      --replications 20 --design lhs --out sweeps/area
  saltsim sweep scenarios/qom_baseline.toml --vary 'ponds[0].area=400,600,800 ha' \\
      --vary 'rail.wagons.count=20..120' --design grid --samples 4 --strategies all --out sweeps/grid
  saltsim sweep scenarios/qom_small.toml ... --out sweeps/area --resume     # after a crash
  saltsim sweep scenarios/qom_small.toml ... --scheduler tcp://10.0.0.5:8786  # Dask cluster

--vary PATH=LOW..HIGH UNIT samples a range; both bounds written as integers with no unit make an
integer range (counts); PATH=V1,V2,... UNIT gives explicit levels (text levels too). With
--design grid, --samples is the number of levels per range; otherwise the number of points.
Replication r of every point and strategy uses the same seed (common random numbers).
The sweep directory holds runs/<run_id>.parquet (one per finished run, written atomically),
manifest.jsonl, and the combined tidy table results.parquet / results.csv.
"""

SUMMARY_ROWS = 20
SUMMARY_KPIS = 4


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"found {text!r}; expected a positive integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"found {value}; expected a positive integer")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"found {text!r}; expected a non-negative integer") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"found {value}; expected a non-negative integer")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", metavar="SCENARIO", help="scenario file (TOML)")
    parser.add_argument("--vary", action="append", default=[], metavar="PATH=VALUES",
                        help="field to vary, e.g. 'ponds[0].area=10..40 km^2' (repeatable)")
    parser.add_argument("--design", choices=("lhs", "sobol", "grid"), default="lhs",
                        help="experimental design (default: lhs)")
    parser.add_argument("--samples", type=_positive_int, default=16,
                        help="points (lhs, sobol) or levels per range (grid); default 16")
    parser.add_argument("--replications", type=_positive_int, default=1,
                        help="replications per point and strategy (default 1)")
    parser.add_argument("--strategies", nargs="+", metavar="NAME",
                        help="variants or registered strategies to run at every point ('all': every variant)")
    parser.add_argument("--seed", type=_non_negative_int,
                        help="root seed (default: site.seed of the scenario)")
    parser.add_argument("--out", metavar="DIR",
                        help="sweep directory (default: a new directory under ./sweeps/)")
    parser.add_argument("--resume", action="store_true",
                        help="continue the sweep in --out: keep finished runs, run the rest")
    parser.add_argument("--workers", type=_positive_int,
                        help="worker processes (default: all cores)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="tcp://HOST:8786",
                       help="run on an existing Dask scheduler")
    where.add_argument("--local-cluster", action="store_true",
                       help="run on a Dask LocalCluster on this machine")
    where.add_argument("--serial", action="store_true", help="run in this process, one run at a time")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _default_out(scenario: str):
    import datetime
    from pathlib import Path

    stem = Path(scenario).stem
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("sweeps") / f"{stem}-{stamp}"


def summary(result, rows: int = SUMMARY_ROWS, kpis: int = SUMMARY_KPIS) -> str:
    """Mean of the first KPIs per point and strategy, over replications (text table)."""
    wide = result.wide()
    if wide.empty:
        return "no successful runs"
    from ..sweeps import RUN_COLUMNS

    keys = ["point", "strategy"] + result.parameter_columns
    kpi_columns = [c for c in wide.columns if c not in set(RUN_COLUMNS) | set(keys)][:kpis]
    table = wide.groupby(keys, sort=True, dropna=False)[kpi_columns].mean()
    table.insert(0, "runs", wide.groupby(keys, sort=True, dropna=False).size())
    if (table.index.get_level_values("strategy") == "").all():
        table = table.droplevel("strategy")
    text = table.head(rows).to_string(float_format=lambda v: f"{v:.6g}")
    if len(table) > rows:
        text += f"\n... {len(table) - rows} more rows in the results table"
    return "mean over replications\n" + text


def run(args: argparse.Namespace) -> int:
    from ..errors import ScenarioError
    from ..sweeps import sweep

    if args.resume and not args.out:
        raise ScenarioError("--resume: found no --out; expected the directory of the sweep to resume")
    out = args.out or _default_out(args.scenario)
    backend = "serial" if args.serial else ("dask" if (args.local_cluster or args.scheduler) else "processes")
    result = sweep(args.scenario, args.vary, design=args.design, samples=args.samples,
                   replications=args.replications, strategies=args.strategies, seed=args.seed,
                   out=out, resume=args.resume, backend=backend, workers=args.workers,
                   scheduler=args.scheduler, progress=False if args.no_progress else None)
    total = len(result.design) * len(result.strategies) * (args.replications)
    ran = len(result.wall_time_s)
    print(f"sweep: {total} runs ({ran} run now, {total - ran} already stored), "
          f"{len(result.design)} points x {len(result.strategies)} strategies x "
          f"{args.replications} replications, seed {result.seed}")
    print(f"results: {result.path}/results.parquet (tidy: run_id, parameters, replication, "
          f"strategy, kpi, value, unit), also results.csv")
    print(summary(result))
    if not result.failures.empty:
        n_failed = result.failures["run_id"].nunique()
        print(f"warning: {n_failed} of {total} runs failed; first: "
              f"{result.failures['run_id'].iloc[0]}: {result.failures['error'].iloc[0]}", file=sys.stderr)
        return 1 if n_failed == total else 0
    return 0
