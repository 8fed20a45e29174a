"""Benchmark of the Pitzer activity model and saturation indices (plain script, not collected by pytest).

Run: ``python benchmarks/bench_pitzer.py``. Prints medians of repeated timings and the throughput
ratio against PHREEQC (phreeqpython, pitzer.dat) computing the same brines' activities and SIs.
"""
from __future__ import annotations

import statistics
import time

import numpy as np

from saltsim.chemistry.minerals import saturation_index
from saltsim.chemistry.pitzer import activity, activity_and_jacobian, load_pitzer_model

REPEATS = 7


def median_time(fn, repeats=REPEATS):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def brines(n, seed=0):
    model = load_pitzer_model()
    sp = model.species
    rng = np.random.default_rng(seed)
    m = np.zeros((n, sp.n))
    idx = sp.indices(["Na+", "K+", "Mg+2", "Ca+2", "Br-", "Li+"])
    m[:, idx] = rng.uniform([1.0, 0.01, 0.01, 0.01, 0.01, 0.01], [4.0, 1.0, 2.0, 0.05, 0.05, 0.1], size=(n, 6))
    m[:, sp.index("SO4-2")] = rng.uniform(0.01, 0.5, n)
    m[:, sp.index("Cl-")] = m @ sp.charge
    return m, rng.uniform(273.15, 323.15, n)


def phreeqc_per_solution(m, temps):
    from phreeqpython import PhreeqPython

    pp = PhreeqPython(database="pitzer.dat")
    sp = load_pitzer_model().species
    el = {"Na+": "Na", "K+": "K", "Mg+2": "Mg", "Ca+2": "Ca", "Cl-": "Cl", "SO4-2": "S(6)",
          "Br-": "Br", "Li+": "Li"}
    blocks = []
    for b in range(len(m)):
        blocks.append(f"SOLUTION {b + 1}\n temp {temps[b] - 273.15:.6f}\n units mol/kgw\n pH 5.5\n"
                      + "".join(f" {el[s]} {v:.12g}\n" for s, v in zip(sp.ids, m[b])))
    text = "".join(blocks) + "END\n"

    def run():
        pp.ip.run_string(text)

    return median_time(run, repeats=3) / len(m)


def main():
    model = load_pitzer_model()
    m1, t1 = brines(1)
    m, t = brines(10_000)
    st_scalar = model.at(298.15)
    st_each = model.at(t)
    rows = []

    def record(label, seconds, n):
        rows.append((label, seconds, seconds / n))
        print(f"{label:62s} {seconds * 1e3:9.3f} ms  {seconds / n * 1e6:9.3f} us/brine")

    record("activity, 1 brine, model.at(T) inside", median_time(lambda: activity(m1[0], t1[0], model)), 1)
    record("activity, 1 brine, precomputed model.at(T)",
           median_time(lambda: activity(m1[0], None, st_scalar)), 1)
    record("activity, 10,000 brines, one T (precomputed)",
           median_time(lambda: activity(m, None, st_scalar)), len(m))
    record("activity, 10,000 brines, own T each (precomputed)",
           median_time(lambda: activity(m, None, st_each)), len(m))
    record("model.at(T) for 10,000 temperatures", median_time(lambda: model.at(t)), len(m))
    record("activity_and_jacobian, 10,000 brines, own T (precomputed)",
           median_time(lambda: activity_and_jacobian(m, None, st_each)), len(m))

    def act_si():
        lg, law = activity(m, None, st_each)
        return saturation_index(lg, m, law, t)

    t_ours = median_time(act_si)
    record("activity + SI of 22 minerals, 10,000 brines, own T", t_ours, len(m))
    try:
        n_ph = 500
        t_ph = phreeqc_per_solution(m[:n_ph], t[:n_ph])
        print(f"{'PHREEQC speciation + SIs, per solution (500 solutions, one run)':62s} "
              f"{'':9s}     {t_ph * 1e6:9.3f} us/brine")
        print(f"throughput ratio saltsim/PHREEQC (activity + SI): {t_ph / (t_ours / len(m)):.0f}x")
    except ImportError:
        print("phreeqpython not installed: PHREEQC comparison skipped")


if __name__ == "__main__":
    main()
