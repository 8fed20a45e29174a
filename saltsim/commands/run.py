"""``saltsim run [SCENARIO]``: simulate a scenario and write its run directory."""
from __future__ import annotations

import sys

HELP = "run a scenario (default: the bundled Qom Salt Lake baseline) and write the results"
EXAMPLES = """example:
  saltsim run                                   # bundled qom_baseline, results under ./runs/
  saltsim run scenarios/qom_small.toml --seed 7 --out runs/small
  saltsim run scenarios/qom_baseline.toml#crust_harvest --set 'site.horizon="10 yr"'
"""


def add_arguments(parser) -> None:
    parser.add_argument("scenario", nargs="?", metavar="SCENARIO",
                        help="scenario file, optionally FILE#VARIANT (default: bundled qom_baseline)")
    parser.add_argument("--out", metavar="DIR", help="run directory to create (default: a new directory under ./runs/)")
    parser.add_argument("--seed", type=int, metavar="N", help="seed of the run (default: site.seed)")
    parser.add_argument("--variant", metavar="NAME", help="apply the overrides of [[variants]] NAME")
    parser.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                        help="override a field, e.g. 'ponds[0].area=\"20 km^2\"' (TOML value; repeatable)")
    parser.add_argument("--force", action="store_true", help="replace an existing --out directory")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def parse_assignments(assignments) -> dict:
    """``["a.b=1", 'c="2 m"']`` → ``{"a.b": 1, "c": "2 m"}``; values are TOML, else plain text."""
    import tomllib

    from ..errors import ScenarioError

    out = {}
    for item in assignments:
        path, sep, text = item.partition("=")
        if not sep or not path.strip():
            raise ScenarioError(f"--set: found {item!r}; expected PATH=VALUE such as 'ponds[0].area=\"20 km^2\"'")
        try:
            value = tomllib.loads(f"v = {text.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            value = text.strip()
        out[path.strip()] = value
    return out


def _default_out(stem: str):
    import datetime
    from pathlib import Path

    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = Path("runs") / f"{stem}-{stamp}"
    candidate, n = base, 1
    while candidate.exists():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


#: Display units tried for a KPI, by its unit's dimension, smallest first.
_DISPLAY_CANDIDATES = (
    ("kg/yr", ("kg/yr", "t/yr", "kt/yr", "Mt/yr")),
    ("kg", ("kg", "t", "kt", "Mt")),
    ("J/yr", ("kWh/yr", "MWh/yr", "GWh/yr", "TWh/yr")),
    ("J", ("kWh", "MWh", "GWh", "TWh")),
    ("m^3/yr", ("m^3/yr", "hm^3/yr", "km^3/yr")),
    ("m^3", ("m^3", "hm^3", "km^3")),
    ("s", ("s", "h", "d", "yr")),
    ("kg*m", ("t*km", "Mt*km")),
)


def display_quantity(value: float, unit: str) -> tuple[float, str]:
    """The value in the largest display unit of its dimension that keeps it ≥ 1 (pint, display only)."""
    from ..units import ureg

    try:
        quantity = ureg.Quantity(value, unit)
    except Exception:  # an unparsable unit string is shown as given
        return value, unit
    for reference, candidates in _DISPLAY_CANDIDATES:
        if quantity.dimensionality != ureg.Quantity(1, reference).dimensionality:
            continue
        if value == 0:   # nothing to scale: keep a display unit the value came in (0 d stays 0 d)
            return 0.0, unit if unit in candidates else candidates[0]
        best = (value, unit)
        for candidate in candidates:
            converted = float(quantity.to(candidate).magnitude)
            if abs(converted) >= 1:
                best = (converted, candidate)
        return best
    return value, unit


def _format_value(value: float) -> str:
    if value != value:  # NaN
        return "nan"
    magnitude = abs(value)
    if magnitude != 0 and (magnitude >= 1e7 or magnitude < 1e-3):
        return f"{value:.4g}"
    return f"{value:,.4g}" if magnitude < 1000 else f"{value:,.0f}"


def run(args) -> int:
    from pathlib import Path

    from ..errors import ResultsError, ScenarioError
    from ..examples import example_path
    from ..runner import run as run_scenario
    from ..scenario import load_scenario
    from ..scenario.summary import summary_lines

    spec = args.scenario
    variant = args.variant
    if spec is None:
        path = example_path()
    else:
        file_part, sep, name = spec.rpartition("#")
        if sep and file_part:
            spec, variant = file_part, (variant or name)
        path = Path(spec)
    scenario = load_scenario(path, overrides=parse_assignments(args.set), variant=variant)
    out = Path(args.out) if args.out else _default_out(Path(path).stem + (f"-{variant}" if variant else ""))
    if out.exists() and not args.force:
        raise ScenarioError(f"--out: {out} already exists; expected a new directory (or --force to replace it)")
    for line in summary_lines(scenario):
        print(line)
    results = run_scenario(scenario, seed=args.seed, progress=False if args.no_progress else None)
    print()
    if results.kpis.empty:
        print("KPIs: none (no site model installed; the run directory holds the empty tables)")
    else:
        print("KPIs")
        width = max(len(str(k)) for k in results.kpis["kpi"])
        for row in results.kpis.itertuples(index=False):
            value, unit = display_quantity(float(row.value), str(row.unit))
            print(f"  {str(row.kpi):<{width}}  {_format_value(value):>14} {unit}")
    try:
        written = results.write(out, overwrite=args.force)
    except ResultsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"\nwrote {written}/ (seed {results.metadata['seed']}, "
          f"{results.metadata['wall_time_s']:.1f} s)")
    return 0
