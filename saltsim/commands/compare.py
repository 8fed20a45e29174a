"""``saltsim compare A B ...``: production, logistics and impacts side by side, with differences."""
from __future__ import annotations

HELP = "compare runs, scenarios or variants side by side (KPIs and impacts, absolute and % differences)"
EXAMPLES = """examples:
  saltsim compare runs/base runs/pv                           # two run directories
  saltsim compare scenarios/qom_small.toml#base scenarios/qom_small.toml#wet
  saltsim compare --variants scenarios/qom_baseline.toml --set 'site.horizon="2 yr"' --csv cmp.csv
  saltsim compare sweeps/strategies --figures figs/           # a sweep: means and 90 % intervals

Each of A, B, ... is a run directory (saltsim run --out), a sweep directory (saltsim sweep --out:
replications give the mean and the 90 % confidence interval of the mean), a scenario file, or one
variant of it as FILE#NAME (simulated here, with the no-project counterfactual when the scenario's
impacts.counterfactual is true). Differences are taken against the first entry (or --reference).
"""


def add_arguments(parser) -> None:
    parser.add_argument("entries", nargs="*", metavar="A",
                        help="run directory, sweep directory, scenario file or FILE#VARIANT")
    parser.add_argument("--variants", action="append", default=[], metavar="FILE",
                        help="compare every variant of this scenario file (base first; repeatable)")
    parser.add_argument("--seed", type=int, metavar="N", help="seed of the simulated entries (default: site.seed)")
    parser.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                        help="override a field of every simulated scenario (TOML value; repeatable)")
    parser.add_argument("--no-counterfactual", action="store_true",
                        help="do not simulate the no-project counterfactual for simulated entries")
    parser.add_argument("--reference", metavar="LABEL", help="entry the differences are taken against (default: first)")
    parser.add_argument("--csv", metavar="FILE", help="write the comparison as a tidy CSV (SI units)")
    parser.add_argument("--figures", metavar="DIR", help="write bar charts (PNG) of the headline metrics here")
    parser.add_argument("--keep-runs", metavar="DIR",
                        help="write the results of simulated entries here (one run directory each)")
    parser.add_argument("--per-tonne", action="append", default=[], metavar="PRODUCT",
                        help="also compare the impact intensities per tonne of PRODUCT (repeatable)")
    parser.add_argument("--metrics", metavar="NAMES",
                        help="comma-separated metrics to show (default: all KPIs and impact totals)")


def comparison_csv(summary, reference=None):
    """The summary with the reference and its differences, one row per entry and metric (SI)."""
    import numpy as np

    labels = list(dict.fromkeys(summary["label"]))
    reference = reference or labels[0]
    base = summary[summary["label"] == reference].set_index(["metric", "unit"])["mean"]
    out = summary.copy()
    keys = list(zip(out["metric"], out["unit"]))
    ref = np.array([base.get(k, np.nan) for k in keys], dtype=float)
    out["reference"] = reference
    out["delta"] = out["mean"].to_numpy(dtype=float) - ref
    with np.errstate(divide="ignore", invalid="ignore"):
        out["delta_pct"] = np.where(ref != 0, 100.0 * out["delta"] / np.abs(ref), np.nan)
    return out


def run(args) -> int:
    from pathlib import Path

    from ..compare import collect, format_table, summarise, write_figures
    from ..errors import ScenarioError
    from .run import parse_assignments

    if not args.entries and not args.variants:
        raise ScenarioError("compare: found nothing to compare; expected at least two entries or --variants FILE")
    entries = collect(args.entries, variants_of=args.variants, seed=args.seed,
                      overrides=parse_assignments(args.set) or None,
                      counterfactual=False if args.no_counterfactual else None, keep_runs=args.keep_runs,
                      per_tonne_of=args.per_tonne)
    if len(entries) < 2:
        raise ScenarioError(f"compare: found {len(entries)} entry; expected at least two to compare")
    summary = summarise(entries)
    if args.metrics:
        wanted = [m.strip() for m in args.metrics.split(",") if m.strip()]
        unknown = [m for m in wanted if m not in set(summary["metric"])]
        if unknown:
            import difflib

            hints = [f"{m!r}" + (f" (did you mean {difflib.get_close_matches(m, set(summary['metric']), n=1)[0]!r}?)"
                                 if difflib.get_close_matches(m, set(summary["metric"]), n=1) else "")
                     for m in unknown]
            raise ScenarioError(f"--metrics: found {', '.join(hints)}, which no entry has")
        summary = summary[summary["metric"].isin(wanted)].reset_index(drop=True)
    print(format_table(summary, args.reference))
    if args.csv:
        comparison_csv(summary, args.reference).to_csv(args.csv, index=False)
        print(f"\nwrote {args.csv}")
    if args.figures:
        paths = write_figures(summary, Path(args.figures))
        print(f"wrote {len(paths)} figures to {args.figures}/")
    return 0
