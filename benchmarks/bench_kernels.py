"""Pond kernel throughput, and the cost of one PHREEQC equilibrium step for comparison.

    python benchmarks/bench_kernels.py

Plain script (not collected by pytest). Builds the fractional evaporation path of the Lake Urmia
brine used as the Qom proxy [U1] with the chemistry engine, fills n ponds with brine at spread
path positions, and times :func:`saltsim.kernels.ponds.step_day` (rain, evaporation through
water activity, precipitation/redissolution on the path, seepage, overflow) for n = 10, 1,000
and 100,000 ponds; reports the median of several timed blocks as pond-days per second. Then
times one PHREEQC (phreeqpython, pitzer.dat) equilibrium step of the same brine — remove 10 mmol
of water and equilibrate with six evaporite phases — in the same process, and the ratio.
"""
from __future__ import annotations

import platform
import statistics
import time

import numpy as np

from saltsim.chemistry.path_table import build_path_table
from saltsim.constants import SOLUTES
from saltsim.kernels import ponds
from saltsim.kernels.path import path_lookup

FEED = {"Na": 4.900, "K": 0.005, "Mg": 0.461, "Ca": 0.0156, "SO4": 0.181}   # [U1] mol/kg water
SIZES = {10: 2000, 1000: 400, 100_000: 10}     # ponds → steps per timed block
BLOCKS = 5

PHREEQC_STEP = """SOLUTION 1
 units mol/kgw
 temp 25
 Na 4.9
 K 0.005
 Mg 0.461
 Ca 0.0156
 Cl 5.4962 charge
 S(6) 0.181
REACTION 1
 H2O -1.0
 10 mmol
EQUILIBRIUM_PHASES 1
 Halite 0 0
 Gypsum 0 0
 Anhydrite 0 0
 Glauberite 0 0
 Epsomite 0 0
 Bloedite 0 0
END
"""


def feed_molality():
    feed = np.zeros(len(SOLUTES))
    for ion, value in FEED.items():
        feed[SOLUTES.index(ion)] = value
    feed[SOLUTES.index("Cl")] = (feed[SOLUTES.index("Na")] + feed[SOLUTES.index("K")]
                                 + 2 * feed[SOLUTES.index("Mg")] + 2 * feed[SOLUTES.index("Ca")]
                                 - 2 * feed[SOLUTES.index("SO4")])
    return feed


def ponds_at_spread_positions(lookup, feed, n, rng):
    """n ponds of 1 ha, 0.4 m of brine, at random points of the first 60 % of the path."""
    area = np.full(n, 1e4)
    position = rng.uniform(0.0, 0.6 * (lookup.n_rows - 1), n)
    state = ponds.empty_state(n, len(SOLUTES), lookup.n_minerals)
    water_per_feed = ponds.at_position(lookup.water, position)
    feed_kg = 0.4 * area * 1000.0 / (1.0 + 0.3)               # ~0.4 m of brine
    state.feed[:] = feed_kg
    state.water[:] = feed_kg * water_per_feed
    state.solutes[:] = feed_kg[:, None] * ponds.at_position(lookup.dissolved, position)
    state.position[:] = position
    return state, area


def time_kernel(lookup, feed, n, steps, rng):
    state, area = ponds_at_spread_positions(lookup, feed, n, rng)
    capacity = area * 0.6
    seepage = np.full(n, 0.3e-3)
    rates, cpu_rates = [], []
    for _ in range(BLOCKS):
        started, cpu = time.perf_counter(), time.process_time()
        for day in range(steps):
            rain = 0.004 if day % 17 == 0 else 0.0
            state, _ = ponds.step_day(state, lookup, area, capacity, seepage, rain, 0.006, 0.35)
        rates.append(n * steps / (time.perf_counter() - started))
        cpu_rates.append(n * steps / (time.process_time() - cpu))
        state, area = ponds_at_spread_positions(lookup, feed, n, rng)
    return statistics.median(rates), statistics.median(cpu_rates)


def time_phreeqc(repeat=30):
    import phreeqpython

    ip = phreeqpython.PhreeqPython(database="pitzer.dat").ip
    ip.run_string(PHREEQC_STEP)
    times, cpu_times = [], []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        ip.run_string(PHREEQC_STEP)
        times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu)
    return statistics.median(times), statistics.median(cpu_times)


def main():
    rng = np.random.default_rng(1)
    feed = feed_molality()
    table = build_path_table(feed, 298.15)
    lookup = path_lookup(table, SOLUTES)
    print(f"machine: {platform.machine()}, python {platform.python_version()}, numpy {np.__version__}")
    print(f"path: {lookup.n_rows} rows, minerals {', '.join(lookup.mineral_names)}")
    rates = {}
    for n, steps in SIZES.items():
        wall, cpu = time_kernel(lookup, feed, n, steps, rng)
        rates[n] = (wall, cpu)
        print(f"step_day, {n:>7} ponds: {wall:.3g} pond-days/s wall, {cpu:.3g} CPU "
              f"({1e6 / cpu:.3g} µs CPU per pond-day)")
    phreeqc, phreeqc_cpu = time_phreeqc()
    print(f"PHREEQC equilibrium step (phreeqpython, pitzer.dat): {phreeqc * 1e3:.2f} ms wall, "
          f"{phreeqc_cpu * 1e3:.2f} ms CPU")
    for n, (wall, cpu) in rates.items():
        print(f"  PHREEQC step / kernel pond-day at {n} ponds: {phreeqc * wall:.3g}x wall, "
              f"{phreeqc_cpu * cpu:.3g}x CPU")


if __name__ == "__main__":
    main()
