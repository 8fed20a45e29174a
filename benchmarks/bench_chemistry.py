"""Chemistry benchmarks: saltsim's equilibrium engine beside PHREEQC, in one run.

Run: ``python benchmarks/bench_chemistry.py [--repeats 5] [--brines 10000] [--phreeqc-brines 300]``

Cases (group "chemistry"):
1. The 200-step seawater equilibrium path at 25 °C (all 22 minerals of the Na-K-Mg-Ca-Cl-SO4-H2O
   system, water removed geometrically to 0.5 %): ``evaporation_path`` (with its onset bisection,
   the product), the 200 requested states alone in one vectorised ``solve_equilibrium`` call
   (exactly PHREEQC's work), and PHREEQC (pitzer.dat via phreeqpython) on the same steps and
   minerals (one input string, INCREMENTAL_REACTIONS false).
2. Independent brine equilibria: seawater concentrated 1–100× with every ion perturbed
   (log-normal, σ = 0.2; Cl closes the charge balance), at 5–45 °C, all 22 minerals:
   ``solve_equilibrium`` on all brines in one call vs PHREEQC on a subset (one SOLUTION +
   EQUILIBRIUM_PHASES block per brine, all in one input string: PHREEQC's best case).
3. A warm-started re-solve of the same brines after 1 % more evaporation (the daily-kernel use).

Medians of wall-clock time over the repeats, and CPU time of the same runs (the VM is shared;
CPU time is the steadier number). Results go to stdout as a Markdown table.
"""
from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from saltsim.chemistry.equilibrium import chemical_system, solve_equilibrium  # noqa: E402
from saltsim.chemistry.evaporation import evaporation_path  # noqa: E402
from saltsim.commands.evaporate import PHREEQC_ELEMENTS, phreeqc_path  # noqa: E402
from saltsim.constants import MOLAR_MASS, SOLUTES  # noqa: E402

REFERENCE = ROOT / "tests" / "data" / "evaporation" / "seawater_noC_25C_pitzer.csv"
STEPS = 200
TO_WATER_FRACTION = 0.005
SEED = 20261128


def seawater() -> np.ndarray:
    with open(REFERENCE, newline="") as fh:
        first = next(csv.DictReader(fh))
    return np.array([float(first[f"m_{c}"]) for c in SOLUTES])


def timed(function, repeats):
    """Median wall and CPU seconds of ``repeats`` calls, and the last result."""
    wall, cpu, result = [], [], None
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        result = function()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu), result


def random_brines(n, rng):
    base = seawater()
    cf = np.exp(rng.uniform(0.0, np.log(100.0), n))
    totals = base * np.exp(rng.normal(0.0, 0.2, (n, len(SOLUTES))))
    charge = np.array([1, 1, 2, 2, 0, -2, 0, -1, 1], dtype=float)
    totals[:, SOLUTES.index("Cl")] = totals @ charge
    water = 1.0 / cf
    temperature = rng.uniform(278.15, 318.15, n)
    return totals, water, temperature


