"""Benchmark of the Pitzer activity model and saturation indices (plain script, not collected by pytest).

Run: ``python benchmarks/bench_pitzer.py``. Prints, for each case, the median wall-clock time and
the median CPU time (``time.process_time``; less sensitive to other jobs on a shared machine) of
repeated runs, and the throughput ratio against PHREEQC (phreeqpython, pitzer.dat) computing the
same brines' activities and SIs in one run.
"""
from __future__ import annotations

import statistics
import time

import numpy as np

from saltsim.chemistry.minerals import saturation_index
from saltsim.chemistry.pitzer import activity, activity_and_jacobian, load_pitzer_model

REPEATS = 9


def median_times(fn, repeats=REPEATS):
    """Median wall-clock and CPU seconds of ``fn()`` over ``repeats`` runs after one warm-up."""
    fn()
    wall, cpu = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu)


def brines(n, seed=0):
    """Random charge-balanced brines (Na ≥ 1 mol/kg, Cl− closes the balance) and temperatures."""
    sp = load_pitzer_model().species
    rng = np.random.default_rng(seed)
    m = np.zeros((n, sp.n))
    idx = sp.indices(["Na+", "K+", "Mg+2", "Ca+2", "Br-", "Li+"])
    m[:, idx] = rng.uniform([1.0, 0.01, 0.01, 0.01, 0.01, 0.01], [4.0, 1.0, 2.0, 0.05, 0.05, 0.1],
                            size=(n, 6))
    m[:, sp.index("SO4-2")] = rng.uniform(0.01, 0.5, n)
    m[:, sp.index("Cl-")] = m @ sp.charge
    return m, rng.uniform(273.15, 323.15, n)


def phreeqc_per_solution(m, temps):
    """Wall and CPU seconds per solution for PHREEQC speciating ``m`` and computing all SIs."""
    from phreeqpython import PhreeqPython

    pp = PhreeqPython(database="pitzer.dat")
    sp = load_pitzer_model().species
    el = {"Na+": "Na", "K+": "K", "Mg+2": "Mg", "Ca+2": "Ca", "Cl-": "Cl", "SO4-2": "S(6)",
          "Br-": "Br", "Li+": "Li"}
    text = "".join(f"SOLUTION {b + 1}\n temp {temps[b] - 273.15:.6f}\n units mol/kgw\n pH 5.5\n"
                   + "".join(f" {el[s]} {v:.12g}\n" for s, v in zip(sp.ids, m[b]))
                   for b in range(len(m))) + "END\n"
    wall, cpu = median_times(lambda: pp.ip.run_string(text), repeats=3)
    return wall / len(m), cpu / len(m)


def main():
    model = load_pitzer_model()
    m1, t1 = brines(1)
    m, t = brines(10_000)
    st_scalar = model.at(298.15)
    st_each = model.at(t)

    def fresh_at():
        model._at_cache.clear()  # time the evaluation, not the memoised lookup
        return model.at(t)

    def record(label, fn, n):
        wall, cpu = median_times(fn)
        print(f"{label:58s} wall {wall * 1e3:9.3f} ms  cpu {cpu * 1e3:9.3f} ms  "
              f"({cpu / n * 1e6:8.2f} us/brine cpu)")
        return wall, cpu

    record("activity, 1 brine, temperature in K (memoised at(T))", lambda: activity(m1[0], t1[0], model), 1)
    record("activity, 1 brine, precomputed model.at(T)", lambda: activity(m1[0], None, st_scalar), 1)
    record("activity_and_jacobian, 1 brine, precomputed",
           lambda: activity_and_jacobian(m1[0], None, st_scalar), 1)
    record("activity, 10,000 brines, one T (precomputed)", lambda: activity(m, None, st_scalar), len(m))
    record("activity, 10,000 brines, own T each (precomputed)", lambda: activity(m, None, st_each), len(m))
    record("model.at(T), 10,000 temperatures (not memoised)", fresh_at, len(m))
    record("activity_and_jacobian, 10,000 brines, own T",
           lambda: activity_and_jacobian(m, None, st_each), len(m))

    def act_si():
        lg, law = activity(m, None, st_each)
        return saturation_index(lg, m, law, t)

    wall, cpu = record("activity + SI of 22 minerals, 10,000 brines, own T", act_si, len(m))
    try:
        ph_wall, ph_cpu = phreeqc_per_solution(m[:500], t[:500])
    except ImportError:
        print("phreeqpython not installed: PHREEQC comparison skipped")
        return
    print(f"{'PHREEQC speciation + SIs, 500 solutions in one run':58s} "
          f"per solution: wall {ph_wall * 1e6:9.1f} us  cpu {ph_cpu * 1e6:9.1f} us")
    print(f"throughput ratio saltsim/PHREEQC (activity + SI): wall {ph_wall / (wall / len(m)):.0f}x, "
          f"cpu {ph_cpu / (cpu / len(m)):.0f}x")


if __name__ == "__main__":
    main()
