"""Sweep benchmark: parallel efficiency of replications of ``qom_small`` on the local cores.

    python benchmarks/bench_sweeps.py [--replications 100] [--repeats 3] [--workers 2]

For each backend the whole sweep is timed end to end (worker start-up included), ``repeats``
times; the median is reported. Parallel efficiency = T_serial / (workers × T_parallel).
The serial backend runs in this process after one untimed warm-up run (imports and caches
loaded), so the efficiency charges the parallel backends with their own start-up.
Results are checked bit for bit against the serial table on every repeat.

Not collected by ``pytest tests``; numbers go to ``benchmarks/RESULTS.md`` (Sweeps section).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from importlib import resources

from pandas.testing import assert_frame_equal


def machine() -> str:
    try:
        lines = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout.splitlines()
        model = next((l.split(":", 1)[1].strip() for l in lines if l.startswith("Model name")), "?")
    except (OSError, subprocess.CalledProcessError):
        model = platform.processor() or "?"
    return f"{model}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def time_sweep(scenario, replications: int, backend: str, workers: int | None, repeats: int,
               reference=None):
    from saltsim.sweeps import sweep

    times, table = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = sweep(scenario, replications=replications, backend=backend, workers=workers,
                       progress=False)
        times.append(time.perf_counter() - started)
        table = result.table
        if reference is not None:
            assert_frame_equal(table, reference, check_exact=True)
    return statistics.median(times), times, table


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=None, help="default: the bundled qom_small.toml")
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--dask", action="store_true", help="also time a Dask LocalCluster")
    args = parser.parse_args(argv)

    from saltsim.sweeps import evaluate_scenario, replication_seeds

    scenario = args.scenario or str(resources.files("saltsim").joinpath("scenarios/qom_small.toml"))
    # warm-up: imports, scenario load, chemistry tables, in this process only
    started = time.perf_counter()
    evaluate_scenario(os.path.abspath(scenario), (), replication_seeds(0, 1)[0], None)
    warmup = time.perf_counter() - started

    serial, serial_all, reference = time_sweep(scenario, args.replications, "serial", None, args.repeats)
    rows = {"serial": (serial, serial_all, 1)}
    parallel, parallel_all, _ = time_sweep(scenario, args.replications, "processes", args.workers,
                                           args.repeats, reference)
    rows["processes"] = (parallel, parallel_all, args.workers)
    if args.dask:
        dask, dask_all, _ = time_sweep(scenario, args.replications, "dask", args.workers,
                                       args.repeats, reference)
        rows["dask LocalCluster"] = (dask, dask_all, args.workers)

    print(f"machine: {machine()}")
    print(f"scenario: {scenario}; {args.replications} replications; median of {args.repeats}; "
          f"first run in a fresh process (warm-up) {warmup:.2f} s")
    print("| backend | workers | median wall [s] | per run [ms] | speed-up | efficiency |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, (median, _all, workers) in rows.items():
        speedup = serial / median
        print(f"| {name} | {workers} | {median:.2f} | {1e3 * median / args.replications:.1f} | "
              f"{speedup:.2f} | {100 * speedup / workers:.0f} % |")
    print(json.dumps({name: {"median_s": m, "all_s": a, "workers": w} for name, (m, a, w) in rows.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
