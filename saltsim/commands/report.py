"""``saltsim report RUN_DIR``: a self-contained static HTML report of a run (or of a sweep)."""
from __future__ import annotations

HELP = "write a self-contained HTML report (figures embedded, also as PNG) of a run or sweep directory"
EXAMPLES = """examples:
  saltsim run scenarios/qom_small.toml --out runs/small && saltsim report runs/small
  saltsim report runs/small --out small.html --figures small_figures/
  saltsim report sweeps/strategies          # a sweep: every KPI with its mean and 90 % interval

The report needs no server and no network: open the HTML file in any browser.
"""


def add_arguments(parser) -> None:
    parser.add_argument("run_dir", metavar="RUN_DIR", help="directory written by 'saltsim run --out' (or a sweep)")
    parser.add_argument("--out", metavar="FILE", help="HTML file to write (default: RUN_DIR/report.html)")
    parser.add_argument("--figures", metavar="DIR",
                        help="directory for the PNG figures (default: <out stem>_figures beside the HTML)")


def run(args) -> int:
    from pathlib import Path

    from ..errors import ResultsError
    from ..report import build_report

    run_dir = Path(args.run_dir)
    if not run_dir.is_dir():
        raise ResultsError(f"{run_dir}: found no such directory; expected a run directory "
                           f"(saltsim run --out DIR)")
    out = build_report(run_dir, args.out, args.figures)
    print(f"wrote {out}")
    return 0
