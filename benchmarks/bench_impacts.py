"""Benchmark: impact accounting, the lakebed dust quadrature and the HTML report.

Run: ``python benchmarks/bench_impacts.py [--years 30] [--repeats 5]``. Simulates the bundled
Qom baseline and its no-project counterfactual once (not timed here: see bench_run.py), then
times the pure accounting on their tables, the dust expectation over many days, and the report.
Prints medians of wall and CPU time; results go to benchmarks/RESULTS.md by hand, with the machine.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np


def _timed(function, repeats):
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=float, default=30.0)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    from saltsim.des.model import simulate
    from saltsim.environment import dust
    from saltsim.environment.factors import default_factors, factor_values
    from saltsim.environment.impacts import impacts_from_tables
    from saltsim.examples import example_path
    from saltsim.report import write_run_report
    from saltsim.results import Results
    from saltsim.scenario import load_scenario

    scenario = load_scenario(example_path(), overrides={"site.horizon": f"{args.years} yr"})
    started = time.perf_counter()
    project = dict(simulate(scenario, progress=False))
    no_project = dict(simulate(scenario, strategy="no_project", progress=False))
    print(f"simulated {args.years:g} yr twice in {time.perf_counter() - started:.1f} s (not part of the timings)")
    print(f"tables: flows {len(project['flows']):,} rows, lake {len(project['lake']):,} days")

    rows = []
    wall, cpu = _timed(lambda: impacts_from_tables(project, scenario, no_project), args.repeats)
    rows.append(("impacts_from_tables, project + counterfactual", wall, cpu))
    factors = factor_values(default_factors())
    n = 1_000_000
    wind = np.random.default_rng(1).gamma(4.0, 1.0, n)
    wall, cpu = _timed(lambda: dust.expected_pm10_flux(wind, factors["dust_threshold_disturbed"],
                                                       factors["dust_flux_ratio"]), args.repeats)
    rows.append((f"expected_pm10_flux, {n:,} days (32 Gauss-Laguerre nodes)", wall, cpu))
    impacts = impacts_from_tables(project, scenario, no_project)
    results = Results.from_tables({**project, "impacts": impacts}, {"seed": scenario.site.seed})
    with tempfile.TemporaryDirectory() as tmp:
        wall, cpu = _timed(lambda: write_run_report(results, Path(tmp) / "report.html"), max(1, args.repeats // 2))
        size = (Path(tmp) / "report.html").stat().st_size
    rows.append((f"write_run_report ({size / 1e6:.1f} MB HTML, 9 figures)", wall, cpu))
    print(f"{'case':<60} {'wall':>9} {'CPU':>9}")
    for name, wall, cpu in rows:
        print(f"{name:<60} {wall * 1e3:>7.0f}ms {cpu * 1e3:>7.0f}ms")


if __name__ == "__main__":
    main()
