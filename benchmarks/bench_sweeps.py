"""Sweep benchmark: parallel efficiency of replications of ``qom_small`` on the local cores,
and the gain from batching replications in the pond kernel.

    python benchmarks/bench_sweeps.py [--replications 100] [--repeats 3] [--workers 2] [--dask]
    python benchmarks/bench_sweeps.py --kernel-only

Kernel batching: the pond kernel (:func:`saltsim.kernels.ponds.step_day`) is vectorised over
ponds, and rain and evaporation may be per-pond arrays, so R replications of a P-pond field can
step as one field of R·P ponds with each replication's weather repeated over its ponds. The
benchmark times R separate P-pond fields against one R·P-pond field over the same days and
weather, checks that both give the same states, and reports the ratio. (The site model runs one
replication per SimPy environment, so a full run does not batch; this is the kernel's share.)

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


def load_average() -> str:
    try:
        return " / ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "?"


def time_sweep(scenario, replications: int, backend: str, workers: int | None, repeats: int,
               reference=None):
    """Median wall time of the whole sweep, the CPU seconds its runs used, and the table."""
    from saltsim.sweeps import sweep

    times, cpu, table = [], [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = sweep(scenario, replications=replications, backend=backend, workers=workers,
                       progress=False)
        times.append(time.perf_counter() - started)
        cpu.append(sum(result.cpu_time_s.values()))
        table = result.table
        if reference is not None:
            assert_frame_equal(table, reference, check_exact=True)
    return statistics.median(times), times, statistics.median(cpu), table


def kernel_batching(replications: int, days: int, seed: int = 1) -> dict:
    """Time R separate P-pond kernels against one batched R·P-pond kernel (qom_small's ponds)."""
    import numpy as np

    from saltsim.chemistry.path_table import build_path_table
    from saltsim.constants import SOLUTES
    from saltsim.kernels import ponds
    from saltsim.kernels.path import path_lookup
    from saltsim.scenario import load_scenario

    scenario = load_scenario(str(resources.files("saltsim").joinpath("scenarios/qom_small.toml")))
    table = build_path_table(np.asarray(scenario.brine.molality), scenario.brine.temperature)
    lookup = path_lookup(table, SOLUTES)
    area = np.array([p.area for p in scenario.ponds])
    n = len(area)
    rng = np.random.default_rng(seed)
    position = rng.uniform(0.0, 0.6 * (lookup.n_rows - 1), n)
    state = ponds.empty_state(n, len(SOLUTES), lookup.n_minerals)
    feed_kg = 0.4 * area * 1000.0 / 1.3                      # ~0.4 m of brine
    state.feed[:] = feed_kg
    state.water[:] = feed_kg * ponds.at_position(lookup.water, position)
    state.solutes[:] = feed_kg[:, None] * ponds.at_position(lookup.dissolved, position)
    state.position[:] = position
    capacity = area * 0.6
    seepage = np.full(n, 0.3e-3)
    # weather of each replication: wet days ~ 1 in 12, evaporation 2-9 mm/d
    rain = np.where(rng.random((replications, days)) < 1 / 12, rng.gamma(0.8, 5e-3, (replications, days)), 0.0)
    evaporation = rng.uniform(2e-3, 9e-3, (replications, days))
    humidity = 0.35

    def stack(states):
        return type(states[0])(**{f: np.concatenate([getattr(s, f) for s in states])
                                  for f in states[0].__dataclass_fields__})

    started = time.perf_counter()
    separate = []
    for r in range(replications):
        current = state
        for day in range(days):
            current, _ = ponds.step_day(current, lookup, area, capacity, seepage, rain[r, day],
                                        evaporation[r, day], humidity)
        separate.append(current)
    t_separate = time.perf_counter() - started

    batched = stack([state] * replications)
    big_area, big_capacity, big_seepage = (np.tile(a, replications) for a in (area, capacity, seepage))
    started = time.perf_counter()
    for day in range(days):
        batched, _ = ponds.step_day(batched, lookup, big_area, big_capacity, big_seepage,
                                    np.repeat(rain[:, day], n), np.repeat(evaporation[:, day], n), humidity)
    t_batched = time.perf_counter() - started
    reference = stack(separate)
    worst = max(float(np.max(np.abs(getattr(batched, f) - getattr(reference, f))
                             / np.maximum(np.abs(getattr(reference, f)), 1e-300)))
                for f in ("water", "feed", "position"))
    return {"replications": replications, "ponds": n, "days": days, "separate_s": t_separate,
            "batched_s": t_batched, "gain": t_separate / t_batched, "max_rel_difference": worst}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=None, help="default: the bundled qom_small.toml")
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--dask", action="store_true", help="also time a Dask LocalCluster")
    parser.add_argument("--kernel-only", action="store_true", help="only the kernel batching part")
    parser.add_argument("--kernel-days", type=int, default=365)
    args = parser.parse_args(argv)

    print(f"machine: {machine()}")
    k = kernel_batching(args.replications, args.kernel_days)
    print(f"kernel batching: {k['replications']} replications x {k['ponds']} ponds x {k['days']} days: "
          f"separate {k['separate_s']:.2f} s, batched {k['batched_s']:.3f} s, gain {k['gain']:.1f}x "
          f"(max relative state difference {k['max_rel_difference']:.1e})")
    if args.kernel_only:
        return 0

    from saltsim.sweeps import evaluate_scenario, replication_seeds

    scenario = args.scenario or str(resources.files("saltsim").joinpath("scenarios/qom_small.toml"))
    # warm-up: imports, scenario load, chemistry tables, in this process only
    started = time.perf_counter()
    evaluate_scenario(os.path.abspath(scenario), (), replication_seeds(0, 1)[0], None)
    warmup = time.perf_counter() - started

    print(f"load average before: {load_average()}")
    serial, serial_all, serial_cpu, reference = time_sweep(scenario, args.replications, "serial", None,
                                                           args.repeats)
    rows = {"serial": (serial, serial_all, serial_cpu, 1)}
    parallel, parallel_all, parallel_cpu, _ = time_sweep(scenario, args.replications, "processes",
                                                         args.workers, args.repeats, reference)
    rows["processes"] = (parallel, parallel_all, parallel_cpu, args.workers)
    if args.dask:
        dask, dask_all, dask_cpu, _ = time_sweep(scenario, args.replications, "dask", args.workers,
                                                 args.repeats, reference)
        rows["dask LocalCluster"] = (dask, dask_all, dask_cpu, args.workers)

    print(f"scenario: {scenario}; {args.replications} replications; median of {args.repeats}; "
          f"first run in a fresh process (warm-up) {warmup:.2f} s; load average after: {load_average()}")
    print("| backend | workers | median wall [s] | wall per run [ms] | CPU of runs [s] | speed-up | "
          "efficiency (wall) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, (median, _all, cpu, workers) in rows.items():
        speedup = serial / median
        print(f"| {name} | {workers} | {median:.2f} | {1e3 * median / args.replications:.1f} | "
              f"{cpu:.1f} | {speedup:.2f} | {100 * speedup / workers:.0f} % |")
    print("results identical to serial, bit for bit, on every repeat")
    print(json.dumps({name: {"median_s": m, "all_s": a, "cpu_s": c, "workers": w}
                      for name, (m, a, c, w) in rows.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