def phreeqc_batch(totals, water, temperature, minerals):
    """PHREEQC equilibria of many brines in one input string; returns elapsed seconds."""
    import phreeqpython

    engine = phreeqpython.PhreeqPython(database="pitzer.dat")
    lines = []
    for k, (t, w, temp) in enumerate(zip(totals, water, temperature), start=1):
        # The brine with 1 kg of water, then the water removed by a reaction (as in PHREEQC's
        # own evaporation examples): PHREEQC's initial-solution solver fails on some of the
        # supersaturated concentrates given directly.
        lines += [f"SOLUTION {k}", " units mol/kgw", f" temp {temp - 273.15:.4f}", " pH 7"]
        for component, element in PHREEQC_ELEMENTS.items():
            value = t[SOLUTES.index(component)]
            if value > 0:
                lines.append(f" {element} {value:.10g}")
        lines.append(f"EQUILIBRIUM_PHASES {k}")
        lines += [f" {m} 0 0" for m in minerals]
        lines += [f"REACTION {k}", " H2O -1", f" {(1.0 - w) / MOLAR_MASS['H2O']:.10g}", "END"]
    text = "\n".join(lines)
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    status = engine.ip.run_string(text)
    elapsed = time.perf_counter() - start_wall, time.process_time() - start_cpu
    failures = engine.ip.get_error_string() if status else ""
    return elapsed, failures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--brines", type=int, default=10_000)
    parser.add_argument("--phreeqc-brines", type=int, default=300)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(SEED)
    system = chemical_system()
    minerals = list(system.mineral_names)
    brine = seawater()
    water_left = TO_WATER_FRACTION ** (np.arange(STEPS) / (STEPS - 1))
    rows = []

    evaporation_path(brine, 298.15, steps=20)  # warm-up: imports, caches
    w, c, path = timed(lambda: evaporation_path(brine, 298.15, steps=STEPS, to_water_fraction=TO_WATER_FRACTION),
                       args.repeats)
    rows.append(("seawater path, `evaporation_path` (200 steps + onset bisection)",
                 w, c, f"{len(path.water_kg)} states"))
    totals = np.broadcast_to(brine, (STEPS, len(SOLUTES)))
    w2, c2, _ = timed(lambda: solve_equilibrium(totals, water_left, 298.15), args.repeats)
    rows.append(("seawater path, 200 states in one `solve_equilibrium` call", w2, c2, "200 states"))
    wp, cp, _ = timed(lambda: phreeqc_path(brine, 298.15, water_left, minerals), args.repeats)
    rows.append(("seawater path, PHREEQC (same 200 steps, 22 minerals)", wp, cp, "200 states"))

    totals_r, water_r, temp_r = random_brines(args.brines, rng)
    wb, cb, state = timed(lambda: solve_equilibrium(totals_r, water_r, temp_r), args.repeats)
    rows.append((f"{args.brines} brines, one `solve_equilibrium` call", wb, cb,
                 f"{cb / args.brines * 1e3:.3f} ms CPU/brine"))
    hydrate = MOLAR_MASS["H2O"] * (state.minerals @ system.hydrate_water)
    drier = state.water_kg + hydrate - 0.01 * state.water_kg
    ww, cw, _ = timed(lambda: solve_equilibrium(totals_r, drier, temp_r, warm_start=state), args.repeats)
    rows.append((f"{args.brines} brines, warm re-solve after 1 % evaporation", ww, cw,
                 f"{cw / args.brines * 1e3:.3f} ms CPU/brine"))
    n_ph = min(args.phreeqc_brines, args.brines)
    timings = [phreeqc_batch(totals_r[:n_ph], water_r[:n_ph], temp_r[:n_ph], minerals)
               for _ in range(max(1, args.repeats // 2))]
    wq = statistics.median(t[0][0] for t in timings)
    cq = statistics.median(t[0][1] for t in timings)
    rows.append((f"{n_ph} brines, PHREEQC (one SOLUTION + EQUILIBRIUM_PHASES block each)", wq, cq,
                 f"{cq / n_ph * 1e3:.3f} ms CPU/brine"))

    print(f"machine: {os.cpu_count()} CPUs; numpy {np.__version__}; Python {sys.version.split()[0]}")
    print("| case | median wall | median CPU | note |")
    print("|---|---|---|---|")
    for name, wall, cpu, note in rows:
        print(f"| {name} | {wall * 1e3:.0f} ms | {cpu * 1e3:.0f} ms | {note} |")
    print()
    print(f"path, evaporation_path / PHREEQC: wall {w / wp:.2f}×, CPU {c / cp:.2f}× (target ≤ 0.25×)")
    print(f"path, 200 states / PHREEQC: wall {w2 / wp:.2f}×, CPU {c2 / cp:.2f}×")
    per_ours_w, per_ours_c = wb / args.brines, cb / args.brines
    per_ph_w, per_ph_c = wq / n_ph, cq / n_ph
    print(f"throughput saltsim / PHREEQC per brine: wall {per_ph_w / per_ours_w:.1f}×, "
          f"CPU {per_ph_c / per_ours_c:.1f}× (target ≥ 50×)")
    if timings[0][1]:
        print(f"PHREEQC reported errors ({timings[0][1].count('ERROR')} lines), first: "
              f"{timings[0][1].strip().splitlines()[0][:200]}")


if __name__ == "__main__":
    main()
